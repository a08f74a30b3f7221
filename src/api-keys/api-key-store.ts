import type { ApiKeyRecord } from './api-key';
import { ApiKeyIndex, withKeyAdded, withKeyRevoked, type KeyRevocationCheck } from './api-key-index';
import { Subscribers } from '../events/subscribers';
import { nowSeconds } from '../clock';

/** Injection token of the module's `ApiKeyStore`. */
export const API_KEY_STORE = Symbol('nest-capabilities:api-key-store');

/**
 * Where API keys (their hashes) live. Lookups are synchronous and in memory (the
 * guard's hot path does no I/O); writes are durable before they resolve and reach
 * every instance that shares the backend.
 *
 * @example
 * await keys.create(record);           // rejects KEY_EXISTS for a live key of that name
 * keys.current().authenticate(key, nowSeconds).email; // 'key:deploy'
 * await keys.revoke('deploy');         // rejects KEY_UNKNOWN
 */
export interface ApiKeyStore {
  /** Every key known now. */
  current(): ApiKeyIndex;
  /** Stores `record`; rejects with `KEY_EXISTS` when a live key has its name. */
  create(record: ApiKeyRecord): Promise<void>;
  /**
   * Revokes the key named `name` at once; resolves with it; rejects with `KEY_UNKNOWN`.
   * Calls `check` with each key it is about to revoke, in the same atomic step as the
   * write (so it judges the key revoked, not one read before), and revokes nothing
   * when it throws.
   */
  revoke(name: string, check?: KeyRevocationCheck): Promise<ApiKeyRecord>;
  /** Called whenever keys change, through this instance or another. */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * API keys kept in this process only: for tests and apps with a capability store of
 * their own and no shared key store. Lost on restart.
 *
 * @example
 * AuthModule.forRoot({ ..., store, apiKeyStore: new MemoryApiKeyStore() })
 */
export class MemoryApiKeyStore implements ApiKeyStore {
  private index = new ApiKeyIndex([]);
  private readonly subscribers = new Subscribers<[]>('API key store');

  constructor(private readonly now: () => number = Date.now) {}

  current(): ApiKeyIndex {
    return this.index;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    this.replace(withKeyAdded(this.index.records, record, nowSeconds(this.now)));
  }

  async revoke(name: string, check?: KeyRevocationCheck): Promise<ApiKeyRecord> {
    const { records, revoked } = withKeyRevoked(this.index.records, name, nowSeconds(this.now), check);
    this.replace(records);
    return revoked;
  }

  subscribe(listener: () => void): () => void {
    return this.subscribers.add(listener);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  private replace(records: readonly ApiKeyRecord[]): void {
    this.index = new ApiKeyIndex(records, this.index);
    this.subscribers.notify();
  }
}
