import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { parseCapsFile } from '../src/capabilities/caps-file';
import { RedisStores } from '../src/stores/redis';
import { redisKeys } from '../src/stores/redis/redis-keys';
import { withStoreScripts } from '../src/stores/redis/redis-scripts';
import { importAccounts } from '../src/stores/redis/seed-accounts';
import { HttpClient } from '../test/support/http-client';
import { deleteKeys } from '../test/support/redis-test';
import { BENCH_CAPS, BENCH_PATH, BENCH_USER, type AppName } from './apps';
import { cpuOf, load, startChild, type AdapterName, type Variant } from './http.bench';
import type { InstanceReport, InstanceRequest } from './redis-instance.child';
import { fixed, median, percentile, table, thousands } from './stats';

const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const CHILD = join(__dirname, 'redis-instance.child.js');

/** What part 4 found, for the targets. */
export interface RedisFigures {
  readonly markdown: string;
  readonly redisVsFile: ReadonlyMap<AdapterName, number>;
  readonly propagationP50: number;
  readonly propagationP99: number;
}

/** Part 4: the shared store on Redis. Every key it writes is under a prefix of its own, deleted at the end. */
export async function benchRedis(options: { rounds: number; seconds: number; changes: number }): Promise<RedisFigures> {
  const prefix = `nest-capabilities-bench:${process.pid}:`;
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-redis-'));
  const capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, BENCH_CAPS);
  const sections: string[] = [];
  try {
    process.env['BENCH_REDIS_URL'] = REDIS_URL;
    process.env['BENCH_REDIS_PREFIX'] = `${prefix}route:`;
    const redisVsFile = new Map<AdapterName, number>();
    const routeRows: string[][] = [];
    for (const adapter of ['express', 'fastify'] as AdapterName[]) {
      const figures = await routeOnBothStores(adapter, options);
      redisVsFile.set(adapter, figures.ratio);
      routeRows.push([adapter, ...figures.row]);
    }
    sections.push(
      '### The guarded route: Redis store vs file store',
      '',
      `Bearer token on \`@RequireCapability('read')\`, ${options.rounds} interleaved rounds × ${options.seconds} s each, 10 connections, every answer 2xx. The request path is the same (memory only); the Redis instance also follows the log on a second connection.`,
      '',
      table(['adapter', 'file store req/s', 'Redis store req/s', 'Redis vs file, median of rounds (range)', 'server CPU µs/req file / Redis'], routeRows),
      '',
    );
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
    return { markdown: sections.join('\n'), redisVsFile, propagationP50: percentile(propagation.all, 50), propagationP99: percentile(propagation.all, 99) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await deleteKeys(prefix);
  }
}

async function routeOnBothStores(adapter: AdapterName, options: { rounds: number; seconds: number }): Promise<{ ratio: number; row: string[] }> {
  const apps: AppName[] = ['ours', 'ours-redis'];
  const children = await Promise.all(apps.map((app) => startChild(adapter, app)));
  try {
    const urls = children.map(({ ready }) => `http://127.0.0.1:${ready.port}${BENCH_PATH}`);
    const variants: Variant[] = [];
    for (const [index, url] of urls.entries()) {
      const client = new HttpClient(new URL(url).origin);
      await client.signIn(BENCH_USER);
      variants.push({ name: apps[index]!, label: apps[index]!, app: apps[index]!, headers: { authorization: `Bearer ${await client.token()}` } });
    }
    for (const [index, variant] of variants.entries()) await load(urls[index]!, variant, 10, 1);
    const rates: number[][] = [[], []];
    const cpu = [0, 0];
    const requests = [0, 0];
    for (let round = 0; round < options.rounds; round++) {
      for (let offset = 0; offset < 2; offset++) {
        const index = (round + offset) % 2;
        const before = await cpuOf(children[index]!.child);
        const result = await load(urls[index]!, variants[index]!, 10, options.seconds);
        cpu[index]! += (await cpuOf(children[index]!.child)) - before;
        requests[index]! += result.requests.total;
        rates[index]!.push(result.requests.total / result.duration);
      }
    }
    const perRound = rates[1]!.map((rate, round) => rate / rates[0]![round]!);
    const ratio = median(perRound);
    return {
      ratio,
      row: [
        thousands(median(rates[0]!)),
        thousands(median(rates[1]!)),
        `**${fixed(ratio)}×** (${fixed(Math.min(...perRound))}–${fixed(Math.max(...perRound))})`,
        `${fixed(cpu[0]! / requests[0]!, 1)} / ${fixed(cpu[1]! / requests[1]!, 1)}`,
      ],
    };
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
