import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import type { Principal } from '../../src/capabilities/principal';
import { isWithinScope } from '../../src/capabilities/scope';
import { SeededRandom } from '../fixtures/seeded-random';
import { graphOf, grantsOf, TOWN } from './fixtures';

const town = graphOf(TOWN, true);

function scoped(grants: Record<string, Record<string, readonly string[]>>): Map<string, Map<string, readonly string[]>> {
  return new Map(Object.entries(grants).map(([scope, byEmail]) => [scope, new Map(Object.entries(byEmail))]));
}

const policy = new CapabilityPolicy({
  graph: town,
  defaults: ['buy_bread'],
  guest: [],
  users: grantsOf({ 'alice@example.com': ['admin'], 'bob@example.com': ['walk_streets'] }),
  pinned: grantsOf({}),
  scopes: scoped({
    'shop:paris': { 'bob@example.com': ['sell_bread'], 'carol@example.com': ['admin'] },
    'shop:paris/oven:2': { 'dan@example.com': ['bake'] },
    'shop:lyon': { 'bot@service': ['bake'] },
  }),
});

const user = (email: string): Principal => ({ email, kind: 'user', via: 'session' });

describe('scoped grants', () => {
  it('hold at their scope and below, never at a sibling or globally', () => {
    assert.equal(policy.can('bob@example.com', 'bake', 'shop:paris'), true);
    assert.equal(policy.can('bob@example.com', 'bake', 'shop:paris/oven:2'), true);
    assert.equal(policy.can('bob@example.com', 'bake', 'shop:lyon'), false);
    assert.equal(policy.can('bob@example.com', 'bake', 'shop:paris2'), false);
    assert.equal(policy.can('bob@example.com', 'bake'), false);
    assert.equal(policy.can('dan@example.com', 'bake', 'shop:paris'), false);
    assert.equal(policy.can('dan@example.com', 'bake', 'shop:paris/oven:2/tray:1'), true);
  });

  it('let global grants hold everywhere, and admin at a scope is everything there', () => {
    assert.equal(policy.can('alice@example.com', 'arrest', 'shop:lyon'), true);
    assert.equal(policy.can('bob@example.com', 'walk_streets', 'shop:lyon'), true);
    assert.equal(policy.can('carol@example.com', 'run_family', 'shop:paris/oven:9'), true);
    assert.equal(policy.can('carol@example.com', 'run_family', 'shop:lyon'), false);
    assert.equal(policy.can('carol@example.com', 'buy_bread', 'shop:lyon'), true);
  });

  it('give the effective set at a scope', () => {
    assert.deepEqual(policy.effectiveAt(user('bob@example.com'), 'shop:paris/oven:2').toArray(), ['bake', 'buy_bread', 'sell_bread', 'walk_streets']);
    assert.deepEqual(policy.effectiveAt(null, 'shop:paris').toArray(), []);
  });

  it('limit a service token to its snapshot and a scoped credential to its scope', () => {
    const token: Principal = { email: 'bot@service', kind: 'service', via: 'token', snapshot: ['bake'], scope: 'shop:lyon' };
    const bake = town.indexOf('bake');
    assert.equal(policy.holdsAt(token, bake, 'shop:lyon/oven:1'), true);
    assert.equal(policy.holdsAt(token, bake, 'shop:paris'), false);
    assert.equal(policy.holdsAt(token, bake, undefined), false);
    assert.equal(policy.holdsAt(token, town.indexOf('buy_bread'), 'shop:lyon'), false, 'not in the snapshot');
    const key: Principal = { email: 'key:k', kind: 'key', via: 'token', keyCapabilities: ['sell_bread'], scope: 'shop:paris' };
    assert.equal(policy.holdsAt(key, bake, 'shop:paris/oven:1'), true);
    assert.equal(policy.holdsAt(key, bake, 'shop:lyon'), false);
    assert.equal(policy.effectiveFor(key).size, 0);
  });

  it('lists holders and the scopes of an account', () => {
    assert.deepEqual(policy.holders('bake', 'shop:paris/oven:2'), { everyone: false, holders: ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dan@example.com'] });
    assert.deepEqual(policy.holders('buy_bread', 'shop:lyon').everyone, true);
    assert.deepEqual(policy.scopesOf('bob@example.com', 'bake'), { everywhere: false, scopes: ['shop:paris'] });
    assert.deepEqual(policy.scopesOf('bob@example.com', 'bake', 'shop:paris/oven:2'), { everywhere: false, scopes: ['shop:paris/oven:2'] });
    assert.deepEqual(policy.scopesOf('alice@example.com', 'bake'), { everywhere: true, scopes: [] });
    assert.deepEqual(policy.scopesOf('alice@example.com', 'bake', 'shop:x'), { everywhere: true, scopes: ['shop:x'] });
    assert.deepEqual(policy.scopesOf('dan@example.com', 'bake', 'shop:paris'), { everywhere: false, scopes: ['shop:paris/oven:2'] });
  });

  it('are changed per account and scope, and dropped with their scope', () => {
    const next = policy.withScopedUser('shop:lyon', 'bob@example.com', ['bake']);
    assert.equal(next.can('bob@example.com', 'bake', 'shop:lyon'), true);
    assert.equal(policy.can('bob@example.com', 'bake', 'shop:lyon'), false, 'the old policy is unchanged');
    const emptied = next.withScopedUser('shop:lyon', 'bob@example.com', []);
    assert.deepEqual(emptied.storedAt('bob@example.com', 'shop:lyon'), []);
    const { policy: dropped, removed } = policy.withoutScope('shop:paris');
    assert.equal(removed, 3);
    assert.deepEqual([...dropped.scopes.keys()], ['shop:lyon']);
    assert.equal(policy.withoutScope('shop:nowhere').policy, policy);
    assert.deepEqual([...policy.withoutAccount('dan@example.com').scopes.keys()].sort(), ['shop:lyon', 'shop:paris']);
  });
});

describe('scoped answers against a brute-force reading of the rules', () => {
  const caps = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
  const graph = graphOf({ c0: [], c1: ['c0'], c2: [], c3: ['c1', 'c2'], c4: [], c5: ['c4'] }, true);
  const emails = ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'bot@service'];
  const scopeNames = ['o:1', 'o:2', 'o:1/p:1', 'o:1/p:2', 'o:1/p:1/d:1', 'o:2/p:1', 'o:10'];
  const allCaps = [...caps, 'admin'];

  // The rules read literally: closure of the global grants, plus of every grant at the scope or above.
  function bruteHolds(p: CapabilityPolicy, email: string, capability: string, scope: string | undefined): boolean {
    const lists = [p.defaults, p.users.get(email) ?? [], p.pinned.get(email) ?? []];
    if (scope !== undefined) for (const [at, grants] of p.scopes) if (isWithinScope(scope, at)) lists.push(grants.get(email) ?? []);
    return lists.some((names) => graph.closureOf(names).has(capability));
  }

  function randomPolicy(random: SeededRandom): CapabilityPolicy {
    const pick = (): string[] => caps.filter(() => random.chance(0.15)).concat(random.chance(0.03) ? ['admin'] : []);
    const users = new Map(emails.filter(() => random.chance(0.5)).map((email) => [email, pick()] as [string, readonly string[]]));
    const pinned = new Map(emails.filter(() => random.chance(0.1)).map((email) => [email, pick()] as [string, readonly string[]]));
    const scopes = new Map<string, Map<string, readonly string[]>>();
    for (const scope of scopeNames) {
      if (!random.chance(0.6)) continue;
      scopes.set(scope, new Map(emails.filter(() => random.chance(0.4)).map((email) => [email, pick()] as [string, readonly string[]])));
    }
    return new CapabilityPolicy({ graph, defaults: random.chance(0.3) ? ['c0'] : [], guest: [], users, pinned, scopes });
  }

  it('agrees on can, holders and scopesOf over thousands of generated cases', () => {
    const random = new SeededRandom(0x5c09e);
    let cases = 0;
    for (let round = 0; round < 300; round++) {
      const p = randomPolicy(random);
      const stored = new Set([...p.users.keys(), ...p.pinned.keys(), ...[...p.scopes.values()].flatMap((grants) => [...grants.keys()])]);
      for (const capability of allCaps) {
        for (const scope of [undefined, ...scopeNames, 'o:1/p:1/d:1/e:5']) {
          for (const email of emails) {
            assert.equal(p.can(email, capability, scope), bruteHolds(p, email, capability, scope), `round ${round}: ${email} ${capability} at ${scope}`);
            cases++;
          }
          const expected = [...stored].filter((email) => bruteHolds(p, email, capability, scope)).sort();
          assert.deepEqual(p.holders(capability, scope).holders, expected, `round ${round}: holders of ${capability} at ${scope}`);
          cases++;
        }
        for (const email of emails) {
          for (const under of [undefined, 'o:1', 'o:1/p:1']) {
            const answer = p.scopesOf(email, capability, under);
            cases++;
            assert.equal(answer.everywhere, bruteHolds(p, email, capability, undefined));
            // Held at each listed scope; no listed scope lies under another; every stored scope
            // where it is held (within `under`) lies under a listed one.
            for (const scope of answer.scopes) assert.ok(bruteHolds(p, email, capability, scope), `round ${round}: ${email} ${capability} listed at ${scope}`);
            for (const a of answer.scopes) for (const b of answer.scopes) if (a !== b) assert.ok(!isWithinScope(a, b), `${a} under ${b}`);
            const candidates = [...scopeNames, ...(under === undefined ? [] : [under])].filter((scope) => under === undefined || isWithinScope(scope, under));
            for (const scope of candidates) {
              if (answer.everywhere && under === undefined) break;
              if (bruteHolds(p, email, capability, scope)) assert.ok(answer.scopes.some((listed) => isWithinScope(scope, listed)), `round ${round}: ${email} ${capability} held at ${scope} but not listed (${answer.scopes.join(',')})`);
            }
          }
        }
      }
    }
    assert.ok(cases > 10_000, `${cases} cases`);
  });

  it('keeps answering right when requests have asked about more scopes than it remembers', () => {
    const fresh = new CapabilityPolicy({ ...policy });
    const bob = user('bob@example.com');
    const bake = fresh.graph.indexOf('bake');
    for (let oven = 0; oven < 150_000; oven++) {
      assert.equal(fresh.holdsAt(bob, bake, `shop:paris/oven:${oven}`), true);
      if (oven % 1000 === 0) assert.equal(fresh.holdsAt(bob, bake, `shop:lyon/oven:${oven}`), false);
    }
    assert.equal(fresh.holdsAt(user('dan@example.com'), bake, 'shop:paris/oven:2'), true);
    assert.equal(fresh.holdsAt(user('dan@example.com'), bake, 'shop:paris/oven:3'), false);
    assert.equal(fresh.holdsAt(bob, fresh.graph.indexOf('walk_streets'), 'shop:lyon'), true);
  });
});
