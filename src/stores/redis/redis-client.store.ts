import type { ClientRecord } from '../../clients/client';
import type { ClientIndex, ClientRevocationCheck } from '../../clients/client-index';
import type { ClientStore } from '../../clients/client-store';
import type { RedisStoreEngine } from './redis-store.engine';

/**
 * OAuth clients shared by every instance through Redis (`<prefix>clients`, secrets'
 * hashes only), checked in memory. A creation or revocation is a change of the change
 * log, so every instance applies it as it follows the log (within 100 ms). Obtain it
 * with `RedisStores.open`.
 *
 * @example
 * const { clients } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: process.env.REDIS_URL } });
 */
export class RedisClientStore implements ClientStore {
  constructor(private readonly engine: RedisStoreEngine) {}

  current(): ClientIndex {
    return this.engine.state.clients;
  }

  create(record: ClientRecord): Promise<void> {
    return this.engine.writer.createClient(record);
  }

  revoke(clientId: string, check?: ClientRevocationCheck): Promise<ClientRecord> {
    return this.engine.writer.revokeClient(clientId, check);
  }

  subscribe(listener: () => void): () => void {
    return this.engine.state.onClients(listener);
  }

  /** The connections belong to the capability and revocation stores, which close them. */
  async close(): Promise<void> {}
}
