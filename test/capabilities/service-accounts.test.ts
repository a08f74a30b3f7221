import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GrantError, InvalidInputError, TokenError } from '../../src/errors';
import { assertCanMintServiceToken } from '../../src/capabilities/grant-rules';
import { accountExists, assertServiceAccountExists, ServiceAccountRoster } from '../../src/capabilities/service-accounts';
import { EASY_OAUTH, graphOf, policyOf, thrown } from './fixtures';

const graph = graphOf(EASY_OAUTH, true);
const policy = policyOf(graph, {
  defaults: ['read'],
  users: { 'alice@example.com': ['admin'], 'mia@example.com': ['moderate', 'user_management'], 'bot@service': ['write'], 'root@service': ['admin'], 'idle@service': [] },
  pinned: { 'ci@service': ['read'] },
});
const service = (email: string) => ({ email, kind: 'service' as const, via: 'token' as const, snapshot: ['write'] });

describe('accountExists and assertServiceAccountExists', () => {
  it('knows accounts under users or pinned, even with nothing granted', () => {
    for (const email of ['bot@service', 'ci@service', 'idle@service', 'alice@example.com']) assert.equal(accountExists(policy, email), true, email);
    assert.equal(accountExists(policy, 'ghost@service'), false);
  });

  it('refuses a service token of an account that is gone with TOKEN_REVOKED', () => {
    assert.doesNotThrow(() => assertServiceAccountExists(policy, service('bot@service')));
    const error = thrown(() => assertServiceAccountExists(policy, service('ghost@service')));
    assert.ok(error instanceof TokenError);
    assert.deepEqual({ code: error.code, message: error.message }, { code: 'TOKEN_REVOKED', message: 'the service account ghost@service no longer exists' });
  });

  it('leaves people alone: their tokens read the store at each request', () => {
    assert.doesNotThrow(() => assertServiceAccountExists(policy, { email: 'stranger@example.com', kind: 'user', via: 'token' }));
  });
});

describe('assertCanMintServiceToken', () => {
  it('answers the account’s effective set for a manager who holds it all, or for the operator', () => {
    assert.deepEqual(assertCanMintServiceToken(policy, policy.effective('mia@example.com'), 'bot@service').toArray(), ['read', 'write']);
    assert.deepEqual(assertCanMintServiceToken(policy, null, 'ci@service').toArray(), ['read']);
    assert.deepEqual(assertCanMintServiceToken(policy, null, 'idle@service').toArray(), ['read']);
  });

  it('refuses an account that does not exist with UNKNOWN_ACCOUNT', () => {
    const error = thrown(() => assertCanMintServiceToken(policy, policy.effective('alice@example.com'), 'ghost@service'));
    assert.ok(error instanceof InvalidInputError);
    assert.deepEqual({ code: error.code, field: error.field, message: error.message }, {
      code: 'UNKNOWN_ACCOUNT',
      field: 'user',
      message: 'there is no service account ghost@service: add it to the capability file (users, pinned or scopes) first',
    });
    assert.equal((thrown(() => assertCanMintServiceToken(policy, null, 'ghost@service')) as InvalidInputError).code, 'UNKNOWN_ACCOUNT');
  });

  it('refuses a person with INVALID_REQUEST', () => {
    const error = thrown(() => assertCanMintServiceToken(policy, null, 'alice@example.com'));
    assert.ok(error instanceof InvalidInputError);
    assert.deepEqual({ code: error.code, message: error.message }, { code: 'INVALID_REQUEST', message: 'service tokens are only for service accounts (name@service)' });
  });

  it('refuses a manager who lacks some of the account’s capabilities with GRANT_FORBIDDEN', () => {
    const error = thrown(() => assertCanMintServiceToken(policy, policy.effective('mia@example.com'), 'root@service'));
    assert.ok(error instanceof GrantError);
    assert.equal(error.code, 'GRANT_FORBIDDEN');
    assert.match(error.message, /^you may not mint a token carrying "admin", .*which you do not hold$/);
  });
});

describe('ServiceAccountRoster', () => {
  it('reports nothing for grants changed through the API, and knows the accounts they add', () => {
    const roster = new ServiceAccountRoster(policy);
    const added = policy.withUser('new@service', ['read']);
    assert.deepEqual(roster.observe(added), []);
    const emptied = added.withUser('bot@service', []);
    assert.deepEqual(roster.observe(emptied), [], 'an account with nothing granted still exists');
    const reloaded = emptied.withUsers(new Map([...emptied.users].filter(([email]) => email !== 'new@service')));
    assert.deepEqual(roster.observe(reloaded), ['new@service']);
  });

  it('reports the service accounts a reload drops, from users and from pinned, and only once', () => {
    const roster = new ServiceAccountRoster(policy);
    const without = policyOf(graph, { users: { 'alice@example.com': ['admin'], 'root@service': ['admin'] } });
    assert.deepEqual(roster.observe(without), ['bot@service', 'ci@service', 'idle@service']);
    assert.deepEqual(roster.observe(without), []);
    assert.deepEqual(roster.observe(policy), [], 're-created accounts are not removals');
    assert.deepEqual(roster.observe(without), ['bot@service', 'ci@service', 'idle@service'], 'deleted again');
  });

  it('never reports people', () => {
    const roster = new ServiceAccountRoster(policy);
    assert.deepEqual(roster.observe(policyOf(graph, { users: { 'bot@service': ['write'], 'root@service': [], 'idle@service': [] }, pinned: { 'ci@service': [] } })), []);
  });
});
