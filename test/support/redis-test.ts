import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';

/** The Redis every test uses; `.ci/run` starts it when it does not answer. */
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';

/** A key prefix of this test's own; every key under it is deleted when the test ends. */
export function redisTestPrefix(t: TestContext): string {
  const prefix = `nest-capabilities-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  t.after(() => deleteKeys(prefix));
  return prefix;
}

/** A plain client for the test to look at (or damage) the keys; closed when the test ends. */
export function rawRedis(t: TestContext, url = TEST_REDIS_URL): Redis {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  t.after(() => redis.quit().then(() => undefined, () => redis.disconnect()));
  return redis;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
