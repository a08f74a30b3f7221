import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { Principal } from '../../src/capabilities/principal';
import { EASY_OAUTH, graphOf, policyOf } from './fixtures';

const graph = graphOf(EASY_OAUTH, true);
const policy = policyOf(graph, {
  defaults: ['read'],
  guest: ['read'],
  users: { 'bob@example.com': ['moderate'], 'bot@service': ['announce'] },
  pinned: { 'carol@example.com': ['user_management'] },
});

const bob: Principal = { email: 'bob@example.com', kind: 'user', via: 'session' };
/** A token minted while the bot held `moderate` (since taken away) but not yet `announce`. */
const botToken: Principal = { email: 'bot@service', kind: 'service', via: 'token', snapshot: ['moderate', 'read', 'write'] };
const deployKey: Principal = { email: 'key:deploy', kind: 'key', via: 'token', keyName: 'deploy', keyCapabilities: ['write'] };

describe('CapabilityPolicy.effectiveFor', () => {
  it('gives a guest the closure of guest', () => {
    assert.deepEqual(policy.effectiveFor(null).toArray(), ['read']);
    assert.equal(policy.effectiveFor(null), policy.effective(null));
  });

  it('gives a user their effective set, stored, pinned and default', () => {
    assert.deepEqual(policy.effectiveFor(bob).toArray(), ['moderate', 'read', 'write']);
    const carol: Principal = { email: 'carol@example.com', kind: 'user', via: 'token' };
    assert.deepEqual(policy.effectiveFor(carol).toArray(), ['read', 'user_management']);
  });

  it('gives a service token only what is in its snapshot and held by the account now', () => {
    // `moderate` was removed from the account after minting: gone. `announce` was added after: not gained.
    assert.deepEqual(policy.effectiveFor(botToken).toArray(), ['read', 'write']);
    assert.equal(policy.effectiveFor(botToken).has('moderate'), false);
    assert.equal(policy.effectiveFor(botToken).has('announce'), false);
    assert.equal(policy.effective('bot@service').has('announce'), true);
  });

  it('reads the account once for a service token', () => {
    const fresh = policy.withUsers(policy.users);
    const effective = mock.method(fresh, 'effective');
    try {
      fresh.effectiveFor(botToken);
      assert.equal(effective.mock.callCount(), 1);
    } finally {
      mock.restoreAll();
    }
  });

  it('gives an API key the closure of its own capabilities, without the defaults', () => {
    assert.deepEqual(policy.effectiveFor(deployKey).toArray(), ['read', 'write']);
    const moderateKey: Principal = { ...deployKey, keyCapabilities: ['moderate'] };
    assert.deepEqual(policy.effectiveFor(moderateKey).toArray(), ['moderate', 'read', 'write']);
    const emptyKey: Principal = { ...deployKey, keyCapabilities: [] };
    assert.deepEqual(policy.effectiveFor(emptyKey).toArray(), []);
  });

  it('returns the same set object on a second call, with no graph walk', () => {
    const fresh = policy.withUsers(policy.users);
    const first = [fresh.effectiveFor(null), fresh.effectiveFor(bob), fresh.effectiveFor(botToken), fresh.effectiveFor(deployKey)];
    const closureOf = mock.method(fresh.graph, 'closureOf');
    const intersection = mock.method(fresh.graph, 'intersection');
    const union = mock.method(fresh.graph, 'union');
    try {
      const second = [fresh.effectiveFor(null), fresh.effectiveFor(bob), fresh.effectiveFor(botToken), fresh.effectiveFor(deployKey)];
      second.forEach((set, i) => assert.equal(set, first[i]));
      assert.equal(closureOf.mock.callCount() + intersection.mock.callCount() + union.mock.callCount(), 0);
    } finally {
      mock.restoreAll();
    }
  });

  it('answers from the new state once the policy changes, for the same principal object', () => {
    const before = policy.effectiveFor(botToken);
    assert.deepEqual(before.toArray(), ['read', 'write']);
    const narrowed = policy.withUser('bot@service', ['read']);
    assert.deepEqual(narrowed.effectiveFor(botToken).toArray(), ['read']);
    const keyPolicy = policy.withUsers(policy.users);
    assert.notEqual(keyPolicy.effectiveFor(deployKey), policy.effectiveFor(deployKey));
    assert.equal(policy.effectiveFor(botToken), before);
  });
});
