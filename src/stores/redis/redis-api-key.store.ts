import type { ApiKeyRecord } from '../../api-keys/api-key';
import type { ApiKeyIndex, KeyRevocationCheck } from '../../api-keys/api-key-index';
import type { ApiKeyStore } from '../../api-keys/api-key-store';
import type { RedisStoreEngine } from './redis-store.engine';

/**
 * API keys shared by every instance through Redis (`<prefix>apikeys`, hashes only),
 * checked in memory. A creation or revocation is a change of the change log, so every
 * instance applies it as it follows the log. Obtain it with `RedisStores.open`.
 *
 * @example
 * const { apiKeys } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: process.env.REDIS_URL } });
 * AuthModule.forRoot({ ..., apiKeyStore: apiKeys });
 */
export class RedisApiKeyStore implements ApiKeyStore {
  constructor(private readonly engine: RedisStoreEngine) {}

  current(): ApiKeyIndex {
    return this.engine.state.apiKeys;
  }

  create(record: ApiKeyRecord): Promise<void> {
    return this.engine.writer.createKey(record);
  }

  revoke(name: string, check?: KeyRevocationCheck): Promise<ApiKeyRecord> {
    return this.engine.writer.revokeKey(name, check);
  }

  subscribe(listener: () => void): () => void {
    return this.engine.state.onApiKeys(listener);
  }

  /** The connections belong to the capability and revocation stores, which close them. */
  async close(): Promise<void> {}
}
