import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GrantError, type CapabilitiesError } from '../../src/errors';
import { generateApiKey, hashApiKey, type ApiKeyRecord } from '../../src/api-keys/api-key';
import { ApiKeyIndex } from '../../src/api-keys/api-key-index';
import { MemoryApiKeyStore } from '../../src/api-keys/api-key-store';
import { FileApiKeyStore } from '../../src/stores/file/file-api-key.store';
import { tempFolder } from '../fixtures/temp-folder';
import { waitUntil } from '../fixtures/wait-until';

const NOW = Math.floor(Date.now() / 1000);

function record(name: string, key = generateApiKey(), extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { name, hash: hashApiKey(key), capabilities: ['read'], expiresAt: NOW + 3600, createdBy: 'root@example.com', createdAt: NOW, note: '', revokedAt: null, ...extra };
}

describe('ApiKeyIndex', () => {
  it('authenticates a key as a principal that says it is a key and names it', () => {
    const key = generateApiKey();
    const principal = new ApiKeyIndex([record('deploy', key)]).authenticate(key, NOW);
    assert.deepEqual(principal, { email: 'key:deploy', kind: 'key', via: 'token', expiresAt: NOW + 3600, keyName: 'deploy', keyCapabilities: ['read'] });
  });

  it('refuses unknown, revoked and expired keys with their codes', () => {
    const live = generateApiKey();
    const revoked = generateApiKey();
    const index = new ApiKeyIndex([record('live', live), record('gone', revoked, { revokedAt: NOW - 1 })]);
    assert.throws(() => index.authenticate(generateApiKey(), NOW), { code: 'TOKEN_INVALID' });
    assert.throws(() => index.authenticate(revoked, NOW), { code: 'TOKEN_REVOKED', message: 'the API key has been revoked' });
    assert.throws(() => index.authenticate(live, NOW + 3600), { code: 'TOKEN_EXPIRED', message: 'the API key has expired' });
  });

  it('keeps the same principal object while a key is unchanged, so caches keyed by it hold', () => {
    const key = generateApiKey();
    const first = new ApiKeyIndex([record('a', key)]);
    const second = new ApiKeyIndex([...first.records, record('b')], first);
    assert.equal(second.authenticate(key, NOW), first.authenticate(key, NOW));
  });

  it('refuses a key it has already accepted once the next index revokes or drops it', () => {
    const key = generateApiKey();
    const first = new ApiKeyIndex([record('a', key)]);
    assert.equal(first.authenticate(key, NOW).email, 'key:a');
    const revoked = new ApiKeyIndex([record('a', key, { revokedAt: NOW })], first);
    assert.throws(() => revoked.authenticate(key, NOW), { code: 'TOKEN_REVOKED' });
    assert.throws(() => new ApiKeyIndex([record('b')], revoked).authenticate(key, NOW), { code: 'TOKEN_INVALID' });
    assert.throws(() => first.authenticate(key, NOW + 3600), { code: 'TOKEN_EXPIRED' });
  });
});

describe('MemoryApiKeyStore', () => {
  it('refuses a live name twice, revokes by name, and frees the name', async () => {
    const store = new MemoryApiKeyStore(() => NOW * 1000);
    await store.create(record('x'));
    await assert.rejects(store.create(record('x')), { code: 'KEY_EXISTS' });
    assert.equal((await store.revoke('x')).revokedAt, NOW);
    await assert.rejects(store.revoke('x'), { code: 'KEY_UNKNOWN' });
    await store.create(record('x'));
    assert.equal(store.current().unrevoked().length, 1);
  });
});

/** A revocation check that refuses keys carrying `admin`, and remembers what it saw. */
function refusingAdmin(seen: ApiKeyRecord[]): (record: ApiKeyRecord) => void {
  return (record) => {
    seen.push(record);
    if (record.capabilities.includes('admin')) throw new GrantError('GRANT_FORBIDDEN', 'admin', 'refused');
  };
}

