import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { CapabilityPolicy, type UserGrants } from '../src/capabilities/capability-policy';
import { parseCapsFile } from '../src/caps-file/caps-file';
import { redisKeys } from '../src/stores/redis/redis-keys';
import { withStoreScripts } from '../src/stores/redis/redis-scripts';
import { importAccounts } from '../src/stores/redis/seed-accounts';
import { deleteKeys } from '../test/support/redis-test';
import { BENCH_CAPS } from './apps';
import type { InstanceReport, InstanceRequest } from './redis-instance.child';
import { fixed, table, thousands } from './stats';

const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const CHILD = join(__dirname, 'redis-instance.child.js');

/** How big the shared store of this part is. */
export interface ScopedStoreSize {
  readonly accounts: number;
  readonly scopes: number;
  /** Accounts granted something at each scope. */
  readonly perScope: number;
}

interface Startup {
  readonly importMs: number;
  readonly openMs: number;
  readonly heapMB: number;
  readonly rssMB: number;
  readonly redisMB: number;
}

/**
 * Part 4b: an instance starting on a prefix of `size.accounts` accounts with and without
 * `size.scopes × size.perScope` grants at scopes (shops of organizations, each account
 * granted at as many shops as the numbers give), under a prefix of its own deleted at the end.
 */
export async function benchRedisScopes(size: ScopedStoreSize): Promise<{ readonly markdown: string; readonly scopedOpenMs: number; readonly scopedHeapMB: number }> {
  const prefix = `nest-capabilities-bench-scopes:${process.pid}:`;
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-scopes-'));
  const capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, BENCH_CAPS);
  try {
    const lists = [['read'], ['write'], ['moderate'], ['read', 'user_management']];
    const users = new Map(Array.from({ length: size.accounts }, (_, i) => [`user${i}@example.com`, lists[i % lists.length]!] as const));
    const scopes = new Map<string, UserGrants>();
    for (let s = 0; s < size.scopes; s++) {
      const grants = new Map<string, readonly string[]>();
      for (let j = 0; j < size.perScope; j++) grants.set(`user${(s * size.perScope + j) % size.accounts}@example.com`, lists[(s + j) % lists.length]!);
      scopes.set(`org:o${s % 100}/shop:s${s}`, grants);
    }
    const global = parseCapsFile(BENCH_CAPS, 'caps.yaml').withUsers(users);
    const without = await startup(capsFile, `${prefix}global:`, global);
    const withScopes = await startup(capsFile, `${prefix}scoped:`, new CapabilityPolicy({ ...global, scopes }));
    const grants = size.scopes * size.perScope;
    const row = (what: string, figures: Startup): string[] => [what, fixed(figures.importMs, 0), fixed(figures.openMs, 0), fixed(figures.heapMB, 1), fixed(figures.rssMB, 0), fixed(figures.redisMB, 1)];
    const markdown = [
      '### An instance with scoped grants in Redis',
      '',
      `${thousands(size.accounts)} accounts, then the same with ${thousands(grants)} grants at ${thousands(size.scopes)} scopes (${size.perScope} accounts each, one hash per scope); the import is the seeding script's, the open an instance's start in a process of its own.`,
      '',
      table(
        ['store', 'import ms', 'open (connect, snapshot, parse) ms', 'heap added MB (after GC)', 'process RSS MB', 'the store in Redis MB'],
        [row(`${thousands(size.accounts)} accounts`, without), row(`and ${thousands(grants)} scoped grants`, withScopes)],
      ),
      '',
    ].join('\n');
    return { markdown, scopedOpenMs: withScopes.openMs, scopedHeapMB: withScopes.heapMB };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await deleteKeys(prefix);
  }
}

async function startup(capsFile: string, prefix: string, policy: CapabilityPolicy): Promise<Startup> {
  const redis = withStoreScripts(new Redis(REDIS_URL, { commandTimeout: 600_000 }));
  const keys = redisKeys(prefix);
  let importMs: number;
  let redisMB = 0;
  try {
    const started = performance.now();
    await importAccounts(redis, keys, policy, 'seed');
    importMs = performance.now() - started;
    const sized = [keys.users, keys.identities, keys.scopes, ...[...policy.scopes.keys()].map((scope) => keys.scopeGrants + scope)];
    const pipeline = redis.pipeline();
    for (const key of sized) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [error, bytes] of (await pipeline.exec()) ?? []) if (error === null) redisMB += Number(bytes ?? 0) / 1024 / 1024;
  } finally {
    redis.disconnect();
  }
  const instance = fork(CHILD, [capsFile, REDIS_URL, prefix], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Extract<InstanceReport, { kind: 'ready' }>>((resolve, reject) => {
    instance.once('exit', () => reject(new Error('the instance stopped before it was ready')));
    instance.on('message', (report: InstanceReport) => {
      if (report.kind === 'ready') resolve(report);
    });
  });
  const exited = new Promise<void>((resolve) => instance.once('exit', () => resolve()));
  instance.send('stop' satisfies InstanceRequest);
  await exited;
  return { importMs, openMs: ready.openMs, heapMB: ready.heapMB, rssMB: ready.rssMB, redisMB };
}
