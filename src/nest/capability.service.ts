import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { grantChangeDetail } from '../audit/change-detail';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { checkedChange, USER_MANAGEMENT, type CapabilityChange } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import type { CapabilityStore } from '../stores/capability-store';
import { CAPABILITY_STORE } from './auth.constants';
import { assertAccess } from './access';

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
   * the grants now stored for `email`.
   */
  async change(manager: Principal, email: string, change: CapabilityChange): Promise<readonly string[]> {
    let before: readonly string[] = [];
    const policy = await this.audit.record(
      manager,
      change.kind,
      email,
      requestedChange(change),
      () =>
        this.store.update((current) => {
          before = current.stored(email);
          // Judged on the store's newest state: a manager whose user_management was just removed elsewhere manages no more.
          const held = current.effectiveFor(manager);
          assertAccess(manager, { capability: USER_MANAGEMENT, held: held.has(USER_MANAGEMENT) });
          return checkedChange(current, held, email, change);
        }),
      (after) => grantChangeDetail(before, after.stored(email)),
    );
    return policy.stored(email);
  }
}

function requestedChange(change: CapabilityChange): string {
  return change.kind === 'set' ? `set ${[...change.capabilities].sort().join(', ') || '(nothing)'}` : `${change.kind} ${change.capability}`;
}
