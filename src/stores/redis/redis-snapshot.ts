import type { Redis } from 'ioredis';
import type { ScopedGrants } from '../../capabilities/scoped-grants';
import type { ApiKeyRecord } from '../../keys/api-key';
import { parseApiKey, parseNames } from './change-entry';
import type { RedisKeys } from './redis-keys';

/** The whole shared state at one version, read in one atomic step. */
export interface RedisSnapshot {
  /** Null when the prefix holds no store (never seeded, or Redis lost its data). */
  readonly epoch: string | null;
  readonly version: number;
  readonly users: ReadonlyMap<string, readonly string[]>;
  /** Scope path -> email -> capabilities granted at exactly that scope. */
  readonly scopes: ScopedGrants;
  readonly identities: ReadonlyMap<string, string>;
  /** Token id -> expiry in unix seconds, null for never. */
  readonly revokedTokens: Readonly<Record<string, number | null>>;
  readonly revokedAccounts: Readonly<Record<string, number>>;
  /** The id of the last log entry, where following the log resumes ('0-0' for none). */
  readonly lastId: string;
  /** Every API key record, by hash. */
  readonly apiKeys: readonly ApiKeyRecord[];
}

/** Snapshots read again because scopes appeared between listing them and reading them, before giving up. */
const MAX_SNAPSHOT_ATTEMPTS = 20;

/**
 * Reads every key of the store inside one MULTI, so the parts agree with each other
 * and with the version. Accounts with the same list share one array. Each scope's
 * grants are a hash of their own, so the scopes are listed first and read in the
 * MULTI with the list again: the grants of every scope listed there are all there is
 * (the scripts add a scope to the list in the step that writes its hash), and the
 * whole is read again in the rare case a scope was added in between.
 *
 * @example
 * const snapshot = await readSnapshot(redis, redisKeys('nest-capabilities:'));
 */
export async function readSnapshot(redis: Redis, keys: RedisKeys): Promise<RedisSnapshot> {
  let listed = await redis.smembers(keys.scopes);
  for (let attempt = 0; attempt < MAX_SNAPSHOT_ATTEMPTS; attempt++) {
    const read = await readAt(redis, keys, listed);
    if ('snapshot' in read) return read.snapshot;
    listed = read.listed;
  }
  throw new Error('the scopes of the shared store kept changing while it was read');
}

async function readAt(redis: Redis, keys: RedisKeys, listed: readonly string[]): Promise<{ readonly snapshot: RedisSnapshot } | { readonly listed: string[] }> {
  let transaction = redis
    .multi()
    .get(keys.epoch)
    .get(keys.version)
    .hgetall(keys.users)
    .hgetall(keys.identities)
    .zrange(keys.revokedTokens, '0', '-1', 'WITHSCORES')
    .hgetall(keys.revokedAccounts)
    .xrevrange(keys.log, '+', '-', 'COUNT', 1)
    .hgetall(keys.apiKeys)
    .smembers(keys.scopes);
  for (const scope of listed) transaction = transaction.hgetall(keys.scopeGrants + scope);
  const replies = await transaction.exec();
  if (replies === null) throw new Error('the snapshot transaction was aborted');
  const values = replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
  const [epoch, version, users, identities, tokens, accounts, last, apiKeys, scopes] = values as [
    string | null,
    string | null,
    Record<string, string>,
    Record<string, string>,
    string[],
    Record<string, string>,
    [string, string[]][],
    Record<string, string>,
    string[],
  ];
  const known = new Set(listed);
  if (!scopes.every((scope) => known.has(scope))) return { listed: scopes };
  const shared = new Map<string, readonly string[]>();
  return {
    snapshot: {
      epoch,
      version: Number(version ?? 0),
      users: parseUsers(users, shared),
      scopes: parseScopes(listed, values.slice(9) as Record<string, string>[], shared),
      identities: new Map(Object.entries(identities)),
      revokedTokens: parseTokens(tokens),
      revokedAccounts: Object.fromEntries(Object.entries(accounts).map(([email, cutoff]) => [email, Number(cutoff)])),
      lastId: last[0]?.[0] ?? '0-0',
      // A record that does not parse is left out: an unknown key is refused like a revoked one.
      apiKeys: Object.values(apiKeys)
        .map((json) => parseApiKey(json))
        .filter((record): record is ApiKeyRecord => record !== undefined)
        .sort((a, b) => a.createdAt - b.createdAt),
    },
  };
}

// A scope listed but removed since holds nothing: its hash reads empty, and it is left out.
function parseScopes(listed: readonly string[], hashes: readonly Record<string, string>[], shared: Map<string, readonly string[]>): ScopedGrants {
  const scopes = new Map<string, ReadonlyMap<string, readonly string[]>>();
  listed.forEach((scope, index) => {
    const grants = parseUsers(hashes[index]!, shared);
    if (grants.size > 0) scopes.set(scope, grants);
  });
  return scopes;
}

function parseUsers(raw: Record<string, string>, shared: Map<string, readonly string[]>): Map<string, readonly string[]> {
  const users = new Map<string, readonly string[]>();
  for (const email of Object.keys(raw)) {
    const json = raw[email]!;
    let names = shared.get(json);
    if (names === undefined) {
      names = parseNames(json) ?? [];
      shared.set(json, names);
    }
    users.set(email, names);
  }
  return users;
}

function parseTokens(flat: readonly string[]): Record<string, number | null> {
  const tokens: Record<string, number | null> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const score = flat[i + 1]!;
    tokens[flat[i]!] = score === 'inf' || score === '+inf' ? null : Number(score);
  }
  return tokens;
}
