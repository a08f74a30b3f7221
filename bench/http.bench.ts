import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HttpClient } from '../test/support/http-client';
import { BENCH_PATH, BENCH_USER, type AppName } from './apps';
import type { ChildReady } from './http-server.child';
import { fixed, median, table, thousands } from './stats';

export type AdapterName = 'express' | 'fastify';

/** One kind of request measured: which app, with which credentials. */
export interface Variant {
  readonly name: string;
  readonly label: string;
  readonly app: AppName;
  readonly headers: Record<string, string>;
}

interface Measured {
  readonly variant: Variant;
  requests: number;
  seconds: number;
  readonly rounds: number[];
  readonly p99: number[];
  cpuMicros: number;
}

export interface HttpBenchOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
}

const APPS: readonly AppName[] = ['unguarded', 'allow-all', 'ours', 'recipe-key', 'recipe-string'];
const CHILD = join(__dirname, 'http-server.child.js');

/** Part 1: requests/s of each variant on `adapter`, as ratios to the unguarded route in the same run. */
/** What part 1 found on one adapter: its section, and the ratios the targets speak of (medians of rounds). */
export interface HttpFigures {
  readonly markdown: string;
  readonly oursVsLimit: number;
  readonly oursVsRecipeKey: number;
  readonly oursVsRecipeString: number;
  /** The same ratios from the server's CPU time per request. */
  readonly oursVsLimitByCpu: number;
  readonly oursVsRecipeKeyByCpu: number;
  readonly oursVsRecipeStringByCpu: number;
  /** An API key vs a user token on the same route, same run (median of rounds, and by CPU). */
  readonly keyVsToken: number;
  readonly keyVsTokenByCpu: number;
}

export async function benchHttp(adapter: AdapterName, options: HttpBenchOptions): Promise<HttpFigures> {
  const children = new Map<AppName, { child: ChildProcess; ready: ChildReady }>();
  try {
    for (const app of APPS) children.set(app, await startChild(adapter, app));
    const url = (app: AppName): string => `http://127.0.0.1:${children.get(app)!.ready.port}${BENCH_PATH}`;
    const variants = await prepareVariants(children, url);
    const measured = variants.map((variant): Measured => ({ variant, requests: 0, seconds: 0, rounds: [], p99: [], cpuMicros: 0 }));
    // Warm-up: JIT, caches and connection pools, never reported.
    for (const entry of measured) await load(url(entry.variant.app), entry.variant, options.connections, 1);
    for (let round = 0; round < options.rounds; round++) {
      // The order rotates each round, so a drift of the machine touches every variant alike.
      for (let offset = 0; offset < measured.length; offset++) {
        const entry = measured[(round + offset) % measured.length]!;
        const server = children.get(entry.variant.app)!.child;
        const cpuBefore = await cpuOf(server);
        const result = await load(url(entry.variant.app), entry.variant, options.connections, options.seconds);
        entry.cpuMicros += (await cpuOf(server)) - cpuBefore;
        entry.requests += result.requests.total;
        entry.seconds += result.duration;
        entry.rounds.push(result.requests.total / result.duration);
        entry.p99.push(result.latency.p99);
      }
    }
    return report(adapter, measured, options);
  } finally {
    for (const { child } of children.values()) child.disconnect();
  }
}

async function prepareVariants(children: Map<AppName, { ready: ChildReady }>, url: (app: AppName) => string): Promise<Variant[]> {
  const ours = new HttpClient(new URL(url('ours')).origin);
  const signIn = await ours.signIn(BENCH_USER);
  if (signIn.status !== 302) throw new Error(`the development sign-in answered ${signIn.status}: ${signIn.text}`);
  const cookie = [...ours.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const token = await ours.token();
  const recipe = (app: AppName): Record<string, string> => ({ authorization: `Bearer ${children.get(app)!.ready.recipeToken!}` });
  return [
    { name: 'unguarded', label: 'unguarded route (the limit)', app: 'unguarded', headers: {} },
    { name: 'allow-all', label: "a guard that returns true (Nest's guard pipeline alone)", app: 'allow-all', headers: {} },
    { name: 'ours-bearer', label: 'ours: `@RequireCapability` + bearer token', app: 'ours', headers: { authorization: `Bearer ${token}` } },
    { name: 'ours-cookie', label: 'ours: `@RequireCapability` + session cookie', app: 'ours', headers: { cookie } },
    { name: 'ours-key', label: 'ours: `@RequireCapability` + API key', app: 'ours', headers: { authorization: `Bearer ${children.get('ours')!.ready.apiKey!}` } },
    { name: 'recipe-key', label: 'docs recipe (passport-jwt + RolesGuard), KeyObject secret', app: 'recipe-key', headers: recipe('recipe-key') },
    { name: 'recipe-string', label: 'docs recipe (passport-jwt + RolesGuard), string secret', app: 'recipe-string', headers: recipe('recipe-string') },
  ];
}

export async function load(url: string, variant: Variant, connections: number, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({ url, connections, duration: seconds, headers: variant.headers });
  // A figure from a run with any error or non-2xx answer is not reported.
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result.requests.total === 0) {
    throw new Error(
      `${variant.name} on ${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts out of ${result.requests.total} requests; no figure reported`,
    );
  }
  return result;
}

