import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageOfAccounts, type AccountPage, type AccountQuery } from '../../src/capabilities/account-index';
import { CapabilityGraph } from '../../src/capabilities/capability-graph';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { isServiceAccount } from '../../src/capabilities/email';
import { flattenedFrom, layersOf } from '../../src/capabilities/layered-grants';
import { SeededRandom } from '../fixtures/seeded-random';

const GRAPH = CapabilityGraph.build(
  new Map([
    ['read', []],
    ['write', ['read']],
    ['moderate', ['write']],
    ['bake', ['read']],
    ['user_management', []],
  ]),
  { autoAdmin: true },
);
const NAMES = ['read', 'write', 'moderate', 'bake', 'user_management', 'admin'];

/** The page as the admin page listed accounts before it was paged: every account copied, filtered, sorted. */
function everyAccount(policy: CapabilityPolicy, query: AccountQuery): AccountPage {
  const needle = query.search.trim().normalize('NFC').toLowerCase();
  const matching = [...new Set([...policy.users.keys(), ...policy.pinned.keys()])]
    .filter((email) => isServiceAccount(email) === (query.kind === 'services') && email.includes(needle))
    .filter((email) => query.capability === undefined || policy.effective(email).has(query.capability))
    .sort();
  return { emails: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
}

function randomEmail(random: SeededRandom): string {
  const name = `${random.pick(['ann', 'bob', 'cy', 'dee', 'ed', 'bot', 'zed'])}${random.below(400)}`;
  return random.chance(0.2) ? `${name}@service` : `${name}@${random.pick(['example.com', 'shop.example'])}`;
}

function randomGrants(random: SeededRandom): string[] {
  return Array.from({ length: random.below(3) }, () => random.pick(NAMES));
}

function randomQuery(random: SeededRandom): AccountQuery {
  return {
    kind: random.chance(0.7) ? 'people' : 'services',
    search: random.pick(['', '', 'b', 'BO', '1', '12', 'example', '@service', ' ann ', 'nobody-at-all']),
    capability: random.chance(0.4) ? undefined : random.pick([...NAMES, 'unknown']),
    offset: random.pick([0, 0, 5, 20, 45, 1000]),
    limit: random.pick([1, 7, 50]),
  };
}

function startingPolicy(random: SeededRandom, accounts: number, defaults: readonly string[] = ['read']): CapabilityPolicy {
  const users = new Map<string, readonly string[]>();
  while (users.size < accounts) users.set(randomEmail(random), randomGrants(random));
  const pinned = new Map<string, readonly string[]>([['ops@example.com', ['admin']], ['pinned-only@service', ['bake']], [[...users.keys()][3]!, ['bake']]]);
  return new CapabilityPolicy({ graph: GRAPH, defaults, guest: [], users, pinned });
}

describe('pageOfAccounts', () => {
  it('lists, searches and filters exactly as a copy and sort of every account would, through changes and flattenings', () => {
    const random = new SeededRandom(20261204);
    let policy = startingPolicy(random, 300);
    let flattened = 0;
    for (let step = 0; step < 260; step++) {
      for (let asked = 0; asked < 6; asked++) {
        const query = randomQuery(random);
        assert.deepEqual(pageOfAccounts(policy, query), everyAccount(policy, query), `step ${step}: ${JSON.stringify(query)}`);
      }
      const email = random.chance(0.5) ? randomEmail(random) : random.pick([...policy.users.keys()]);
      policy = policy.withUser(email, randomGrants(random));
      if (layersOf(policy.users).changes.size === 0 && flattenedFrom(policy.users) !== undefined) flattened++;
    }
    assert.ok(flattened >= 3, `the changes crossed several flattenings (${flattened})`);
  });

  it('pages through every account once, in email order', () => {
    const policy = startingPolicy(new SeededRandom(7), 500);
    const seen: string[] = [];
    const first = pageOfAccounts(policy, { kind: 'people', search: '', offset: 0, limit: 50 });
    for (let offset = 0; offset < first.total; offset += 50) seen.push(...pageOfAccounts(policy, { kind: 'people', search: '', offset, limit: 50 }).emails);
    assert.equal(seen.length, first.total);
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(seen.includes('ops@example.com'), 'an account pinned only is listed');
    assert.ok(pageOfAccounts(policy, { kind: 'services', search: 'pinned-only', offset: 0, limit: 50 }).emails.includes('pinned-only@service'));
  });

  it('follows a new graph, new defaults and a reloaded file on the same accounts', () => {
    const random = new SeededRandom(99);
    const policy = startingPolicy(random, 200);
    const everyone = { kind: 'people', search: '', capability: 'bake', offset: 0, limit: 500 } as const;
    assert.deepEqual(pageOfAccounts(policy, everyone), everyAccount(policy, everyone));
    // bake now implies user_management: holders of bake and of admin hold it.
    const graph = CapabilityGraph.build(new Map([['read', []], ['write', ['read']], ['moderate', ['write']], ['bake', ['read', 'user_management']], ['user_management', []]]), { autoAdmin: true });
    const regraphed = new CapabilityPolicy({ ...policy, graph });
    const managers = { ...everyone, capability: 'user_management' } as const;
    assert.deepEqual(pageOfAccounts(regraphed, managers), everyAccount(regraphed, managers));
    const byDefault = new CapabilityPolicy({ ...policy, defaults: ['bake'] });
    assert.equal(pageOfAccounts(byDefault, everyone).total, everyAccount(byDefault, everyone).total);
    const reloaded = policy.withUsers(new Map([...policy.users].slice(0, 50)));
    assert.deepEqual(pageOfAccounts(reloaded, everyone), everyAccount(reloaded, everyone));
  });

  it('finds a composed accent searched in its decomposed form, as emails are kept composed', () => {
    const users = new Map([['jürgen@example.com', ['read']], ['jurgen@example.com', ['read']]]);
    const policy = new CapabilityPolicy({ graph: GRAPH, defaults: [], guest: [], users, pinned: new Map() });
    assert.deepEqual(pageOfAccounts(policy, { kind: 'people', search: 'JU\u0308R', offset: 0, limit: 50 }).emails, ['jürgen@example.com']);
  });

  it('finds nothing for a line feed, which no email holds and which parts the emails it searches', () => {
    const policy = startingPolicy(new SeededRandom(3), 50);
    assert.deepEqual(pageOfAccounts(policy, { kind: 'people', search: 'com\nbob', offset: 0, limit: 50 }), { emails: [], total: 0 });
  });
});
