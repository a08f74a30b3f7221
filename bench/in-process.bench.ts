import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphqlExchange, BENCH_GRAPHQL_PATH, BENCH_GRAPHQL_QUERIES } from './graphql-apps';
import type { AdapterName } from './http.bench';
import { IN_PROCESS_PATHS, openGraphqlApp, openHttpApp, type InProcessApp, type InProcessRequest } from './in-process-apps';
import { addedOver, roundOrder, spreadOf, spreadText, type Added } from './in-process-stats';
import { table } from './stats';

/** The apps one adapter's rounds ask: the HTTP app, the same with the module's metrics off, the same signing its tokens with EdDSA, the GraphQL app. */
type AppKey = 'http' | 'http-without-telemetry' | 'http-eddsa' | 'graphql';
type Credentials = InProcessApp['credentials'];

/** One variant: a request to one app, the answer it must get, and what it is measured against. */
interface Variant {
  readonly name: string;
  readonly label: string;
  readonly app: AppKey;
  readonly request: (credentials: Credentials) => InProcessRequest;
  /** The variant whose CPU this one is compared with, round by round; none for a baseline. */
  readonly baseline?: string;
  /** Requests per batch: a GraphQL query costs some ten times a route. */
  readonly batch: number;
}

const get = (url: string, headers: Record<string, string>): InProcessRequest => ({ method: 'GET', url, headers });
const bearer = (credentials: Credentials): Record<string, string> => ({ authorization: `Bearer ${credentials.bearer}` });
const apiKey = (credentials: Credentials): Record<string, string> => ({ authorization: `Bearer ${credentials.apiKey}` });
const cookie = (credentials: Credentials): Record<string, string> => ({ cookie: credentials.cookie });
const query = (field: string) => (credentials: Credentials): InProcessRequest => ({
  method: 'POST',
  url: BENCH_GRAPHQL_PATH,
  headers: { 'content-type': 'application/json', ...bearer(credentials) },
  payload: graphqlExchange(field).body,
});
const { open, allowAll, ours, openAtShop, oursAtShop, oursAtShopUnscoped } = IN_PROCESS_PATHS;
const ROUTE = 200;
const GRAPHQL = 40;

/** The rows, one line each: each guarded variant beside the same unguarded route asked with the same credentials. */
const VARIANTS: readonly Variant[] = [
  { name: 'open-bearer', label: 'route without a guard, bearer token sent', app: 'http', request: (c) => get(open, bearer(c)), batch: ROUTE },
  { name: 'allow-all', label: "a guard that returns true (Nest's guard pipeline alone: the noise floor)", app: 'http', request: (c) => get(allowAll, bearer(c)), baseline: 'open-bearer', batch: ROUTE },
  { name: 'ours-bearer', label: 'ours: bearer token', app: 'http', request: (c) => get(ours, bearer(c)), baseline: 'open-bearer', batch: ROUTE },
  { name: 'open-cookie', label: 'route without a guard, session cookie sent', app: 'http', request: (c) => get(open, cookie(c)), batch: ROUTE },
  { name: 'ours-cookie', label: 'ours: session cookie', app: 'http', request: (c) => get(ours, cookie(c)), baseline: 'open-cookie', batch: ROUTE },
  { name: 'open-key', label: 'route without a guard, API key sent', app: 'http', request: (c) => get(open, apiKey(c)), batch: ROUTE },
  { name: 'ours-key', label: 'ours: API key', app: 'http', request: (c) => get(ours, apiKey(c)), baseline: 'open-key', batch: ROUTE },
  { name: 'open-shop', label: 'route with a shop parameter, without a guard, bearer token sent', app: 'http', request: (c) => get(openAtShop, bearer(c)), batch: ROUTE },
  { name: 'ours-shop-unscoped', label: 'ours: the same route, a capability asked without a scope, bearer token', app: 'http', request: (c) => get(oursAtShopUnscoped, bearer(c)), baseline: 'open-shop', batch: ROUTE },
  { name: 'ours-shop', label: 'ours: a capability held only at the shop (scoped check), bearer token', app: 'http', request: (c) => get(oursAtShop, bearer(c)), baseline: 'ours-shop-unscoped', batch: ROUTE },
  { name: 'ours-bearer-eddsa', label: 'ours: bearer token signed with EdDSA (cache hits)', app: 'http-eddsa', request: (c) => get(ours, bearer(c)), baseline: 'ours-bearer', batch: ROUTE },
  { name: 'ours-bearer-telemetry-off', label: 'ours: bearer token, the module built with `telemetry: false`', app: 'http-without-telemetry', request: (c) => get(ours, bearer(c)), batch: ROUTE },
  { name: 'ours-bearer-telemetry-on', label: 'ours: bearer token, telemetry on with no SDK registered', app: 'http', request: (c) => get(ours, bearer(c)), baseline: 'ours-bearer-telemetry-off', batch: ROUTE },
  { name: 'graphql-open', label: 'GraphQL query without a guard, bearer token sent', app: 'graphql', request: query(BENCH_GRAPHQL_QUERIES.open), batch: GRAPHQL },
  { name: 'graphql-pass', label: 'GraphQL query behind a guard that returns true', app: 'graphql', request: query(BENCH_GRAPHQL_QUERIES.allowAll), baseline: 'graphql-open', batch: GRAPHQL },
  { name: 'graphql-ours', label: 'GraphQL query, ours: bearer token', app: 'graphql', request: query(BENCH_GRAPHQL_QUERIES.ours), baseline: 'graphql-open', batch: GRAPHQL },
];

