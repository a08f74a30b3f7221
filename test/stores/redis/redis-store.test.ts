import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { GrantError, type CapabilitiesError } from '../../../src/errors';
import type { ApiKeyRecord } from '../../../src/api-keys/api-key';
import { redisKeys } from '../../../src/stores/redis/redis-keys';
import { waitUntil } from '../../fixtures/wait-until';
import { rawRedis, redisTestPrefix } from '../../support/redis-test';
import { TcpProxy } from '../../support/tcp-proxy';
import { capsFileWith } from '../../fixtures/temp-folder';
import { add, grant, openInstance, removeAdmin, stopFollowing, TWO_ADMINS_CAPS } from './redis-fixtures';

describe('Redis stores: seeding', () => {
  test('several instances opening an empty prefix together import the caps file once', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const instances = await Promise.all([1, 2, 3, 4, 5].map(() => openInstance(t, file, prefix)));
    const importers = instances.filter(({ logger }) => logger.logs.some((line) => line.startsWith('imported 3 accounts and 1 identities')));
    assert.equal(importers.length, 1);
    for (const { stores, logger } of instances) {
      assert.deepEqual({ ...stores.capabilities.current().usersAsObject() }, { 'alice@example.com': ['admin'], 'bob@example.com': ['write'], 'carol@example.com': ['admin'] });
      assert.equal(stores.capabilities.current().linkedAccount('github:1001'), 'bob@example.com');
      assert.equal(logger.logs.filter((line) => line.includes('the users and identities of the capability file are not read')).length, 1);
    }
    assert.equal(await rawRedis(t).get(redisKeys(prefix).version), '0');
  });

  test('seeds a caps file of 100,000 accounts', async (t) => {
    const prefix = redisTestPrefix(t);
    const users = Array.from({ length: 100_000 }, (_, i) => `  user${i}@example.com: [${i % 2 === 0 ? 'read' : 'write'}]`);
    const { stores } = await openInstance(t, capsFileWith(t, `capabilities:\n  read: []\n  write: [read]\nusers:\n${users.join('\n')}\n`), prefix);
    assert.equal(stores.capabilities.current().users.size, 100_000);
    assert.equal(await rawRedis(t).hlen(redisKeys(prefix).users), 100_000);
  });

  test('once seeded, the users of the caps file are not read', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    await openInstance(t, file, prefix);
    writeFileSync(file, TWO_ADMINS_CAPS.replace('bob@example.com: [write]', 'bob@example.com: [admin]\n  dan@example.com: [write]'));
    const { stores, logger } = await openInstance(t, file, prefix);
    assert.deepEqual(stores.capabilities.current().stored('bob@example.com'), ['write']);
    assert.equal(stores.capabilities.current().users.has('dan@example.com'), false);
    assert.equal(logger.logs.some((line) => line.startsWith('imported')), false);
  });

  test('the graph and defaults still follow the caps file of each instance', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores } = await openInstance(t, file, prefix);
    writeFileSync(file, TWO_ADMINS_CAPS.replace('default: [read]', 'default: [write]'));
    await waitUntil(() => stores.capabilities.current().can('nobody@example.com', 'write'), 'the new default is in force');
    assert.deepEqual(stores.capabilities.current().stored('bob@example.com'), ['write']);
  });
});

