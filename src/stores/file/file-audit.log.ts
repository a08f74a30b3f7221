import { matchesQuery, newestOf, type AuditEntry, type AuditLog, type AuditQuery, type AuditShelf } from '../../audit/audit-log';
import { ConfigError } from '../../errors';
import { checkedRetentionDays } from '../audit-retention';
import { firstLineOf, RotatedLinesFile, type RotationRule } from './rotated-lines.file';

const DAY_MS = 86_400_000;

/** Options of `FileAuditLog.open`. */
export interface FileAuditLogOptions {
  /** The capability file the log belongs to: a new log file takes its mode. */
  readonly capsFile?: string;
  /**
   * Size past which the file of outsiders' refusals moves to `<that file>.1` (the
   * previous `.1` is dropped). Default 10 MiB.
   */
  readonly maxBytes?: number;
  /**
   * Days every entry of the trail is kept, at least (up to twice as long); null: never
   * dropped (the command line's choice, which appends for an app whose setting it does
   * not know). Default 90.
   */
  readonly retentionDays?: number | null;
  /** The clock, in milliseconds, that decides the age of entries. Default `Date.now`. */
  readonly now?: () => number;
}

/** The sidecar file that keeps the audit trail of `capsFile`. */
export function auditFileFor(capsFile: string): string {
  return `${capsFile}.audit.jsonl`;
}

/** The file that keeps, apart from the trail in `file`, the refusals of outsiders: `caps.yaml.audit-refused.jsonl`. */
export function refusalsFileFor(file: string): string {
  return `${file.replace(/\.jsonl$/, '')}-refused.jsonl`;
}

/**
 * The audit trail as JSON Lines next to caps.yaml (`caps.yaml.audit.jsonl`): one entry
 * per line, appended under the file's inter-process lock and flushed to disk (fsync)
 * before the change it records is answered. The trail is kept by age: once its first
 * entry is older than `retentionDays`, the file moves to `<file>.1` (dropping the
 * previous `.1`, older still) and a new one starts. The refusals of outsiders are kept
 * apart (`caps.yaml.audit-refused.jsonl`), by size, so that they never push out an
 * entry of the trail.
 *
 * @example
 * const log = await FileAuditLog.open(auditFileFor('caps.yaml'), { capsFile: 'caps.yaml' });
 */
export class FileAuditLog implements AuditLog {
  private constructor(
    private readonly trail: RotatedLinesFile,
    private readonly outsiders: RotatedLinesFile,
  ) {}

  static async open(file: string, options: FileAuditLogOptions = {}): Promise<FileAuditLog> {
    const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new ConfigError(`maxBytes must be a positive whole number of bytes, got ${maxBytes}`);
    const retentionDays = checkedRetentionDays(options.retentionDays, 'retentionDays');
    const trailRule: RotationRule = retentionDays === null ? () => false : firstEntryOlderThan(retentionDays * DAY_MS, options.now ?? Date.now);
    return new FileAuditLog(
      new RotatedLinesFile(file, options.capsFile, trailRule),
      new RotatedLinesFile(refusalsFileFor(file), options.capsFile, ({ size, lineBytes }) => size + lineBytes > maxBytes),
    );
  }

  /** The file of the trail. */
  get file(): string {
    return this.trail.file;
  }

  append(entry: AuditEntry, shelf: AuditShelf = 'trail'): Promise<void> {
    return (shelf === 'trail' ? this.trail : this.outsiders).append(JSON.stringify(entry));
  }

  async recent(query: AuditQuery): Promise<AuditEntry[]> {
    const [trail, outsiders] = await Promise.all([matching(this.trail, query), matching(this.outsiders, query)]);
    return newestOf([trail, outsiders], query.limit);
  }

  async close(): Promise<void> {}
}

/**
 * Rotates the trail once its first entry is older than `retentionMs`: every entry of
 * the `.1` it replaces came before that one, so none younger than the retention is lost.
 * The first entry is read once per file (a file is only appended to until it moves).
 */
function firstEntryOlderThan(retentionMs: number, now: () => number): RotationRule {
  let known: { readonly inode: number; readonly firstMs: number } | undefined;
  return async ({ file, inode }) => {
    if (known?.inode !== inode) {
      const first = entryOf((await firstLineOf(file)) ?? '');
      const firstMs = first === undefined ? NaN : Date.parse(first.at);
      // A first line damaged by a crash: the file counts from now, so nothing is dropped early.
      known = { inode, firstMs: Number.isFinite(firstMs) ? firstMs : now() };
    }
    return known.firstMs < now() - retentionMs;
  };
}

async function matching(lines: RotatedLinesFile, query: AuditQuery): Promise<AuditEntry[]> {
  const found: AuditEntry[] = [];
  await lines.readBackwards((line) => {
    const entry = entryOf(line);
    if (entry !== undefined && matchesQuery(entry, query)) found.push(entry);
    return found.length < query.limit;
  });
  return found;
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
