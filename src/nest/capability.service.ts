import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { grantChangeDetail } from '../audit/change-detail';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { checkedChange, checkedScopeDrop, type CapabilityChange } from '../capabilities/grant-rules';
import { assertScope } from '../capabilities/scope';
import { InvalidInputError } from '../errors';
import type { Principal } from '../capabilities/principal';
import type { CapabilityStore } from '../stores/capability-store';
import { CAPABILITY_STORE } from './auth.constants';
import { assertManagesAt } from './manager-access';

/**
 * Capability checks and changes for application code.
 *
 * @example
 * constructor(private readonly capabilities: CapabilityService) {}
 * if (this.capabilities.can(user, 'moderate')) { ... }
 */
@Injectable()
export class CapabilityService {
  constructor(
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    private readonly audit: AuditRecorder,
  ) {}

  /** The policy in force now. */
  policy(): CapabilityPolicy {
    return this.store.current();
  }

  /** Whether `user` (a principal, null for a guest) may use `capability` now. */
  can(user: Principal | null, capability: string): boolean {
    return this.store.current().effectiveFor(user).has(capability);
  }

  /** The set `user` may use now, for checks against other sets. */
  effectiveSet(user: Principal | null): CapabilitySet {
    return this.store.current().effectiveFor(user);
  }

  /** Every capability `user` may use now, implications expanded, sorted. */
  effective(user: Principal | null): readonly string[] {
    return this.store.current().effectiveFor(user).toArray();
  }

  /**
   * Changes what `email` holds on behalf of `manager`, under the rules of the
   * management API, and writes it (or its refusal) to the audit trail; resolves with
   * the grants now stored for `email` where the change was made (globally, or at
   * `change.scope`).
   */
  async change(manager: Principal, email: string, change: CapabilityChange): Promise<readonly string[]> {
    const policy = await this.changeGrants(manager, email, change);
    return change.scope === undefined ? policy.stored(email) : policy.storedAt(email, change.scope);
  }

  /**
   * As `change`, resolving with the policy as the change left it. At a scope, the
   * manager needs `user_management` there (globally or above; `CAPABILITY_MISSING`
   * otherwise) and holds there all it adds or removes (`GRANT_FORBIDDEN`).
   *
   * @example
   * const policy = await capabilities.changeGrants(bob, 'carol@example.com', { kind: 'add', capability: 'bake', scope: 'shop:paris' });
   */
  async changeGrants(manager: Principal, email: string, change: CapabilityChange): Promise<CapabilityPolicy> {
    let before: readonly string[] = [];
    const storedThere = (policy: CapabilityPolicy): readonly string[] =>
      change.scope === undefined ? policy.stored(email) : policy.storedAt(email, change.scope);
    return this.audit.record(
      manager,
      change.kind,
      email,
      requestedChange(change),
      () =>
        this.store.update((current) => {
          before = storedThere(current);
          // Judged on the store's newest state: a manager whose user_management was just removed elsewhere manages no more.
          const held = assertManagesAt(current, manager, change.scope);
          return checkedChange(current, held, email, change);
        }),
      (after) => grantChangeDetail(before, storedThere(after)),
      change.scope ?? null,
    );
  }

  /**
   * Removes every grant at `scope` and below it (a deleted shop) on behalf of `manager`,
   * who needs `user_management` at `scope` and holds there every capability removed;
   * audited as `drop_scope`. Resolves with how many (account, capability, scope) grants
   * went. Throws `STORE_UNSUPPORTED` on a store that cannot drop a scope.
   *
   * @example
   * const removed = await capabilities.dropScope(alice, 'shop:paris');
   */
  async dropScope(manager: Principal, scope: string): Promise<number> {
    const checked = assertScope(scope);
    const store = this.store;
    if (store.dropScope === undefined) throw new InvalidInputError('INVALID_REQUEST', 'scope', 'dropping scopes is not available with this capability store');
    let removed = 0;
    await this.audit.record(
      manager,
      'drop_scope',
      checked,
      `drop ${checked} and below`,
      async () => {
        const result = await store.dropScope!((current) => checkedScopeDrop(current, assertManagesAt(current, manager, checked), checked));
        removed = result.removed;
        return result;
      },
      () => `removed ${removed} grant${removed === 1 ? '' : 's'} at ${checked} and below`,
      checked,
    );
    return removed;
  }
}

function requestedChange(change: CapabilityChange): string {
  const what = change.kind === 'set' ? `set ${[...change.capabilities].sort().join(', ') || '(nothing)'}` : `${change.kind} ${change.capability}`;
  return change.scope === undefined ? what : `${what} at ${change.scope}`;
}
