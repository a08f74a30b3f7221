import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { fixed, median, table, thousands } from './stats';

/** One kind of request measured: which server, with which credentials, what it sends and what it must answer. */
export interface Variant {
  readonly name: string;
  readonly label: string;
  readonly headers: Record<string, string>;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
  /** When set, every answer's body must be this, up to trailing blanks (a GraphQL error is a 200 too). */
  readonly expectBody?: string;
}

/** Where a variant is served: the full URL, and the server's process, asked for its CPU time. */
export interface Target {
  readonly url: string;
  readonly server: ChildProcess;
  /** Headers this server needs in place of the variant's (a token it issued itself). */
  readonly headers?: Record<string, string>;
}

export interface RoundsOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
}

/** What the rounds gave one variant. */
export interface Measured {
  readonly variant: Variant;
  requests: number;
  seconds: number;
  /** Requests/s of each round. */
  readonly rounds: number[];
  /** Server CPU µs per request of each round. */
  readonly cpuRounds: number[];
  readonly p99: number[];
  cpuMicros: number;
}

/**
 * Runs every variant once per round, for `rounds` rounds, in an order that rotates each
 * round, so a drift of the machine touches every variant alike; before that, one
 * round of warm-up (JIT, caches, connection pools), never reported. A variant served
 * by several processes is sent to the next one each round, so that no one process's
 * own speed decides its figure.
 */
export async function measureInterleaved(variants: readonly (readonly [Variant, Target | readonly Target[]])[], options: RoundsOptions): Promise<Measured[]> {
  const servedBy = variants.map(([, target]) => (Array.isArray(target) ? (target as readonly Target[]) : [target as Target]));
  const measured = variants.map(([variant]): Measured => ({ variant, requests: 0, seconds: 0, rounds: [], cpuRounds: [], p99: [], cpuMicros: 0 }));
  for (const [index, [variant]] of variants.entries()) {
    for (const target of servedBy[index]!) await load(target.url, forTarget(variant, target), options.connections, options.seconds);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let offset = 0; offset < variants.length; offset++) {
      const index = (round + offset) % variants.length;
      const variant = variants[index]![0];
      const targets = servedBy[index]!;
      const target = targets[round % targets.length]!;
      const entry = measured[index]!;
      const cpuBefore = await cpuOf(target.server);
      const result = await load(target.url, forTarget(variant, target), options.connections, options.seconds);
      const cpu = (await cpuOf(target.server)) - cpuBefore;
      entry.cpuMicros += cpu;
      entry.requests += result.requests.total;
      entry.seconds += result.duration;
      entry.rounds.push(result.requests.total / result.duration);
      entry.cpuRounds.push(cpu / result.requests.total);
      entry.p99.push(result.latency.p99);
    }
  }
  return measured;
}

function forTarget(variant: Variant, target: Target): Variant {
  return target.headers === undefined ? variant : { ...variant, headers: target.headers };
}

/** Requests/s of `entry` over `base`, round by round, and their median: robust to a noisy neighbour. */
export function perRoundRatios(entry: Measured, base: Measured): { median: number; min: number; max: number } {
  const ratios = entry.rounds.map((rate, round) => rate / base.rounds[round]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** Server CPU µs per request over all rounds. */
export function cpuPerRequest(entry: Measured): number {
  return entry.cpuMicros / entry.requests;
}

/**
 * `base`'s CPU per request over `entry`'s, round by round, and their median: the
 * throughput ratio of a server that had its core to itself. Per round, so that a
 * neighbour's burst during one round does not tip the whole figure.
 */
export function cpuRatios(entry: Measured, base: Measured): { median: number; min: number; max: number } {
  const ratios = entry.cpuRounds.map((cpu, round) => base.cpuRounds[round]! / cpu);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** The median of `cpuRatios`. */
export function byCpu(entry: Measured, base: Measured): number {
  return cpuRatios(entry, base).median;
}

/** How the CPU columns of `ratioTable` are measured, for the text above it. */
export const CPU_NOTE =
  'Server CPU: user + system time of the server\'s process during the rounds, per request served; "added" is that minus the baseline\'s, and "by CPU" the baseline\'s CPU per request over this one\'s in the same round, median over the rounds (the throughput ratio of a server that had its core to itself, less sensitive to neighbours than req/s).';

/** One row per variant: req/s, its ratios to `base` (totals, median of rounds with range, by CPU), p99 and CPU per request. */
export function ratioTable(measured: readonly Measured[], base: Measured, baseName: string): string {
  const baseRate = base.requests / base.seconds;
  const rows = measured.map((entry) => {
    const rate = entry.requests / entry.seconds;
    const ratios = perRoundRatios(entry, base);
    const cpu = cpuRatios(entry, base);
    return [
      entry.variant.label,
      thousands(rate),
      fixed(rate / baseRate),
      `**${fixed(ratios.median)}×** (${fixed(ratios.min)}–${fixed(ratios.max)})`,
      fixed(median(entry.p99), 0),
      fixed(cpuPerRequest(entry), 1),
      fixed(cpuPerRequest(entry) - cpuPerRequest(base), 1),
      `**${fixed(cpu.median)}×** (${fixed(cpu.min)}–${fixed(cpu.max)})`,
      thousands(entry.requests),
    ];
  });
  const header = ['variant', 'req/s', `vs ${baseName} (totals)`, `vs ${baseName}: median of rounds (range)`, 'p99 ms (median)', 'server CPU µs/req', 'added µs/req', `vs ${baseName} by CPU: median of rounds (range)`, 'requests'];
  return table(header, rows);
}

export async function load(url: string, variant: Variant, connections: number, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: variant.headers,
    ...(variant.method === undefined ? {} : { method: variant.method }),
    ...(variant.body === undefined ? {} : { body: variant.body }),
    // Apollo ends its answer with a newline, Mercurius does not.
    ...(variant.expectBody === undefined ? {} : { verifyBody: (body: string | Buffer | undefined) => body?.toString().trimEnd() === variant.expectBody }),
  });
  // A figure from a run with any error, non-2xx or unexpected answer is not reported.
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result.mismatches > 0 || result.requests.total === 0) {
    throw new Error(
      `${variant.name} on ${url}: ${result.non2xx} non-2xx answers, ${result.mismatches} unexpected bodies, ${result.errors} errors, ${result.timeouts} timeouts out of ${result.requests.total} requests; no figure reported`,
    );
  }
  return result;
}

export function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not report its CPU time within 10 s')), 10_000);
    child.once('message', (message: { cpuMicros: number }) => {
      clearTimeout(timer);
      resolve(message.cpuMicros);
    });
    child.send('cpu');
  });
}
