import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { storedApiKey } from '../../../src/stores/api-key-json';
import { redisKeys, type RedisKeys } from '../../../src/stores/redis/redis-keys';
import { withStoreScripts, type ScriptedRedis, type StoreCommands } from '../../../src/stores/redis/redis-scripts';
import type { ApiKeyRecord } from '../../../src/api-keys/api-key';
import { readSnapshot } from '../../../src/stores/redis/redis-snapshot';
import { capsFileWith } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';
import { rawRedis, redisTestPrefix } from '../../support/redis-test';
import { openInstance, TWO_ADMINS_CAPS } from './redis-fixtures';

/**
 * Text that a client may send and JSON.stringify writes as it is or escaped: halves of
 * a character (Redis's cjson refuses their escapes), NUL, terminal escapes, quotes,
 * backslashes, characters of four bytes, line separators, and a long one.
 */
const HOSTILE = [
  'deploy \ud83d',
  '\ude00 cut the other way',
  'a\u0000b',
  'x\r\u001b[2K2026-01-01T00:00:00.000Z ok root@example.com\nfake',
  '"quoted", \\"escaped\\", {"revoked_at":null}',
  'back\\slash\\',
  '\\ud83d written out',
  '🚀😀 four bytes each',
  'a\u2028b\u2029c',
  'long '.repeat(200_000),
];

const EPOCH = 'scripts-test-epoch';

type Script = Exclude<keyof StoreCommands, 'capsImport' | 'capsScopes'>;

/** A client with the store's scripts on a fresh prefix that has an epoch (so the scripts run). */
async function scripted(t: TestContext): Promise<{ redis: ScriptedRedis; keys: RedisKeys }> {
  const keys = redisKeys(redisTestPrefix(t));
  const redis = withStoreScripts(rawRedis(t));
  await redis.set(keys.epoch, EPOCH);
  return { redis, keys };
}

/** Runs `script` as a writer would: the known epoch, a deadline a minute away, no judged version. */
function run(redis: ScriptedRedis, keys: RedisKeys, script: Script, dataKeys: readonly string[], fields: readonly string[]): Promise<unknown> {
  return redis[script](keys.epoch, keys.version, keys.log, ...dataKeys, EPOCH, Date.now() + 60_000, '', 1000, ...fields);
}

async function lastLogEntry(redis: ScriptedRedis, keys: RedisKeys): Promise<string[]> {
  const [entry] = await redis.xrevrange(keys.log, '+', '-', 'COUNT', 1);
  return entry?.[1] ?? [];
}

function record(name: string, text: string): ApiKeyRecord {
  return {
    name,
    hash: createHash('sha256').update(name).digest('base64url'),
    capabilities: ['read'],
    expiresAt: null,
    createdBy: text,
    createdAt: 1_700_000_000,
    note: text,
    revokedAt: null,
  };
}

