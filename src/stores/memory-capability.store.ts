import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { StoreUnavailableError } from '../errors';
import { Subscribers } from '../events/subscribers';
import { assertScope } from '../capabilities/scope';
import type { AccountDeletion, CapabilityStore, GrantEdit, ScopeDrop, ScopeDropped } from './capability-store';
import { judgeGrant } from './grant-judgment';

/**
 * Capabilities kept in this process only, starting from `policy`: the reference
 * implementation of `CapabilityStore`, for tests and for trying a backend of one's
 * own against the store contract. Every write is judged and applied at once, so
 * writes are serialized by the event loop. Lost on restart.
 *
 * @example
 * const store = new MemoryCapabilityStore(parseCapsFile(readFileSync('caps.yaml', 'utf8'), 'caps.yaml'));
 * await store.update((policy) => ({ email: 'bob@example.com', capabilities: [...policy.stored('bob@example.com'), 'write'] }));
 */
export class MemoryCapabilityStore implements CapabilityStore {
  private readonly subscribers = new Subscribers<[CapabilityPolicy]>('capability store');
  private closed = false;

  constructor(private policy: CapabilityPolicy) {}

  current(): CapabilityPolicy {
    return this.policy;
  }

  /** Resolves with the policy the edit left; rejects with the edit's own error, and changes nothing then. */
  async update(edit: GrantEdit): Promise<CapabilityPolicy> {
    return this.apply((policy) => judgeGrant(policy, edit).policy);
  }

  /** Rejects with `LOGIN_IDENTITY_LINKED` when `identity` is linked to another account. */
  async linkIdentity(identity: string, email: string): Promise<CapabilityPolicy> {
    return this.apply((policy) => policy.withIdentityLink(identity, assertEmail(email)));
  }

  /** Deletes the account `deletion` names, with its identity links; rejects with the judgment's own error. */
  async deleteAccount(deletion: AccountDeletion): Promise<CapabilityPolicy> {
    return this.apply((policy) => policy.withoutAccount(assertEmail(deletion(policy))));
  }

  /** Removes every grant at the scope `drop` names and below; rejects with the judgment's own error or `SCOPE_INVALID`. */
  async dropScope(drop: ScopeDrop): Promise<ScopeDropped> {
    let removed = 0;
    const policy = this.apply((current) => {
      const dropped = current.withoutScope(assertScope(drop(current)));
      removed = dropped.removed;
      return dropped.policy;
    });
    return { policy, removed };
  }

  subscribe(listener: (policy: CapabilityPolicy) => void): () => void {
    return this.subscribers.add(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
  }

  private apply(change: (policy: CapabilityPolicy) => CapabilityPolicy): CapabilityPolicy {
    if (this.closed) throw new StoreUnavailableError('the capability store is closed');
    const next = change(this.policy);
    if (next !== this.policy) {
      this.policy = next;
      this.subscribers.notify(next);
    }
    return next;
  }
}
