/**
 * Injection token of the options given to `AuthModule.forRoot` or made by `forRootAsync`:
 * here, not beside the module's definition, so the services that read it need not import the module.
 */
export const AUTH_MODULE_OPTIONS = 'AUTH_MODULE_OPTIONS';
/** Injection token of the resolved, validated configuration (`AuthConfig`). */
export const AUTH_CONFIG = Symbol('nest-capabilities:config');
/** Injection token of the `CapabilityStore` in use. */
export const CAPABILITY_STORE = Symbol('nest-capabilities:store');
/** Metadata key of `@RequireCapability`. */
export const REQUIRED_CAPABILITIES = 'nest-capabilities:required';
/** Metadata key of the scope of `@RequireCapability` (a `CompiledScope`, or null for a global requirement). */
export const REQUIRED_SCOPE = 'nest-capabilities:required-scope';
/** Metadata key of `@Public`. */
export const PUBLIC_ROUTE = 'nest-capabilities:public';
/** Metadata key of `@RedirectToLogin`. */
export const REDIRECT_TO_LOGIN = 'nest-capabilities:redirect-to-login';
/** Metadata key of `@AcceptsClientAuthentication`. */
export const CLIENT_AUTHENTICATION = 'nest-capabilities:client-authentication';
/** Metadata key of `@NeedsFreshStore`. */
export const NEEDS_FRESH_STORE = 'nest-capabilities:needs-fresh-store';
/** Where the guard leaves the principal on the request (null for a guest). */
export const PRINCIPAL = Symbol('nest-capabilities:principal');
/**
 * Injection token of the module's clock, in milliseconds (`Date.now`): what issues
 * tokens, sessions and API keys and decides their expiry. Tests override it to freeze time.
 */
export const CLOCK = Symbol('nest-capabilities:clock');
/** Injection token of the module's metrics (`ModuleTelemetry`), or null with `telemetry: false`. */
export const TELEMETRY = Symbol('nest-capabilities:telemetry');
/** Injection token of whether `CapabilityGuard` is installed as a global guard. */
export const GUARD_IS_GLOBAL = Symbol('nest-capabilities:guard-is-global');
