import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import type { ScopedGrants } from '../../capabilities/scoped-grants';
import { openConnections } from './redis-connections';
import { redisKeys } from './redis-keys';
import { readSnapshot } from './redis-snapshot';
import { resolveRedisOptions, type RedisStoreOptions } from './redis-store.options';
import { importAccounts, type ImportOutcome } from './seed-accounts';

/** The accounts, scoped grants and identity links a shared store holds. */
export interface SharedAccounts {
  readonly users: ReadonlyMap<string, readonly string[]>;
  /** Scope path -> email -> capabilities granted at exactly that scope. */
  readonly scopes: ScopedGrants;
  readonly identities: ReadonlyMap<string, string>;
}

/**
 * Reads the accounts, scoped grants and identity links of the store under `redis.prefix` in one
 * atomic step, without seeding or following it; undefined when the prefix holds no store.
 *
 * @example
 * const accounts = await exportSharedAccounts({ url: 'redis://127.0.0.1:6379/0' });
 */
export async function exportSharedAccounts(redis: RedisStoreOptions): Promise<SharedAccounts | undefined> {
  const options = resolveRedisOptions(redis);
  const connections = await openConnections(options);
  try {
    const snapshot = await readSnapshot(connections.bulk, redisKeys(options.prefix));
    return snapshot.epoch === null ? undefined : { users: snapshot.users, scopes: snapshot.scopes, identities: snapshot.identities };
  } finally {
    await connections.close();
  }
}

/**
 * Writes the accounts, scoped grants and identity links of `policy` under `redis.prefix` in one
 * atomic step: `seed` only into a prefix that holds no store, `replace` over whatever
 * is there (every instance then reloads). Answers what was written and, for `replace`,
 * the accounts held before (for `seed`, none).
 */
export async function importSharedAccounts(
  redis: RedisStoreOptions,
  policy: CapabilityPolicy,
  mode: 'seed' | 'replace',
): Promise<ImportOutcome & { readonly before: ReadonlyMap<string, readonly string[]> }> {
  const options = resolveRedisOptions(redis);
  const connections = await openConnections(options);
  try {
    const keys = redisKeys(options.prefix);
    const before = mode === 'replace' ? (await readSnapshot(connections.bulk, keys)).users : new Map<string, readonly string[]>();
    return { ...(await importAccounts(connections.bulk, keys, policy, mode)), before };
  } finally {
    await connections.close();
  }
}
