import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapabilityPolicy, type UserGrants } from '../src/capabilities/capability-policy';
import type { Principal } from '../src/capabilities/principal';
import { parseCapsFile } from '../src/caps-file/caps-file';
import { CapsFileMonitor } from '../src/stores/file/caps-file-monitor';
import { BENCH_CAPS } from './apps';
import { collectGarbage, fixed, median, percentile, table, thousands } from './stats';

const ACCOUNTS = 100_000;
const SCOPES = 10_000;
const PER_SCOPE = 100;
const ROUNDS = 7;
const SHOP_IDS = ['s7', 's7', 's7', 's7'];

export interface ScopedCheckFigures {
  readonly markdown: string;
  /** A check at a formed scope, held only there, over a check without a scope (median of the rounds). */
  readonly scopedOverGlobal: number;
  readonly p99Micros: number;
  readonly holdersMs: number;
  readonly scopesOfMs: number;
  readonly heapMB: number;
  readonly fileLoadMs: number;
}

function cpuNs(work: () => void, repeat: number): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / repeat;
}

/**
 * Scoped checks in this process: the cost of a check at a scope against the same check
 * held globally, and the answers on 1,000,000 grants at 10,000 scopes over 100,000 accounts.
 */
export async function benchScopedChecks(): Promise<ScopedCheckFigures> {
  const lists: readonly (readonly string[])[] = [['read'], ['write'], ['moderate'], ['read', 'user_management']];
  const base = parseCapsFile(BENCH_CAPS, 'caps.yaml');
  const users: UserGrants = new Map(Array.from({ length: ACCOUNTS }, (_, i) => [`user${i}@example.com`, lists[i % 3]!] as const));
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const scopes = new Map<string, UserGrants>();
  for (let s = 0; s < SCOPES; s++) {
    const grants = new Map<string, readonly string[]>();
    for (let j = 0; j < PER_SCOPE; j++) grants.set(`user${(s * 37 + j * 1009) % ACCOUNTS}@example.com`, lists[(s + j) % lists.length]!);
    scopes.set(`org:o${s % 100}/shop:s${s}`, grants);
  }
  const policy = new CapabilityPolicy({ ...base.withUsers(users), scopes });
  collectGarbage();
  const heapMB = (process.memoryUsage().heapUsed - before) / 2 ** 20;

  // The same principal asking for a capability it holds globally, and one it holds only at a shop two levels down.
  const shopper = [...scopes.get('org:o7/shop:s7')!.entries()].find(([, names]) => names.includes('user_management'))![0];
  const principal: Principal = { email: shopper, kind: 'user', via: 'token' };
  const read = policy.graph.indexOf('read');
  const manage = policy.graph.indexOf('user_management');
  const shop = 'org:o7/shop:s7/oven:1';
  const loops = 1_000_000;
  let held = 0;
  const globalNs: number[] = [];
  const scopedNs: number[] = [];
  const givenNs: number[] = [];
  // Four strings of the same scope, made once: what the policy sees once a request's scope is formed.
  const formed = Array.from({ length: 4 }, () => ['org:o7', 'shop:s7', 'oven:1'].join('/'));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating order, so neither variant always runs on a warmer machine.
    const runGlobal = (): void => {
      globalNs.push(cpuNs(() => { for (let i = 0; i < loops; i++) if (policy.holdsAt(principal, read, shop)) held++; }, loops));
    };
    // The scope built from its parts at each check, as the guard fills a template from a request.
    const runScoped = (): void => {
      scopedNs.push(cpuNs(() => { for (let i = 0; i < loops; i++) if (policy.holdsAt(principal, manage, `org:o7/shop:${SHOP_IDS[i & 3]!}/oven:1`)) held++; }, loops));
    };
    const runGiven = (): void => {
      givenNs.push(cpuNs(() => { for (let i = 0; i < loops; i++) if (policy.holdsAt(principal, manage, formed[i & 3])) held++; }, loops));
    };
    if (round % 2 === 0) { runGlobal(); runScoped(); runGiven(); } else { runGiven(); runScoped(); runGlobal(); }
  }
  const unscopedNs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) unscopedNs.push(cpuNs(() => { for (let i = 0; i < loops; i++) if (policy.holdsAt(principal, read, undefined)) held++; }, loops));

  // 1,000,000 random checks, each timed: an account, a shop (or an oven below one) and a capability.
  let seed = 99;
  const next = (below: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % below;
  const samples = new Float64Array(1_000_000);
  const indices = [read, policy.graph.indexOf('write'), policy.graph.indexOf('moderate'), manage];
  for (let i = 0; i < samples.length; i++) {
    const s = next(SCOPES);
    const scope = next(2) === 0 ? `org:o${s % 100}/shop:s${s}` : `org:o${s % 100}/shop:s${s}/oven:${next(4)}`;
    const asker: Principal = { email: `user${next(ACCOUNTS)}@example.com`, kind: 'user', via: 'token' };
    const capability = indices[next(4)]!;
    const started = process.hrtime.bigint();
    if (policy.holdsAt(asker, capability, scope)) held++;
    samples[i] = Number(process.hrtime.bigint() - started) / 1000;
  }
  const p99Micros = percentile([...samples], 99);

  const holdersRounds: number[] = [];
  const scopesOfRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const s = next(SCOPES);
    holdersRounds.push(cpuNs(() => policy.holders('user_management', `org:o${s % 100}/shop:s${s}`), 1) / 1e6);
    scopesOfRounds.push(cpuNs(() => policy.scopesOf(`user${next(ACCOUNTS)}@example.com`, 'user_management'), 1) / 1e6);
  }

  // 100,000 grants at scopes in a caps.yaml, loaded as the app loads it.
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-scoped-file-'));
  let fileLoadMs: number;
  try {
    const file = join(folder, 'caps.yaml');
    const lines = [BENCH_CAPS.trimEnd(), 'scopes:'];
    for (let s = 0; s < 1000; s++) {
      lines.push(`  org:o${s % 100}/shop:s${s}:`);
      for (let j = 0; j < 100; j++) lines.push(`    user${(s * 37 + j * 1009) % ACCOUNTS}@example.com: [${lists[(s + j) % lists.length]!.join(', ')}]`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const loads: number[] = [];
    for (let round = 0; round < 3; round++) {
      collectGarbage();
      const started = process.cpuUsage();
      await new CapsFileMonitor(file).load();
      const used = process.cpuUsage(started);
      loads.push((used.user + used.system) / 1000);
    }
    fileLoadMs = median(loads);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const spread = (values: readonly number[], digits = 0): string => `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`;
  const markdown = [
    `One principal, CPU time of this process per check (ns), median of ${ROUNDS} rounds of ${thousands(loops)} checks in alternating order, spread in brackets. The store: ${thousands(ACCOUNTS)} accounts, ${thousands(SCOPES * PER_SCOPE)} grants at ${thousands(SCOPES)} scopes (\`org:<o>/shop:<s>\`, ${PER_SCOPE} accounts each); the principal holds \`user_management\` at one shop only, and \`read\` globally (${thousands(held)} checks answered held in all).`,
    '',
    table(
      ['check', 'ns per check', 'rounds'],
      [
        ['no scope, held globally', fixed(median(unscopedNs), 0), spread(unscopedNs)],
        ['at an oven below a shop, held globally', fixed(median(globalNs), 0), spread(globalNs)],
        ['at an oven below a shop, held only at the shop (the scope as formed for a request)', fixed(median(givenNs), 0), spread(givenNs)],
        ['the same, the scope string also built from its parts at each check', fixed(median(scopedNs), 0), spread(scopedNs)],
      ],
    ),
    '',
    'Building the scope string and hashing it once (V8 flattens a concatenated string and hashes it at the first map lookup) costs the difference between the last two rows; a request pays it once, whatever number of checks it makes, and it is part of the guarded scoped route\'s figure in the in-process part.',
    '',
    table(
      ['on 1,000,000 scoped grants', 'figure'],
      [
        ['heap the scoped grants take (MB, after GC)', fixed(heapMB, 0)],
        ['1,000,000 random checks at a shop or an oven, each timed: p50 / p99 (µs, wall clock, timer included)', `${fixed(percentile([...samples], 50), 2)} / ${fixed(p99Micros, 2)}`],
        [`holders of a capability at a shop (ms of CPU, median of ${ROUNDS})`, `${fixed(median(holdersRounds), 1)} (${spread(holdersRounds, 1)})`],
        [`scopesOf an account (ms of CPU, median of ${ROUNDS})`, `${fixed(median(scopesOfRounds), 1)} (${spread(scopesOfRounds, 1)})`],
        ['caps.yaml with 100,000 grants at 1,000 scopes, loaded (ms of CPU, median of 3)', fixed(fileLoadMs, 0)],
      ],
    ),
    '',
  ].join('\n');
  return { markdown, scopedOverGlobal: median(givenNs) / median(unscopedNs), p99Micros, holdersMs: median(holdersRounds), scopesOfMs: median(scopesOfRounds), heapMB, fileLoadMs };
}