describe('Redis stores: writes', () => {
  test('every kind of change made through one instance reaches the other, and the log lists them in order', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await a.capabilities.update(grant('dan@example.com', ['write']));
    await waitUntil(() => b.capabilities.current().can('dan@example.com', 'write'), 'B sees the grant');
    await b.capabilities.linkIdentity('github:2002', 'dan@example.com');
    await waitUntil(() => a.capabilities.current().linkedAccount('github:2002') === 'dan@example.com', 'A sees the link');
    await a.revocations.revokeToken('token-1', null);
    await waitUntil(() => b.revocations.isRevoked({ tokenId: 'token-1', email: 'x@example.com', issuedAt: 1 }), 'B sees the token revocation');
    await b.revocations.revokeAccount('bob@example.com', 1000);
    await waitUntil(() => a.revocations.isRevoked({ tokenId: 'other', email: 'bob@example.com', issuedAt: 999 }), 'A sees the account revocation');
    assert.equal(a.revocations.isRevoked({ tokenId: 'other', email: 'bob@example.com', issuedAt: 1001 }), false);

    const entries = await rawRedis(t).xrange(redisKeys(prefix).log, '-', '+');
    assert.deepEqual(
      entries.map(([, fields]) => fields),
      [
        ['v', '1', 'kind', 'grant', 'email', 'dan@example.com', 'capabilities', '["write"]'],
        ['v', '2', 'kind', 'identity', 'identity', 'github:2002', 'email', 'dan@example.com'],
        ['v', '3', 'kind', 'token', 'token', 'token-1', 'expires', ''],
        ['v', '4', 'kind', 'account', 'email', 'bob@example.com', 'upto', '1000'],
      ],
    );
  });

  test('a link to another account is refused across instances', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(b);
    await a.capabilities.linkIdentity('github:3003', 'dan@example.com');
    await assert.rejects(b.capabilities.linkIdentity('github:3003', 'eve@example.com'), { code: 'LOGIN_IDENTITY_LINKED' });
    assert.equal(b.capabilities.current().linkedAccount('github:3003'), 'dan@example.com');
  });

  test('an edit judged against an old version is judged again on the new state', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(a);
    await b.capabilities.update(grant('bob@example.com', ['user_management']));
    const seen: (readonly string[])[] = [];
    await a.capabilities.update((policy) => {
      seen.push(policy.stored('bob@example.com'));
      return add('bob@example.com', 'read')(policy);
    });
    assert.deepEqual(seen, [['write'], ['user_management']]);
    assert.equal(await rawRedis(t).hget(redisKeys(prefix).users, 'bob@example.com'), '["user_management","read"]');
  });

  test('two managers removing admin from each other through two instances: one wins, one gets LAST_ADMIN', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.allSettled([
        a.capabilities.update(removeAdmin('alice@example.com', 'carol@example.com')),
        b.capabilities.update(removeAdmin('carol@example.com', 'alice@example.com')),
      ]);
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      assert.equal(refused.length, 1, `round ${round}`);
      assert.equal(((refused[0] as PromiseRejectedResult).reason as CapabilitiesError).code, 'LAST_ADMIN');
      await waitUntil(() => a.capabilities.current().adminAccounts().length === 1 && b.capabilities.current().adminAccounts().length === 1, 'both see one admin');
      const survivor = a.capabilities.current().adminAccounts()[0]!;
      const other = survivor === 'alice@example.com' ? 'carol@example.com' : 'alice@example.com';
      await a.capabilities.update(grant(other, ['admin']));
      await waitUntil(() => b.capabilities.current().adminAccounts().length === 2, 'B sees two admins again');
    }
  });

  test('concurrent writes through two instances lose none', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    const writes = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).capabilities.update(add('team@example.com', `read`)).then(() => (i % 2 === 0 ? a : b).capabilities.update(grant(`user${i}@example.com`, ['write']))));
    await Promise.all(writes);
    await waitUntil(() => a.capabilities.current().users.size === 64 && b.capabilities.current().users.size === 64, 'both hold every account');
    assert.equal(Object.keys(await rawRedis(t).hgetall(redisKeys(prefix).users)).length, 64);
  });

  test('edits queued together are judged in order and written in one step; a refused one fails alone', async (t) => {
    const prefix = redisTestPrefix(t);
    const { stores } = await openInstance(t, capsFileWith(t, TWO_ADMINS_CAPS), prefix);
    const outcomes = await Promise.allSettled([
      stores.capabilities.update(grant('dan@example.com', ['read'])),
      stores.capabilities.update(grant('dan@example.com', ['fly'])),
      stores.capabilities.update(add('dan@example.com', 'write')),
      stores.capabilities.update(grant('eve@example.com', ['write'])),
    ]);
    assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal(((outcomes[1] as PromiseRejectedResult).reason as { code: string }).code, 'UNKNOWN_CAPABILITY');
    const raw = rawRedis(t);
    assert.equal(await raw.hget(redisKeys(prefix).users, 'dan@example.com'), '["read","write"]');
    assert.equal(await raw.get(redisKeys(prefix).version), '2');
    assert.deepEqual(stores.capabilities.current().stored('dan@example.com'), ['read', 'write']);
  });

  test('a write with an unknown capability or a bad email is refused before Redis is asked', async (t) => {
    const prefix = redisTestPrefix(t);
    const { stores } = await openInstance(t, capsFileWith(t, TWO_ADMINS_CAPS), prefix);
    await assert.rejects(stores.capabilities.update(grant('bob@example.com', ['fly'])), { code: 'UNKNOWN_CAPABILITY' });
    await assert.rejects(stores.capabilities.update(grant('not an email', ['read'])), { code: 'INVALID_EMAIL' });
    assert.equal(await rawRedis(t).get(redisKeys(prefix).version), '0');
  });
});

