import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { withFileLock } from './file-lock';
import { GroupCommitQueue, type JobOutcome } from '../group-commit-queue';
import { createWithMode, sidecarMode } from './sidecar-file';

/** What a rotation rule is told about the file before an append. */
export interface LinesFileState {
  readonly file: string;
  /** Bytes in the file now; never 0 (an empty file is never rotated). */
  readonly size: number;
  /** Identifies this file until it is rotated (a rotation moves it and a new one starts). */
  readonly inode: number;
  /** Bytes of the lines about to be appended. */
  readonly lineBytes: number;
}

/** Whether the file must move to `<file>.1` (dropping the previous `.1`) before the next line. */
export type RotationRule = (state: LinesFileState) => boolean | Promise<boolean>;

/**
 * A file of lines, appended under the file's inter-process lock and flushed to disk
 * (fsync) before `append` resolves, that moves to `<file>.1` when its rotation rule says
 * so; read back last line first across both files. Lines appended while a write is
 * under way go together in the next one: a burst costs a few writes, not one each.
 *
 * @example
 * const lines = new RotatedLinesFile('caps.yaml.audit.jsonl', 'caps.yaml', ({ size, lineBytes }) => size + lineBytes > 10 * 1024 * 1024);
 * await lines.append('{"at": "2026-01-01T00:00:00.000Z"}');
 */
export class RotatedLinesFile {
  private readonly queue = new GroupCommitQueue<string, void>((texts) => this.appendAll(texts));

  constructor(
    readonly file: string,
    /** The capability file the lines belong to: a new file takes its mode. */
    private readonly capsFile: string | undefined,
    private readonly rotation: RotationRule,
  ) {}

  /** Resolves once `text` (one line, without its newline) is on disk. */
  append(text: string): Promise<void> {
    return this.queue.submit(text);
  }

  private appendAll(texts: readonly string[]): Promise<JobOutcome<void>[]> {
    const lines = Buffer.from(texts.map((text) => `${text}\n`).join(''), 'utf8');
    return withFileLock(this.file, async () => {
      const found = await stat(this.file).catch(() => undefined);
      let size = found?.size ?? 0;
      if (found !== undefined && size > 0 && (await this.rotation({ file: this.file, size, inode: found.ino, lineBytes: lines.length }))) {
        await rename(this.file, `${this.file}.1`);
        size = 0;
      }
      await createWithMode(this.file, await sidecarMode(this.capsFile));
      const handle = await open(this.file, 'a+');
      try {
        // A line cut short by a crash must not swallow these.
        if (size > 0 && !(await endsWithNewline(handle, size))) await handle.write('\n');
        await handle.write(lines);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return texts.map(() => ({ ok: true, value: undefined }));
    });
  }

  /** Gives `take` the lines of the file, then of `<file>.1`, last first, while it answers true. */
  async readBackwards(take: (line: string) => boolean): Promise<void> {
    for (const file of [this.file, `${this.file}.1`]) {
      const lines = (await readFile(file, 'utf8').catch(ignoreMissing)).split('\n');
      for (let index = lines.length - 1; index >= 0; index--) {
        if (!take(lines[index]!)) return;
      }
    }
  }
}

/** The first line of `file` (at most `maxBytes` of it), or undefined for an empty or missing file. */
export async function firstLineOf(file: string, maxBytes = 64 * 1024): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    ignoreMissing(error);
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    if (bytesRead === 0) return undefined;
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return end === -1 ? text : text.slice(0, end);
  } finally {
    await handle.close();
  }
}

async function endsWithNewline(handle: FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function ignoreMissing(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
  throw error;
}
