import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeysController } from '../http/api-keys.controller';
import { AuditController } from '../http/audit.controller';
import { ClientsController } from '../http/clients.controller';
import { ClientTokenController } from '../http/client-token.controller';
import { CallbackController } from '../http/callback.controller';
import { ExplainController } from '../http/explain.controller';
import { LinkController } from '../http/link.controller';
import { LoginController } from '../http/login.controller';
import { ManageCapabilitiesController } from '../http/manage-capabilities.controller';
import { SessionController } from '../http/session.controller';
import { TokenController } from '../http/token.controller';
import { IntrospectionController } from '../http/introspection.controller';
import { WellKnownController } from '../http/well-known.controller';
import { errorResponse } from './error-responses';
import { securedBy, type Decorate } from './security-schemes';

/** The tag of the module's own routes. */
export const MODULE_TAG = 'nest-capabilities';

interface RouteDoc {
  readonly summary: string;
  /** `signed-in`: a session or a token; `manager`: and `user_management` (or oneself, as described). */
  readonly access: 'anyone' | 'signed-in' | 'manager';
  readonly ok: [number, string];
  readonly errors?: readonly [number, string][];
}

const BAD_BODY: [number, string] = [400, 'malformed body, unknown capability, invalid email or text that is not well-formed (INVALID_REQUEST, BODY_INVALID, UNKNOWN_CAPABILITY, INVALID_EMAIL, INPUT_INVALID)'];
/** What every route that reads a body may answer besides: too large, or not in UTF-8. */
const BODY_REFUSED: readonly [number, string][] = [
  [413, 'the body is larger than the limit (BODY_TOO_LARGE)'],
  [415, 'the body names a charset other than UTF-8 (MEDIA_TYPE_UNSUPPORTED)'],
];
const NOT_ALLOWED: [number, string] = [403, 'the caller may not do this: not a manager, or the change needs a capability they lack (GRANT_FORBIDDEN)'];
const MANAGEMENT_ANSWER = '{"status": "ok", "email", "capabilities": [...], "scopes": {"<scope>": [...]}}: as stored for that email, globally and at each scope (only the given scope and below when one is given)';
const BAD_BODY_OR_SCOPE: [number, string] = [400, `${BAD_BODY[1]}; or a scope that is not a path of type:id segments (SCOPE_INVALID)`];
const BAD_SCOPE: [number, string] = [400, 'a scope that is not a path of type:id segments (SCOPE_INVALID)'];
const NOT_MANAGER_THERE: [number, string] = [403, 'the caller does not hold user_management where the request acts (CAPABILITY_MISSING): a manager of a scope acts at it and below only; or the change needs a capability they lack there (GRANT_FORBIDDEN)'];