describe('Redis stores: gaps and lost data', () => {
  test('versions missing from the log make a following instance reload everything', async (t) => {
    const prefix = redisTestPrefix(t);
    const { stores, logger } = await openInstance(t, capsFileWith(t, TWO_ADMINS_CAPS), prefix);
    const keys = redisKeys(prefix);
    await rawRedis(t).multi().hset(keys.users, 'zed@example.com', '["write"]').incr(keys.version).exec();
    await waitUntil(() => stores.capabilities.current().can('zed@example.com', 'write'), 'the reload brought zed', 5_000);
    assert.deepEqual(logger.errors, []);
  });

  test('a trimmed log makes an instance that fell behind reload before judging its edit', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(a);
    for (const email of ['p@example.com', 'q@example.com', 'r@example.com']) await b.capabilities.update(grant(email, ['write']));
    await rawRedis(t).xtrim(redisKeys(prefix).log, 'MAXLEN', 0);
    await a.capabilities.update(grant('s@example.com', ['read']));
    assert.deepEqual(['p', 'q', 'r', 's'].map((name) => a.capabilities.current().users.has(`${name}@example.com`)), [true, true, true, true]);
  });

  test('a flushed prefix is an outage, never "no accounts"; a new seed is then reloaded', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    let nowMs = Date.now();
    const { stores: a, logger } = await openInstance(t, file, prefix, { maxStalenessSeconds: 1 }, () => nowMs);
    await a.capabilities.update(grant('dan@example.com', ['write']));
    const raw = rawRedis(t);
    await raw.del(...(Object.values(redisKeys(prefix)) as string[]));
    await waitUntil(() => logger.errors.some((line) => line.includes('restarted empty or was flushed')), 'the loss is logged as an error');
    assert.equal(a.capabilities.current().can('dan@example.com', 'write'), true);
    await assert.rejects(a.capabilities.update(grant('eve@example.com', ['read'])), { code: 'STORE_UNAVAILABLE' });
    await assert.rejects(a.revocations.revokeToken('t', null), { code: 'STORE_UNAVAILABLE' });
    nowMs += 1_000;
    assert.equal(a.capabilities.isStale(), false, 'trusted up to the staleness bound');
    nowMs += 1;
    assert.equal(a.capabilities.isStale(), true, 'past the staleness bound');
    assert.equal(await raw.exists(redisKeys(prefix).users), 0, 'the instance did not seed over the loss');

    await openInstance(t, file, prefix);
    await waitUntil(() => !a.capabilities.isStale() && !a.capabilities.current().users.has('dan@example.com'), `A reloaded the new store ${JSON.stringify(logger)}`);
    assert.ok(logger.warnings.some((line) => line.includes('was replaced')));
  });
});

