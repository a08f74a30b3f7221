import { fork, type ChildProcess } from 'node:child_process';
import type { ChildReady } from './http-server.child';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { parseCapsFile } from '../src/caps-file/caps-file';
import { RedisStores } from '../src/stores/redis';
import { redisKeys } from '../src/stores/redis/redis-keys';
import { withStoreScripts } from '../src/stores/redis/redis-scripts';
import { importAccounts } from '../src/stores/redis/seed-accounts';
import { deleteKeys } from '../test/support/redis-test';
import { BENCH_CAPS, BENCH_PATH, type AppName } from './apps';
import { credentialsOf, startChild, type AdapterName } from './http.bench';
import { byCpu, CPU_NOTE, measureInterleaved, perRoundRatios, ratioTable, type Measured, type RoundsOptions, type Target } from './rounds';
import type { InstanceReport, InstanceRequest } from './redis-instance.child';
import { fixed, percentile, table, thousands } from './stats';

const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const CHILD = join(__dirname, 'redis-instance.child.js');

/** What part 4 found, for the targets. */
export interface RedisFigures {
  readonly markdown: string;
  readonly propagationP50: number;
  readonly propagationP99: number;
}

/** The guarded route on both stores: the ratios of the targets (median of rounds, and by server CPU). */
export interface RedisRouteFigures {
  readonly markdown: string;
  readonly redisVsFile: ReadonlyMap<AdapterName, { readonly median: number; readonly byCpu: number }>;
}

/** Part 4, the route: the same guarded route on the file store and on the Redis store, interleaved. */
export async function benchRedisRoute(options: RoundsOptions): Promise<RedisRouteFigures> {
  const prefix = `nest-capabilities-bench:${process.pid}:route:`;
  process.env['BENCH_REDIS_URL'] = REDIS_URL;
  process.env['BENCH_REDIS_PREFIX'] = prefix;
  try {
    const redisVsFile = new Map<AdapterName, { median: number; byCpu: number }>();
    const tables: string[] = [];
    for (const adapter of ['express', 'fastify'] as AdapterName[]) {
      const [file, redis] = await routeOnBothStores(adapter, options);
      redisVsFile.set(adapter, { median: perRoundRatios(redis, file).median, byCpu: byCpu(redis, file) });
      tables.push(`#### ${adapter}`, '', ratioTable([file, redis], file, 'file store'), '');
    }
    const markdown = [
      '### The guarded route: Redis store vs file store',
      '',
      `Bearer token on \`@RequireCapability('read')\`, ${options.rounds} interleaved rounds × ${options.seconds} s each, ${options.connections} connections, every answer 2xx; each store served by ${PROCESSES_PER_STORE} server processes, one per round in turn, since two copies of one app differ by up to 10 % of CPU per request on a shared machine. The request path is the same (memory only); the Redis instance also follows the log on a connection of its own. ${CPU_NOTE}`,
      '',
      ...tables,
    ].join('\n');
    return { markdown, redisVsFile };
  } finally {
    await deleteKeys(prefix);
  }
}

/** Part 4, the rest: propagation, write throughput and start-up, under a prefix of its own deleted at the end. */
export async function benchRedis(options: { changes: number }): Promise<RedisFigures> {
  const prefix = `nest-capabilities-bench:${process.pid}:`;
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-redis-'));
  const capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, BENCH_CAPS);
  const sections: string[] = [];
  try {
    const propagation = await measurePropagation(capsFile, `${prefix}propagation:`, options.changes);
    sections.push(
      '### Propagation from one instance to another',
      '',
      `${options.changes} grants and ${options.changes} token revocations made one at a time through an instance in the bench's process, each timed from the call to \`update\`/\`revokeToken\` until an instance in another process applied it (its store's listener ran): the write's round trip, the log and the follower together.`,
      '',
      table(
        ['change', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ['grant', fixed(percentile(propagation.grants, 50)), fixed(percentile(propagation.grants, 99)), fixed(Math.max(...propagation.grants))],
          ['token revocation', fixed(percentile(propagation.revocations, 50)), fixed(percentile(propagation.revocations, 99)), fixed(Math.max(...propagation.revocations))],
          ['all', fixed(percentile(propagation.all, 50)), fixed(percentile(propagation.all, 99)), fixed(Math.max(...propagation.all))],
        ],
      ),
      '',
    );
    const throughput = await measureThroughput(capsFile, `${prefix}throughput:`);
    sections.push(
      '### Grants per second through three instances',
      '',
      `Three instances, each in its own process, each given ${thousands(throughput.perInstance)} grants (distinct accounts) at once; every grant is judged against the newest version and re-judged after a conflict with another instance's.`,
      '',
      table(['grants', 'wall time s', 'grants/s'], [[thousands(throughput.total), fixed(throughput.seconds), thousands(throughput.total / throughput.seconds)]]),
      '',
    );
    const startup = await measureStartup(capsFile, `${prefix}startup:`, 100_000);
    sections.push(
      '### An instance with 100,000 accounts in Redis',
      '',
      table(
        ['accounts', 'open (connect, snapshot, parse) ms', 'heap added MB (after GC)', 'process RSS MB', 'the accounts in Redis MB'],
        [[thousands(startup.accounts), fixed(startup.openMs, 0), fixed(startup.heapMB, 1), fixed(startup.rssMB, 0), fixed(startup.redisMB, 1)]],
      ),
      '',
    );
    return { markdown: sections.join('\n'), propagationP50: percentile(propagation.all, 50), propagationP99: percentile(propagation.all, 99) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await deleteKeys(prefix);
  }
}

