import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { planAccountChange, planPolicyChange } from '../../src/capabilities/policy-plan';
import { SeededRandom } from '../fixtures/seeded-random';
import { graphOf, grantsOf } from './fixtures';

const graph = graphOf({ read: [], write: ['read'], bake: [], user_management: [] }, true);
const base = { graph, defaults: ['read'], guest: [], pinned: grantsOf({}) };

describe('plan', () => {
  it('lists what each account gains and loses, globally and at a scope', () => {
    const current = new CapabilityPolicy({ ...base, users: grantsOf({ 'alice@example.com': ['admin'], 'bob@example.com': ['write'] }), scopes: new Map([['shop:paris', new Map([['carol@example.com', ['bake']]])]]) });
    const next = new CapabilityPolicy({ ...base, users: grantsOf({ 'alice@example.com': ['admin'], 'bob@example.com': ['bake'] }), scopes: new Map([['shop:paris', new Map([['carol@example.com', ['bake', 'write']]])]]) });
    assert.deepEqual(planPolicyChange(current, next), {
      changes: [
        { email: 'bob@example.com', scope: null, gains: ['bake'], loses: ['write'] },
        { email: 'carol@example.com', scope: 'shop:paris', gains: ['write'], loses: [] },
      ],
      noPersonAdmin: false,
    });
  });

  it('lets an account missing from one side hold what any signed-in user holds, and counts guests', () => {
    const current = new CapabilityPolicy({ ...base, users: grantsOf({ 'dan@example.com': ['bake'] }) });
    const next = new CapabilityPolicy({ ...base, defaults: [], guest: ['read'], users: grantsOf({}) });
    assert.deepEqual(planPolicyChange(current, next).changes, [
      { email: null, scope: null, gains: ['read'], loses: [] },
      { email: 'dan@example.com', scope: null, gains: [], loses: ['bake', 'read'] },
    ]);
  });

  it('reports a change at a scope made by a grant above it, the lists at the scope itself unchanged', () => {
    const scopes = (above: readonly string[]): Map<string, Map<string, readonly string[]>> =>
      new Map([
        ['shop:paris', new Map([['bob@example.com', above]])],
        ['shop:paris/oven:2', new Map([['bob@example.com', ['read']]])],
      ]);
    const users = grantsOf({ 'bob@example.com': [] });
    const current = new CapabilityPolicy({ ...base, users, scopes: scopes(['bake']) });
    const next = new CapabilityPolicy({ ...base, users, scopes: scopes(['write']) });
    assert.deepEqual(planPolicyChange(current, next).changes, [
      { email: 'bob@example.com', scope: 'shop:paris', gains: ['write'], loses: ['bake'] },
      { email: 'bob@example.com', scope: 'shop:paris/oven:2', gains: ['write'], loses: ['bake'] },
    ]);
  });

  it('recomputes only the accounts whose grants imply something else in a changed graph', () => {
    const wider = graphOf({ read: [], write: ['read', 'bake'], bake: [], jam: ['bake'], user_management: [] }, true);
    const users = grantsOf({ 'alice@example.com': ['admin'], 'bob@example.com': ['write'], 'carol@example.com': ['bake'] });
    const current = new CapabilityPolicy({ ...base, users, scopes: new Map() });
    const next = new CapabilityPolicy({ ...base, graph: wider, users, scopes: new Map() });
    assert.deepEqual(planPolicyChange(current, next).changes, [
      { email: 'alice@example.com', scope: null, gains: ['jam'], loses: [] },
      { email: 'bob@example.com', scope: null, gains: ['bake'], loses: [] },
    ]);
  });

  it('warns when no person would hold admin', () => {
    const current = new CapabilityPolicy({ ...base, users: grantsOf({ 'alice@example.com': ['admin'], 'bot@service': ['admin'] }) });
    const next = new CapabilityPolicy({ ...base, users: grantsOf({ 'bot@service': ['admin'] }) });
    assert.equal(planPolicyChange(current, next).noPersonAdmin, true);
    assert.equal(planPolicyChange(current, current).noPersonAdmin, false);
  });

  it('agrees with a brute-force comparison of every account at every scope', () => {
    const random = new SeededRandom(0x91a2);
    const emails = ['a@x.io', 'b@x.io', 'c@x.io', 'bot@service'];
    const scopes = ['s:1', 's:1/t:1', 's:2'];
    // Another graph: bake is gone, toast is new and implies read, write no longer implies read.
    const other = graphOf({ read: [], write: [], toast: ['read'], user_management: [] }, true);
    // And one that only adds: jam implies bake, write now implies bake too.
    const wider = graphOf({ read: [], write: ['read', 'bake'], bake: [], jam: ['bake'], user_management: [] }, true);
    const names = [...new Set([...graph.names, ...other.names, ...wider.names])];
    let of = graph;
    const pick = (): string[] => of.names.filter(() => random.chance(0.25));
    const randomPolicy = (on = graph): CapabilityPolicy =>
      new CapabilityPolicy({
        graph: (of = on),
        defaults: pick(),
        guest: pick(),
        users: new Map(emails.filter(() => random.chance(0.6)).map((email) => [email, pick()] as [string, readonly string[]])),
        pinned: new Map(emails.filter(() => random.chance(0.2)).map((email) => [email, pick()] as [string, readonly string[]])),
        scopes: new Map(scopes.filter(() => random.chance(0.6)).map((scope) => [scope, new Map(emails.filter(() => random.chance(0.5)).map((email) => [email, pick()] as [string, readonly string[]]))] as const)),
      });
    // The same policy with a few of its lists replaced, on the same graph or one that only adds.
    const keepOrPick = (list: readonly string[]): readonly string[] => (random.chance(0.8) ? list : pick());
    const derived = (from: CapabilityPolicy, on: typeof graph): CapabilityPolicy =>
      new CapabilityPolicy({
        graph: (of = on),
        defaults: random.chance(0.9) ? from.defaults : pick(),
        guest: from.guest,
        users: new Map([...from.users].map(([email, list]) => [email, keepOrPick(list)])),
        pinned: from.pinned,
        scopes: new Map([...from.scopes].map(([scope, grants]) => [scope, new Map([...grants].map(([email, list]) => [email, keepOrPick(list)]))])),
      });
    for (let round = 0; round < 1000; round++) {
      const current = randomPolicy();
      const next = random.chance(0.1) ? current : random.chance(0.4) ? derived(current, random.pick([graph, wider])) : randomPolicy(random.pick([graph, graph, other, wider]));
      const plan = planPolicyChange(current, next);
      const globalOf = (p: CapabilityPolicy, email: string | null): Set<string> => new Set(names.filter((name) => p.can(email, name)));
      const atOf = (p: CapabilityPolicy, email: string, scope: string): Set<string> => new Set(names.filter((name) => p.can(email, name, scope)));
      const expected: { email: string | null; scope: string | null; gains: string[]; loses: string[] }[] = [];
      const push = (email: string | null, scope: string | null, before: Set<string>, after: Set<string>, skip: { gains: string[]; loses: string[] } = { gains: [], loses: [] }): { gains: string[]; loses: string[] } => {
        const gains = [...after].filter((name) => !before.has(name) && !skip.gains.includes(name)).sort();
        const loses = [...before].filter((name) => !after.has(name) && !skip.loses.includes(name)).sort();
        if (gains.length + loses.length > 0) expected.push({ email, scope, gains, loses });
        return { gains, loses };
      };
      push(null, null, globalOf(current, null), globalOf(next, null));
      const stored = (p: CapabilityPolicy): string[] => [...p.users.keys(), ...p.pinned.keys(), ...[...p.scopes.values()].flatMap((grants) => [...grants.keys()])];
      for (const email of [...new Set([...stored(current), ...stored(next)])].sort()) {
        const global = push(email, null, globalOf(current, email), globalOf(next, email));
        for (const scope of scopes) {
          if (current.scopes.get(scope)?.has(email) !== true && next.scopes.get(scope)?.has(email) !== true) continue;
          push(email, scope, atOf(current, email, scope), atOf(next, email, scope), global);
        }
      }
      assert.deepEqual(plan.changes, expected, `round ${round}`);
    }
  });
});

describe('plan of one account', () => {
  it('says what that account alone gains and loses, globally and at its scopes', () => {
    const current = new CapabilityPolicy({ ...base, users: grantsOf({ 'bob@example.com': ['write'], 'eve@example.com': ['bake'] }), scopes: new Map([['shop:paris', new Map([['bob@example.com', ['bake']]])]]) });
    const next = current.withUser('bob@example.com', ['bake']).withScopedUser('shop:paris', 'bob@example.com', []);
    assert.deepEqual(planAccountChange(current, next, 'bob@example.com'), [{ email: 'bob@example.com', scope: null, gains: ['bake'], loses: ['write'] }]);
    assert.deepEqual(planAccountChange(current, next, 'eve@example.com'), []);
    assert.deepEqual(planAccountChange(current, current.withScopedUser('shop:lyon', 'bob@example.com', ['user_management']), 'bob@example.com'), [{ email: 'bob@example.com', scope: 'shop:lyon', gains: ['user_management'], loses: [] }]);
  });
});
