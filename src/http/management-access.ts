import { USER_MANAGEMENT } from '../capabilities/grant-rules';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { Principal } from '../capabilities/principal';
import type { CapabilityService } from '../nest/capability.service';
import { assertAccess, type SignInAndReturn } from '../nest/access';

/** The caller, or `SIGN_IN_REQUIRED` (401). */
export function requireSignedIn(user: Principal | null): Principal {
  assertAccess(user);
  return user;
}

/**
 * The caller when it holds `user_management`, else `SIGN_IN_REQUIRED`/`CAPABILITY_MISSING`
 * as the guard answers (a guest's browser given `returnTo` is sent to sign in). Checked here rather than with `@RequireCapability`, so that a
 * graph without `user_management` simply has no managers instead of failing the start-up audit.
 */
export function requireManager(capabilities: CapabilityService, user: Principal | null, returnTo?: SignInAndReturn): Principal {
  assertAccess(user, { capability: USER_MANAGEMENT, held: user !== null && isManager(capabilities.policy(), user), returnTo });
  return user;
}

/** Whether `user` holds `user_management` under `policy`: who counts as a manager, for access and for the audit trail. */
export function isManager(policy: CapabilityPolicy, user: Principal): boolean {
  return policy.effectiveFor(user).has(USER_MANAGEMENT);
}
