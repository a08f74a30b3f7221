import { matchesQuery, type AuditEntry, type AuditLog, type AuditQuery } from '../../audit/audit-log';
import type { RedisStoreEngine } from './redis-store.engine';

/** Log entries read per step when looking back for audit entries. */
const PAGE = 500;

/**
 * The audit trail kept in the change log itself (entries of kind `audit`), so it is
 * shared by every instance and ordered with the changes it describes. It reaches back
 * as far as the log does (about 100,000 changes). Obtain it with `RedisStores.open`.
 *
 * @example
 * const { audit } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: process.env.REDIS_URL } });
 * AuthModule.forRoot({ ..., auditLog: audit });
 */
export class RedisAuditLog implements AuditLog {
  constructor(private readonly engine: RedisStoreEngine) {}

  append(entry: AuditEntry): Promise<void> {
    return this.engine.writer.appendAudit(JSON.stringify(entry));
  }

  async recent(query: AuditQuery): Promise<AuditEntry[]> {
    const redis = this.engine.connections.command;
    const found: AuditEntry[] = [];
    let end = '+';
    while (found.length < query.limit) {
      const page = (await redis.xrevrange(this.engine.keys.log, end, '-', 'COUNT', PAGE)) as [string, string[]][];
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

  async close(): Promise<void> {}
}

function auditEntryOf(fields: readonly string[]): AuditEntry | undefined {
  let kind: string | undefined;
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'kind') kind = fields[i + 1];
    else if (fields[i] === 'entry') json = fields[i + 1];
  }
  if (kind !== 'audit' || json === undefined) return undefined;
  try {
    return JSON.parse(json) as AuditEntry;
  } catch {
    return undefined;
  }
}
