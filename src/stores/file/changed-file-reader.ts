import { readFile } from 'node:fs/promises';
import { mayStillChangeUnseen, readFileSignature, type FileSignature } from './file-signature';

/**
 * Reads a sidecar file only when it changed since this process last read or wrote
 * it, judged by its signature (and by its content while the signature could still
 * hide a change). Shared by the stores that poll a file other instances write.
 *
 * @example
 * const reader = new ChangedFileReader('caps.yaml.keys.json');
 * const text = await reader.readIfChanged(); // undefined: unchanged or missing
 */
export class ChangedFileReader {
  private seen: { signature: FileSignature | undefined; takenAtMs: number; text: string } = { signature: undefined, takenAtMs: 0, text: '' };

  constructor(readonly file: string) {}

  /** The file's text when it differs from what was last seen, else undefined (a missing file too). Rejects as `fs` does. */
  async readIfChanged(): Promise<string | undefined> {
    let signature: FileSignature;
    try {
      signature = await readFileSignature(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const { signature: known, takenAtMs, text: knownText } = this.seen;
    if (known !== undefined && known.key === signature.key && !mayStillChangeUnseen(known, takenAtMs)) return undefined;
    const text = await readFile(this.file, 'utf8');
    this.seen = { signature, takenAtMs: Date.now(), text };
    return text === knownText ? undefined : text;
  }

  /** Records `text` as what this process has just written, so it is not read back as a change. */
  async wrote(text: string): Promise<void> {
    this.seen = { signature: await readFileSignature(this.file).catch(() => undefined), takenAtMs: Date.now(), text };
  }
}

/**
 * Runs `load` every `intervalMs` (never two at once, the timer not keeping the process
 * alive) and reports each new problem once through `report`.
 */
export function pollFile(intervalMs: number, load: () => Promise<void>, report: (message: string) => void): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let reported: string | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped || running !== undefined) return;
    running = load()
      .then(() => (reported = undefined))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== reported) report(message);
        reported = message;
      })
      .then(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * A polling store's first read at start-up: when `load` fails, `poller` is stopped before the
 * error goes on, so a store that never opened leaves no timer behind.
 */
export async function firstLoadOrStop(load: () => Promise<void>, poller: { stop(): Promise<void> }): Promise<void> {
  try {
    await load();
  } catch (error) {
    await poller.stop();
    throw error;
  }
}