const ROUTES = new Map<abstract new (...args: never[]) => object, Record<string, RouteDoc>>([
  [
    LoginController,
    {
      login: { summary: 'Sign in: to the only provider, or a page with one button per provider', access: 'anyone', ok: [302, 'to the provider (one configured)'] },
      start: { summary: 'Start the authorization-code flow with a provider (state, PKCE, nonce)', access: 'anyone', ok: [302, 'to the provider'], errors: [[404, 'unknown provider']] },
      finishDev: { summary: 'Development sign-in form (development only)', access: 'anyone', ok: [302, 'signed in, back to the remembered page'], errors: [[400, 'the body is not a form or JSON (BODY_INVALID)'], ...BODY_REFUSED] },
    },
  ],
  [
    CallbackController,
    { callback: { summary: "The provider's redirect back: checks state, PKCE and nonce, then sets the session", access: 'anyone', ok: [302, 'signed in, back to the remembered page'], errors: [[400, 'provider error, missing code'], [401, 'state mismatch or expired attempt']] } },
  ],
  [LinkController, { link: { summary: 'Link another provider identity to the signed-in account', access: 'signed-in', ok: [302, 'to the provider'] } }],
  [
    SessionController,
    {
      whoami: {
        summary: 'Who is calling and their effective capabilities; ?scope=S: those effective at S',
        access: 'anyone',
        ok: [200, '{"user": email or null, "capabilities": [...], "scopes": {"<S>": [effective at S], ...}}; with ?scope=S: {"user", "capabilities"} effective at S'],
        errors: [[400, 'a malformed scope (SCOPE_INVALID)']],
      },
      logout: { summary: 'End the session, then back to / (or first to the provider, to sign out there too)', access: 'anyone', ok: [302, 'to / or to the provider'] },
      logoutByPost: { summary: 'End the session, then back to /', access: 'anyone', ok: [302, 'to /'] },
      signedOutAtProvider: { summary: 'Back from signing out at the OpenID Connect provider: checks the state', access: 'anyone', ok: [302, 'to /'], errors: [[401, 'the state is not the one this browser was sent with (LOGIN_STATE_MISMATCH, LOGIN_EXPIRED)']] },
    },
  ],
  [
    TokenController,
    {
      token: {
        summary: 'A bearer token for the signed-in user; ?user=name@service: a service token (user_management), limited to ?scope=S when given (user_management at S)',
        access: 'signed-in',
        ok: [200, '{"token", "token_type": "Bearer", "expires_at"} or {"service_token", "user", "capabilities", "expires_at"} (and "scope" for a token limited to one)'],
        errors: [[400, 'a service token for a non-service account, or a malformed scope (SCOPE_INVALID)'], [403, `${NOT_MANAGER_THERE[1]}; or a user token asked for with a bearer credential (SESSION_REQUIRED)`]],
      },
      revoke: {
        summary: 'Revoke one token: one\'s own, or anybody\'s with user_management; as a form (token, token_type_hint), RFC 7009',
        access: 'signed-in',
        ok: [200, '{"status": "ok", "revoked", "user"}; for a form, {} whatever the token was'],
        errors: [BAD_BODY, ...BODY_REFUSED, NOT_ALLOWED],
      },
      revokeAll: { summary: 'Revoke every token and session issued so far to an account', access: 'signed-in', ok: [200, '{"status": "ok", "user", "revoked_issued_up_to"}'], errors: [BAD_BODY, ...BODY_REFUSED, NOT_ALLOWED] },
    },
  ],
  [
    ManageCapabilitiesController,
    {
      list: { summary: 'Capabilities stored for an email, globally and at each scope; ?scope=S: only S and below (oneself, or anybody with user_management, at S when given)', access: 'manager', ok: [200, MANAGEMENT_ANSWER], errors: [BAD_BODY_OR_SCOPE, NOT_MANAGER_THERE] },
      all: {
        summary: 'Every account, every scope and the capability graph (user_management); ?scope=S: the grants at S and below (user_management at S)',
        access: 'manager',
        ok: [200, '{"status": "ok", "users", "graph", "scopes"}, or with ?scope=S {"status": "ok", "scope", "scopes": {"<S or below>": {"email": [...]}}}'],
        errors: [BAD_SCOPE, NOT_MANAGER_THERE],
      },
      add: { summary: 'Grant a capability, globally or at "scope" (user_management there; only what the manager holds there)', access: 'manager', ok: [200, MANAGEMENT_ANSWER], errors: [BAD_BODY_OR_SCOPE, ...BODY_REFUSED, NOT_MANAGER_THERE, [409, 'the last admin would be removed (LAST_ADMIN)']] },
      remove: { summary: 'Remove a capability, globally or at "scope" (user_management there; only what the manager holds there)', access: 'manager', ok: [200, MANAGEMENT_ANSWER], errors: [BAD_BODY_OR_SCOPE, ...BODY_REFUSED, NOT_MANAGER_THERE, [409, 'the last admin would be removed (LAST_ADMIN)']] },
      set: { summary: 'Replace the capabilities of an email, globally or at "scope" (user_management there)', access: 'manager', ok: [200, MANAGEMENT_ANSWER], errors: [BAD_BODY_OR_SCOPE, ...BODY_REFUSED, NOT_MANAGER_THERE, [409, 'the last admin would be removed (LAST_ADMIN)']] },
      dropScope: {
        summary: 'Remove every grant at "scope" and below it, as for a deleted shop (user_management there, holding there every capability removed)',
        access: 'manager',
        ok: [200, '{"status": "ok", "scope", "removed": <number of (account, capability, scope) grants removed>}'],
        errors: [BAD_BODY_OR_SCOPE, ...BODY_REFUSED, NOT_MANAGER_THERE],
      },
      holders: {
        summary: 'Every stored account holding ?capability= at ?scope= (globally when left out), by any route (user_management there)',
        access: 'manager',
        ok: [200, '{"status": "ok", "capability", "scope", "everyone", "holders": [...]}'],
        errors: [[400, 'unknown or malformed capability (UNKNOWN_CAPABILITY, INVALID_CAPABILITY_NAME), or a malformed scope (SCOPE_INVALID)'], NOT_MANAGER_THERE],
      },
      scopes: {
        summary: 'The fewest scopes (?under= or below it) where an account holds ?capability= (oneself, or anybody with user_management, at ?under= when given)',
        access: 'manager',
        ok: [200, '{"status": "ok", "email", "capability", "everywhere", "scopes": [...]}'],
        errors: [[400, 'unknown or malformed capability, invalid email or malformed scope (UNKNOWN_CAPABILITY, INVALID_CAPABILITY_NAME, INVALID_EMAIL, SCOPE_INVALID)'], NOT_MANAGER_THERE],
      },
      delete: {
        summary: 'Delete an account (offboarding): its grants, identity links, tokens and sessions end at once, on every instance (user_management, holding all it holds)',
        access: 'manager',
        ok: [200, '{"status": "ok", "email", "deleted": true, "revoked_issued_up_to"}'],
        errors: [
          BAD_BODY,
          ...BODY_REFUSED,
          NOT_ALLOWED,
          [404, 'nothing is stored or linked for that email (UNKNOWN_ACCOUNT)'],
          [409, 'the last admin would be removed (LAST_ADMIN), or the account is pinned in the capability file (ACCOUNT_PINNED)'],
        ],
      },
    },
  ],
  [
    ExplainController,
    {
      explain: {
        summary: 'Why an account holds a capability (at a scope), or does not: every grant that leads to it, with its chain of implications (oneself, or user_management at the scope)',
        access: 'signed-in',
        ok: [200, '{"status": "ok", "email", "capability", "scope", "allowed", "because": [{"source", "scope", "path"}]}'],
        errors: [[400, 'unknown capability, invalid email or scope (UNKNOWN_CAPABILITY, INVALID_CAPABILITY_NAME, INVALID_EMAIL, SCOPE_INVALID)'], NOT_ALLOWED],
      },
    },
  ],
  [
    ApiKeysController,
    {
      create: {
        summary: 'Create an API key (nck_…) with capabilities the manager holds, limited to "scope" when given (user_management there); the key is shown once (signed in by a session)',
        access: 'manager',
        ok: [200, '{"status": "ok", "key", "name", "capabilities", "expires_at"} (and "scope" for a key limited to one)'],
        errors: [BAD_BODY_OR_SCOPE, ...BODY_REFUSED, [403, `${NOT_MANAGER_THERE[1]}; or asked with a bearer credential instead of a session (SESSION_REQUIRED)`], [409, 'a live key of that name exists (KEY_EXISTS)']],
      },
      list: { summary: 'The API keys with their scope (null: global), never their secrets (user_management)', access: 'manager', ok: [200, '{"status": "ok", "keys": [...]}'], errors: [NOT_ALLOWED] },
      revoke: { summary: 'Revoke an API key at once, on every instance (user_management)', access: 'manager', ok: [200, '{"status": "ok", "name"}'], errors: [BAD_BODY, ...BODY_REFUSED, NOT_ALLOWED, [404, 'no key of that name (KEY_UNKNOWN)']] },
    },
  ],
  [
    ClientsController,
    {
      create: {
        summary: 'Create an OAuth client of a service account, limited to "scope" when given; the secret (ncs_…) is shown once (user_management, holding every capability of the account; signed in by a session)',
        access: 'manager',
        ok: [200, '{"status": "ok", "client_id", "client_secret", "account", "name"} (and "scope" for a client limited to one)'],
        errors: [
          BAD_BODY_OR_SCOPE,
          [400, 'the account is not a service account (SERVICE_ACCOUNT_REQUIRED)'],
          ...BODY_REFUSED,
          [403, `${NOT_MANAGER_THERE[1]}; or asked with a bearer credential instead of a session (SESSION_REQUIRED)`],
          [404, 'no such service account in the store (UNKNOWN_ACCOUNT)'],
        ],
      },
      list: { summary: 'The live OAuth clients, never their secrets (user_management)', access: 'manager', ok: [200, '{"status": "ok", "clients": [...]}'], errors: [NOT_ALLOWED] },
      revoke: { summary: 'Revoke an OAuth client and every token issued to it, at once, on every instance (user_management, holding every capability of the account)', access: 'manager', ok: [200, '{"status": "ok", "client_id"}'], errors: [BAD_BODY, ...BODY_REFUSED, NOT_ALLOWED, [404, 'no live client of that id (CLIENT_UNKNOWN)']] },
    },
  ],
  [
    ClientTokenController,
    {
      token: {
        summary:
          'OAuth 2.0 token endpoint, client-credentials grant (RFC 6749 §4.4): a form with grant_type=client_credentials and an optional scope (capability names), the client by client_secret_basic or client_secret_post. Errors as RFC 6749 §5.2, {"error", "error_description"}: 401 invalid_client, 400 invalid_request, unsupported_grant_type, invalid_scope, 429 slow_down',
        access: 'anyone',
        ok: [200, '{"access_token", "token_type": "Bearer", "expires_in", "scope"}: an RFC 9068 JWT'],
      },
    },
  ],
  [
    IntrospectionController,
    {
      introspect: {
        summary: 'RFC 7662: whether a token or an API key (form: token) is live, and its claims (user_management)',
        access: 'manager',
        ok: [200, '{"active": true, "sub", "scope", "exp", "iat", "iss", "token_type": "Bearer"} or {"active": false}'],
        errors: [[400, 'not a form, or no token (INVALID_REQUEST)'], ...BODY_REFUSED, [403, 'the caller does not hold user_management (CAPABILITY_MISSING)']],
      },
    },
  ],
  [
    WellKnownController,
    {
      jwks: { summary: 'The public keys that verify this application\'s tokens (none under HS256)', access: 'anyone', ok: [200, '{"keys": [{"kty", "crv", "x", "kid", "alg", "use": "sig"}]}'] },
      metadata: { summary: 'RFC 8414 authorization server metadata', access: 'anyone', ok: [200, '{"issuer", "token_endpoint", "introspection_endpoint", "revocation_endpoint", "jwks_uri"?, ...}'] },
    },
  ],
  [
    AuditController,
    { entries: { summary: 'The audit log, newest first, each entry with its scope (null: global); ?email= filters on the target (user_management)', access: 'manager', ok: [200, '{"status": "ok", "entries": [...]}'], errors: [BAD_BODY, NOT_ALLOWED] } },
  ],
]);

/**
 * The swagger decorators describing one of the module's own routes, or undefined for
 * a handler that is not one (it is then described by its `@RequireCapability`).
 */
export function documentModuleRoute(controller: new (...args: never[]) => object, method: string): Decorate[] | undefined {
  for (const [base, routes] of ROUTES) {
    if (controller !== base && !(controller.prototype instanceof base)) continue;
    const route = routes[method];
    if (route === undefined) return [ApiTags(MODULE_TAG)];
    const decorators: Decorate[] = [ApiTags(MODULE_TAG), ApiOperation({ summary: route.summary }), ApiResponse({ status: route.ok[0], description: route.ok[1] })];
    if (route.access !== 'anyone') {
      decorators.push(...securedBy(), ApiResponse(errorResponse(401, 'nobody is signed in (SIGN_IN_REQUIRED), or the bearer token is invalid, expired or revoked')));
    }
    for (const [status, description] of route.errors ?? []) decorators.push(ApiResponse(errorResponse(status, description)));
    return decorators;
  }
  return undefined;
}
