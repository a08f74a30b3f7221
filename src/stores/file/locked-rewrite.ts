import { writeFileAtomic, type AtomicWriteOptions } from './atomic-write';
import { withFileLock, type FileLockOptions } from './file-lock';

/** What a writer decided to write, having looked at the newest file under its lock. */
export interface PlannedRewrite<T> {
  /** The file's new text; undefined when nothing is to be written. */
  readonly text: string | undefined;
  /** What the write resolves with. */
  readonly result: T;
  /** Takes back what planning changed in memory, when the text could not be written. */
  readonly undo?: () => void;
  /** Runs once the text is on disk, still under the lock (so a signature taken there is that of this write). */
  readonly written?: () => Promise<void> | void;
}

/**
 * The one way the file stores change a file that other processes write too (caps.yaml
 * with its grants and identity links, and the revocation and API key files beside it):
 * under the file's lock, `plan` reads the newest file (another process may have
 * written since this one last looked) and says what to write; the lock is checked to
 * be still held just before the text replaces the file atomically, and `written` then
 * records it. A write that fails leaves the file as it was and runs `undo`.
 *
 * @example
 * await rewriteUnderLock('caps.yaml.revoked.json', lock, async () => {
 *   await reload();
 *   return { text: JSON.stringify(next), result: undefined, written: () => reader.wrote(text) };
 * });
 */
export function rewriteUnderLock<T>(
  file: string,
  lock: Required<FileLockOptions>,
  plan: () => Promise<PlannedRewrite<T>>,
  atomic: AtomicWriteOptions = {},
): Promise<T> {
  return withFileLock(
    file,
    async (assertHeld) => {
      const planned = await plan();
      if (planned.text === undefined) return planned.result;
      try {
        assertHeld();
        await writeFileAtomic(file, planned.text, atomic);
      } catch (error) {
        planned.undo?.();
        throw error;
      }
      await planned.written?.();
      return planned.result;
    },
    lock,
  );
}
