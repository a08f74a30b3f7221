import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /** When `path` does not exist yet, it is created with the owner, group and mode of this file (if it exists). */
  readonly createLike?: string;
}

/**
 * Replaces the content of `path` with `text` so that a crash at any moment leaves
 * either the old file or the new one, never a truncated one: the text goes to a
 * temporary file in the same folder, is flushed to disk, takes the original file's
 * owner, group and mode, and is renamed over the target; the folder is then flushed
 * so the rename itself survives a power loss. On failure the temporary file is
 * removed and the target is untouched, including when its owner cannot be kept.
 *
 * A symbolic link is followed, so the link stays and its target is replaced.
 *
 * @example
 * await writeFileAtomic('caps.yaml', document.toString());
 * await writeFileAtomic('caps.yaml.revoked.json', json, { createLike: 'caps.yaml' });
 */
export async function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const owner = (await ownerOf(target)) ?? (options.createLike === undefined ? undefined : await ownerOf(options.createLike));
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', owner?.mode ?? 0o666);
    await handle.writeFile(text, 'utf8');
    if (owner !== undefined) await keepOwner(handle, owner);
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

interface Owner {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

async function ownerOf(file: string): Promise<Owner | undefined> {
  try {
    const stats = await stat(file);
    return { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o7777 };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

// A replacement owned by whoever wrote it would hand an operator's file to the app's
// user; a process that may not give it back (not root, not the owner) fails the write.
async function keepOwner(handle: FileHandle, owner: Owner): Promise<void> {
  const created = await handle.stat();
  if (created.uid !== owner.uid || created.gid !== owner.gid) await handle.chown(owner.uid, owner.gid);
  // After chown, which clears set-id bits; the umask may also have narrowed the mode given to open().
  await handle.chmod(owner.mode);
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
