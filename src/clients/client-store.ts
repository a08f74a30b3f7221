import { Subscribers } from '../events/subscribers';
import { nowSeconds } from '../clock';
import type { ClientRecord } from './client';
import { ClientIndex, withClientAdded, withClientRevoked, type ClientRevocationCheck } from './client-index';

/** Injection token of the module's `ClientStore`. */
export const CLIENT_STORE = Symbol('nest-capabilities:client-store');

/**
 * Where OAuth clients (their secrets' hashes) live. Lookups are synchronous and in
 * memory (the guard checks a client token's client at every request, without I/O);
 * writes are durable before they resolve and reach every instance sharing the backend.
 *
 * @example
 * await clients.create(record);
 * clients.current().live(record.clientId)?.account; // 'bot@service'
 * await clients.revoke(record.clientId);             // rejects CLIENT_UNKNOWN the second time
 */
export interface ClientStore {
  /** Every client known now. */
  current(): ClientIndex;
  /** Stores `record`. */
  create(record: ClientRecord): Promise<void>;
  /**
   * Revokes the live client `clientId` at once; resolves with it revoked; rejects with
   * `CLIENT_UNKNOWN`, or with what `check` throws (judged in the same atomic step as
   * the write), and then revokes nothing.
   */
  revoke(clientId: string, check?: ClientRevocationCheck): Promise<ClientRecord>;
  /** Called whenever clients change, through this instance or another. */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Clients kept in this process only: for tests and apps with a backend of their own
 * and no shared client store. Lost on restart.
 *
 * @example
 * openBackend({ kind: 'memory', policy, given: { clients: new MemoryClientStore() } })
 */
export class MemoryClientStore implements ClientStore {
  private index = new ClientIndex([]);
  private readonly subscribers = new Subscribers<[]>('OAuth client store');

  constructor(private readonly now: () => number = Date.now) {}

  current(): ClientIndex {
    return this.index;
  }

  async create(record: ClientRecord): Promise<void> {
    this.replace(withClientAdded(this.index.records, record));
  }

  async revoke(clientId: string, check?: ClientRevocationCheck): Promise<ClientRecord> {
    const { records, revoked } = withClientRevoked(this.index.records, clientId, nowSeconds(this.now), check);
    this.replace(records);
    return revoked;
  }

  subscribe(listener: () => void): () => void {
    return this.subscribers.add(listener);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  private replace(records: readonly ClientRecord[]): void {
    this.index = new ClientIndex(records);
    this.subscribers.notify();
  }
}