/** A target of issue 21 judged on this part: a variant's added µs (at most) or its ratio (at least). */
export interface InProcessTarget {
  readonly what: string;
  readonly variant: string;
  readonly kind: 'micros' | 'ratio';
  readonly limit: number;
}

const guardTargets = (limit: number): InProcessTarget[] => [
  { what: 'added CPU per request, bearer token (µs)', variant: 'ours-bearer', kind: 'micros', limit },
  { what: 'added CPU per request, session cookie (µs)', variant: 'ours-cookie', kind: 'micros', limit },
  { what: 'added CPU per request, API key (µs)', variant: 'ours-key', kind: 'micros', limit },
  { what: 'GraphQL query, ours (bearer) vs unguarded by CPU', variant: 'graphql-ours', kind: 'ratio', limit: 0.97 },
  { what: 'telemetry on with no SDK registered vs off, bearer token (µs)', variant: 'ours-bearer-telemetry-on', kind: 'micros', limit: 0.1 },
  { what: 'a guarded scoped route vs the same route guarded without a scope (µs)', variant: 'ours-shop', kind: 'micros', limit: 0.3 },
  { what: 'a guarded route with an EdDSA token vs an HS256 token, cache hits (µs)', variant: 'ours-bearer-eddsa', kind: 'micros', limit: 0.2 },
];

/** The targets, per adapter. */
export const IN_PROCESS_TARGETS: Record<AdapterName, readonly InProcessTarget[]> = { fastify: guardTargets(1.0), express: guardTargets(2.5) };

/** What the part found on one adapter: each compared variant's added CPU and ratio, by name. */
export interface InProcessFigures {
  readonly markdown: string;
  readonly added: ReadonlyMap<string, Added>;
}

/** Options of the part: rounds (30 and more), a multiplier of the batches, and batches per variant and round (the least counts). */
export interface InProcessOptions {
  readonly rounds: number;
  readonly batchScale: number;
  readonly takes: number;
}

/**
 * Part 9: every variant of `VARIANTS` driven in this process through light-my-request
 * (Fastify's `inject`, the same on Express's request listener), in short batches that
 * alternate, the order reversed every other round; the process's CPU time per request.
 */
