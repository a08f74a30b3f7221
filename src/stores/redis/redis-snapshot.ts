import type { Redis } from 'ioredis';
import type { ApiKeyRecord } from '../../api-keys/api-key';
import { parseApiKey, parseNames } from './change-entry';
import type { RedisKeys } from './redis-keys';

/** The whole shared state at one version, read in one atomic step. */
export interface RedisSnapshot {
  /** Null when the prefix holds no store (never seeded, or Redis lost its data). */
  readonly epoch: string | null;
  readonly version: number;
  readonly users: ReadonlyMap<string, readonly string[]>;
  readonly identities: ReadonlyMap<string, string>;
  /** Token id -> expiry in unix seconds, null for never. */
  readonly revokedTokens: Readonly<Record<string, number | null>>;
  readonly revokedAccounts: Readonly<Record<string, number>>;
  /** The id of the last log entry, where following the log resumes ('0-0' for none). */
  readonly lastId: string;
  /** Every API key record, by hash. */
  readonly apiKeys: readonly ApiKeyRecord[];
}

/**
 * Reads every key of the store inside one MULTI, so the parts agree with each other
 * and with the version. Accounts with the same list share one array.
 *
 * @example
 * const snapshot = await readSnapshot(redis, redisKeys('nest-capabilities:'));
 */
export async function readSnapshot(redis: Redis, keys: RedisKeys): Promise<RedisSnapshot> {
  const replies = await redis
    .multi()
    .get(keys.epoch)
    .get(keys.version)
    .hgetall(keys.users)
    .hgetall(keys.identities)
    .zrange(keys.revokedTokens, '0', '-1', 'WITHSCORES')
    .hgetall(keys.revokedAccounts)
    .xrevrange(keys.log, '+', '-', 'COUNT', 1)
    .hgetall(keys.apiKeys)
    .exec();
  if (replies === null) throw new Error('the snapshot transaction was aborted');
  const values = replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
  const [epoch, version, users, identities, tokens, accounts, last, apiKeys] = values as [
    string | null,
    string | null,
    Record<string, string>,
    Record<string, string>,
    string[],
    Record<string, string>,
    [string, string[]][],
    Record<string, string>,
  ];
  return {
    epoch,
    version: Number(version ?? 0),
    users: parseUsers(users),
    identities: new Map(Object.entries(identities)),
    revokedTokens: parseTokens(tokens),
    revokedAccounts: Object.fromEntries(Object.entries(accounts).map(([email, cutoff]) => [email, Number(cutoff)])),
    lastId: last[0]?.[0] ?? '0-0',
    // A record that does not parse is left out: an unknown key is refused like a revoked one.
    apiKeys: Object.values(apiKeys)
      .map((json) => parseApiKey(json))
      .filter((record): record is ApiKeyRecord => record !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt),
  };
}

function parseUsers(raw: Record<string, string>): Map<string, readonly string[]> {
  const users = new Map<string, readonly string[]>();
  const shared = new Map<string, readonly string[]>();
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
