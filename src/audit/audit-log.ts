/** What an audit entry records: each kind of change the module makes. */
export type AuditAction = 'add' | 'remove' | 'set' | 'link' | 'revoke' | 'revoke_all' | 'delete' | 'key_create' | 'key_revoke';

/** One change, made or refused. */
export interface AuditEntry {
  /** When, ISO 8601 in UTC. */
  readonly at: string;
  /** Who: the principal's email (`key:<name>` for an API key), or `cli:<os user>`. */
  readonly actor: string;
  readonly action: AuditAction;
  /** What it was done to: an account's email, or `key:<name>`. */
  readonly target: string;
  /** What changed, or why it was refused. */
  readonly detail: string;
  readonly outcome: 'ok' | 'refused';
  /** Which process made it: `<host>:<pid>` unless named. */
  readonly instance: string;
}

/** What to read back from an audit log. */
export interface AuditQuery {
  /** Only entries whose target is this. */
  readonly target?: string | undefined;
  /** Only entries at or after this instant (milliseconds since the epoch). */
  readonly sinceMs?: number | undefined;
  /** At most this many, newest first. */
  readonly limit: number;
}

/**
 * Where the audit trail is kept: appended to durably, read newest first.
 *
 * @example
 * await log.append({ at: new Date().toISOString(), actor: 'ada@example.com', action: 'add', target: 'bob@example.com', detail: 'added write', outcome: 'ok', instance: 'web-1:4242' });
 * (await log.recent({ target: 'bob@example.com', limit: 10 }))[0].action; // 'add'
 */
export interface AuditLog {
  /** Resolves once `entry` is on durable storage. */
  append(entry: AuditEntry): Promise<void>;
  recent(query: AuditQuery): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Whether `entry` answers `query` (the limit aside). */
export function matchesQuery(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.target !== undefined && entry.target !== query.target) return false;
  return query.sinceMs === undefined || Date.parse(entry.at) >= query.sinceMs;
}

/**
 * The audit trail kept in this process only (the newest `capacity` entries): for
 * tests and apps with a capability store of their own and no audit log given.
 *
 * @example
 * AuthModule.forRoot({ ..., store, auditLog: new MemoryAuditLog() })
 */
export class MemoryAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];

  constructor(private readonly capacity = 10_000) {}

  async append(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  async recent(query: AuditQuery): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    for (let index = this.entries.length - 1; index >= 0 && found.length < query.limit; index--) {
      const entry = this.entries[index]!;
      if (matchesQuery(entry, query)) found.push(entry);
    }
    return found;
  }

  async close(): Promise<void> {}
}
