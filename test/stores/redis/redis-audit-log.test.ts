import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { AuditRecorder } from '../../../src/audit/audit-recorder';
import type { Principal } from '../../../src/capabilities/principal';
import { AccessError } from '../../../src/errors';
import { RedisStores, type RedisStoresOptions } from '../../../src/stores/redis';
import { redisKeys } from '../../../src/stores/redis/redis-keys';
import { capsFileWith } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';
import { rawRedis, redisTestPrefix, TEST_REDIS_URL } from '../../support/redis-test';
import { TcpProxy } from '../../support/tcp-proxy';
import { TWO_ADMINS_CAPS } from './redis-fixtures';

const alice: Principal = { email: 'alice@example.com', kind: 'user', via: 'session' };
const mallory: Principal = { email: 'mallory@example.com', kind: 'user', via: 'token' };
const refuse = (): Promise<never> => Promise.reject(new AccessError('CAPABILITY_MISSING', 'user_management', 'missing capability "user_management"'));

async function openStores(t: TestContext, prefix: string, options: Partial<RedisStoresOptions> = {}): Promise<RedisStores> {
  const stores = await RedisStores.open({ capsFile: capsFileWith(t, TWO_ADMINS_CAPS), redis: { url: TEST_REDIS_URL, prefix }, logger: { log() {}, warn() {}, error() {} }, ...options });
  t.after(() => stores.close());
  return stores;
}

function recorderOn(stores: RedisStores): AuditRecorder {
  return new AuditRecorder(stores.audit, 'test:1', (message) => assert.fail(message), Date.now, (principal) => stores.capabilities.current().effectiveFor(principal).has('user_management'));
}

describe('Redis audit log', () => {
  test('keeps the scope of each entry, null for a global change, on every instance', async (t) => {
    const prefix = redisTestPrefix(t);
    const audit = recorderOn(await openStores(t, prefix));
    await audit.record(alice, 'add', 'dan@example.com', 'add read at shop:paris', () => Promise.resolve(), () => 'added read', 'shop:paris');
    await assert.rejects(audit.record(alice, 'remove', 'dan@example.com', 'remove read at shop:lyon', refuse, () => '', 'shop:lyon'), { code: 'CAPABILITY_MISSING' });
    await audit.record(alice, 'add', 'dan@example.com', 'add read', () => Promise.resolve(), () => 'added read');
    const other = await openStores(t, prefix);
    const entries = await other.audit.recent({ target: 'dan@example.com', limit: 10 });
    assert.deepEqual(entries.map((entry) => [entry.outcome, entry.scope]), [['ok', null], ['refused', 'shop:lyon'], ['ok', 'shop:paris']]);
  });

  test('leaves every earlier entry of the trail readable after 10,000 refusals of outsiders, on every instance, the change log untouched', async (t) => {
    const prefix = redisTestPrefix(t);
    const stores = await openStores(t, prefix, { auditRefusalsKept: 1_000 });
    const audit = recorderOn(stores);
    const made = ['admin', 'write', 'read'];
    for (const capability of made) await audit.record(alice, 'add', 'mallory@example.com', `add ${capability}`, () => Promise.resolve(), () => `added ${capability}`);
    await assert.rejects(audit.record(alice, 'remove', 'alice@example.com', 'remove admin', refuse, () => ''), { code: 'CAPABILITY_MISSING' });
    for (let burst = 0; burst < 20; burst++) {
      await Promise.all(Array.from({ length: 500 }, () => audit.record(mallory, 'revoke_all', 'alice@example.com', 'revoke every token', refuse, () => '').catch(() => undefined)));
    }

    const other = await openStores(t, prefix);
    const trail = (await other.audit.recent({ target: 'mallory@example.com', limit: 1000 })).map((entry) => entry.detail);
    assert.deepEqual(trail, ['added read', 'added write', 'added admin']);
    const keys = redisKeys(prefix);
    const raw = rawRedis(t);
    assert.equal(await raw.xlen(keys.audit), 4, "the trail holds the changes and the manager's refusal only");
    const refusals = await raw.xlen(keys.auditRefused);
    assert.ok(refusals >= 1_000 && refusals < 1_200, `the refusals kept apart are capped, roughly: ${refusals}`);
    assert.equal(await raw.get(keys.version), '0', 'no audit entry is a change');
    assert.equal(await raw.xlen(keys.log), 0);
    assert.equal((await other.audit.recent({ target: 'alice@example.com', limit: 1 }))[0]?.actor, 'mallory@example.com', 'the newest refusals are still shown');
  });

  test("trims the trail by age on Redis's clock, never by count", async (t) => {
    const prefix = redisTestPrefix(t);
    // 0.00002 days: 1.7 seconds.
    const stores = await openStores(t, prefix, { auditRetentionDays: 0.00002 });
    const audit = recorderOn(stores);
    await Promise.all(Array.from({ length: 300 }, (_, index) => audit.record(alice, 'add', 'bob@example.com', 'add read', () => Promise.resolve(), () => `entry ${index}`)));
    const raw = rawRedis(t);
    const keys = redisKeys(prefix);
    assert.equal(await raw.xlen(keys.audit), 300, 'nothing younger than the retention goes');
    await waitUntil(
      async () => {
        await audit.record(alice, 'add', 'bob@example.com', 'add read', () => Promise.resolve(), () => 'later');
        return (await raw.xlen(keys.audit)) < 300;
      },
      'the entries older than the retention are trimmed at a later append',
      10_000,
    );
  });

  test('answers STORE_UNAVAILABLE when Redis cannot be read, never a raw error', async (t) => {
    const prefix = redisTestPrefix(t);
    const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
    const stores = await openStores(t, prefix, { redis: { url: proxy.url, prefix } });
    await recorderOn(stores).record(alice, 'add', 'bob@example.com', 'add read', () => Promise.resolve(), () => 'added read');
    assert.equal((await stores.audit.recent({ limit: 10 })).length, 1);
    proxy.cut();
    await assert.rejects(stores.audit.recent({ limit: 10 }), { code: 'STORE_UNAVAILABLE' });
  });
});
