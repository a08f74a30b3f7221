import { Injectable } from '@nestjs/common';
import { effectiveFor } from '../capabilities/access';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import type { Principal } from '../capabilities/principal';

/**
 * The effective set of each principal under the policy in force, computed once per
 * principal and policy: a new policy (any change to the store) is the invalidation.
 * Principals come from the token and session caches, so the same object returns.
 */
@Injectable()
export class EffectiveSets {
  private readonly byPrincipal = new WeakMap<Principal, { policy: CapabilityPolicy; set: CapabilitySet }>();

  of(policy: CapabilityPolicy, principal: Principal | null): CapabilitySet {
    if (principal === null) return policy.effective(null);
    // User principals are cached by the policy itself; only snapshots and keys need an entry here.
    if (principal.snapshot === undefined && principal.keyCapabilities === undefined) return policy.effective(principal.email);
    const cached = this.byPrincipal.get(principal);
    if (cached !== undefined && cached.policy === policy) return cached.set;
    const set = effectiveFor(policy, principal);
    this.byPrincipal.set(principal, { policy, set });
    return set;
  }
}
