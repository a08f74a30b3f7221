import { auditTarget } from '../audit/audit-target';
import { FileAuditLog, auditFileFor } from '../stores/file-audit.log';
import { EXIT_OK, UsageError, type CliIo } from './cli-io';

/** `audit [--email EMAIL] [--limit N] [--json]`: the audit trail next to the capability file, newest first. */
export async function auditCommand(options: { caps: string; email: string | undefined; limit: string | undefined; json: boolean }, io: CliIo): Promise<number> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000', 'audit');
  const log = await FileAuditLog.open(auditFileFor(options.caps));
  const entries = await log.recent({ target: auditTarget(options.email), limit });
  for (const entry of entries) {
    if (options.json) io.out(JSON.stringify(entry));
    else io.out(`${entry.at} ${entry.outcome === 'ok' ? 'ok     ' : 'REFUSED'} ${entry.actor} ${entry.action} ${entry.target}: ${entry.detail} [${entry.instance}]`);
  }
  return EXIT_OK;
}
