import type { Principal } from '../capabilities/principal';
import { ApiKeyError, TokenError } from '../errors';
import { hashApiKey, isLive, type ApiKeyRecord } from './api-key';

/** The most keys an index remembers by their text; only keys it has found count, so unknown keys cannot fill it. */
const KNOWN_KEYS = 10_000;

interface IndexedKey {
  readonly record: ApiKeyRecord;
  readonly principal: Principal;
}

/**
 * Every API key known, in memory, built once per change: authenticating a key is a
 * hash and a Map lookup, no I/O. Immutable; stores replace it.
 *
 * @example
 * const index = new ApiKeyIndex(records);
 * index.authenticate('nck_…', nowSeconds()).email; // 'key:deploy'
 */
export class ApiKeyIndex {
  private readonly byHash = new Map<string, IndexedKey>();
  // Keys already found, by their own text: a request with a known key is one map lookup,
  // not a SHA-256 per request. Carried over to the next index by each key's hash.
  private readonly foundByKey = new Map<string, IndexedKey>();
  readonly records: readonly ApiKeyRecord[];

  constructor(records: readonly ApiKeyRecord[], previous?: ApiKeyIndex) {
    this.records = records;
    for (const record of records) {
      // The same principal object while a key is unchanged, so caches keyed by it hold.
      const before = previous?.byHash.get(record.hash);
      const principal = before !== undefined && before.record.revokedAt === record.revokedAt ? before.principal : principalOf(record);
      this.byHash.set(record.hash, { record, principal });
    }
    if (previous !== undefined) {
      for (const [key, { record }] of previous.foundByKey) {
        const now = this.byHash.get(record.hash);
        if (now !== undefined) this.foundByKey.set(key, now);
      }
    }
  }

  /**
   * The principal of `key`, or a `TokenError`: `TOKEN_INVALID` for an unknown key,
   * `TOKEN_REVOKED`, `TOKEN_EXPIRED`.
   */
  authenticate(key: string, nowSeconds: number): Principal {
    const found = this.foundByKey.get(key) ?? this.remembered(key, this.byHash.get(hashApiKey(key)));
    if (found === undefined) throw new TokenError('TOKEN_INVALID', 'the API key is not known to this application');
    if (found.record.revokedAt !== null) throw new TokenError('TOKEN_REVOKED', 'the API key has been revoked');
    const expiresAt = found.record.expiresAt;
    if (expiresAt !== null && expiresAt <= nowSeconds) throw new TokenError('TOKEN_EXPIRED', 'the API key has expired');
    return found.principal;
  }

  private remembered(key: string, found: IndexedKey | undefined): IndexedKey | undefined {
    if (found !== undefined && this.foundByKey.size < KNOWN_KEYS) this.foundByKey.set(key, found);
    return found;
  }

  /** The keys not revoked (expired ones included), oldest first. */
  unrevoked(): ApiKeyRecord[] {
    return this.records.filter((record) => record.revokedAt === null);
  }

  /** The live key named `name`, if any. */
  live(name: string, nowSeconds: number): ApiKeyRecord | undefined {
    return this.records.find((record) => record.name === name && isLive(record, nowSeconds));
  }
}

/** Judges a key about to be revoked, in the store's atomic step; throws to refuse, and nothing is revoked. */
export type KeyRevocationCheck = (record: ApiKeyRecord) => void;

/** Throws `KEY_EXISTS` when a live key named `name` exists. */
export function assertKeyNameFree(index: ApiKeyIndex, name: string, nowSeconds: number): void {
  if (index.live(name, nowSeconds) !== undefined) throw keyNameTaken(name);
}

/** The `KEY_EXISTS` error for `name`, wherever the check ran (here, or in a store's script). */
export function keyNameTaken(name: string): ApiKeyError {
  return new ApiKeyError('KEY_EXISTS', name, `a live API key named ${JSON.stringify(name)} exists; revoke it first or choose another name`);
}

/**
 * The records after revoking every unrevoked key named `name` at `nowSeconds`, and the
 * newest of them; `check` sees each before (it throws to refuse). Throws `KEY_UNKNOWN`
 * when there is none.
 */
export function withKeyRevoked(
  records: readonly ApiKeyRecord[],
  name: string,
  nowSeconds: number,
  check: KeyRevocationCheck = () => undefined,
): { records: ApiKeyRecord[]; revoked: ApiKeyRecord } {
  let revoked: ApiKeyRecord | undefined;
  const next = records.map((record) => {
    if (record.name !== name || record.revokedAt !== null) return record;
    check(record);
    revoked = { ...record, revokedAt: nowSeconds };
    return revoked;
  });
  if (revoked === undefined) throw new ApiKeyError('KEY_UNKNOWN', name, `no API key named ${JSON.stringify(name)}`);
  return { records: next, revoked };
}

/**
 * The records after adding `record`, with revoked keys that have expired forgotten
 * (an unknown key is refused as firmly as a revoked one). Throws `KEY_EXISTS`.
 */
export function withKeyAdded(records: readonly ApiKeyRecord[], record: ApiKeyRecord, nowSeconds: number): ApiKeyRecord[] {
  assertKeyNameFree(new ApiKeyIndex(records), record.name, nowSeconds);
  const kept = records.filter((existing) => existing.revokedAt === null || existing.expiresAt === null || existing.expiresAt > nowSeconds);
  return [...kept, record];
}

function principalOf(record: ApiKeyRecord): Principal {
  const principal: Principal = { email: `key:${record.name}`, kind: 'key', via: 'token', expiresAt: record.expiresAt, keyName: record.name, keyCapabilities: record.capabilities };
  return record.scope === undefined ? principal : { ...principal, scope: record.scope };
}