/** Server processes per store: each round goes to the next, so one process's own speed does not decide a store's figure. */
const PROCESSES_PER_STORE = 3;

async function routeOnBothStores(adapter: AdapterName, options: RoundsOptions): Promise<[Measured, Measured]> {
  const children: { child: ChildProcess; ready: ChildReady }[] = [];
  try {
    const targets: [Target[], Target[]] = [[], []];
    // Started in turns (file, Redis, file, ...), so that neither store gets all the early or late processes.
    for (let i = 0; i < PROCESSES_PER_STORE; i++) {
      for (const [store, app] of (['ours', 'ours-redis'] as AppName[]).entries()) {
        const started = await startChild(adapter, app);
        children.push(started);
        const url = `http://127.0.0.1:${started.ready.port}${BENCH_PATH}`;
        // Each process issues its own token (its issuer is its own base URL).
        const { token } = await credentialsOf({ url, server: started.child });
        targets[store]!.push({ url, server: started.child, headers: { authorization: `Bearer ${token}` } });
      }
    }
    const [file, redis] = await measureInterleaved(
      [
        [{ name: 'file', label: `file store (caps.yaml), ${PROCESSES_PER_STORE} processes in turn`, headers: {} }, targets[0]],
        [{ name: 'redis', label: `Redis store, ${PROCESSES_PER_STORE} processes in turn`, headers: {} }, targets[1]],
      ],
      options,
    );
    return [file!, redis!];
  } finally {
    for (const { child } of children) child.disconnect();
  }
}

async function measurePropagation(capsFile: string, prefix: string, changes: number): Promise<{ grants: number[]; revocations: number[]; all: number[] }> {
  const writer = await RedisStores.open({ capsFile, redis: { url: REDIS_URL, prefix }, logger: { log: () => undefined, warn: console.warn, error: console.error } });
  const watcher = await startInstance(capsFile, prefix);
  try {
    const grants: number[] = [];
    const revocations: number[] = [];
    const now = (): number => performance.timeOrigin + performance.now();
    for (let i = 0; i < changes * 2; i++) {
      const revocation = i % 2 === 1;
      const seen = nextReport(watcher, (report) => report.kind === 'seen' && report.what === (revocation ? 'revocation' : 'policy'));
      const started = now();
      if (revocation) await writer.revocations.revokeToken(`bench-token-${i}`, null);
      else await writer.capabilities.update(() => ({ email: `p${i}@example.com`, capabilities: ['read'] }));
      const report = (await seen) as { at: number };
      (revocation ? revocations : grants).push(report.at - started);
    }
    return { grants, revocations, all: [...grants, ...revocations] };
  } finally {
    await writer.close();
    await stopInstance(watcher);
  }
}

async function measureThroughput(capsFile: string, prefix: string): Promise<{ total: number; perInstance: number; seconds: number }> {
  const instances = [];
  for (let i = 0; i < 3; i++) instances.push(await startInstance(capsFile, prefix));
  try {
    const perInstance = 2_000;
    const started = performance.now();
    const reports = await Promise.all(
      instances.map((instance, index) => {
        const done = nextReport(instance, (report) => report.kind === 'granted');
        instance.send({ grants: perInstance, tag: `i${index}` } satisfies InstanceRequest);
        return done;
      }),
    );
    const failed = reports.reduce((sum, report) => sum + (report.kind === 'granted' ? report.failed : 0), 0);
    if (failed > 0) throw new Error(`${failed} grants failed; no figure reported`);
    return { total: perInstance * 3, perInstance, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const instance of instances) await stopInstance(instance);
  }
}

async function measureStartup(capsFile: string, prefix: string, accounts: number): Promise<{ accounts: number; openMs: number; heapMB: number; rssMB: number; redisMB: number }> {
  const redis = withStoreScripts(new Redis(REDIS_URL));
  let redisMB: number;
  try {
    const lists = [['read'], ['write'], ['moderate'], ['read', 'user_management']];
    const users = new Map(Array.from({ length: accounts }, (_, i) => [`user${i}@example.com`, lists[i % lists.length]!] as const));
    const policy = parseCapsFile(BENCH_CAPS, 'caps.yaml').withUsers(users);
    await importAccounts(redis, redisKeys(prefix), policy, 'seed');
    redisMB = Number(await redis.call('MEMORY', 'USAGE', redisKeys(prefix).users, 'SAMPLES', '0')) / 1024 / 1024;
  } finally {
    redis.disconnect();
  }
  const instance = fork(CHILD, [capsFile, REDIS_URL, prefix], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = (await nextReport(instance, (report) => report.kind === 'ready')) as Extract<InstanceReport, { kind: 'ready' }>;
  await stopInstance(instance);
  return { ...ready, redisMB };
}

async function startInstance(capsFile: string, prefix: string): Promise<ChildProcess> {
  const child = fork(CHILD, [capsFile, REDIS_URL, prefix], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await nextReport(child, (report) => report.kind === 'ready');
  return child;
}

function nextReport(child: ChildProcess, wanted: (report: InstanceReport) => boolean): Promise<InstanceReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', listen);
      reject(new Error('an instance did not report within 60 s'));
    }, 60_000);
    const listen = (report: InstanceReport): void => {
      if (!wanted(report)) return;
      clearTimeout(timer);
      child.off('message', listen);
      resolve(report);
    };
    child.on('message', listen);
  });
}

async function stopInstance(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send('stop' satisfies InstanceRequest);
  await exited;
}
