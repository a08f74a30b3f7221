import { matchesQuery, newestOf, type AuditEntry, type AuditLog, type AuditQuery, type AuditShelf } from '../../audit/audit-log';
import { StoreUnavailableError } from '../../errors';
import type { RedisStoreEngine } from './redis-store.engine';

/** Stream entries read per step when looking back for audit entries. */
const PAGE = 500;
/**
 * The audit trail in two streams shared by every instance: `<prefix>audit`, the trail,
 * trimmed by age (`retentionDays`; null: never), and `<prefix>audit:refused`, the
 * refusals of outsiders, the newest `refusalsKept` or so, so that no number of them
 * pushes an entry of the trail out. Obtain it with `RedisStores.open`.
 *
 * @example
 * const { audit } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: process.env.REDIS_URL } });
 * AuthModule.forRoot({ ..., auditLog: audit });
 */
export class RedisAuditLog implements AuditLog {
  constructor(
    private readonly engine: RedisStoreEngine,
    private readonly retentionDays: number | null,
    private readonly refusalsKept: number,
  ) {}

  append(entry: AuditEntry, shelf: AuditShelf = 'trail'): Promise<void> {
    const { writer, keys } = this.engine;
    if (shelf === 'outsiders') return writer.appendAudit(keys.auditRefused, ['COUNT', String(this.refusalsKept)], JSON.stringify(entry));
    const trim = this.retentionDays === null ? (['', ''] as const) : (['AGE', String(Math.ceil(this.retentionDays * 86_400_000))] as const);
    return writer.appendAudit(keys.audit, trim, JSON.stringify(entry));
  }

  async recent(query: AuditQuery): Promise<AuditEntry[]> {
    try {
      const [trail, outsiders] = await Promise.all([this.matching(this.engine.keys.audit, query), this.matching(this.engine.keys.auditRefused, query)]);
      return newestOf([trail, outsiders], query.limit);
    } catch (error) {
      throw new StoreUnavailableError('Redis is unreachable or too slow: the audit trail could not be read', { cause: error });
    }
  }

  async close(): Promise<void> {}

  private async matching(stream: string, query: AuditQuery): Promise<AuditEntry[]> {
    const redis = this.engine.connections.command;
    const found: AuditEntry[] = [];
    let end = '+';
    while (found.length < query.limit) {
      const page = (await redis.xrevrange(stream, end, '-', 'COUNT', PAGE)) as [string, string[]][];
      for (const [, fields] of page) {
        const entry = auditEntryOf(fields);
        if (entry !== undefined && matchesQuery(entry, query)) found.push(entry);
        if (found.length === query.limit) break;
      }
      if (page.length < PAGE) break;
      end = `(${page[page.length - 1]![0]}`;
    }
    return found;
  }
}

function auditEntryOf(fields: readonly string[]): AuditEntry | undefined {
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'entry') json = fields[i + 1];
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as AuditEntry;
  } catch {
    return undefined;
  }
}
