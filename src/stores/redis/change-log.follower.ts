import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreLogger } from '../capability-store';
import type { Freshness } from './freshness';
import type { RedisConnections } from './redis-connections';
import type { RedisKeys } from './redis-keys';
import type { ReplicatedState } from './replicated-state';
import { READ_BATCH, type RawEntries, type StateSync } from './state-sync';

/** How long one XREAD waits for news at most; also how often an idle instance confirms it is up to date. */
const LONGEST_BLOCK_MS = 1000;
const RETRY_MS = 50;

/**
 * Tails the change log on its own connection (XREAD BLOCK), applying entries in
 * version order as they are written. Every round also reads the epoch: gone means
 * Redis lost its data (an outage, never "no accounts"), changed means the store was
 * replaced (reload). A round that reaches the end of the log confirms the copy fresh.
 * Pub/sub would lose what is sent while disconnected; the log keeps it for us.
 */
export class ChangeLogFollower {
  private stopped = false;
  private outage: string | undefined;
  private loop: Promise<void> = Promise.resolve();
  private readonly blockMs: number;

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly state: ReplicatedState,
    private readonly sync: StateSync,
    private readonly freshness: Freshness,
    private readonly logger: StoreLogger,
  ) {
    // A few rounds fit in the staleness bound, so an idle instance never looks stale.
    this.blockMs = Math.max(10, Math.min(LONGEST_BLOCK_MS, Math.floor(freshness.maxStalenessMs / 4)));
  }

  start(): void {
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connections.blocking.disconnect();
    await this.loop;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      const sentAt = this.freshness.now();
      try {
        const [epoch, version, entries] = await this.readRound();
        if (epoch === null) {
          this.reportOutage('Redis holds no store under this prefix any more (it restarted empty or was flushed)', 'error');
          await sleep(RETRY_MS * 4);
          continue;
        }
        if (epoch !== this.state.epoch || this.sync.applyEntries(entries) === 'gap') {
          await this.sync.reload();
        } else if (entries.length >= READ_BATCH) {
          continue;
        } else if (this.sync.isBehind(version)) {
          // The log no longer holds what this copy missed (trimmed or deleted).
          await this.sync.reload();
        }
        this.freshness.confirm(sentAt);
        this.reportRecovery();
      } catch (error) {
        if (this.stopped) return;
        this.reportOutage(`lost Redis (${error instanceof Error ? error.message : String(error)})`, 'warn');
        await this.untilReady();
      }
    }
  }

  private async readRound(): Promise<[string | null, number, RawEntries]> {
    const results = await this.connections.blocking
      .pipeline()
      .get(this.keys.epoch)
      .get(this.keys.version)
      .xread('COUNT', READ_BATCH, 'BLOCK', this.blockMs, 'STREAMS', this.keys.log, this.state.lastId)
      .exec();
    if (results === null) throw new Error('the connection closed');
    for (const [error] of results) if (error !== null) throw error;
    const epoch = results[0]![1] as string | null;
    const version = Number(results[1]![1] ?? 0);
    const streams = results[2]![1] as [string, RawEntries][] | null;
    return [epoch, version, streams?.[0]?.[1] ?? []];
  }

  private async untilReady(): Promise<void> {
    do await sleep(RETRY_MS);
    while (!this.stopped && this.connections.blocking.status !== 'ready');
  }

  private reportOutage(reason: string, level: 'warn' | 'error'): void {
    if (this.outage === reason) return;
    this.outage = reason;
    this.logger[level](`${reason}: enforcing the last known state (version ${this.state.version}) until Redis is back or the staleness bound passes`);
  }

  private reportRecovery(): void {
    if (this.outage === undefined) return;
    this.outage = undefined;
    this.logger.log(`Redis is back: caught up to version ${this.state.version}`);
  }
}
