import type { CapabilityPolicy } from './capability-policy';
import type { CapabilitySet } from './capability-set';
import type { Principal } from './principal';

/**
 * The capabilities `principal` may use now under `policy`: its effective set, and
 * for a service token only those also in the token's snapshot; for an API key, the
 * closure of the key's own capabilities.
 *
 * @example effectiveFor(policy, null).has('read') // what a guest may do
 */
export function effectiveFor(policy: CapabilityPolicy, principal: Principal | null): CapabilitySet {
  if (principal === null) return policy.effective(null);
  if (principal.keyCapabilities !== undefined) return policy.graph.closureOf(principal.keyCapabilities);
  const now = policy.effective(principal.email);
  if (principal.snapshot === undefined) return now;
  return policy.graph.intersection(now, policy.graph.closureOf(principal.snapshot));
}
