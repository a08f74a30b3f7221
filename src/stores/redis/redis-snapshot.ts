import type { ApiKeyRecord } from '../../api-keys/api-key';
import type { ChainableCommander } from 'ioredis';
import type { ScopedGrants } from '../../capabilities/scoped-grants';
import { parseApiKey, parseNames } from './change-entry';
import type { ClientRecord } from '../../clients/client';
import { parseClient } from '../client-json';
import type { RedisKeys } from './redis-keys';
import type { ScriptedRedis } from './redis-scripts';

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
  /** Every OAuth client record. */
  readonly clients: readonly ClientRecord[];
}

/**
 * Reads every key of the store inside one MULTI, so the parts agree with each other
 * and with the version. Accounts with the same list share one array, and an account's
 * email one string, wherever it is granted.
 *
 * @example
 * const snapshot = await readSnapshot(redis, redisKeys('nest-capabilities:'));
 */
export async function readSnapshot(redis: ScriptedRedis, keys: RedisKeys): Promise<RedisSnapshot> {
  const transaction = redis
    .multi()
    .get(keys.epoch)
    .get(keys.version)
    .hgetall(keys.users)
    .hgetall(keys.identities)
    .zrange(keys.revokedTokens, '0', '-1', 'WITHSCORES')
    .hgetall(keys.revokedAccounts)
    .xrevrange(keys.log, '+', '-', 'COUNT', 1)
    .hgetall(keys.apiKeys)
    .hgetall(keys.clients);
  // In a transaction a script queues like any command; its answer comes with the others.
  (transaction as ChainableCommander & { capsScopes(...args: string[]): ChainableCommander }).capsScopes(keys.scopes, keys.scopeGrants);
  const replies = await transaction.exec();
  if (replies === null) throw new Error('the snapshot transaction was aborted');
  const values = replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
  const [epoch, version, users, identities, tokens, accounts, last, apiKeys, clients, scopes] = values as [
    string | null,
    string | null,
    Record<string, string>,
    Record<string, string>,
    string[],
    Record<string, string>,
    [string, string[]][],
    Record<string, string>,
    Record<string, string>,
    string[],
  ];
  const shared = new Map<string, readonly string[]>();
  const parsedUsers = parseUsers(users, shared);
  return {
    epoch,
    version: Number(version ?? 0),
    users: parsedUsers,
    scopes: parseScopes(scopes, parsedUsers, shared),
    identities: new Map(Object.entries(identities)),
    revokedTokens: parseTokens(tokens),
    revokedAccounts: Object.fromEntries(Object.entries(accounts).map(([email, cutoff]) => [email, Number(cutoff)])),
    lastId: last[0]?.[0] ?? '0-0',
    // A record that does not parse is left out: an unknown key is refused like a revoked one.
    apiKeys: Object.values(apiKeys)
      .map((json) => parseApiKey(json))
      .filter((record): record is ApiKeyRecord => record !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt),
    // A record that does not parse is left out: an unknown client authenticates as little as a revoked one.
    clients: Object.values(clients)
      .map((json) => parseClient(json))
      .filter((record): record is ClientRecord => record !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt),
  };
}

/** The SCOPES script's answer: scope, then its emails and JSON lists joined by line feeds, for each scope. */
function parseScopes(flat: readonly string[], users: ReadonlyMap<string, unknown>, shared: Map<string, readonly string[]>): ScopedGrants {
  // An email cut out of a long string keeps the whole string alive; one string per account does not.
  const emails = new Map<string, string>();
  for (const email of users.keys()) emails.set(email, email);
  const scopes = new Map<string, ReadonlyMap<string, readonly string[]>>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const fields = flat[i + 1]!.split('\n');
    const grants = new Map<string, readonly string[]>();
    for (let f = 0; f + 1 < fields.length; f += 2) {
      const cut = fields[f]!;
      let email = emails.get(cut);
      if (email === undefined) emails.set(cut, (email = Buffer.from(cut).toString()));
      grants.set(email, sharedList(fields[f + 1]!, shared));
    }
    if (grants.size > 0) scopes.set(flat[i]!, grants);
  }
  return scopes;
}

function sharedList(json: string, shared: Map<string, readonly string[]>): readonly string[] {
  let names = shared.get(json);
  if (names === undefined) {
    names = parseNames(json) ?? [];
    shared.set(json, names);
  }
  return names;
}

function parseUsers(raw: Record<string, string>, shared: Map<string, readonly string[]>): Map<string, readonly string[]> {
  const users = new Map<string, readonly string[]>();
  for (const email of Object.keys(raw)) users.set(email, sharedList(raw[email]!, shared));
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
