import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { checkedChange, checkedScopeDrop, heldWhere, managedScopes, managesSomewhere } from '../../src/capabilities/grant-rules';
import type { Principal } from '../../src/capabilities/principal';
import { GrantError } from '../../src/errors';
import { EASY_OAUTH, grantsOf, graphOf, thrown } from './fixtures';

function scoped(grants: Record<string, Record<string, readonly string[]>>): Map<string, Map<string, readonly string[]>> {
  return new Map(Object.entries(grants).map(([scope, byEmail]) => [scope, new Map(Object.entries(byEmail))]));
}

const policy = new CapabilityPolicy({
  graph: graphOf(EASY_OAUTH, true),
  defaults: [],
  guest: [],
  users: grantsOf({ 'alice@example.com': ['admin'], 'mia@example.com': ['user_management', 'read'] }),
  pinned: grantsOf({}),
  scopes: scoped({
    'shop:paris': { 'bob@example.com': ['user_management', 'write'], 'carol@example.com': ['moderate'] },
    'shop:paris/oven:2': { 'dan@example.com': ['admin'] },
    'shop:lyon': { 'eve@example.com': ['read'], 'zoe@example.com': ['admin'] },
  }),
});

const user = (email: string): Principal => ({ email, kind: 'user', via: 'session' });
const bob = user('bob@example.com');

function codeOf(fn: () => unknown): string | undefined {
  const error = thrown(fn);
  return error instanceof GrantError ? error.code : undefined;
}

describe('grant rules at a scope', () => {
  it('judge a scoped manager on what they hold there, and change only that scope', () => {
    const held = heldWhere(policy, bob, 'shop:paris');
    assert.deepEqual(checkedChange(policy, held, 'eve@example.com', { kind: 'add', capability: 'write', scope: 'shop:paris' }), {
      email: 'eve@example.com',
      capabilities: ['write'],
      scope: 'shop:paris',
    });
    assert.deepEqual(checkedChange(policy, held, 'bob@example.com', { kind: 'remove', capability: 'write', scope: 'shop:paris' }).capabilities, ['user_management']);
  });

  it('refuse granting or removing at a scope what the manager lacks there', () => {
    const held = heldWhere(policy, bob, 'shop:paris');
    assert.equal(codeOf(() => checkedChange(policy, held, 'eve@example.com', { kind: 'add', capability: 'moderate', scope: 'shop:paris' })), 'GRANT_FORBIDDEN');
    assert.equal(codeOf(() => checkedChange(policy, held, 'carol@example.com', { kind: 'set', capabilities: [], scope: 'shop:paris' })), 'GRANT_FORBIDDEN');
  });

  it('give a scoped manager nothing at a sibling or globally', () => {
    assert.equal(heldWhere(policy, bob, 'shop:lyon').has('user_management'), false);
    assert.equal(heldWhere(policy, bob, undefined).has('user_management'), false);
    assert.equal(heldWhere(policy, bob, 'shop:paris/oven:2').has('user_management'), true);
  });

  it('apply the last-admin rule to global admin only', () => {
    const alice = heldWhere(policy, user('alice@example.com'), undefined);
    assert.deepEqual(checkedChange(policy, alice, 'zoe@example.com', { kind: 'set', capabilities: [], scope: 'shop:lyon' }).capabilities, []);
    assert.equal(codeOf(() => checkedChange(policy, alice, 'alice@example.com', { kind: 'set', capabilities: [] })), 'LAST_ADMIN');
  });

  it('judge dropping a scope like removing every grant at it and below', () => {
    assert.equal(codeOf(() => checkedScopeDrop(policy, heldWhere(policy, bob, 'shop:paris'), 'shop:paris')), 'GRANT_FORBIDDEN');
    assert.equal(checkedScopeDrop(policy, heldWhere(policy, user('alice@example.com'), 'shop:paris'), 'shop:paris'), 'shop:paris');
    assert.equal(checkedScopeDrop(policy, null, 'shop:lyon'), 'shop:lyon');
  });

  it('count scoped managers as managers, and name the scopes they manage', () => {
    assert.equal(managesSomewhere(policy, bob), true);
    assert.equal(managesSomewhere(policy, user('mia@example.com')), true);
    assert.equal(managesSomewhere(policy, user('eve@example.com')), false);
    assert.deepEqual(managedScopes(policy, bob), ['shop:paris']);
    assert.deepEqual(managedScopes(policy, user('dan@example.com')), ['shop:paris/oven:2']);
    assert.deepEqual(managedScopes(policy, user('mia@example.com')), []);
  });

  it('confine a credential limited to a scope to that scope', () => {
    const limited: Principal = { email: 'alice@example.com', kind: 'service', via: 'token', snapshot: ['admin'], scope: 'shop:paris' };
    assert.equal(heldWhere(policy, limited, 'shop:paris').has('user_management'), true);
    assert.equal(heldWhere(policy, limited, 'shop:lyon').has('user_management'), false);
    assert.equal(heldWhere(policy, limited, undefined).has('user_management'), false);
    assert.deepEqual(managedScopes(policy, limited), ['shop:paris']);
    assert.equal(managesSomewhere(policy, limited), true);
  });
});
