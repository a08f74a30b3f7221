import { StoreUnavailableError } from '../../errors';
import type { StoreLogger } from '../capability-store';
import { decodeChangeEntry } from './change-entry';
import type { RedisConnections } from './redis-connections';
import type { RedisKeys } from './redis-keys';
import { readSnapshot } from './redis-snapshot';
import type { ReplicatedState } from './replicated-state';
import { inSpan } from '../../telemetry/spans';

/** Log entries as Redis returns them: `[id, [field, value, ...]]`. */
export type RawEntries = readonly (readonly [string, readonly string[]])[];

/** Entries read per round trip while catching up. */
export const READ_BATCH = 1000;

/**
 * Brings this instance's copy up to date on the bulk connection: by reading the
 * log after the last entry seen, or, on a gap (a trimmed log, missed versions), by
 * reloading the whole state. One catch-up at a time; callers queue behind it.
 */
export class StateSync {
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly state: ReplicatedState,
    private readonly logger: StoreLogger,
  ) {}

  /** Applies every entry written so far; resolves once the copy holds them all. */
  catchUp(): Promise<void> {
    const next = this.running.catch(() => undefined).then(() => this.readToEnd());
    this.running = next;
    return next;
  }

  /** Replaces the copy with a snapshot of everything. Rejects while Redis holds no store under the prefix. */
  reload(): Promise<void> {
    const next = this.running.catch(() => undefined).then(() => this.loadAll());
    this.running = next;
    return next;
  }

  /** Applies `entries` in order; 'gap' when one of them is not the next version (the rest are left). */
  applyEntries(entries: RawEntries): 'ok' | 'gap' {
    for (const [id, fields] of entries) {
      const entry = decodeChangeEntry(fields);
      if (entry === undefined) {
        this.logger.error(`entry ${id} of the change log is malformed; reloading the whole state`);
        return 'gap';
      }
      if (this.state.apply(entry, id) === 'gap') return 'gap';
    }
    return 'ok';
  }

  /** Whether the copy is behind `version` once `entries` are applied: the log lost entries it needed. */
  isBehind(version: number): boolean {
    return this.state.version < version;
  }

  private async readToEnd(): Promise<void> {
    for (;;) {
      // A read: the long timeout of the bulk connection, so a busy Redis slows a catch-up rather than failing it.
      const replies = await this.connections.bulk
        .multi()
        .get(this.keys.version)
        .xrange(this.keys.log, `(${this.state.lastId}`, '+', 'COUNT', READ_BATCH)
        .exec();
      if (replies === null) throw new Error('the catch-up transaction was aborted');
      for (const [error] of replies) if (error !== null) throw error;
      const version = Number(replies[0]![1] ?? 0);
      const entries = replies[1]![1] as RawEntries;
      if (this.applyEntries(entries) === 'gap') return this.loadAll();
      if (entries.length < READ_BATCH) return this.isBehind(version) ? this.loadAll() : undefined;
    }
  }

  private loadAll(): Promise<void> {
    return inSpan('nest_capabilities.store.reload', { 'store.kind': 'redis' }, () => this.adoptSnapshot());
  }

  private async adoptSnapshot(): Promise<void> {
    const snapshot = await readSnapshot(this.connections.bulk, this.keys);
    if (snapshot.epoch === null) throw lostData();
    if (snapshot.epoch !== this.state.epoch) this.logger.warn('the shared store in Redis was replaced (a new epoch); reloading every account');
    this.state.adopt(snapshot);
  }
}

/** Redis answers but holds no store under the prefix any more: it restarted empty or was flushed. */
export function lostData(): StoreUnavailableError {
  return new StoreUnavailableError('Redis holds no store under this prefix any more (it restarted empty or was flushed); enforcing the last known state');
}