export async function benchInProcess(adapter: AdapterName, options: InProcessOptions): Promise<InProcessFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-in-process-'));
  const apps = new Map<AppKey, InProcessApp>();
  try {
    apps.set('http', await openHttpApp(adapter, folder));
    apps.set('http-without-telemetry', await openHttpApp(adapter, folder, false));
    apps.set('http-eddsa', await openHttpApp(adapter, folder, true, 'EdDSA'));
    apps.set('graphql', await openGraphqlApp(adapter, folder));
    const cpu = await measure(apps, options);
    return report(adapter, cpu, options);
  } finally {
    for (const app of apps.values()) await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** CPU µs per request of each variant, round by round. */
async function measure(apps: ReadonlyMap<AppKey, InProcessApp>, options: InProcessOptions): Promise<Map<string, number[]>> {
  const prepared = VARIANTS.map((variant) => {
    const app = apps.get(variant.app)!;
    return { variant, app, request: variant.request(app.credentials), batch: Math.max(1, Math.round(variant.batch * options.batchScale)) };
  });
  for (const entry of prepared) await expectOk(entry.app, entry.request, entry.variant.name);
  // A first pass unmeasured: every path compiled and every cache filled before the rounds.
  for (const entry of prepared) {
    for (let i = 0; i < entry.batch; i++) {
      await entry.app.send(entry.request);
      if (i % DRAIN_EVERY === DRAIN_EVERY - 1) await drained();
    }
  }
  const cpu = new Map<string, number[]>(VARIANTS.map((variant) => [variant.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const { variant, app, request, batch } of roundOrder(prepared, round)) {
      let least = Number.POSITIVE_INFINITY;
      for (let take = 0; take < options.takes; take++) least = Math.min(least, await batchCpu(variant.name, app, request, batch));
      cpu.get(variant.name)!.push(least);
    }
  }
  return cpu;
}

/** CPU µs per request of one batch of `request`, every answer checked. */
async function batchCpu(name: string, app: InProcessApp, request: InProcessRequest, batch: number): Promise<number> {
  let failed = 0;
  emptyYoungGeneration();
  const started = process.cpuUsage();
  for (let i = 0; i < batch; i++) {
    if ((await app.send(request)).statusCode !== 200) failed++;
    if (i % DRAIN_EVERY === DRAIN_EVERY - 1) await drained();
  }
  await drained();
  const used = process.cpuUsage(started);
  if (failed > 0) throw new Error(`${name}: ${failed} of ${batch} requests were not answered 200`);
  return (used.user + used.system) / batch;
}

/**
 * Awaiting injected requests one after the other runs on promise jobs alone, which never
 * let the event loop reach its immediates; light-my-request ends each response's writes in
 * one, so without this every request of a batch stays in memory (some 10 KB each) until the
 * batch ends, and the garbage collector's work grows with the batch instead of the request.
 */
const DRAIN_EVERY = 8;

/**
 * A young-generation collection before each batch, outside the measured time: a batch then
 * fits in the young generation and no collection of some 5–20 ms (with helper threads
 * whose CPU counts too) falls into one batch and not the next. What a request allocates is
 * still measured; collecting it is not (nearly all of it is dead by then, which is cheap).
 */
function emptyYoungGeneration(): void {
  (globalThis as { gc?: (options: { type: 'minor'; execution: 'sync' }) => void }).gc?.({ type: 'minor', execution: 'sync' });
}

function drained(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function expectOk(app: InProcessApp, request: InProcessRequest, name: string): Promise<void> {
  const answer = await app.send(request);
  if (answer.statusCode !== 200 || !answer.payload.includes('croissant')) throw new Error(`${name}: answered ${answer.statusCode}: ${answer.payload.slice(0, 200)}`);
}

/** What the part can and cannot resolve, written with its figures. */
export const IN_PROCESS_NOTE = [
  'Each variant is driven in this one process through light-my-request: Fastify\'s own `inject`, and the same library on the request listener of the Express app, so no socket, no HTTP parser of the kernel\'s and no load generator compete for the cores.',
  'Every round runs short batches of each variant one request at a time (200 per route, 40 per GraphQL query), the order reversed every other round; the process\'s CPU time (`process.cpuUsage`, user + system) over a batch, per request, the least of the variant\'s batches in the round (`BENCH_IN_PROCESS_TAKES`, 3): on a shared virtual machine, time the host takes the core away is charged to the process, and it only ever adds. A young-generation collection runs before each batch, outside the measured time, so that a collection of 5–20 ms does not fall into one side of a pair; what a request allocates is still measured.',
  'A guarded variant is compared with the same route or query without a guard, asked with the same credentials, in the same round: "added" is the difference of their CPU per request, "ratio" the unguarded one\'s CPU over the guarded one\'s; the median over the rounds, with the 10th–90th percentile of the rounds as the spread.',
  'What it resolves: a difference of a few tenths of a µs on Fastify, about half a µs on Express, when its spread does not straddle zero; the guard that returns true is the noise floor: a row within its spread of zero is not a measured cost.',
  'What it cannot: the socket and HTTP parsing a real server adds (a guard\'s share of a real request is smaller than its share here, so the ratios here are the strict side), the cost of garbage collection that falls outside a batch, and contention with other processes on a shared machine, which widens the spread rather than moving the medians.',
].join(' ');

function report(adapter: AdapterName, cpu: ReadonlyMap<string, number[]>, options: InProcessOptions): InProcessFigures {
  const added = new Map<string, Added>();
  const rows = VARIANTS.map((variant) => {
    const own = spreadOf(cpu.get(variant.name)!);
    if (variant.baseline === undefined) return [variant.label, '(baseline)', own.median.toFixed(1), '', ''];
    const figures = addedOver(cpu.get(variant.name)!, cpu.get(variant.baseline)!);
    added.set(variant.name, figures);
    const base = VARIANTS.find((candidate) => candidate.name === variant.baseline)!;
    return [variant.label, base.label, own.median.toFixed(1), `**${spreadText(figures.micros, 2)}**`, `${spreadText(figures.ratio, 3)}×`];
  });
  const markdown = [
    `### ${adapter}`,
    '',
    `${options.rounds} rounds, ${options.takes} batches per variant and round. ${IN_PROCESS_NOTE}`,
    '',
    table(['variant', 'compared with', 'CPU µs/req (median)', 'added µs/req: median (p10 – p90)', 'ratio by CPU: median (p10 – p90)'], rows),
    '',
  ].join('\n');
  return { markdown, added };
}
