import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityGraph } from '../../src/capabilities/capability-graph';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { explain } from '../../src/capabilities/explain';
import type { Principal } from '../../src/capabilities/principal';
import { isWithinScope } from '../../src/capabilities/scope';
import { SeededRandom } from '../fixtures/seeded-random';
import { graphOf, grantsOf, TOWN } from './fixtures';

const town = graphOf(TOWN, true);
const policy = new CapabilityPolicy({
  graph: town,
  defaults: ['buy_bread'],
  guest: ['walk_streets'],
  users: grantsOf({ 'alice@example.com': ['admin'], 'bob@example.com': ['run_family', 'bribe'] }),
  pinned: grantsOf({ 'bob@example.com': ['arrest'] }),
  scopes: new Map([['shop:paris', new Map([['carol@example.com', ['sell_bread']]])]]),
});

describe('explain', () => {
  it('names every grant that leads to the capability, with its chain of implications', () => {
    assert.deepEqual(explain(policy, 'bob@example.com', 'walk_streets'), {
      allowed: true,
      because: [
        { source: 'users', scope: null, path: ['run_family', 'extort', 'walk_streets'] },
        { source: 'pinned', scope: null, path: ['arrest', 'walk_streets'] },
      ],
    });
    assert.deepEqual(explain(policy, 'bob@example.com', 'buy_bread').because.map((entry) => entry.source), ['users', 'users', 'default']);
  });

  it('shows a grant of admin under its own source, with a path that starts at admin', () => {
    assert.deepEqual(explain(policy, 'alice@example.com', 'arrest').because[0], { source: 'users', scope: null, path: ['admin', 'arrest'] });
  });

  it('gives the scope a scoped grant sits at, and nothing for a sibling or a global question', () => {
    assert.deepEqual(explain(policy, 'carol@example.com', 'bake', 'shop:paris/oven:1').because, [{ source: 'scope', scope: 'shop:paris', path: ['sell_bread', 'bake'] }]);
    assert.deepEqual(explain(policy, 'carol@example.com', 'bake', 'shop:lyon'), { allowed: false, because: [] });
    assert.deepEqual(explain(policy, 'carol@example.com', 'bake'), { allowed: false, because: [] });
  });

  it('explains a guest by the guest grants', () => {
    assert.deepEqual(explain(policy, null, 'walk_streets'), { allowed: true, because: [{ source: 'guest', scope: null, path: ['walk_streets'] }] });
  });

  it('agrees with the guard on 10,000 generated graphs, grants and questions', () => {
    const random = new SeededRandom(0xe4914);
    const scopes = ['o:1', 'o:1/p:1', 'o:1/p:2', 'o:2', 'o:1/p:1/d:1'];
    let cases = 0;
    while (cases < 10_000) {
      const size = 2 + random.below(12);
      // Each capability implies some earlier ones only: a random graph without a cycle.
      const definitions = new Map(Array.from({ length: size }, (_, index) => [`c${index}`, Array.from({ length: index }, (_, child) => `c${child}`).filter(() => random.chance(0.25))] as [string, string[]]));
      const graph = CapabilityGraph.build(definitions, { autoAdmin: random.chance(0.5) });
      const pick = (): string[] => graph.names.filter(() => random.chance(0.12));
      const emails = ['a@x.io', 'b@x.io', 'bot@service'];
      const p = new CapabilityPolicy({
        graph,
        defaults: pick(),
        guest: pick(),
        users: new Map(emails.filter(() => random.chance(0.6)).map((email) => [email, pick()] as [string, readonly string[]])),
        pinned: new Map(emails.filter(() => random.chance(0.2)).map((email) => [email, pick()] as [string, readonly string[]])),
        scopes: new Map(scopes.filter(() => random.chance(0.5)).map((scope) => [scope, new Map(emails.filter(() => random.chance(0.5)).map((email) => [email, pick()] as [string, readonly string[]]))] as const)),
      });
      for (let question = 0; question < 20; question++, cases++) {
        const email = random.chance(0.1) ? null : random.pick(emails);
        const capability = random.pick(graph.names);
        const scope = random.chance(0.5) ? undefined : random.pick([...scopes, 'o:3']);
        const answer = explain(p, email, capability, scope);
        const session: Principal | null = email === null ? null : { email, kind: 'user', via: 'session' };
        assert.equal(answer.allowed, p.holdsAt(session, graph.indexOf(capability), scope), `case ${cases}`);
        assert.equal(answer.because.length > 0, answer.allowed, `case ${cases}: ${JSON.stringify(answer)}`);
        for (const { source, scope: at, path } of answer.because) {
          assert.equal(path[path.length - 1], capability);
          for (let step = 1; step < path.length; step++) assert.ok(graph.impliedBy(path[step - 1]!).includes(path[step]!), `case ${cases}: ${path.join(' -> ')}`);
          const granted = source === 'scope' ? (p.scopes.get(at!)?.get(email!) ?? []) : source === 'guest' ? p.guest : source === 'default' ? p.defaults : (source === 'users' ? p.users : p.pinned).get(email!) ?? [];
          assert.ok(granted.includes(path[0]!), `case ${cases}: ${path[0]} is granted by ${source}`);
          if (at !== null) assert.ok(scope !== undefined && isWithinScope(scope, at));
        }
      }
    }
  });
});
