import type { AuditEntry, AuditLog } from '../audit/audit-log';
import { defaultInstanceName } from '../audit/audit-recorder';
import { grantChangeDetail } from '../audit/change-detail';

/** Entries written to the audit log at a time: enough to be quick, few enough not to flood Redis. */
const APPEND_BATCH = 64;

/**
 * The `set` entries of an import: one per account whose stored capabilities it changed
 * (added, or left out by a replace), so `audit --email` names the import as the origin
 * of an account's capabilities; accounts it left as they were get none.
 *
 * @example
 * importAuditEntries(new Map([['bob@example.com', ['read']]]), new Map([['bob@example.com', ['write']]]), 'cli:ops', Date.now())
 * // [{ action: 'set', target: 'bob@example.com', detail: 'import: added write; removed read', ... }]
 */
export function importAuditEntries(
  before: ReadonlyMap<string, readonly string[]>,
  after: ReadonlyMap<string, readonly string[]>,
  actor: string,
  nowMs: number,
  instance: string = defaultInstanceName(),
): AuditEntry[] {
  const at = new Date(nowMs).toISOString();
  const entries: AuditEntry[] = [];
  for (const email of new Set([...before.keys(), ...after.keys()])) {
    const detail = grantChangeDetail(before.get(email) ?? [], after.get(email) ?? []);
    if (detail !== 'no change') entries.push({ at, actor, action: 'set', target: email, detail: `import: ${detail}`, outcome: 'ok', scope: null, instance });
  }
  return entries;
}

/** Appends `entries`, a batch at a time; resolves once all are durable. */
export async function appendAll(log: AuditLog, entries: readonly AuditEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += APPEND_BATCH) {
    await Promise.all(entries.slice(start, start + APPEND_BATCH).map((entry) => log.append(entry)));
  }
}
