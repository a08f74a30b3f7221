import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces the content of `path` with `text` so that a crash at any moment leaves
 * either the old file or the new one, never a truncated one: the text goes to a
 * temporary file in the same folder, is flushed to disk, takes the original file's
 * mode, and is renamed over the target; the folder is then flushed so the rename
 * itself survives a power loss. On failure the temporary file is removed.
 *
 * A symbolic link is followed, so the link stays and its target is replaced.
 *
 * @example
 * await writeFileAtomic('caps.yaml', document.toString());
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await modeOf(target);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', mode ?? 0o666);
    await handle.writeFile(text, 'utf8');
    // The umask may have narrowed the mode given to open().
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
}

async function modeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o7777;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

// Some platforms (Windows) and file systems cannot open or flush a folder; the
// rename has happened by then, so only its durability across a power loss is at stake.
const FOLDER_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP']);

async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (!FOLDER_SYNC_UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
