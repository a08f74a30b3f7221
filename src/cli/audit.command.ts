import type { AuditQuery } from '../audit/audit-log';
import { auditTarget } from '../audit/audit-target';
import { FileAuditLog, auditFileFor } from '../stores/file/file-audit.log';
import { EXIT_OK, UsageError, type CliIo } from './cli-io';
import { withBackend, type StoreChoice } from './store-choice';

/**
 * `audit [--email EMAIL] [--limit N] [--json] [--redis URL]`: the audit trail, newest
 * first: next to the capability file, or in the shared store's audit streams with Redis.
 */
export async function auditCommand(options: { choice: StoreChoice; email: string | undefined; limit: string | undefined; json: boolean }, io: CliIo): Promise<number> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000', 'audit');
  const query: AuditQuery = { target: auditTarget(options.email), limit };
  // Without Redis only the audit file is read, so the trail stays readable when the capability file is not.
  const entries =
    options.choice.redis === undefined
      ? await (await FileAuditLog.open(auditFileFor(options.choice.caps), { retentionDays: null })).recent(query)
      : await withBackend(options.choice, io, ({ audit }) => audit.recent(query));
  for (const entry of entries) {
    if (options.json) io.out(JSON.stringify(entry));
    else io.out(`${entry.at} ${entry.outcome === 'ok' ? 'ok     ' : 'REFUSED'} ${entry.actor} ${entry.action} ${entry.target}: ${entry.detail} [${entry.instance}]`);
  }
  return EXIT_OK;
}
