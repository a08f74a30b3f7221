import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { AuditEntry } from '../../src/audit/audit-log';
import type { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { generateApiKey, hashApiKey, type ApiKeyRecord } from '../../src/api-keys/api-key';
import type { Backend } from '../../src/stores/backend';
import { GrantError } from '../../src/errors';
import { generateClientId, generateClientSecret, hashClientSecret, secretMatches, type ClientRecord } from '../../src/clients/client';
import { waitUntil } from '../fixtures/wait-until';

/** The caps file every backend of the contract starts from. */
export const CONTRACT_CAPS = `capabilities:
  read: []
  write: [read]
auto_admin: true
users:
  alice@example.com: [admin]
  bob@example.com: [read]
`;

/** Opens a fresh backend of one kind holding the accounts of `capsText`; the factory closes it when the test ends. */
export type BackendFactory = (t: TestContext, capsText: string) => Promise<Backend>;

const NOW = Math.floor(Date.now() / 1000);

/**
 * What every backend promises the module, whatever it keeps state in: run it against a
 * backend's factory, and a new backend is checked as the others are.
 *
 * @example
 * backendContract('memory', async (t, text) => openBackend({ kind: 'memory', policy: parseCapsFile(text, 'caps.yaml') }));
 */
export function backendContract(kind: string, open: BackendFactory): void {
  describe(`the ${kind} backend keeps the store contract`, () => {
    it('starts from the accounts it holds and grants durably, telling subscribers', async (t) => {
      const { capabilities } = await open(t, CONTRACT_CAPS);
      assert.deepEqual(capabilities.current().stored('bob@example.com'), ['read']);
      const seen: CapabilityPolicy[] = [];
      capabilities.subscribe((policy) => seen.push(policy));
      const left = await capabilities.update((policy) => ({ email: 'bob@example.com', capabilities: [...policy.stored('bob@example.com'), 'write'] }));
      assert.deepEqual(left.stored('bob@example.com'), ['read', 'write']);
      assert.equal(capabilities.current().can('bob@example.com', 'write'), true);
      await waitUntil(() => seen.some((policy) => policy.can('bob@example.com', 'write')), 'a subscriber is told of the grant');
    });

    it('refuses an edit with its own error, an undefined capability and a malformed email, changing nothing', async (t) => {
      const { capabilities } = await open(t, CONTRACT_CAPS);
      const refusal = new Error('refused by the edit');
      await assert.rejects(capabilities.update(() => { throw refusal; }), refusal);
      await assert.rejects(capabilities.update(() => ({ email: 'bob@example.com', capabilities: ['fly'] })), { code: 'UNKNOWN_CAPABILITY' });
      await assert.rejects(capabilities.update(() => ({ email: 'not an email', capabilities: ['read'] })), { code: 'INVALID_EMAIL' });
      assert.deepEqual([...capabilities.current().users], [['alice@example.com', ['admin']], ['bob@example.com', ['read']]]);
    });

    it('judges each of several edits on the one before it', async (t) => {
      const { capabilities } = await open(t, CONTRACT_CAPS);
      const add = (name: string) => capabilities.update((policy) => ({ email: 'carol@example.com', capabilities: [...policy.stored('carol@example.com'), name] }));
      await Promise.all([add('read'), add('write')]);
      assert.deepEqual(capabilities.current().stored('carol@example.com'), ['read', 'write']);
    });

    it('links an identity to one account only, and deletes an account with its links', async (t) => {
      const { capabilities } = await open(t, CONTRACT_CAPS);
      assert.ok(capabilities.linkIdentity !== undefined && capabilities.deleteAccount !== undefined);
      await capabilities.linkIdentity('github:1', 'bob@example.com');
      assert.equal(capabilities.current().linkedAccount('github:1'), 'bob@example.com');
      await assert.rejects(capabilities.linkIdentity('github:1', 'alice@example.com'), { code: 'LOGIN_IDENTITY_LINKED' });
      const left = await capabilities.deleteAccount(() => 'bob@example.com');
      assert.equal(left.users.has('bob@example.com'), false);
      assert.equal(capabilities.current().linkedAccount('github:1'), undefined);
      await assert.rejects(capabilities.deleteAccount(() => { throw new Error('not this one'); }), /not this one/);
    });

    it('revokes a token and every token of an account, telling subscribers', async (t) => {
      const { revocations } = await open(t, CONTRACT_CAPS);
      let told = 0;
      revocations.subscribe(() => (told += 1));
      await revocations.revokeToken('token-1', NOW + 3600);
      assert.equal(revocations.isRevoked({ tokenId: 'token-1', email: 'bob@example.com', issuedAt: NOW }), true);
      assert.equal(revocations.isRevoked({ tokenId: 'token-2', email: 'bob@example.com', issuedAt: NOW }), false);
      await revocations.revokeAccount('bob@example.com', NOW);
      assert.equal(revocations.isRevoked({ tokenId: 'token-2', email: 'bob@example.com', issuedAt: NOW }), true);
      assert.equal(revocations.isRevoked({ tokenId: 'token-3', email: 'bob@example.com', issuedAt: NOW + 1 }), false);
      await waitUntil(() => told > 0, 'a subscriber is told of the revocations');
    });

    it('keeps API keys by name: one live key a name, revoked by name', async (t) => {
      const { apiKeys } = await open(t, CONTRACT_CAPS);
      const key = generateApiKey();
      await apiKeys.create(apiKey('deploy', key));
      assert.equal(apiKeys.current().authenticate(key, NOW).email, 'key:deploy');
      await assert.rejects(apiKeys.create(apiKey('deploy', generateApiKey())), { code: 'KEY_EXISTS' });
      assert.equal((await apiKeys.revoke('deploy')).name, 'deploy');
      assert.throws(() => apiKeys.current().authenticate(key, NOW), { code: 'TOKEN_REVOKED' });
      await assert.rejects(apiKeys.revoke('deploy'), { code: 'KEY_UNKNOWN' });
    });

    it('keeps OAuth clients by id, their secrets as hashes, revoked once, telling subscribers', async (t) => {
      const { clients } = await open(t, CONTRACT_CAPS);
      let told = 0;
      clients.subscribe(() => (told += 1));
      const secret = generateClientSecret();
      const record = client(secret);
      await clients.create(record);
      const found = clients.current().live(record.clientId);
      assert.equal(found?.account, 'bot@service');
      assert.ok(found !== undefined && secretMatches(secret, found.hash) && !secretMatches(generateClientSecret(), found.hash));
      assert.deepEqual(clients.current().unrevoked().map((listed) => listed.clientId), [record.clientId]);
      clients.current().assertLive(record.clientId);
      await assert.rejects(clients.revoke(record.clientId, () => { throw new GrantError('GRANT_FORBIDDEN', 'bake', 'not this one'); }), { code: 'GRANT_FORBIDDEN' });
      assert.notEqual(clients.current().live(record.clientId), undefined, 'a refused revocation revokes nothing');
      const revoked = await clients.revoke(record.clientId);
      assert.equal(revoked.clientId, record.clientId);
      assert.equal(typeof revoked.revokedAt, 'number');
      assert.equal(clients.current().live(record.clientId), undefined);
      assert.throws(() => clients.current().assertLive(record.clientId), { code: 'TOKEN_REVOKED' });
      assert.deepEqual(clients.current().unrevoked(), []);
      await assert.rejects(clients.revoke(record.clientId), { code: 'CLIENT_UNKNOWN' });
      await assert.rejects(clients.revoke('ncc_nobody'), { code: 'CLIENT_UNKNOWN' });
      await waitUntil(() => told >= 2, 'a subscriber is told of the creation and the revocation');
    });

    it('keeps the audit trail, newest first, by target', async (t) => {
      const { audit } = await open(t, CONTRACT_CAPS);
      // Entries of now: a backend keeps the trail for days, and may drop older ones.
      const [first, second, third] = [0, 1, 2].map((seconds) => new Date((NOW + seconds) * 1000).toISOString()) as [string, string, string];
      await audit.append(entry('bob@example.com', first));
      await audit.append(entry('carol@example.com', second));
      await audit.append(entry('bob@example.com', third));
      assert.deepEqual((await audit.recent({ limit: 10 })).map((found) => found.at), [third, second, first]);
      assert.deepEqual((await audit.recent({ target: 'bob@example.com', limit: 1 })).map((found) => found.at), [third]);
    });

    it('closes once, however often it is asked', async (t) => {
      const backend = await open(t, CONTRACT_CAPS);
      await Promise.all([backend.close(), backend.close()]);
      await backend.close();
    });
  });
}

function apiKey(name: string, key: string): ApiKeyRecord {
  return { name, hash: hashApiKey(key), capabilities: ['read'], expiresAt: NOW + 3600, createdBy: 'alice@example.com', createdAt: NOW, note: '', revokedAt: null };
}

function client(secret: string): ClientRecord {
  return { clientId: generateClientId(), account: 'bot@service', name: 'nightly', hash: hashClientSecret(secret), createdBy: 'alice@example.com', createdAt: NOW, revokedAt: null, scope: 'shop:paris' };
}

function entry(target: string, at: string): AuditEntry {
  return { at, actor: 'alice@example.com', action: 'add', target, detail: 'added read', outcome: 'ok', instance: 'contract:1' };
}
