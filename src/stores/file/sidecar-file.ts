import { open, stat } from 'node:fs/promises';

/**
 * The mode a file kept next to `capsFile` is created with: the caps file's own, so a
 * sidecar is never readable by more people than the capability file is.
 */
export async function sidecarMode(capsFile: string | undefined): Promise<number | undefined> {
  if (capsFile === undefined) return undefined;
  try {
    return (await stat(capsFile)).mode & 0o777;
  } catch {
    return undefined;
  }
}

/**
 * Creates `file` empty with `mode` when it does not exist yet, so that the writes that
 * follow (which keep a file's mode) keep this one.
 */
export async function createWithMode(file: string, mode: number | undefined): Promise<void> {
  if (mode === undefined) return;
  try {
    const handle = await open(file, 'wx', mode);
    // The umask may have narrowed the mode given to open().
    await handle.chmod(mode).finally(() => handle.close());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
