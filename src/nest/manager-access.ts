import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { heldWhere, USER_MANAGEMENT } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { AccessError } from '../errors';
import { accessDenied, type SignInAndReturn } from './access';

/**
 * What `principal` holds where it asks to manage (globally, or at `scope`), once it is
 * known to hold `user_management` there; else the refusal: `SIGN_IN_REQUIRED` for a
 * guest, `CAPABILITY_MISSING` (403) for anyone else, naming the scope. A manager of
 * `shop:paris` is refused at `shop:lyon` and globally.
 *
 * @example const held = assertManagesAt(policy, user, 'shop:paris');
 */
export function assertManagesAt(policy: CapabilityPolicy, principal: Principal | null, scope: string | undefined, returnTo?: SignInAndReturn): CapabilitySet {
  const held = principal === null ? null : heldWhere(policy, principal, scope);
  if (held?.has(USER_MANAGEMENT) === true) return held;
  if (principal === null || scope === undefined) throw accessDenied(principal, { capability: USER_MANAGEMENT, returnTo });
  throw new AccessError('CAPABILITY_MISSING', USER_MANAGEMENT, `missing capability "${USER_MANAGEMENT}" at ${scope}`);
}