describe('MemoryApiKeyStore revocation checks', () => {
  it('revokes nothing when the check refuses the key', async () => {
    const store = new MemoryApiKeyStore(() => NOW * 1000);
    await store.create(record('root', undefined, { capabilities: ['admin'] }));
    await assert.rejects(store.revoke('root', refusingAdmin([])), { code: 'GRANT_FORBIDDEN' });
    assert.equal(store.current().unrevoked().length, 1);
  });
});

describe('FileApiKeyStore', () => {
  it('keeps the scope of a key limited to one, and its principal holds nothing outside it', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.keys.json');
    const key = generateApiKey();
    const first = await FileApiKeyStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => first.close());
    await first.create(record('paris', key, { scope: 'shop:paris' }));
    await first.create(record('everywhere'));
    const reopened = await FileApiKeyStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    assert.deepEqual(reopened.current().unrevoked().map((found) => [found.name, found.scope]), [['paris', 'shop:paris'], ['everywhere', undefined]]);
    assert.equal(reopened.current().authenticate(key, NOW).scope, 'shop:paris');
  });

  it('refuses a key file whose scope is malformed', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.keys.json');
    writeFileSync(file, JSON.stringify({ keys: [{ name: 'x', hash: 'h', capabilities: ['read'], expires_at: null, created_by: 'root@example.com', created_at: NOW, note: '', revoked_at: null, scope: 'shop:../x' }] }));
    await assert.rejects(FileApiKeyStore.open(file, { pollIntervalMs: 60_000 }));
  });

  it('judges a revocation on the key the file holds now, not on the one this instance saw last', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.keys.json');
    const first = await FileApiKeyStore.open(file, { pollIntervalMs: 20 });
    t.after(() => first.close());
    await first.create(record('deploy'));
    const late = await FileApiKeyStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => late.close());
    await first.revoke('deploy');
    await first.create(record('deploy', undefined, { capabilities: ['admin'] }));
    assert.deepEqual(late.current().unrevoked().map((key) => key.capabilities), [['read']], 'the late instance has not seen the new key');
    const seen: ApiKeyRecord[] = [];
    await assert.rejects(late.revoke('deploy', refusingAdmin(seen)), { code: 'GRANT_FORBIDDEN' });
    assert.deepEqual(seen.map((key) => key.capabilities), [['admin']]);
    await waitUntil(() => first.current().unrevoked().length === 1, 'the admin key is still unrevoked');
    assert.deepEqual(first.current().unrevoked()[0]?.capabilities, ['admin']);
  });

  it('sees a name taken through another instance and refuses it, and sees its revocations', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.keys.json');
    const [first, second] = await Promise.all([FileApiKeyStore.open(file, { pollIntervalMs: 20 }), FileApiKeyStore.open(file, { pollIntervalMs: 20 })]);
    t.after(async () => {
      await first.close();
      await second.close();
    });
    const key = generateApiKey();
    const outcomes = await Promise.allSettled([first.create(record('same', key)), second.create(record('same'))]);
    assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason as CapabilitiesError).code, 'KEY_EXISTS');
    const winner = outcomes[0].status === 'fulfilled' ? first : second;
    const other = winner === first ? second : first;
    await winner.revoke('same');
    await waitUntil(() => other.current().unrevoked().length === 0, 'the other store sees the revocation');
  });

  it('creates the key file no more readable than the capability file', async (t) => {
    const folder = tempFolder(t);
    const capsFile = join(folder, 'caps.yaml');
    writeFileSync(capsFile, 'users: {}\n', { mode: 0o600 });
    const store = await FileApiKeyStore.open(join(folder, 'caps.yaml.keys.json'), { capsFile });
    t.after(() => store.close());
    await store.create(record('deploy'));
    assert.equal(statSync(join(folder, 'caps.yaml.keys.json')).mode & 0o777, 0o600);
  });

  it('refuses to start on a broken key file, and treats a missing one as empty', async (t) => {
    const folder = tempFolder(t);
    const missing = await FileApiKeyStore.open(join(folder, 'none.json'));
    assert.equal(missing.current().records.length, 0);
    await missing.close();
    writeFileSync(join(folder, 'broken.json'), '{"keys": [{"name": 1}]}');
    await assert.rejects(FileApiKeyStore.open(join(folder, 'broken.json')), { code: 'CAPS_FILE_UNREADABLE' });
  });
});