describe('Redis scripts take anything JSON.stringify writes, byte for byte', () => {
  test('an API key whose note and creator hold hostile text is created, refused a second time, revoked, and its name reused', async (t) => {
    const { redis, keys } = await scripted(t);
    const keyKeys = [keys.apiKeys, keys.apiKeyNames];
    for (const [index, text] of HOSTILE.entries()) {
      const name = `key-${index}`;
      const first = record(name, text);
      const json = JSON.stringify(storedApiKey(first));
      assert.equal((await run(redis, keys, 'capsKeyCreate', keyKeys, [name, first.hash, json, '']) as unknown[])[0], 'OK', name);
      assert.equal(await redis.hget(keys.apiKeys, first.hash), json, `${name}: stored as sent`);
      assert.deepEqual(await lastLogEntry(redis, keys), ['v', String(4 * index + 1), 'kind', 'apikey', 'record', json], `${name}: logged as sent`);

      // The name is held: the script answers with the holder, byte for byte, for the caller to judge.
      const second = record(name, 'second');
      assert.deepEqual(await run(redis, keys, 'capsKeyCreate', keyKeys, [name, 'other-hash', JSON.stringify(storedApiKey(second)), '']), ['HELD', json], name);

      const revoked = JSON.stringify({ ...storedApiKey(first), revoked_at: 1_700_000_100 });
      assert.deepEqual(await run(redis, keys, 'capsKeyRevoke', keyKeys, [name, 'not what is held', revoked]), ['HELD', json], `${name}: judged on another record`);
      assert.equal((await run(redis, keys, 'capsKeyRevoke', keyKeys, [name, json, revoked]) as unknown[])[0], 'OK', name);
      assert.equal(await redis.hget(keys.apiKeys, first.hash), revoked, `${name}: stored revoked as sent`);
      assert.equal((JSON.parse((await redis.hget(keys.apiKeys, first.hash))!) as { note: string }).note, text, `${name}: the note reads back as written`);
      assert.deepEqual(await lastLogEntry(redis, keys), ['v', String(4 * index + 2), 'kind', 'apikey', 'record', revoked], name);

      const reused = JSON.stringify(storedApiKey({ ...second, hash: 'other-hash' }));
      assert.equal((await run(redis, keys, 'capsKeyCreate', keyKeys, [name, 'other-hash', reused, revoked]) as unknown[])[0], 'OK', `${name}: reused once judged`);
      assert.equal(await redis.hget(keys.apiKeyNames, name), 'other-hash');
      assert.equal((await run(redis, keys, 'capsKeyRevoke', keyKeys, [name, reused, JSON.stringify({ ...storedApiKey(second), revoked_at: 1 })]) as unknown[])[0], 'OK');
    }
    assert.deepEqual(await run(redis, keys, 'capsKeyRevoke', keyKeys, ['never-made', '', '']), ['HELD', ''], 'no key of that name');
  });

  test('grants, links, revocations and audit entries keep hostile text as sent', async (t) => {
    const { redis, keys } = await scripted(t);
    for (const text of HOSTILE) {
      const written = JSON.stringify(text);
      const list = JSON.stringify([text, 'read']);
      assert.equal((await run(redis, keys, 'capsGrant', [keys.users, keys.scopes], [keys.scopeGrants, '', 'a@example.com', list, 'shop:paris', 'a@example.com', list]) as unknown[])[0], 'OK');
      assert.equal(await redis.hget(keys.users, 'a@example.com'), list);
      assert.equal(await redis.hget(`${keys.scopeGrants}shop:paris`, 'a@example.com'), list);
      assert.deepEqual((await lastLogEntry(redis, keys)).slice(2), ['kind', 'scoped', 'scope', 'shop:paris', 'email', 'a@example.com', 'capabilities', list]);
      assert.equal((await run(redis, keys, 'capsLink', [keys.identities], [written, 'a@example.com']) as unknown[])[0], 'OK');
      assert.equal(await redis.hget(keys.identities, written), 'a@example.com');
      assert.equal((await run(redis, keys, 'capsRevokeToken', [keys.revokedTokens], [written, '']) as unknown[])[0], 'OK');
      assert.equal(await redis.zscore(keys.revokedTokens, written), 'inf');
      assert.equal((await run(redis, keys, 'capsRevokeAccount', [keys.revokedAccounts], [written, '100']) as unknown[])[0], 'OK');
      assert.equal(await redis.hget(keys.revokedAccounts, written), '100');
      const entry = JSON.stringify({ actor: text, detail: text });
      assert.equal((await run(redis, keys, 'capsAudit', [keys.audit], ['COUNT', '1000', entry]) as unknown[])[0], 'OK');
      assert.deepEqual((await redis.xrevrange(keys.audit, '+', '-', 'COUNT', 1))[0]?.[1], ['entry', entry]);
    }
  });

  test('scoped grants of hostile text read back in the snapshot as written', async (t) => {
    const { redis, keys } = await scripted(t);
    const fields = HOSTILE.flatMap((text, index) => [`shop:s${index % 3}`, `u${index}@example.com`, JSON.stringify([text, 'read'])]);
    assert.equal((await run(redis, keys, 'capsGrant', [keys.users, keys.scopes], [keys.scopeGrants, ...fields]) as unknown[])[0], 'OK');
    const snapshot = await readSnapshot(redis, keys);
    for (const [index, text] of HOSTILE.entries()) assert.deepEqual(snapshot.scopes.get(`shop:s${index % 3}`)?.get(`u${index}@example.com`), [text, 'read'], `grant ${index}`);
    assert.equal(snapshot.scopes.size, 3);
  });

  test('an import keeps hostile text as sent', async (t) => {
    const keys = redisKeys(redisTestPrefix(t));
    const redis = withStoreScripts(rawRedis(t));
    const lists = HOSTILE.map((text) => JSON.stringify([text]));
    const accounts = HOSTILE.flatMap((_, index) => [`u${index}@example.com`, lists[index]!]);
    const fields = [
      EPOCH,
      'seed',
      String(HOSTILE.length),
      String(HOSTILE.length),
      keys.scopeGrants,
      ...accounts,
      ...HOSTILE.flatMap((text) => [JSON.stringify(text), 'a@example.com']),
      'shop:paris',
      String(HOSTILE.length),
      ...accounts,
    ];
    assert.equal(await redis.capsImport([keys.epoch, keys.version, keys.users, keys.identities, keys.log, keys.scopes, ...fields]), 1);
    for (const [index, text] of HOSTILE.entries()) {
      assert.equal(await redis.hget(keys.users, `u${index}@example.com`), lists[index]);
      assert.equal(await redis.hget(`${keys.scopeGrants}shop:paris`, `u${index}@example.com`), lists[index]);
      assert.equal(await redis.hget(keys.identities, JSON.stringify(text)), 'a@example.com');
    }
    assert.deepEqual(await redis.smembers(keys.scopes), ['shop:paris']);
  });
});

