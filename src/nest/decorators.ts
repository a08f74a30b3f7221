import { SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { assertCapabilityName } from '../capabilities/capability-name';
import type { Principal } from '../capabilities/principal';
import { requestOf } from './capability.guard';
import { CLIENT_AUTHENTICATION, NEEDS_FRESH_STORE, PRINCIPAL, PUBLIC_ROUTE, REDIRECT_TO_LOGIN, REQUIRED_CAPABILITIES, REQUIRED_SCOPE } from './auth.constants';
import { compileScopeTemplate, type CompiledScope, type RequireCapabilityOptions } from './scope-template';

/**
 * Requires every named capability, on a controller class or a handler; a handler's
 * requirement replaces its class's. Names are checked when the decorator runs.
 * With `{ scope }` last, the capabilities are needed at that scope: a template whose
 * `{name}` placeholders are filled from the route parameter (HTTP), the field argument
 * (GraphQL) or the message's field (WebSocket) of that name, or a function of the
 * execution context. A template is checked when the decorator runs, and its
 * placeholders against the handler at start-up.
 *
 * @example
 * @RequireCapability('write')
 * @Post('articles') create() {}
 *
 * @RequireCapability('bake', { scope: 'shop:{shop}/oven:{oven}' })
 * @Get('shops/:shop/ovens/:oven/fire') fire() {}
 */
export function RequireCapability(...capabilities: string[]): ClassDecorator & MethodDecorator;
export function RequireCapability(...requirement: [...capabilities: string[], options: RequireCapabilityOptions]): ClassDecorator & MethodDecorator;
export function RequireCapability(...requirement: (string | RequireCapabilityOptions)[]): ClassDecorator & MethodDecorator {
  const last = requirement[requirement.length - 1];
  const options = typeof last === 'object' && last !== null ? last : undefined;
  const capabilities = options === undefined ? requirement : requirement.slice(0, -1);
  if (capabilities.length === 0) throw new TypeError('@RequireCapability needs at least one capability');
  capabilities.forEach((name) => assertCapabilityName(name));
  const scope = options === undefined ? null : compiledScope(options);
  // The scope is set (null when global) with the capabilities, so a handler's own requirement replaces its class's scope too.
  return applyDecorators(SetMetadata(REQUIRED_CAPABILITIES, Object.freeze([...new Set(capabilities as string[])])), SetMetadata(REQUIRED_SCOPE, scope));
}

function compiledScope(options: RequireCapabilityOptions): CompiledScope {
  const { scope } = options;
  return typeof scope === 'function' ? scope : compileScopeTemplate(scope);
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
 * Marks the module's OAuth endpoints where a client may authenticate by
 * `client_secret_basic`: there an `Authorization: Basic` header is the client's, judged
 * by the handler, not a malformed bearer credential the guard refuses.
 *
 * @example
 * @Post('token/revoke') @AcceptsClientAuthentication() revoke() {}
 */
export function AcceptsClientAuthentication(): MethodDecorator {
  return SetMetadata(CLIENT_AUTHENTICATION, true);
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
