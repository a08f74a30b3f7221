import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import type { AccountDeletion, CapabilityStore, GrantEdit, ScopeDrop, ScopeDropped, StoreReplica } from '../capability-store';
import { GroupCommitQueue } from '../group-commit-queue';
import type { RedisStoreEngine } from './redis-store.engine';

/**
 * The capability store shared by every instance through Redis: accounts and identity
 * links in Redis, the graph and defaults from this instance's caps.yaml, the whole
 * policy in memory. Reads never wait on Redis. Obtain it with `RedisStores.open`.
 *
 * @example
 * const { capabilities } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: process.env.REDIS_URL } });
 * capabilities.current().can('bob@example.com', 'write');
 */
export class RedisCapabilityStore implements CapabilityStore {
  // Edits queued while a batch is in flight go together in the next one: one script, one round trip.
  private readonly queue = new GroupCommitQueue<GrantEdit, CapabilityPolicy>((edits) => this.engine.writer.grants(edits));

  private closing: Promise<void> | undefined;

  constructor(private readonly engine: RedisStoreEngine) {}

  current(): CapabilityPolicy {
    return this.engine.state.policy;
  }

  isStale(): boolean {
    return this.engine.freshness.isStale();
  }

  replica(): StoreReplica {
    const { freshness, state } = this.engine;
    return { lagMs: freshness.lagMs(), stale: freshness.isStale(), version: state.version };
  }

  /** Resolves once Redis holds the change; rejects with the edit's own error or `STORE_UNAVAILABLE`. */
  update(edit: GrantEdit): Promise<CapabilityPolicy> {
    return this.queue.submit(edit);
  }

  linkIdentity(identity: string, email: string): Promise<CapabilityPolicy> {
    return this.engine.writer.link(identity, email);
  }

  /** Resolves once Redis holds the deletion; rejects with the judgment's own error or `STORE_UNAVAILABLE`. */
  deleteAccount(deletion: AccountDeletion): Promise<CapabilityPolicy> {
    return this.engine.writer.deleteAccount(deletion);
  }

  /** Resolves once Redis holds the removal; rejects with the judgment's own error or `STORE_UNAVAILABLE`. */
  dropScope(drop: ScopeDrop): Promise<ScopeDropped> {
    return this.engine.writer.dropScope(drop);
  }

  subscribe(listener: (policy: CapabilityPolicy) => void): () => void {
    return this.engine.state.onPolicy(listener);
  }

  /** Closing twice is closing once. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    await this.queue.idle();
    await this.engine.release();
  }
}
