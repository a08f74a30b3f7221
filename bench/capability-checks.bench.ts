import { performance } from 'node:perf_hooks';
import { CapabilityGraph } from '../src/capabilities/capability-graph';
import { CapabilityPolicy } from '../src/capabilities/capability-policy';
import type { Principal } from '../src/capabilities/principal';
import { collectGarbage, fixed, megabytes, table, thousands } from './stats';

const SIZES = [10, 1_000, 10_000] as const;
const USERS = 64;
const PROBES = 1024;

/**
 * A graph of `size` capabilities shaped as deep chains: `c<i>` implies `c<i-1>`, so
 * the last one implies all before it, and every seventh also implies one halfway down.
 */
export function chainGraph(size: number): Map<string, string[]> {
  const definitions = new Map<string, string[]>();
  for (let i = 0; i < size; i++) {
    const implied = i === 0 ? [] : [`c${i - 1}`];
    if (i % 7 === 0 && i > 1) implied.push(`c${i >>> 1}`);
    definitions.set(`c${i}`, implied);
  }
  return definitions;
}

interface Setup {
  readonly size: number;
  readonly policy: CapabilityPolicy;
  readonly principals: readonly Principal[];
  readonly names: readonly string[];
  readonly indices: Int32Array;
  readonly buildMs: number;
  readonly closureBytes: number;
}

function setUp(size: number): Setup {
  const definitions = chainGraph(size);
  collectGarbage();
  const before = process.memoryUsage();
  const started = performance.now();
  const graph = CapabilityGraph.build(definitions, { autoAdmin: true });
  const buildMs = performance.now() - started;
  collectGarbage();
  const after = process.memoryUsage();
  const closureBytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  // A deterministic spread of grants and probes, so every size is asked the same kind of question.
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % size;
  const users = new Map<string, string[]>();
  const principals: Principal[] = [];
  for (let user = 0; user < USERS; user++) {
    const email = `user${user}@example.com`;
    users.set(email, [`c${next()}`]);
    principals.push({ email, kind: 'user', via: 'token' });
  }
  const policy = new CapabilityPolicy({ graph, defaults: [], guest: [], users, pinned: new Map() });
  const names = Array.from({ length: PROBES }, () => `c${next()}`);
  return { size, policy, principals, names, indices: Int32Array.from(names, (name) => graph.indexOf(name)), buildMs, closureBytes };
}

/** Runs `check` for about `ms` milliseconds; returns checks per second. */
function rate(ms: number, check: (i: number) => boolean): number {
  let held = 0;
  let done = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100_000; i++) if (check(done + i)) held++;
    done += 100_000;
    elapsed = performance.now() - started;
  }
  // `held` keeps the checks from being optimized away.
  if (held < 0) throw new Error('unreachable');
  return (done / elapsed) * 1000;
}

/** Part 2: capability checks per second on graphs of 10, 1,000 and 10,000 capabilities. */
export function benchCapabilityChecks(rounds: number): { markdown: string; costAtLargest: number; buildAtLargestMs: number } {
  const setups = SIZES.map(setUp);
  const byName = new Map<number, number[]>();
  const byGuard = new Map<number, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < setups.length; offset++) {
      const setup = setups[(round + offset) % setups.length]!;
      const { policy, principals, names, indices } = setup;
      // The guard's path: the principal's effective set, then one bit test per required index.
      const guard = rate(200, (i) => policy.effectiveFor(principals[i & (USERS - 1)]!).hasIndex(indices[i & (PROBES - 1)]!));
      const named = rate(200, (i) => policy.can(principals[i & (USERS - 1)]!.email, names[i & (PROBES - 1)]!));
      (byGuard.get(setup.size) ?? byGuard.set(setup.size, []).get(setup.size)!).push(guard);
      (byName.get(setup.size) ?? byName.set(setup.size, []).get(setup.size)!).push(named);
    }
  }
  const best = (values: number[]): number => Math.max(...values);
  const small = SIZES[0];
  const rows = setups.map((setup) => [
    thousands(setup.size),
    thousands(best(byGuard.get(setup.size)!)),
    fixed(best(byGuard.get(small)!) / best(byGuard.get(setup.size)!)),
    thousands(best(byName.get(setup.size)!)),
    fixed(best(byName.get(small)!) / best(byName.get(setup.size)!)),
    fixed(setup.buildMs, 1),
    // One bit per capability pair: n rows of ⌈n/32⌉ 32-bit words.
    megabytes(setup.size * Math.ceil(setup.size / 32) * 4),
    megabytes(Math.max(0, setup.closureBytes)),
  ]);
  const largest = setups[setups.length - 1]!;
  const markdown = [
    `Chains: \`c<i>\` implies \`c<i-1>\` (and every seventh one \`c<i/2>\`), plus \`admin\`; ${USERS} users with one grant each, ${PROBES} probe names; best of ${rounds} interleaved rounds of 200 ms.`,
    '',
    table(
      ['capabilities', 'guard checks/s (effective set + bit)', 'cost vs 10', '`policy.can(email, name)`/s', 'cost vs 10', 'closure build ms', 'closure bit sets', 'graph heap (measured)'],
      rows,
    ),
    '',
  ].join('\n');
  return {
    markdown,
    costAtLargest: best(byGuard.get(small)!) / best(byGuard.get(largest.size)!),
    buildAtLargestMs: largest.buildMs,
  };
}
