import { lock } from 'proper-lockfile';

// Work queued per file in this process, so that only one holder asks for the lock.
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` holding the inter-process lock of `file` (a `<file>.lock` folder, kept
 * fresh while held and taken over when stale), so that processes sharing the file
 * system write it one at a time; callers within one process wait their turn first.
 * The file itself need not exist.
 *
 * @example
 * await withFileLock('caps.yaml.keys.json', async () => { ... read, change, write ... });
 */
export function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const run = previous.then(async () => {
    const release = await lock(file, { realpath: false, stale: 10_000, retries: { retries: 100, factor: 1.2, minTimeout: 5, maxTimeout: 100 } });
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  });
  const settled = run.catch(() => undefined);
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return run;
}