function report(adapter: AdapterName, measured: readonly Measured[], options: HttpBenchOptions): HttpFigures {
  const limit = measured[0]!;
  const limitRate = limit.requests / limit.seconds;
  const limitCpu = limit.cpuMicros / limit.requests;
  const rows = measured.map((entry) => {
    const rate = entry.requests / entry.seconds;
    const perRound = entry.rounds.map((value, round) => value / limit.rounds[round]!);
    const cpu = entry.cpuMicros / entry.requests;
    return [
      entry.variant.label,
      thousands(rate),
      fixed(rate / limitRate),
      `**${fixed(median(perRound))}×** (${fixed(Math.min(...perRound))}–${fixed(Math.max(...perRound))})`,
      fixed(median(entry.p99), 0),
      fixed(cpu, 1),
      fixed(cpu - limitCpu, 1),
      fixed(limitCpu / cpu),
      thousands(entry.requests),
    ];
  });
  const ours = measured.find((entry) => entry.variant.name === 'ours-bearer')!;
  // Ratio of the same round's figures, median over rounds: robust to a noisy neighbour.
  const versusOf = (name: string): number => {
    const other = measured.find((entry) => entry.variant.name === name)!;
    return median(ours.rounds.map((rate, round) => rate / other.rounds[round]!));
  };
  const versus = (name: string): string => fixed(versusOf(name));
  const key = measured.find((entry) => entry.variant.name === 'ours-key')!;
  const keyVsToken = median(key.rounds.map((rate, round) => rate / ours.rounds[round]!));
  const keyVsTokenByCpu = ours.cpuMicros / ours.requests / (key.cpuMicros / key.requests);
  const markdown = [
    `### ${adapter}`,
    '',
    `${options.rounds} interleaved rounds × ${options.seconds} s per variant, ${options.connections} connections, every answer 2xx. Server CPU: user + system time of the server's process during the rounds, per request served; "added" is that minus the unguarded route's, and "by CPU" the unguarded route's CPU per request over this one's (the throughput ratio of a server that had its core to itself, less sensitive to neighbours than req/s).`,
    '',
    table(['variant', 'req/s', 'vs unguarded (totals)', 'vs unguarded: median of rounds (range)', 'p99 ms (median)', 'server CPU µs/req', 'added µs/req', 'vs unguarded by CPU', 'requests'], rows),
    '',
    `Ours (bearer) vs the docs recipe, median of the rounds: **${versus('recipe-key')}×** with a KeyObject secret, **${versus('recipe-string')}×** with a string secret.`,
    '',
    `An API key vs a user token on the same route, median of the rounds: **${fixed(keyVsToken)}×** (by server CPU per request: ${fixed(keyVsTokenByCpu)}×).`,
    '',
  ].join('\n');
  const cpuOfVariant = (entry: Measured): number => entry.cpuMicros / entry.requests;
  const cpuOf = (name: string): number => cpuOfVariant(measured.find((entry) => entry.variant.name === name)!);
  return {
    markdown,
    oursVsLimitByCpu: limitCpu / cpuOfVariant(ours),
    oursVsRecipeKeyByCpu: cpuOf('recipe-key') / cpuOfVariant(ours),
    oursVsRecipeStringByCpu: cpuOf('recipe-string') / cpuOfVariant(ours),
    oursVsLimit: versusOf('unguarded'), oursVsRecipeKey: versusOf('recipe-key'), oursVsRecipeString: versusOf('recipe-string'),
    keyVsToken,
    keyVsTokenByCpu,
  };
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

export function startChild(adapter: AdapterName, app: AppName): Promise<{ child: ChildProcess; ready: ChildReady }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [adapter, app], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the ${app} app on ${adapter} did not start within 30 s`));
    }, 30_000);
    child.once('message', (ready: ChildReady) => {
      clearTimeout(timer);
      resolve({ child, ready });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${app} app on ${adapter} exited with ${code} before listening`));
    });
  });
}
