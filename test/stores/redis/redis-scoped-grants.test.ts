import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CapabilityPolicy } from '../../../src/capabilities/capability-policy';
import type { GrantEdit } from '../../../src/stores/capability-store';
import type { RedisStores } from '../../../src/stores/redis';
import { redisKeys } from '../../../src/stores/redis/redis-keys';
import { capsFileWith } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';
import { rawRedis, redisTestPrefix } from '../../support/redis-test';
import { TcpProxy } from '../../support/tcp-proxy';
import { openInstance, stopFollowing, TWO_ADMINS_CAPS } from './redis-fixtures';

/** TWO_ADMINS_CAPS with grants at two shops and an oven of one of them. */
const SCOPED_CAPS = `${TWO_ADMINS_CAPS.trimEnd()}
scopes:
  shop:paris:
    bob@example.com: [user_management]
    dan@example.com: [read]
  shop:paris/oven:2:
    dan@example.com: [write]
  shop:lyon:
    bob@example.com: [write]
`;

const grantAt =
  (scope: string, email: string, capabilities: readonly string[]): GrantEdit =>
  () => ({ email, capabilities, scope });

const addAt =
  (scope: string, email: string, capability: string): GrantEdit =>
  (policy) => ({ email, capabilities: [...policy.storedAt(email, scope), capability], scope });

const removeAt =
  (scope: string, email: string, capability: string): GrantEdit =>
  (policy) => ({ email, capabilities: policy.storedAt(email, scope).filter((name) => name !== capability), scope });

/** Resolves with the milliseconds until `stores` holds a policy where `holds` is true. */
function arrival(stores: RedisStores, holds: (policy: CapabilityPolicy) => boolean): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('the change did not arrive within 5 s'));
    }, 5_000);
    const unsubscribe = stores.capabilities.subscribe((policy) => {
      if (!holds(policy)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(performance.now() - started);
    });
  });
}

