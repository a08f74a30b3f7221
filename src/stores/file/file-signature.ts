import { stat } from 'node:fs/promises';

/**
 * What identifies one version of a file without reading it: device, inode, size and
 * the change times in nanoseconds. Equal signatures mean "probably the same content";
 * see `mayStillChangeUnseen` for when that is not enough.
 */
export interface FileSignature {
  readonly key: string;
  readonly modifiedAtMs: number;
}

/** The signature of `file` now; rejects as `stat` does (ENOENT when it is gone). */
export async function readFileSignature(file: string): Promise<FileSignature> {
  const stats = await stat(file, { bigint: true });
  return {
    key: [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':'),
    modifiedAtMs: Number(stats.mtimeMs),
  };
}

// File systems stamp times with a coarse clock (a few milliseconds on Linux, up to
// two seconds on FAT), so a second write of the same size soon after the first can
// leave every field of the signature unchanged.
const TIMESTAMP_GRANULARITY_MS = 2_000;

/**
 * Whether the file could have been changed again since `signature` was taken without
 * changing the signature, so its content must be compared instead (git's "racily
 * clean" entries).
 */
export function mayStillChangeUnseen(signature: FileSignature, takenAtMs: number): boolean {
  return takenAtMs - signature.modifiedAtMs < TIMESTAMP_GRANULARITY_MS;
}
