import { performance } from 'node:perf_hooks';
import { CapabilityGraph } from '../src/capabilities/capability-graph';
import { CapabilityPolicy, type UserGrants } from '../src/capabilities/capability-policy';
import { explain } from '../src/capabilities/explain';
import { planPolicyChange } from '../src/capabilities/policy-plan';
import { runPolicyTests, type PolicyTestCase } from '../src/capabilities/policy-tests';
import { collectGarbage, fixed, median, table, thousands } from './stats';

const CAPABILITIES = 10_000;
const ACCOUNTS = 100_000;
const ROUNDS = 5;

export interface PolicyToolFigures {
  readonly markdown: string;
  /** Median over the rounds of the mean CPU time of one explain call (µs). */
  readonly explainMicros: number;
  /** The slower of the two plans (ms of CPU). */
  readonly planMs: number;
  /** 1,000 assertions (ms of CPU). */
  readonly testsMs: number;
}

function cpuMs(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * 10,000 capabilities as roles: 100 roles `r<k>` each imply 9 groups `m<j>`, each group
 * implies 10 capabilities `c<i>` (9,000 of them) and the group before it, so chains run
 * up to 100 long.
 */
function rolesGraph(extra: readonly [string, string[]][] = []): Map<string, string[]> {
  const definitions = new Map<string, string[]>();
  for (let i = 0; i < 9000; i++) definitions.set(`c${i}`, []);
  for (let j = 0; j < 900; j++) definitions.set(`m${j}`, [...Array.from({ length: 10 }, (_, k) => `c${j * 10 + k}`), ...(j % 100 === 0 ? [] : [`m${j - 1}`])]);
  for (let k = 0; k < 100; k++) definitions.set(`r${k}`, Array.from({ length: 9 }, (_, m) => `m${k * 9 + m}`));
  for (const [name, implied] of extra) definitions.set(name, implied);
  return definitions;
}

const grantable = (pick: (below: number) => number): string => {
  const kind = pick(10);
  return kind === 0 ? `r${pick(100)}` : kind < 4 ? `m${pick(900)}` : `c${pick(9000)}`;
};

/**
 * Explain, plan and policy tests on a 10,000-capability graph of roles and 100,000
 * accounts with two grants each, a tenth of them also at a scope.
 */
export function benchPolicyTools(): PolicyToolFigures {
  const graph = CapabilityGraph.build(rolesGraph(), { autoAdmin: true });
  let seed = 4242;
  const next = (below: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % below;
  const users = new Map<string, readonly string[]>();
  const scoped = new Map<string, Map<string, readonly string[]>>();
  for (let account = 0; account < ACCOUNTS; account++) {
    const email = `user${account}@example.com`;
    users.set(email, account % 1000 === 0 ? ['admin'] : [grantable(next), grantable(next)]);
    if (account % 10 === 0) {
      const scope = `org:${next(1000)}`;
      if (!scoped.has(scope)) scoped.set(scope, new Map());
      scoped.get(scope)!.set(email, [grantable(next)]);
    }
  }
  const parts = { graph, defaults: ['c10'], guest: [], pinned: new Map() as UserGrants };
  const current = new CapabilityPolicy({ ...parts, users, scopes: scoped });

  // Explain: random accounts and capabilities, half of them at a scope.
  const questions = Array.from({ length: 2000 }, () => ({ email: `user${next(ACCOUNTS)}@example.com`, capability: `c${next(9000)}`, scope: next(2) === 0 ? undefined : `org:${next(1000)}/doc:1` }));
  const explainRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    collectGarbage();
    explainRounds.push((cpuMs(() => {
      for (const { email, capability, scope } of questions) explain(current, email, capability, scope);
    }) * 1000) / questions.length);
  }

  // Plan: a deploy that changes 1 % of the accounts, and one that adds a capability to the graph (every name compared across the graphs, the accounts whose grants now imply something else recomputed).
  const changedUsers = new Map(users);
  for (let account = 0; account < ACCOUNTS; account += 100) changedUsers.set(`user${account}@example.com`, [grantable(next)]);
  const fewChanged = new CapabilityPolicy({ ...parts, users: changedUsers, scopes: scoped });
  const widerGraph = CapabilityGraph.build(rolesGraph([['extra', ['c1']]]), { autoAdmin: true });
  const graphChanged = new CapabilityPolicy({ ...parts, graph: widerGraph, users, scopes: scoped });
  const planRounds = { few: [] as number[], graph: [] as number[] };
  let changesFew = 0;
  let changesGraph = 0;
  for (let round = 0; round < ROUNDS; round++) {
    collectGarbage();
    planRounds.few.push(cpuMs(() => (changesFew = planPolicyChange(current, fewChanged).changes.length)));
    collectGarbage();
    planRounds.graph.push(cpuMs(() => (changesGraph = planPolicyChange(current, graphChanged).changes.length)));
  }

  // Tests: 100 tests of 10 assertions each.
  const tests: PolicyTestCase[] = Array.from({ length: 100 }, (_, index) => ({
    name: `test ${index}`,
    email: `user${next(ACCOUNTS)}@example.com`,
    scope: index % 2 === 0 ? undefined : `org:${next(1000)}`,
    allow: Array.from({ length: 5 }, () => `c${next(9000)}`),
    deny: Array.from({ length: 5 }, () => `c${next(9000)}`),
  }));
  const testRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    collectGarbage();
    testRounds.push(cpuMs(() => runPolicyTests(current, tests)));
  }

  const explainMicros = median(explainRounds);
  const planMs = Math.max(median(planRounds.few), median(planRounds.graph));
  const testsMs = median(testRounds);
  const markdown = [
    `${thousands(CAPABILITIES)} capabilities as 100 roles over 900 groups over 9,000 capabilities (a group also implies the one before it, so chains run up to 100 long), auto_admin; ${thousands(ACCOUNTS)} accounts with two grants each (every thousandth holds admin), ${thousands(ACCOUNTS / 10)} of them also at one of 1,000 scopes. CPU time of this process, median of ${ROUNDS} rounds (spread in brackets).`,
    '',
    table(
      ['what', 'median', 'rounds'],
      [
        ['explain, one call (2,000 random questions, half at a scope) (µs)', fixed(explainMicros, 1), `${fixed(Math.min(...explainRounds), 1)}–${fixed(Math.max(...explainRounds), 1)}`],
        [`plan, 1 % of the accounts changed (${thousands(changesFew)} changes) (ms)`, fixed(median(planRounds.few), 0), `${fixed(Math.min(...planRounds.few), 0)}–${fixed(Math.max(...planRounds.few), 0)}`],
        [`plan, a capability added to the graph and to admin (every account read, its admins recomputed) (${thousands(changesGraph)} changes) (ms)`, fixed(median(planRounds.graph), 0), `${fixed(Math.min(...planRounds.graph), 0)}–${fixed(Math.max(...planRounds.graph), 0)}`],
        ['policy tests, 1,000 assertions (ms)', fixed(testsMs, 1), `${fixed(Math.min(...testRounds), 1)}–${fixed(Math.max(...testRounds), 1)}`],
      ],
    ),
    '',
    'Plan compares policies already in memory; reading two caps.yaml files of 100,000 accounts takes the load time of part 4 for each.',
  ].join('\n');
  performance.clearMarks();
  return { markdown, explainMicros, planMs, testsMs };
}
