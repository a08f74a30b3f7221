/** What an audit entry records: each kind of change the module makes. */
export type AuditAction = 'add' | 'remove' | 'set' | 'link' | 'revoke' | 'revoke_all' | 'delete' | 'drop_scope' | 'key_create' | 'key_revoke' | 'client_create' | 'client_revoke';

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
  /**
   * Where the change was made: a scope path, or null for a global one (grants under
   * `users`, tokens, links). Absent from entries written before scopes existed: read it as null.
   */
  readonly scope?: string | null | undefined;
  /** Which process made it: `<host>:<pid>` unless named. */
  readonly instance: string;
}

/**
 * Where an entry is kept. `trail`: every change made, and every refusal of a manager,
 * kept by age. `outsiders`: the refusals of callers who manage nobody (a request they
 * could never make), kept apart and only the newest, so that no number of them pushes
 * an entry of the trail out.
 */
export type AuditShelf = 'trail' | 'outsiders';

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
  /** Resolves once `entry` is on durable storage, on `shelf` (default `trail`). */
  append(entry: AuditEntry, shelf?: AuditShelf): Promise<void>;
  /** The entries of every shelf that answer `query`, newest first. */
  recent(query: AuditQuery): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Whether `entry` answers `query` (the limit aside). */
export function matchesQuery(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.target !== undefined && entry.target !== query.target) return false;
  return query.sinceMs === undefined || Date.parse(entry.at) >= query.sinceMs;
}

/**
 * The newest `limit` entries of several lists, each newest first (one per shelf): what
 * `recent` answers. Ties keep the order of the lists.
 *
 * @example
 * newestOf([trailEntries, outsiderEntries], 100);
 */
export function newestOf(lists: readonly (readonly AuditEntry[])[], limit: number): AuditEntry[] {
  return lists
    .flat()
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, limit);
}

/**
 * The audit trail kept in this process only (the newest `capacity` entries of the
 * trail, and apart from them the newest `outsidersCapacity` refusals of outsiders):
 * for tests and apps with a capability store of their own and no audit log given.
 *
 * @example
 * AuthModule.forRoot({ ..., store, auditLog: new MemoryAuditLog() })
 */
export class MemoryAuditLog implements AuditLog {
  private readonly shelves: Record<AuditShelf, AuditEntry[]> = { trail: [], outsiders: [] };

  constructor(
    private readonly capacity = 10_000,
    private readonly outsidersCapacity = 1_000,
  ) {}

  async append(entry: AuditEntry, shelf: AuditShelf = 'trail'): Promise<void> {
    const entries = this.shelves[shelf];
    const capacity = shelf === 'trail' ? this.capacity : this.outsidersCapacity;
    entries.push(entry);
    if (entries.length > capacity) entries.splice(0, entries.length - capacity);
  }

  async recent(query: AuditQuery): Promise<AuditEntry[]> {
    return newestOf([matching(this.shelves.trail, query), matching(this.shelves.outsiders, query)], query.limit);
  }

  async close(): Promise<void> {}
}

function matching(entries: readonly AuditEntry[], query: AuditQuery): AuditEntry[] {
  const found: AuditEntry[] = [];
  for (let index = entries.length - 1; index >= 0 && found.length < query.limit; index--) {
    const entry = entries[index]!;
    if (matchesQuery(entry, query)) found.push(entry);
  }
  return found;
}
