import { open, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { matchesQuery, type AuditEntry, type AuditLog, type AuditQuery } from '../audit/audit-log';
import { ConfigError } from '../errors';
import { withFileLock } from './file-lock';
import { createWithMode, sidecarMode } from './sidecar-file';

/** Options of `FileAuditLog.open`. */
export interface FileAuditLogOptions {
  /** The capability file the log belongs to: a new log file takes its mode. */
  readonly capsFile?: string;
  /** Size past which the log is rotated to `<file>.1` (the previous `.1` is dropped). Default 10 MiB. */
  readonly maxBytes?: number;
}

/** The sidecar file that keeps the audit trail of `capsFile`. */
export function auditFileFor(capsFile: string): string {
  return `${capsFile}.audit.jsonl`;
}

/**
 * The audit trail as JSON Lines next to caps.yaml (`caps.yaml.audit.jsonl`): one entry
 * per line, appended under the file's inter-process lock and flushed to disk (fsync)
 * before the change it records is answered. Past `maxBytes` the file moves to
 * `<file>.1` and a new one starts, so the trail keeps between one and two files' worth.
 *
 * @example
 * const log = await FileAuditLog.open(auditFileFor('caps.yaml'), { capsFile: 'caps.yaml' });
 */
export class FileAuditLog implements AuditLog {
  private constructor(
    readonly file: string,
    private readonly capsFile: string | undefined,
    private readonly maxBytes: number,
  ) {}

  static async open(file: string, options: FileAuditLogOptions = {}): Promise<FileAuditLog> {
    const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new ConfigError(`maxBytes must be a positive whole number of bytes, got ${maxBytes}`);
    return new FileAuditLog(file, options.capsFile, maxBytes);
  }

  append(entry: AuditEntry): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    return withFileLock(this.file, async () => {
      let size = await stat(this.file).then((stats) => stats.size, () => 0);
      if (size > 0 && size + line.length > this.maxBytes) {
        await rename(this.file, `${this.file}.1`);
        size = 0;
      }
      await createWithMode(this.file, await sidecarMode(this.capsFile));
      const handle = await open(this.file, 'a+');
      try {
        // A line cut short by a crash must not swallow this one.
        if (size > 0 && !(await endsWithNewline(handle, size))) await handle.write('\n');
        await handle.write(line);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async recent(query: AuditQuery): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    for (const file of [this.file, `${this.file}.1`]) {
      const lines = (await readFile(file, 'utf8').catch(ignoreMissing)).split('\n');
      for (let index = lines.length - 1; index >= 0 && found.length < query.limit; index--) {
        const entry = entryOf(lines[index]!);
        if (entry !== undefined && matchesQuery(entry, query)) found.push(entry);
      }
      if (found.length >= query.limit) break;
    }
    return found;
  }

  async close(): Promise<void> {}
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

// A line cut short by a crash is skipped rather than failing the whole read.
function entryOf(line: string): AuditEntry | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as AuditEntry;
    return typeof value === 'object' && value !== null && typeof value.at === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