describe('Redis stores: outages', () => {
  test('cut off from Redis, an instance refuses writes at once, never applies them later, and catches up on reconnection', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
    let nowMs = Date.now();
    const { stores: a, logger } = await openInstance(t, file, prefix, { url: proxy.url, maxStalenessSeconds: 1 }, () => nowMs);
    const { stores: b } = await openInstance(t, file, prefix);
    proxy.cut();
    const started = Date.now();
    await assert.rejects(a.capabilities.update(grant('eve@example.com', ['write'])), { code: 'STORE_UNAVAILABLE' });
    await assert.rejects(a.revocations.revokeAccount('bob@example.com', 1), { code: 'STORE_UNAVAILABLE' });
    // Each write may take the 1 s command timeout before it is refused; three times the two of them
    // leaves room for a busy machine and still tells a refusal from a write retried until Redis is back.
    assert.ok(Date.now() - started < 6_000, `the writes were refused within the command timeout, not after ${Date.now() - started} ms`);
    assert.equal(a.capabilities.current().can('bob@example.com', 'write'), true, 'the last known state is still enforced');
    await b.capabilities.update(grant('dan@example.com', ['write']));
    await b.revocations.revokeToken('token-9', null);
    nowMs += 1_000;
    assert.equal(a.capabilities.isStale(), false, 'trusted up to the staleness bound');
    nowMs += 1;
    assert.equal(a.capabilities.isStale() && a.revocations.isStale(), true, 'A is past its staleness bound');
    proxy.restore();
    await waitUntil(() => !a.capabilities.isStale(), 'A trusts its state again', 10_000);
    assert.equal(a.capabilities.current().can('dan@example.com', 'write'), true);
    assert.equal(a.revocations.isRevoked({ tokenId: 'token-9', email: 'x@example.com', issuedAt: 1 }), true);
    assert.ok(logger.logs.some((line) => line.startsWith('Redis is back: caught up to version 2')));
    const raw = rawRedis(t);
    assert.equal(await raw.hget(redisKeys(prefix).users, 'eve@example.com'), null, 'the refused write was never applied');
    assert.equal(await raw.hget(redisKeys(prefix).revokedAccounts, 'bob@example.com'), null);
    await a.capabilities.update(grant('eve@example.com', ['read']));
    await waitUntil(() => b.capabilities.current().users.has('eve@example.com'), 'a write after the outage goes through');
  });
});

describe('Redis stores: API keys limited to a scope', () => {
  test('keep their scope, on every instance', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await a.apiKeys.create({ name: 'paris', hash: 'h-paris', capabilities: ['read'], expiresAt: null, createdBy: 'alice@example.com', createdAt: 1_700_000_000, note: '', revokedAt: null, scope: 'shop:paris' });
    await waitUntil(() => b.apiKeys.current().unrevoked().length === 1, 'the other instance knows the key');
    assert.equal(b.apiKeys.current().unrevoked()[0]?.scope, 'shop:paris');
    await b.apiKeys.revoke('paris');
    await waitUntil(() => a.apiKeys.current().unrevoked().length === 0, 'the revocation reaches the first instance');
    assert.equal(a.apiKeys.current().records[0]?.scope, 'shop:paris', 'a revoked key keeps its scope');
  });
});

describe('Redis stores: API key revocations', () => {
  test('are judged on the key Redis holds now, not on the one a lagging instance saw last', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: late } = await openInstance(t, file, prefix);
    const key = (capabilities: string[], hash: string): ApiKeyRecord => ({ name: 'deploy', hash, capabilities, expiresAt: null, createdBy: 'alice@example.com', createdAt: 1_700_000_000, note: '', revokedAt: null });
    await a.apiKeys.create(key(['write'], 'h-write'));
    await waitUntil(() => late.apiKeys.current().unrevoked().length === 1, 'the late instance knows the first key');
    await stopFollowing(late);
    await a.apiKeys.revoke('deploy');
    await a.apiKeys.create(key(['admin'], 'h-admin'));
    const seen: string[][] = [];
    const refuseAdmin = (record: ApiKeyRecord): void => {
      seen.push([...record.capabilities]);
      if (record.capabilities.includes('admin')) throw new GrantError('GRANT_FORBIDDEN', 'admin', 'refused');
    };
    await assert.rejects(late.apiKeys.revoke('deploy', refuseAdmin), { code: 'GRANT_FORBIDDEN' });
    assert.deepEqual(seen.at(-1), ['admin'], 'the last judgment was on the admin key');
    assert.equal((JSON.parse((await rawRedis(t).hget(redisKeys(prefix).apiKeys, 'h-admin'))!) as { revoked_at: unknown }).revoked_at, null, 'not revoked');
  });
});
