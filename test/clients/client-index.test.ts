import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { generateClientSecret, hashClientSecret, secretMatches, type ClientRecord } from '../../src/clients/client';
import { grantedCapabilities } from '../../src/clients/granted-scope';
import { plannedClient } from '../../src/clients/client-request';

const POLICY = parseCapsFile(
  `capabilities:
  read: []
  bake: [read]
  arrest: [read]
  user_management: []
auto_admin: true
default: [read]
users:
  alice@example.com: [admin]
  lead@example.com: [user_management, bake]
  bot@service: [bake]
  cop@service: [arrest]
scopes:
  shop:paris:
    cop@service: [bake]
`,
  'caps.yaml',
);

const record = (account: string, scope?: string): ClientRecord => ({
  clientId: 'ncc_x',
  account,
  name: '',
  hash: hashClientSecret('ncs_x'),
  createdBy: 'alice@example.com',
  createdAt: 0,
  revokedAt: null,
  ...(scope === undefined ? {} : { scope }),
});

describe('client secrets', () => {
  it('match only the secret they were made from', () => {
    const secret = generateClientSecret();
    assert.match(secret, /^ncs_[A-Za-z0-9_-]{43}$/);
    assert.equal(secretMatches(secret, hashClientSecret(secret)), true);
    assert.equal(secretMatches(`${secret}x`, hashClientSecret(secret)), false);
    assert.equal(secretMatches(secret, 'short'), false);
  });
});

describe('grantedCapabilities', () => {
  it('gives everything the account holds without a scope, and exactly the names asked for with one', () => {
    assert.deepEqual(grantedCapabilities(POLICY, record('bot@service'), undefined), ['bake', 'read']);
    assert.deepEqual(grantedCapabilities(POLICY, record('bot@service'), 'read bake read'), ['bake', 'read']);
  });

  it('refuses with OAUTH_INVALID_SCOPE a name the account does not hold, an unknown name, a malformed scope', () => {
    for (const scope of ['arrest', 'fly', '', ' read', 'read  bake', 'read\tbake', 're"ad']) {
      assert.throws(() => grantedCapabilities(POLICY, record('bot@service'), scope), { code: 'OAUTH_INVALID_SCOPE' }, JSON.stringify(scope));
    }
  });

  it('judges a client limited to a place of §8 on what the account holds there', () => {
    assert.deepEqual(grantedCapabilities(POLICY, record('cop@service', 'shop:paris'), undefined), ['arrest', 'bake', 'read']);
    assert.throws(() => grantedCapabilities(POLICY, record('cop@service'), 'bake'), { code: 'OAUTH_INVALID_SCOPE' });
  });
});

describe('plannedClient', () => {
  const lead = POLICY.effective('lead@example.com');

  it('plans a client of a service account the creator could mint a token for', () => {
    const { secret, record: planned } = plannedClient(POLICY, lead, { account: 'Bot@Service', name: 'oven' }, 'lead@example.com', 5);
    assert.equal(planned.account, 'bot@service');
    assert.equal(planned.hash, hashClientSecret(secret));
    assert.match(planned.clientId, /^ncc_[A-Za-z0-9_-]{22}$/);
    assert.deepEqual([planned.name, planned.createdBy, planned.createdAt, planned.revokedAt], ['oven', 'lead@example.com', 5, null]);
  });

  it('refuses a person, an unknown account, more than the creator holds, a bad name or scope, each with its code', () => {
    assert.throws(() => plannedClient(POLICY, lead, { account: 'alice@example.com' }, 'x', 0), { code: 'SERVICE_ACCOUNT_REQUIRED' });
    assert.throws(() => plannedClient(POLICY, lead, { account: 'ghost@service' }, 'x', 0), { code: 'UNKNOWN_ACCOUNT' });
    assert.throws(() => plannedClient(POLICY, lead, { account: 'cop@service' }, 'x', 0), { code: 'GRANT_FORBIDDEN' });
    assert.throws(() => plannedClient(POLICY, lead, { account: 'not an email' }, 'x', 0), { code: 'INVALID_EMAIL' });
    assert.throws(() => plannedClient(POLICY, lead, { account: 'bot@service', name: 'a\nb' }, 'x', 0), { code: 'INPUT_INVALID' });
    assert.throws(() => plannedClient(POLICY, lead, { account: 'bot@service', name: 7 }, 'x', 0), { code: 'INVALID_REQUEST' });
    assert.throws(() => plannedClient(POLICY, lead, { account: 'bot@service', scope: '../x' }, 'x', 0), { code: 'SCOPE_INVALID' });
    assert.equal(plannedClient(POLICY, null, { account: 'cop@service' }, 'cli:ops', 0).record.account, 'cop@service', 'an operator may give any account a client');
  });
});
