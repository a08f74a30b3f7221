import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { StoreLogger } from '../src/stores/capability-store';
import { YamlFileStore } from '../src/stores/file/yaml-file.store';
import { writersCapsHead } from '../test/fixtures/caps-texts';
import { collectGarbage, fixed, megabytes, median, percentile, table, thousands } from './stats';

const SIZES = [1_000, 10_000, 100_000] as const;
const CONCURRENT = 50;
const ROUNDS = 9;
const quiet: StoreLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A caps.yaml with `users` users, comments included, as people write it. */
export function capsFileWith(users: number): string {
  const lines = [...writersCapsHead('capabilities of the benchmark'), 'users:'];
  for (let user = 0; user < users; user++) lines.push(`  user${user}@example.com: [${user % 10 === 0 ? 'moderate' : 'write'}]`);
  lines.push('pinned:', '  ops@example.com: [admin]', '');
  return lines.join('\n');
}

interface StoreFigures {
  readonly users: number;
  readonly bytes: number;
  readonly loadMs: number;
  readonly memory: number;
  readonly singleMs: number;
  /** Median over rounds of the time until every add of a burst was done. */
  readonly burstMs: number;
  readonly concurrent: number[];
  readonly writes: number;
}

async function measure(users: number): Promise<StoreFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-store-'));
  const file = join(folder, 'caps.yaml');
  const text = capsFileWith(users);
  writeFileSync(file, text);
  try {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const store = await YamlFileStore.open(file, { logger: quiet, pollIntervalMs: 60_000 });
    const loadMs = performance.now() - started;
    collectGarbage();
    const memory = process.memoryUsage().heapUsed - before;
    try {
      let fresh = 0;
      const add = (): Promise<unknown> => {
        const email = `new${fresh++}@example.com`;
        return store.update((policy) => ({ email, capabilities: [...policy.stored(email), 'write'] }));
      };
      await add(); // warm-up
      // Rounds alternate one add alone and a burst of concurrent adds, so that the disk's
      // and the machine's drift touches both alike.
      const single: number[] = [];
      const bursts: number[] = [];
      const concurrent: number[] = [];
      const writesBefore = store.writes;
      for (let round = 0; round < ROUNDS; round++) {
        let t = performance.now();
        await add();
        single.push(performance.now() - t);
        t = performance.now();
        await Promise.all(Array.from({ length: CONCURRENT }, () => add().then(() => concurrent.push(performance.now() - t))));
        bursts.push(performance.now() - t);
      }
      const writes = (store.writes - writesBefore - ROUNDS) / ROUNDS;
      return { users, bytes: text.length, loadMs, memory, singleMs: median(single), burstMs: median(bursts), concurrent, writes };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Part 3: the caps.yaml store at 1,000, 10,000 and 100,000 users. */
export async function benchCapsStore(): Promise<{ markdown: string; loadMs: Map<number, number>; burstRatio: Map<number, number> }> {
  const rows: string[][] = [];
  const loadMs = new Map<number, number>();
  const burstRatio = new Map<number, number>();
  for (const users of SIZES) {
    const figures = await measure(users);
    loadMs.set(users, figures.loadMs);
    burstRatio.set(users, figures.burstMs / figures.singleMs);
    rows.push([
      thousands(users),
      `${thousands(figures.bytes / 1024)} KiB`,
      fixed(figures.loadMs, 0),
      megabytes(figures.memory),
      fixed(figures.singleMs, 1),
      fixed(percentile(figures.concurrent, 50), 1),
      fixed(percentile(figures.concurrent, 99), 1),
      fixed(figures.burstMs, 1),
      `**${fixed(figures.burstMs / figures.singleMs)}×**`,
      fixed(figures.writes, 1),
    ]);
  }
  const markdown = [
    `Each add is a new user given \`write\` through \`store.update\` (validated, written atomically with fsync, resolved once on disk). ${ROUNDS} rounds, each one add alone then a burst of ${CONCURRENT} adds submitted at once; medians over the rounds; p50/p99 of every add of the bursts, from submission. Load: \`YamlFileStore.open\`, read + validate + index; heap: growth of the used heap after a garbage collection.`,
    '',
    table(
      ['users', 'file', 'load ms', 'heap after load', 'one add ms', `${CONCURRENT} adds: p50 ms`, 'p99 ms', 'all done ms', 'all done / one add', 'file writes per burst'],
      rows,
    ),
    '',
  ].join('\n');
  return { markdown, loadMs, burstRatio };
}
