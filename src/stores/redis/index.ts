export { RedisStores, type RedisStoresOptions } from './redis-stores';
export { RedisCapabilityStore } from './redis-capability.store';
export { RedisRevocationStore } from './redis-revocation.store';
export { RedisApiKeyStore } from './redis-api-key.store';
export { RedisClientStore } from './redis-client.store';
export { RedisAuditLog } from './redis-audit.log';
export { DEFAULT_REDIS_PREFIX, resolveRedisOptions, type RedisStoreOptions } from './redis-store.options';
export type { ChangeEntry } from './change-entry';
