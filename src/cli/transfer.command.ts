import { readFile } from 'node:fs/promises';
import { Document, visit } from 'yaml';
import { parseCapsFile } from '../capabilities/caps-file';
import { CapabilitiesError } from '../errors';
import { openConnections } from '../stores/redis/redis-connections';
import { redisKeys } from '../stores/redis/redis-keys';
import { readSnapshot } from '../stores/redis/redis-snapshot';
import { resolveRedisOptions } from '../stores/redis/redis-store.options';
import { importAccounts } from '../stores/redis/seed-accounts';
import { readAccountsFile } from './accounts-file';
import { EXIT_OK, EXIT_REFUSED, UsageError, type CliIo } from './cli-io';
import type { StoreChoice } from './store-choice';

/** `export`: the accounts and identities of the shared store as a caps.yaml `users:` and `identities:` block. */
export async function exportCommand(choice: StoreChoice, io: CliIo): Promise<number> {
  const redis = requireRedis(choice, 'export');
  const connections = await openConnections(resolveRedisOptions(redis));
  try {
    const snapshot = await readSnapshot(connections.bulk, redisKeys(resolveRedisOptions(redis).prefix));
    if (snapshot.epoch === null) throw new CapabilitiesError('STORE_UNAVAILABLE', 'this Redis prefix holds no accounts');
    const sorted = <T>(map: ReadonlyMap<string, T>): Record<string, T> => Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
    const document = new Document({ users: sorted(snapshot.users), identities: sorted(snapshot.identities) });
    visit(document, { Seq: (_, node) => void (node.flow = true) });
    io.out(document.toString({ flowCollectionPadding: false }).trimEnd());
    return EXIT_OK;
  } finally {
    await connections.close();
  }
}

/**
 * `import FILE`: loads the accounts and identities of FILE into the shared store in
 * one atomic step, checked against the graph of the caps file; refuses a prefix that
 * holds a store already unless `replace` (then every instance reloads).
 */
export async function importCommand(positionals: readonly string[], choice: StoreChoice, replace: boolean, io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('import needs exactly one FILE', 'import');
  const redis = requireRedis(choice, 'import');
  const deployed = parseCapsFile(await readFile(choice.caps, 'utf8'), choice.caps);
  const policy = await readAccountsFile(positionals[0]!, deployed);
  const options = resolveRedisOptions(redis);
  const connections = await openConnections(options);
  try {
    const outcome = await importAccounts(connections.bulk, redisKeys(options.prefix), policy, replace ? 'replace' : 'seed');
    if (!outcome.imported) {
      io.err('error: this Redis prefix holds accounts already; nothing was imported (add --replace to overwrite them)');
      return EXIT_REFUSED;
    }
    io.out(`imported ${outcome.accounts} accounts and ${outcome.identities} identities${replace ? ', replacing those before' : ''}`);
    return EXIT_OK;
  } finally {
    await connections.close();
  }
}

function requireRedis(choice: StoreChoice, command: string): { url: string; prefix?: string } {
  if (choice.redis === undefined) throw new UsageError(`${command} works on a shared store: give --redis URL (or set REDIS_URL)`, command);
  return { url: choice.redis.url, ...(choice.redis.prefix === undefined ? {} : { prefix: choice.redis.prefix }) };
}
