import { readFile } from 'node:fs/promises';
import type { AuditEntry } from '../audit/audit-log';
import { Document, visit } from 'yaml';
import { parseCapsFile } from '../caps-file/caps-file';
import { CapabilitiesError } from '../errors';
import { exportSharedAccounts, importSharedAccounts } from '../stores/redis/account-transfer';
import { readAccountsFile } from './accounts-file';
import { EXIT_OK, EXIT_REFUSED, UsageError, cliActor, type CliIo } from './cli-io';
import { appendAll, importAuditEntries } from './import-audit';
import { withBackend, type StoreChoice } from './store-choice';
import { printLines } from './terminal-text';

/**
 * `export`: the accounts, scoped grants and identities of the shared store as a caps.yaml
 * `users:`, `scopes:` (only when some scope holds a grant) and `identities:` block.
 */
export async function exportCommand(choice: StoreChoice, io: CliIo): Promise<number> {
  const accounts = await exportSharedAccounts(requireRedis(choice, 'export'));
  if (accounts === undefined) throw new CapabilitiesError('STORE_UNAVAILABLE', 'this Redis prefix holds no accounts');
  const sorted = <T>(map: ReadonlyMap<string, T>): Record<string, T> => Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
  const scopes = Object.fromEntries(Object.entries(sorted(accounts.scopes)).map(([scope, grants]) => [scope, sorted(grants)]));
  // Accounts with the same list share one array: written out each, never as a YAML alias.
  const document = new Document({ users: sorted(accounts.users), ...(accounts.scopes.size > 0 ? { scopes } : {}), identities: sorted(accounts.identities) }, { aliasDuplicateObjects: false });
  visit(document, { Seq: (_, node) => void (node.flow = true) });
  printLines(io, document.toString({ flowCollectionPadding: false }).trimEnd());
  return EXIT_OK;
}

/**
 * `import FILE`: loads the accounts and identities of FILE into the shared store in
 * one atomic step, checked against the graph of the caps file; refuses a prefix that
 * holds a store already unless `replace` (then every instance reloads). Each account
 * whose capabilities it changed gets a `set` entry in the shared audit trail.
 */
export async function importCommand(positionals: readonly string[], choice: StoreChoice, replace: boolean, io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('import needs exactly one FILE', 'import');
  const redis = requireRedis(choice, 'import');
  const deployed = parseCapsFile(await readFile(choice.caps, 'utf8'), choice.caps);
  const policy = await readAccountsFile(positionals[0]!, deployed);
  // A seed goes only into a prefix that holds no accounts: nothing was there before it.
  const outcome = await importSharedAccounts(redis, policy, replace ? 'replace' : 'seed');
  if (!outcome.imported) {
    io.err('error: this Redis prefix holds accounts already; nothing was imported (add --replace to overwrite them)');
    return EXIT_REFUSED;
  }
  io.out(`imported ${outcome.accounts} accounts and ${outcome.identities} identities${replace ? ', replacing those before' : ''}`);
  await auditImport(choice, io, importAuditEntries(outcome.before, policy.users, cliActor(io.env), Date.now()));
  return EXIT_OK;
}

/** Writes the import's entries to the shared audit trail; a failure is reported, never turned into a failure of the import that was made. */
async function auditImport(choice: StoreChoice, io: CliIo, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  try {
    await withBackend(choice, io, ({ audit }) => appendAll(audit, entries));
  } catch (error) {
    const reason = error instanceof CapabilitiesError ? error.message : 'the audit log could not be written';
    io.err(`warning: the import was made, but its audit entries could not all be written: ${reason}`);
  }
}

function requireRedis(choice: StoreChoice, command: string): { url: string; prefix?: string } {
  if (choice.redis === undefined) throw new UsageError(`${command} works on a shared store: give --redis URL (or set REDIS_URL)`, command);
  return { url: choice.redis.url, ...(choice.redis.prefix === undefined ? {} : { prefix: choice.redis.prefix }) };
}
