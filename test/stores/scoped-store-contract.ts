import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import type { BackendFactory } from './backend-contract';
import { waitUntil } from '../fixtures/wait-until';

/** The caps file of the scoped cases: global grants, and grants at a shop and an oven in it. */
export const SCOPED_CONTRACT_CAPS = `capabilities:
  read: []
  bake: [read]
auto_admin: true
users:
  alice@example.com: [admin]
scopes:
  shop:paris:
    bob@example.com: [bake]
  shop:paris/oven:2:
    carol@example.com: [read]
  shop:lyon:
    bob@example.com: [read]
`;

// The display objects have no prototype; compare them as the JSON they become.
function scopesOf(policy: CapabilityPolicy): unknown {
  return JSON.parse(JSON.stringify(policy.scopesAsObject())) as unknown;
}

/**
 * What every backend promises about grants at a scope: run it next to `backendContract`
 * with the same factory.
 *
 * @example
 * scopedStoreContract('memory', async (t, text) => openBackend({ kind: 'memory', policy: parseCapsFile(text, 'caps.yaml') }));
 */
export function scopedStoreContract(kind: string, open: BackendFactory): void {
  describe(`the ${kind} backend keeps scoped grants`, () => {
    it('starts from the scoped grants it holds, and grants at a scope there and below only, telling subscribers', async (t) => {
      const { capabilities } = await open(t, SCOPED_CONTRACT_CAPS);
      assert.equal(capabilities.current().can('bob@example.com', 'bake', 'shop:paris/oven:2'), true);
      const seen: CapabilityPolicy[] = [];
      capabilities.subscribe((policy) => seen.push(policy));
      const left = await capabilities.update(() => ({ email: 'dave@example.com', capabilities: ['bake'], scope: 'shop:lyon' }));
      assert.deepEqual(left.storedAt('dave@example.com', 'shop:lyon'), ['bake']);
      const now = capabilities.current();
      assert.equal(now.can('dave@example.com', 'bake', 'shop:lyon/oven:1'), true);
      assert.equal(now.can('dave@example.com', 'bake', 'shop:paris'), false, 'a sibling scope never gets it');
      assert.equal(now.can('dave@example.com', 'bake'), false, 'a scoped grant never holds globally');
      assert.equal(now.users.has('dave@example.com'), false);
      await waitUntil(() => seen.some((policy) => policy.can('dave@example.com', 'bake', 'shop:lyon')), 'a subscriber is told of the scoped grant');
    });

    it('replaces the list at exactly one scope, removes an account left with nothing there and a scope left empty', async (t) => {
      const { capabilities } = await open(t, SCOPED_CONTRACT_CAPS);
      await capabilities.update(() => ({ email: 'bob@example.com', capabilities: ['read', 'bake'], scope: 'shop:lyon' }));
      await capabilities.update(() => ({ email: 'carol@example.com', capabilities: [], scope: 'shop:paris/oven:2' }));
      assert.deepEqual(scopesOf(capabilities.current()), {
        'shop:lyon': { 'bob@example.com': ['read', 'bake'] },
        'shop:paris': { 'bob@example.com': ['bake'] },
      });
    });

    it('refuses an invalid scope and an undefined capability at a scope, changing nothing', async (t) => {
      const { capabilities } = await open(t, SCOPED_CONTRACT_CAPS);
      for (const scope of ['shop:..', 'shop', '', 'shop:a/', 'shop:%2F']) {
        await assert.rejects(capabilities.update(() => ({ email: 'bob@example.com', capabilities: ['read'], scope })), { code: 'SCOPE_INVALID' }, scope);
      }
      await assert.rejects(capabilities.update(() => ({ email: 'bob@example.com', capabilities: ['fly'], scope: 'shop:paris' })), { code: 'UNKNOWN_CAPABILITY' });
      assert.deepEqual(scopesOf(capabilities.current()), {
        'shop:lyon': { 'bob@example.com': ['read'] },
        'shop:paris': { 'bob@example.com': ['bake'] },
        'shop:paris/oven:2': { 'carol@example.com': ['read'] },
      });
    });

    it('drops a scope with every scope below it, counting the grants, and leaves siblings and global grants', async (t) => {
      const { capabilities } = await open(t, SCOPED_CONTRACT_CAPS);
      assert.ok(capabilities.dropScope !== undefined, 'the store drops scopes');
      const { policy, removed } = await capabilities.dropScope(() => 'shop:paris');
      assert.equal(removed, 2);
      assert.deepEqual(scopesOf(policy), { 'shop:lyon': { 'bob@example.com': ['read'] } });
      assert.deepEqual(scopesOf(capabilities.current()), scopesOf(policy));
      assert.deepEqual(capabilities.current().stored('alice@example.com'), ['admin']);
      assert.equal((await capabilities.dropScope(() => 'shop:paris')).removed, 0);
      await assert.rejects(capabilities.dropScope(() => 'shop:..'), { code: 'SCOPE_INVALID' });
      const refusal = new Error('not this shop');
      await assert.rejects(capabilities.dropScope(() => { throw refusal; }), refusal);
      assert.deepEqual(scopesOf(capabilities.current()), { 'shop:lyon': { 'bob@example.com': ['read'] } });
    });

    it('deletes an account with its scoped grants', async (t) => {
      const { capabilities } = await open(t, SCOPED_CONTRACT_CAPS);
      assert.ok(capabilities.deleteAccount !== undefined);
      await capabilities.deleteAccount(() => 'bob@example.com');
      assert.deepEqual(scopesOf(capabilities.current()), { 'shop:paris/oven:2': { 'carol@example.com': ['read'] } });
    });

    it('judges each of several scoped edits on the one before it', async (t) => {
      const { capabilities } = await open(t, SCOPED_CONTRACT_CAPS);
      const add = (name: string) =>
        capabilities.update((policy) => ({ email: 'erin@example.com', capabilities: [...policy.storedAt('erin@example.com', 'shop:nice'), name], scope: 'shop:nice' }));
      await Promise.all([add('read'), add('bake')]);
      assert.deepEqual(capabilities.current().storedAt('erin@example.com', 'shop:nice'), ['read', 'bake']);
    });
  });
}
