import { mkdir, realpath, rmdir, stat, utimes } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { CapabilitiesError, ConfigError } from '../../errors';

/** How long a writer waits for the lock of a shared file, and when a holder counts as gone. */
export interface FileLockOptions {
  /** Longest wait for the lock, in milliseconds; past it the write is refused (`CAPS_STORE_BUSY`). Default 5000. */
  readonly lockWaitMs?: number;
  /**
   * A lock not refreshed for this long (its holder crashed or hangs) is taken over,
   * in milliseconds, at least 2000. Default 10000.
   */
  readonly lockStaleMs?: number;
}

const DEFAULT_LOCK: Required<FileLockOptions> = { lockWaitMs: 5_000, lockStaleMs: 10_000 };
const FIRST_RETRY_MS = 5;
const LONGEST_RETRY_MS = 100;
// A waiter refreshes its claim at every retry (at most 150 ms apart); one not refreshed for this long was left by a process that is gone.
const CLAIM_STALE_MS = 2_000;

// Work queued per file in this process, so that only one holder at a time asks for the lock.
const queues = new Map<string, Promise<unknown>>();

/** Checks `options` at start-up, so a bad value is a configuration error and not a failed write later. */
export function checkedLockOptions(options: FileLockOptions): Required<FileLockOptions> {
  const lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK.lockWaitMs;
  const lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK.lockStaleMs;
  if (!Number.isFinite(lockWaitMs) || lockWaitMs < 0) throw new ConfigError(`lockWaitMs must be a number of milliseconds, 0 or more, got ${lockWaitMs}`);
  if (!Number.isFinite(lockStaleMs) || lockStaleMs < 2_000) throw new ConfigError(`lockStaleMs must be at least 2000 milliseconds, got ${lockStaleMs}`);
  return { lockWaitMs, lockStaleMs };
}

/**
 * Runs `work` while holding the inter-process lock of `file` (a `<file>.lock` folder
 * beside it, kept fresh by proper-lockfile, which also takes over the lock of a
 * crashed holder once it is stale). Every writer of the file, in any process, goes
 * through here, so a read-judge-write cycle inside `work` never interleaves with
 * another; callers within one process wait their turn first. The file need not
 * exist. Waits at most `lockWaitMs` for another process, then rejects with
 * `CAPS_STORE_BUSY` without running `work`. `work` receives a check to call just
 * before it writes: it throws when the lock was lost meanwhile (the process stalled
 * past `lockStaleMs`).
 *
 * @example
 * await withFileLock('caps.yaml', async (assertHeld) => {
 *   const text = await readFile('caps.yaml', 'utf8');
 *   assertHeld();
 *   await writeFileAtomic('caps.yaml', change(text));
 * });
 */
export function withFileLock<T>(file: string, work: (assertHeld: () => void) => Promise<T>, options: Required<FileLockOptions> = DEFAULT_LOCK): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const run = previous.then(() => holding(file, work, options));
  const settled = run.catch(() => undefined);
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return run;
}

async function holding<T>(file: string, work: (assertHeld: () => void) => Promise<T>, options: Required<FileLockOptions>): Promise<T> {
  // One lock per file, whatever path (relative, through a symbolic link) names it.
  const canonical = await realpath(file).catch(() => resolve(file));
  let lost: Error | undefined;
  const release = await acquire(canonical, options, (error) => (lost = error));
  try {
    return await work(() => {
      if (lost !== undefined) throw new CapabilitiesError('CAPS_STORE_BUSY', 'the lock of the file was lost while changing it; nothing was written', { cause: lost });
    });
  } finally {
    // A lost lock is not ours to remove any more.
    if (lost === undefined) await release().catch(() => undefined);
  }
}

async function acquire(canonical: string, options: Required<FileLockOptions>, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  const deadline = Date.now() + options.lockWaitMs;
  const claim = `${canonical}.lock-next`;
  let claimed = false;
  let pause = FIRST_RETRY_MS;
  try {
    for (;;) {
      const release = claimed || !(await claimedByAnother(claim)) ? await tryLock(canonical, options, onCompromised) : undefined;
      if (release !== undefined) return release;
      if (claimed) await refreshClaim(claim);
      else claimed = await tryClaim(claim);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CapabilitiesError('CAPS_STORE_BUSY', `another writer holds the lock of the file for more than ${options.lockWaitMs} ms; nothing was written`);
      }
      // Jittered, growing pauses: writers that collided do not retry in step.
      await delay(Math.min(left, pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, LONGEST_RETRY_MS);
    }
  } finally {
    if (claimed) await rmdir(claim).catch(() => undefined);
  }
}

/** The lock's release, or `undefined` when another process holds it. */
async function tryLock(canonical: string, options: Required<FileLockOptions>, onCompromised: (error: Error) => void): Promise<(() => Promise<void>) | undefined> {
  try {
    // onCompromised replaces proper-lockfile's default, which throws from a timer and ends the process.
    return await lock(canonical, { realpath: false, stale: options.lockStaleMs, retries: 0, onCompromised });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }
}

// proper-lockfile is not fair: a process that writes back to back takes the lock
// again within a millisecond of releasing it, so a writer of another process that
// polls for it (the command line, a second instance) can miss every free moment
// for as long as the first keeps writing. The first writer kept waiting therefore
// leaves a claim beside the lock (a folder, made atomically), and any other writer
// that finds a live claim waits instead of taking the lock: the lock goes to the
// claimant next.
async function tryClaim(claim: string): Promise<boolean> {
  try {
    await mkdir(claim);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function refreshClaim(claim: string): Promise<void> {
  const now = new Date();
  await utimes(claim, now, now).catch(() => undefined);
}

async function claimedByAnother(claim: string): Promise<boolean> {
  const made = await stat(claim).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (made === undefined) return false;
  if (Date.now() - made.mtimeMs <= CLAIM_STALE_MS) return true;
  // Its waiter is gone; whoever gets here first clears it.
  await rmdir(claim).catch(() => undefined);
  return false;
}
