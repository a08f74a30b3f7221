import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CapabilityPolicy } from '../../../src/capabilities/capability-policy';
import { checkedDeletion } from '../../../src/capabilities/grant-rules';
import type { AccountDeletion } from '../../../src/stores/capability-store';
import { decodeChangeEntry } from '../../../src/stores/redis/change-entry';
import { redisKeys } from '../../../src/stores/redis/redis-keys';
import { capsFileWith } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';
import { rawRedis, redisTestPrefix } from '../../support/redis-test';
import { TcpProxy } from '../../support/tcp-proxy';
import { grant, openInstance, stopFollowing, TWO_ADMINS_CAPS } from './redis-fixtures';

/** The deletion of `email` by `manager` (null: the operator) under every rule. */
const deletion =
  (email: string, manager: string | null = null): AccountDeletion =>
  (policy: CapabilityPolicy) =>
    checkedDeletion(policy, manager === null ? null : policy.effective(manager), email);

describe('Redis stores: deleting an account', () => {
  test('removes the account and its identity links in Redis, logs a delete entry, and every instance applies it', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await a.capabilities.linkIdentity('github:2002', 'bob@example.com');
    await waitUntil(() => b.capabilities.current().linkedAccount('github:2002') === 'bob@example.com', 'B sees the link');

    const answered = await b.capabilities.deleteAccount(deletion('bob@example.com', 'alice@example.com'));
    assert.equal(answered.users.has('bob@example.com'), false);
    assert.deepEqual(answered.identitiesOf('bob@example.com'), []);
    const redis = rawRedis(t);
    const keys = redisKeys(prefix);
    assert.equal(await redis.hget(keys.users, 'bob@example.com'), null);
    assert.deepEqual(await redis.hgetall(keys.identities), {});
    const entries = await redis.xrange(keys.log, '-', '+');
    assert.deepEqual(entries.at(-1)![1], ['v', '2', 'kind', 'delete', 'email', 'bob@example.com']);
    await waitUntil(
      () => !a.capabilities.current().users.has('bob@example.com') && a.capabilities.current().linkedAccount('github:1001') === undefined && a.capabilities.current().linkedAccount('github:2002') === undefined,
      'A applies the deletion it read in the log',
    );
  });

  test('a deletion judged on an out-of-date copy is judged again on the newest state', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(b);
    await a.capabilities.update(grant('carol@example.com', []));
    await assert.rejects(b.capabilities.deleteAccount(deletion('alice@example.com', 'alice@example.com')), { code: 'LAST_ADMIN' }, 'B judged on the copy that still had two admins');
    assert.deepEqual(JSON.parse((await rawRedis(t).hget(redisKeys(prefix).users, 'alice@example.com'))!), ['admin'], 'nothing was deleted');

    await a.capabilities.update(grant('dan@example.com', ['write']));
    const answered = await b.capabilities.deleteAccount(deletion('dan@example.com'));
    assert.equal(answered.users.has('dan@example.com'), false, 'an account the copy did not know yet is deleted, not refused as unknown');
    assert.equal(await rawRedis(t).hget(redisKeys(prefix).users, 'dan@example.com'), null);
  });

  test('an unknown account is refused with UNKNOWN_ACCOUNT once Redis confirms it, and STORE_UNAVAILABLE while Redis is away', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
    const { stores: cut } = await openInstance(t, file, prefix, { url: proxy.url });
    await assert.rejects(cut.capabilities.deleteAccount(deletion('nobody@example.com')), { code: 'UNKNOWN_ACCOUNT' });
    proxy.cut();
    await assert.rejects(cut.capabilities.deleteAccount(deletion('nobody@example.com')), { code: 'STORE_UNAVAILABLE' }, 'a refusal the copy would make');
    await assert.rejects(cut.capabilities.deleteAccount(deletion('bob@example.com')), { code: 'STORE_UNAVAILABLE' });
    assert.equal(cut.capabilities.current().users.has('bob@example.com'), true);
  });

  test('an instance that reloads the whole state, or reads a delete entry it cannot make sense of, does not hold the account', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    await a.capabilities.deleteAccount(deletion('bob@example.com'));
    const { stores: late } = await openInstance(t, file, prefix);
    assert.equal(late.capabilities.current().users.has('bob@example.com'), false);
    assert.equal(late.capabilities.current().linkedAccount('github:1001'), undefined);
    assert.equal(decodeChangeEntry(['v', '3', 'kind', 'delete']), undefined, 'a delete entry without its email is malformed: the reader reloads');
    assert.deepEqual(decodeChangeEntry(['v', '3', 'kind', 'delete', 'email', 'x@example.com']), { kind: 'delete', version: 3, email: 'x@example.com' });
  });

  test('a reader skips the entries of a kind it does not know, as an older version reads a delete entry', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const keys = redisKeys(prefix);
    const redis = rawRedis(t);
    // What a newer version would write: the version moves on, with a kind this one does not know.
    await redis.multi().incr(keys.version).xadd(keys.log, '*', 'v', '1', 'kind', 'erase-everything', 'email', 'bob@example.com').exec();
    await a.capabilities.update(grant('dan@example.com', ['write']));
    assert.deepEqual(a.capabilities.current().stored('dan@example.com'), ['write'], 'the next change is applied after it');
    assert.deepEqual(a.capabilities.current().stored('bob@example.com'), ['write'], 'the unknown entry changed nothing');
  });
});