/** `value` as plain objects and arrays: the policy answers with objects that have no prototype. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('Redis stores: scoped grants shared by every instance', () => {
  test('a scoped grant through one instance is enforced by another, there and below only, within 100 ms', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    const delays: number[] = [];
    for (let shop = 0; shop < 9; shop++) {
      const scope = `shop:s${shop}`;
      const arrived = arrival(b, (policy) => policy.can('eve@example.com', 'write', scope));
      await a.capabilities.update(grantAt(scope, 'eve@example.com', ['write']));
      delays.push(await arrived);
    }
    // The median, so that one slow moment of a busy machine does not decide; every one arrived within 5 s.
    assert.ok(median(delays) <= 100, `scoped grants arrived after ${delays.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    const policy = b.capabilities.current();
    assert.equal(policy.can('eve@example.com', 'write', 'shop:s1/oven:3'), true, 'below the scope');
    assert.equal(policy.can('eve@example.com', 'write', 'shop:other'), false, 'a sibling');
    assert.equal(policy.can('eve@example.com', 'write'), false, 'globally');

    const removed = arrival(b, (next) => !next.can('eve@example.com', 'write', 'shop:s1'));
    await a.capabilities.update(removeAt('shop:s1', 'eve@example.com', 'write'));
    await removed;
    assert.equal(await rawRedis(t).hexists(`${redisKeys(prefix).scopeGrants}shop:s1`, 'eve@example.com'), 0);
    assert.equal(await rawRedis(t).sismember(redisKeys(prefix).scopes, 'shop:s1'), 0, 'a scope left empty leaves the list');
  });

  test('concurrent scoped writes through two instances lose none', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    const accounts = Array.from({ length: 20 }, (_, i) => `p${i}@example.com`);
    // Both instances add to the same accounts at the same scope at once: each write is judged on the newest state.
    await Promise.all([
      ...accounts.map((email) => a.capabilities.update(addAt('shop:paris', email, 'read'))),
      ...accounts.map((email) => b.capabilities.update(addAt('shop:paris', email, 'write'))),
      ...accounts.map((email) => a.capabilities.update(addAt('shop:paris/oven:1', email, 'user_management'))),
    ]);
    const stored = await rawRedis(t).hgetall(`${redisKeys(prefix).scopeGrants}shop:paris`);
    for (const email of accounts) assert.deepEqual((JSON.parse(stored[email] ?? '[]') as string[]).sort(), ['read', 'write'], email);
    const holds = (stores: RedisStores): boolean =>
      accounts.every((email) => stores.capabilities.current().storedAt(email, 'shop:paris').length === 2 && stores.capabilities.current().storedAt(email, 'shop:paris/oven:1').length === 1);
    await waitUntil(() => holds(a) && holds(b), 'both instances hold every scoped grant');
  });

  test('a scoped removal that looks like a no-op on an out-of-date copy is written', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(b);
    await a.capabilities.update(grantAt('shop:paris', 'dan@example.com', ['write']));
    const answered = await b.capabilities.update(removeAt('shop:paris', 'dan@example.com', 'write'));
    assert.deepEqual(answered.storedAt('dan@example.com', 'shop:paris'), []);
    assert.equal(await rawRedis(t).hexists(`${redisKeys(prefix).scopeGrants}shop:paris`, 'dan@example.com'), 0);
  });

  test('cut off from Redis, a scoped write answers STORE_UNAVAILABLE, a no-op too; a malformed scope keeps SCOPE_INVALID', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, SCOPED_CAPS);
    const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
    const { stores: cut } = await openInstance(t, file, prefix, { url: proxy.url });
    proxy.cut();
    await assert.rejects(cut.capabilities.update(grantAt('shop:paris', 'dan@example.com', ['read'])), { code: 'STORE_UNAVAILABLE' }, 'what is held already');
    await assert.rejects(cut.capabilities.update(addAt('shop:lyon', 'dan@example.com', 'read')), { code: 'STORE_UNAVAILABLE' }, 'a real change');
    await assert.rejects(cut.capabilities.dropScope(() => 'shop:nowhere'), { code: 'STORE_UNAVAILABLE' }, 'dropping a scope holding nothing');
    await assert.rejects(cut.capabilities.update(grantAt('shop:../x', 'dan@example.com', ['read'])), { code: 'SCOPE_INVALID' });
    await assert.rejects(cut.capabilities.dropScope(() => 'shop:a/'), { code: 'SCOPE_INVALID' });
  });

  test("deleting an account removes its scoped grants, in Redis and on every instance, and nobody else's", async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, SCOPED_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await a.capabilities.deleteAccount(() => 'dan@example.com');
    const raw = rawRedis(t);
    const keys = redisKeys(prefix);
    assert.deepEqual(await raw.hgetall(`${keys.scopeGrants}shop:paris`), { 'bob@example.com': '["user_management"]' });
    assert.equal(await raw.exists(`${keys.scopeGrants}shop:paris/oven:2`), 0);
    assert.deepEqual((await raw.smembers(keys.scopes)).sort(), ['shop:lyon', 'shop:paris']);
    await waitUntil(() => b.capabilities.current().scopedGrantsOf('dan@example.com').length === 0, 'B no longer holds dan at any scope');
    assert.deepEqual(b.capabilities.current().scopedGrantsOf('bob@example.com'), [
      ['shop:lyon', ['write']],
      ['shop:paris', ['user_management']],
    ]);
  });

  test('dropping a scope tree removes every grant there and below, says how many, and leaves siblings', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, SCOPED_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    const dropped = await a.capabilities.dropScope(() => 'shop:paris');
    assert.equal(dropped.removed, 3);
    assert.equal(dropped.policy.can('dan@example.com', 'write', 'shop:paris/oven:2'), false);
    const raw = rawRedis(t);
    const keys = redisKeys(prefix);
    assert.deepEqual(await raw.smembers(keys.scopes), ['shop:lyon']);
    assert.equal(await raw.exists(`${keys.scopeGrants}shop:paris`, `${keys.scopeGrants}shop:paris/oven:2`), 0);
    await waitUntil(() => !b.capabilities.current().can('bob@example.com', 'user_management', 'shop:paris'), 'B sees the drop');
    assert.deepEqual(plain(b.capabilities.current().scopesAsObject()), { 'shop:lyon': { 'bob@example.com': ['write'] } });
    assert.equal((await a.capabilities.dropScope(() => 'shop:paris')).removed, 0, 'a second drop removes nothing');
    await assert.rejects(
      a.capabilities.dropScope(() => {
        throw Object.assign(new Error('refused'), { code: 'CAPABILITY_MISSING' });
      }),
      { code: 'CAPABILITY_MISSING' },
    );
  });

  test('a drop judged on an out-of-date copy is judged again on the newest state', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, SCOPED_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(b);
    await a.capabilities.update(grantAt('shop:paris/oven:7', 'eve@example.com', ['read', 'write']));
    const dropped = await b.capabilities.dropScope(() => 'shop:paris');
    assert.equal(dropped.removed, 5, 'the grants written through A count too');
    assert.equal(await rawRedis(t).exists(`${redisKeys(prefix).scopeGrants}shop:paris/oven:7`), 0);
  });
});

describe('Redis stores: the scopes of the caps file and of earlier prefixes', () => {
  test("the first start imports the file's scopes with its users; later starts read Redis, not the file", async (t) => {
    const prefix = redisTestPrefix(t);
    const { stores: first, logger } = await openInstance(t, capsFileWith(t, SCOPED_CAPS), prefix);
    assert.ok(logger.logs.some((line) => line.endsWith('with 4 grants at scopes')), JSON.stringify(logger.logs));
    assert.deepEqual(plain(first.capabilities.current().scopesAsObject()), {
      'shop:lyon': { 'bob@example.com': ['write'] },
      'shop:paris': { 'bob@example.com': ['user_management'], 'dan@example.com': ['read'] },
      'shop:paris/oven:2': { 'dan@example.com': ['write'] },
    });
    const raw = rawRedis(t);
    assert.deepEqual(await raw.hgetall(`${redisKeys(prefix).scopeGrants}shop:paris/oven:2`), { 'dan@example.com': '["write"]' });

    const other = SCOPED_CAPS.replace('shop:lyon:', 'shop:nice:');
    const { stores: second } = await openInstance(t, capsFileWith(t, other), prefix);
    assert.deepEqual(second.capabilities.current().storedAt('bob@example.com', 'shop:lyon'), ['write']);
    assert.deepEqual(second.capabilities.current().storedAt('bob@example.com', 'shop:nice'), []);
  });

  test('a prefix written by the version before scopes loads unchanged, and takes scoped grants from then on', async (t) => {
    const prefix = redisTestPrefix(t);
    const keys = redisKeys(prefix);
    const raw = rawRedis(t);
    // As the previous version left it: accounts, a link, a revocation, two log entries, no scoped key at all.
    await raw.set(keys.epoch, 'previous-epoch');
    await raw.hset(keys.users, 'alice@example.com', '["admin"]', 'bob@example.com', '["write"]');
    await raw.hset(keys.identities, 'github:1001', 'bob@example.com');
    await raw.hset(keys.revokedAccounts, 'old@example.com', '1700000000');
    await raw.xadd(keys.log, '*', 'v', '1', 'kind', 'grant', 'email', 'bob@example.com', 'capabilities', '["write"]');
    await raw.xadd(keys.log, '*', 'v', '2', 'kind', 'identity', 'identity', 'github:1001', 'email', 'bob@example.com');
    await raw.set(keys.version, '2');

    const { stores } = await openInstance(t, capsFileWith(t, SCOPED_CAPS), prefix);
    const policy = stores.capabilities.current();
    assert.deepEqual(plain(policy.usersAsObject()), { 'alice@example.com': ['admin'], 'bob@example.com': ['write'] });
    assert.equal(policy.linkedAccount('github:1001'), 'bob@example.com');
    assert.deepEqual(plain(policy.scopesAsObject()), {}, "the file's scopes are not imported into a store that exists");
    assert.equal(await raw.get(keys.version), '2');

    await stores.capabilities.update(grantAt('shop:paris', 'bob@example.com', ['user_management']));
    const { stores: later } = await openInstance(t, capsFileWith(t, TWO_ADMINS_CAPS), prefix);
    assert.equal(later.capabilities.current().can('bob@example.com', 'user_management', 'shop:paris'), true);
    assert.equal(later.capabilities.current().can('bob@example.com', 'write'), true);
  });
});