describe('API keys in Redis written by the previous version', () => {
  test('a key stored with a note a client cut in two loads, works, and is revoked on every instance', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: seeder } = await openInstance(t, file, prefix);
    const keys = redisKeys(prefix);
    const raw = rawRedis(t);
    const key = 'nck_previous-version-key-with-a-cut-note-000000';
    const hash = createHash('sha256').update(key).digest('base64url');
    // As the previous version wrote it: JSON.stringify, before notes were checked.
    const stored = JSON.stringify({ name: 'cut', hash, capabilities: ['write'], expires_at: null, created_by: 'alice@example.com', created_at: 1_700_000_000, note: 'deploy \ud83d', revoked_at: null });
    // And a key of another name revoked by the previous version's script, which re-encoded it with cjson.
    const cjsonRevoked = '{"revoked_at":1700000100,"note":"see http:\\/\\/ci","hash":"h-old","created_by":"alice@example.com","expires_at":null,"capabilities":["read"],"created_at":1700000000,"name":"reused"}';
    await raw.hset(keys.apiKeys, hash, stored, 'h-old', cjsonRevoked);
    await raw.hset(keys.apiKeyNames, 'cut', hash, 'reused', 'h-old');

    const { stores } = await openInstance(t, file, prefix);
    assert.equal(stores.apiKeys.current().authenticate(key, 1_800_000_000).email, 'key:cut');
    assert.equal(stores.apiKeys.current().records.find((record) => record.name === 'cut')?.note, 'deploy \ud83d');

    const revoked = await stores.apiKeys.revoke('cut');
    assert.equal(revoked.note, 'deploy \ud83d');
    assert.notEqual(revoked.revokedAt, null);
    assert.throws(() => stores.apiKeys.current().authenticate(key, 1_800_000_000), { code: 'TOKEN_REVOKED' });
    await assert.rejects(stores.apiKeys.revoke('cut'), { code: 'KEY_UNKNOWN' });
    await waitUntil(() => seeder.apiKeys.current().records.some((record) => record.name === 'cut' && record.revokedAt !== null), 'the other instance sees the revocation');
    assert.equal((JSON.parse((await raw.hget(keys.apiKeys, hash))!) as { note: string }).note, 'deploy \ud83d', 'stored revoked, note unchanged');

    // The name of the key the previous version revoked is free again.
    await stores.apiKeys.create({ ...record('reused', 'again'), hash: 'h-new' });
    assert.equal(await raw.hget(keys.apiKeyNames, 'reused'), 'h-new');
    await assert.rejects(stores.apiKeys.create({ ...record('reused', 'twice'), hash: 'h-newer' }), { code: 'KEY_EXISTS' });
  });
});
