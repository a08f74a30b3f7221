import { openBackend } from '../../../src/stores/backend';
import { capsFileWith } from '../../fixtures/temp-folder';
import { TEST_REDIS_URL, redisTestPrefix } from '../../support/redis-test';
import { backendContract, type BackendFactory } from '../backend-contract';
import { scopedStoreContract } from '../scoped-store-contract';

const openRedis: BackendFactory = async (t, text) => {
  const backend = await openBackend({ kind: 'redis', capsFile: capsFileWith(t, text), redis: { url: TEST_REDIS_URL, prefix: redisTestPrefix(t) } });
  t.after(() => backend.close());
  return backend;
};

backendContract('Redis', openRedis);
scopedStoreContract('Redis', openRedis);
