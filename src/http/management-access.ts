import { managesSomewhere, USER_MANAGEMENT } from '../capabilities/grant-rules';
import { assertScope } from '../capabilities/scope';
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

/**
 * The caller when it holds `user_management` globally or at some scope (a manager of
 * `shop:paris` only), else the refusal `requireManager` gives: the gate of routes
 * that then judge the manager where the request acts (see `assertManagesAt`).
 */
export function requireManagerSomewhere(capabilities: CapabilityService, user: Principal | null, returnTo?: SignInAndReturn): Principal {
  assertAccess(user, { capability: USER_MANAGEMENT, held: user !== null && managesSomewhere(capabilities.policy(), user), returnTo });
  return user;
}

/**
 * A scope given in a query parameter or a body field: undefined when left out (null in
 * a body: globally), else a valid scope path; `SCOPE_INVALID` (400) for anything else,
 * the empty string included.
 *
 * @example optionalScope(body['scope']) // 'shop:paris'
 */
export function optionalScope(value: unknown, field = 'scope'): string | undefined {
  return value === undefined || value === null ? undefined : assertScope(value, field);
}
