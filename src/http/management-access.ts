import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import type { CapabilityService } from '../nest/capability.service';

/** The capability that lets a caller manage others' capabilities and mint service tokens. */
export const USER_MANAGEMENT = 'user_management';

/** The caller, or 401. */
export function requireSignedIn(user: Principal | null): Principal {
  if (user === null) throw new UnauthorizedException({ statusCode: 401, message: 'sign-in required' });
  return user;
}

/**
 * The caller when it holds `user_management`, else 401/403 as the guard answers.
 * Checked here rather than with `@RequireCapability`, so that a graph without
 * `user_management` simply has no managers instead of failing the start-up audit.
 */
export function requireManager(capabilities: CapabilityService, user: Principal | null): Principal {
  if (user === null) {
    throw new UnauthorizedException({ statusCode: 401, message: `sign-in required: this route needs capability "${USER_MANAGEMENT}"` });
  }
  if (!capabilities.can(user, USER_MANAGEMENT)) {
    throw new ForbiddenException({ statusCode: 403, message: `missing capability "${USER_MANAGEMENT}"` });
  }
  return user;
}
