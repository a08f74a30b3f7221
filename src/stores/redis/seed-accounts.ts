import { randomUUID } from 'node:crypto';
import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import { StoreUnavailableError } from '../../errors';
import type { RedisKeys } from './redis-keys';
import type { ScriptedRedis } from './redis-scripts';

/** What an import wrote: whether this call imported, and how much. */
export interface ImportOutcome {
  readonly imported: boolean;
  readonly accounts: number;
  readonly identities: number;
  /** Scoped grants written: (account, scope) pairs. */
  readonly scopedGrants: number;
}

/**
 * Imports the accounts and identities of `policy` into Redis in one atomic step, but
 * only into a prefix that never held a store: of several instances starting together,
 * exactly one imports. A prefix with data but no epoch is damaged and left alone.
 *
 * @example
 * const outcome = await seedOnce(redis, keys, filePolicy);
 */
export async function seedOnce(redis: ScriptedRedis, keys: RedisKeys, policy: CapabilityPolicy): Promise<ImportOutcome> {
  if ((await redis.exists(keys.epoch)) === 1) return { imported: false, accounts: 0, identities: 0, scopedGrants: 0 };
  return importAccounts(redis, keys, policy, 'seed');
}

/** Writes the accounts, identities and scoped grants of `policy`: `seed` into an empty prefix only, `replace` over whatever is there. */
export async function importAccounts(redis: ScriptedRedis, keys: RedisKeys, policy: CapabilityPolicy, mode: 'seed' | 'replace'): Promise<ImportOutcome> {
  const args: (string | number)[] = [randomUUID(), mode, policy.users.size, policy.identities.size, keys.scopeGrants];
  const lists = new Map<readonly string[], string>();
  const listed = (names: readonly string[]): string => {
    let json = lists.get(names);
    if (json === undefined) lists.set(names, (json = JSON.stringify(names)));
    return json;
  };
  for (const [email, names] of policy.users) args.push(email, listed(names));
  for (const [identity, email] of policy.identities) args.push(identity, email);
  let scopedGrants = 0;
  for (const [scope, grants] of policy.scopes) {
    if (grants.size === 0) continue;
    args.push(scope, grants.size);
    for (const [email, names] of grants) args.push(email, listed(names));
    scopedGrants += grants.size;
  }
  // One array argument: spreading 200,000 arguments into a call overflows the stack.
  const result = Number(await redis.capsImport([keys.epoch, keys.version, keys.users, keys.identities, keys.log, keys.scopes, ...args]));
  if (result === -1) {
    throw new StoreUnavailableError('the Redis prefix holds accounts but no epoch: it was damaged (evicted or partly deleted); restore it with the import command');
  }
  return { imported: result === 1, accounts: policy.users.size, identities: policy.identities.size, scopedGrants };
}
