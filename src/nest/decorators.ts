import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { assertCapabilityName } from '../capabilities/capability-name';
import type { Principal } from '../capabilities/principal';
import { requestOf } from './capability.guard';
import { NEEDS_FRESH_STORE, PRINCIPAL, PUBLIC_ROUTE, REDIRECT_TO_LOGIN, REQUIRED_CAPABILITIES } from './auth.constants';

/**
 * Requires every named capability, on a controller class or a handler; a handler's
 * requirement replaces its class's. Names are checked when the decorator runs.
 *
 * @example
 * @RequireCapability('write')
 * @Post('articles') create() {}
 */
export function RequireCapability(...capabilities: string[]): ClassDecorator & MethodDecorator {
  if (capabilities.length === 0) throw new TypeError('@RequireCapability needs at least one capability');
  capabilities.forEach((name) => assertCapabilityName(name));
  return SetMetadata(REQUIRED_CAPABILITIES, Object.freeze([...new Set(capabilities)]));
}

/**
 * Opts a handler or a class out of capability checks where the guard is global.
 *
 * @example
 * @Public() @Get('health') health() { return 'ok'; }
 */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/**
 * When nobody is signed in and a browser (Accept: text/html, no Authorization)
 * asks, send it to the login page and back here instead of answering 401.
 *
 * @example
 * @RedirectToLogin() @RequireCapability('read') @Get('reports') reports() {}
 */
export function RedirectToLogin(): ClassDecorator & MethodDecorator {
  return SetMetadata(REDIRECT_TO_LOGIN, true);
}

/**
 * Marks handlers that decide on the store without a `@RequireCapability` (the module's
 * minting and management routes): past the store's staleness bound the guard answers
 * them `STORE_UNAVAILABLE`, as it answers every route that needs a capability.
 *
 * @example
 * @NeedsFreshStore() @Controller('manage_capabilities') class ManageCapabilitiesController {}
 */
export function NeedsFreshStore(): ClassDecorator & MethodDecorator {
  return SetMetadata(NEEDS_FRESH_STORE, true);
}

/**
 * The principal of the request, or null for a guest.
 *
 * @example
 * @Get('me') me(@CurrentUser() user: Principal | null) { return user?.email; }
 */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal | null => {
  const request = requestOf(context) as Record<symbol, Principal | null | undefined> | undefined;
  return request?.[PRINCIPAL] ?? null;
});
