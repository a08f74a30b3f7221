/**
 * Every failure the module reports has a stable `code`, so callers and the HTTP edge
 * can branch on it without parsing messages. Only `http/` and `nest/` turn codes
 * into status codes.
 */
export type CapabilitiesErrorCode =
  | 'CAPS_YAML_SYNTAX'
  | 'CAPS_SCHEMA'
  | 'CAPS_CYCLE'
  | 'CAPS_UNDEFINED'
  | 'CAPS_DUPLICATE_USER'
  | 'CAPS_FILE_UNREADABLE'
  | 'CAPS_FILE_TOO_LARGE'
  | 'CAPS_FILE_EXISTS'
  | 'POLICY_TEST_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'CAPS_STORE_BUSY'
  | 'INVALID_CAPABILITY_NAME'
  | 'INVALID_EMAIL'
  | 'UNKNOWN_CAPABILITY'
  | 'UNKNOWN_ACCOUNT'
  | 'GRANT_FORBIDDEN'
  | 'LAST_ADMIN'
  | 'ACCOUNT_PINNED'
  | 'INVALID_REQUEST'
  | 'INPUT_INVALID'
  | 'SCOPE_INVALID'
  | 'BODY_INVALID'
  | 'BODY_TOO_LARGE'
  | 'MEDIA_TYPE_UNSUPPORTED'
  | 'CROSS_SITE_REQUEST'
  | 'SESSION_REQUIRED'
  | 'SIGN_IN_REQUIRED'
  | 'CAPABILITY_MISSING'
  | 'CONTEXT_UNSUPPORTED'
  | 'CONFIG_INVALID'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_REVOKED'
  | 'TOKEN_WRONG_TYPE'
  | 'REVOCATION_LIMIT'
  | 'LOGIN_STATE_MISMATCH'
  | 'LOGIN_EXPIRED'
  | 'LOGIN_REFUSED'
  | 'LOGIN_PROVIDER_ERROR'
  | 'LOGIN_IDENTITY_LINKED'
  | 'LOGIN_PROVIDER_UNKNOWN'
  | 'KEY_EXISTS'
  | 'KEY_UNKNOWN'
  | 'CLIENT_UNKNOWN'
  | 'SERVICE_ACCOUNT_REQUIRED'
  | 'OAUTH_INVALID_REQUEST'
  | 'OAUTH_INVALID_CLIENT'
  | 'OAUTH_INVALID_SCOPE'
  | 'OAUTH_UNSUPPORTED_GRANT_TYPE'
  | 'OAUTH_SLOW_DOWN';

/** Base class of every error thrown by nest-capabilities. */
export class CapabilitiesError extends Error {
  readonly code: CapabilitiesErrorCode;

  constructor(code: CapabilitiesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Where in a caps.yaml file something was found. Lines and columns start at 1. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A caps.yaml file that cannot be used: bad YAML, a wrong type, a cycle, an
 * undefined capability. Carries the file, the position and the offending name.
 */
export class CapsFileError extends CapabilitiesError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly offender: string | undefined;
  readonly detail: string;

  constructor(
    code: CapabilitiesErrorCode,
    detail: string,
    where: { file: string; position?: SourcePosition | undefined; offender?: string | undefined },
  ) {
    const at = where.position ? `:${where.position.line}:${where.position.column}` : '';
    super(code, `${where.file}${at}: ${detail}`);
    this.file = where.file;
    this.line = where.position?.line;
    this.column = where.position?.column;
    this.offender = where.offender;
    this.detail = detail;
  }
}

/** A structural problem of the capability graph itself, before any file position is known. */
export class CapabilityGraphError extends CapabilitiesError {
  readonly capability: string;
  /**
   * For a cycle, the names along it, first and last equal. For an undefined
   * implication, the capability that names it and the undefined name.
   */
  readonly path: readonly string[];

  constructor(code: 'CAPS_CYCLE' | 'CAPS_UNDEFINED', capability: string, message: string, path: readonly string[] = []) {
    super(code, message);
    this.capability = capability;
    this.path = path;
  }
}

/** The codes of an `InvalidInputError`. */
export type InvalidInputCode =
  | 'INVALID_CAPABILITY_NAME'
  | 'INVALID_EMAIL'
  | 'UNKNOWN_CAPABILITY'
  | 'UNKNOWN_ACCOUNT'
  | 'INVALID_REQUEST'
  | 'INPUT_INVALID'
  | 'SCOPE_INVALID'
  | 'BODY_INVALID'
  | 'BODY_TOO_LARGE'
  | 'MEDIA_TYPE_UNSUPPORTED';

/**
 * A value from a request or a file that is not acceptable: a capability name, an email,
 * a field, text that is not well-formed (`INPUT_INVALID`), or the body itself (not JSON or not a form: `BODY_INVALID`; too large:
 * `BODY_TOO_LARGE`; of another media type or charset: `MEDIA_TYPE_UNSUPPORTED`).
 */
export class InvalidInputError extends CapabilitiesError {
  readonly field: string;

  constructor(
    code: InvalidInputCode,
    field: string,
    message: string,
  ) {
    super(code, message);
    this.field = field;
  }
}

/** A change to somebody's capabilities that the caller may not make. */
export class GrantError extends CapabilitiesError {
  readonly capability: string;

  constructor(code: 'GRANT_FORBIDDEN' | 'LAST_ADMIN' | 'ACCOUNT_PINNED', capability: string, message: string) {
    super(code, message);
    this.capability = capability;
  }
}

/** Options or environment that the module refuses to start with. */
export class ConfigError extends CapabilitiesError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** The codes of a `TokenError`. */
export type TokenErrorCode = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_WRONG_TYPE';

/** A bearer token, API key or session value that does not authenticate anybody. */
export class TokenError extends CapabilitiesError {
  declare readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A sign-in attempt that must not produce a session. */
export class LoginError extends CapabilitiesError {
  constructor(
    code: 'LOGIN_STATE_MISMATCH' | 'LOGIN_EXPIRED' | 'LOGIN_REFUSED' | 'LOGIN_PROVIDER_ERROR' | 'LOGIN_IDENTITY_LINKED' | 'LOGIN_PROVIDER_UNKNOWN',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A state-changing request that a session cookie authenticates, sent from another site. */
export class CrossSiteRequestError extends CapabilitiesError {
  constructor(message: string) {
    super('CROSS_SITE_REQUEST', message);
  }
}

/**
 * The shared store cannot be trusted or written now: Redis is unreachable or lost its
 * data. A write was not applied and never will be; a read past the staleness bound
 * is refused rather than answered from old state.
 */
export class StoreUnavailableError extends CapabilitiesError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/** A request that only a browser session may make, made with a bearer token (a token may not renew itself). */
export class SessionRequiredError extends CapabilitiesError {
  constructor(message: string) {
    super('SESSION_REQUIRED', message);
  }
}

/** An API key request about a name: a live key of that name exists, or none does. */
export class ApiKeyError extends CapabilitiesError {
  readonly keyName: string;

  constructor(code: 'KEY_EXISTS' | 'KEY_UNKNOWN', keyName: string, message: string) {
    super(code, message);
    this.keyName = keyName;
  }
}

/** A request about an OAuth client: none has that id (or it is revoked already), or the account is not a service account. */
export class ClientError extends CapabilitiesError {
  readonly clientId: string;

  constructor(code: 'CLIENT_UNKNOWN' | 'SERVICE_ACCOUNT_REQUIRED', clientId: string, message: string) {
    super(code, message);
    this.clientId = clientId;
  }
}

/** The `error` of an RFC 6749 §5.2 answer, one per code of an `OAuthError`. */
export const OAUTH_ERROR_NAMES = {
  OAUTH_INVALID_REQUEST: 'invalid_request',
  OAUTH_INVALID_CLIENT: 'invalid_client',
  OAUTH_INVALID_SCOPE: 'invalid_scope',
  OAUTH_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  OAUTH_SLOW_DOWN: 'slow_down',
} as const;

/** The codes of an `OAuthError`. */
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_NAMES;

/**
 * A refusal of the token endpoint (`POST /token`), answered as RFC 6749 §5.2 says:
 * `{"error": "<name>", "error_description"}`. `retryAfterSeconds` is set for
 * `OAUTH_SLOW_DOWN` (too many failed client authentications).
 *
 * @example
 * throw new OAuthError('OAUTH_INVALID_SCOPE', 'the account does not hold "arrest"');
 */
export class OAuthError extends CapabilitiesError {
  declare readonly code: OAuthErrorCode;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: OAuthErrorCode, message: string, retryAfterSeconds?: number) {
    super(code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The `error` field of the answer. */
  get oauthError(): string {
    return OAUTH_ERROR_NAMES[this.code];
  }
}

/** A revocation refused because the account has as many revoked live tokens as it may keep. */
export class RevocationLimitError extends CapabilitiesError {
  constructor(message: string) {
    super('REVOCATION_LIMIT', message);
  }
}

/**
 * A caller that may not do what it asked: nobody is signed in (`SIGN_IN_REQUIRED`),
 * the principal lacks `capability` (`CAPABILITY_MISSING`), or the request came through
 * a transport the guard cannot judge (`CONTEXT_UNSUPPORTED`, always a denial).
 *
 * @example
 * throw new AccessError('CAPABILITY_MISSING', 'write', 'missing capability "write"');
 */
export class AccessError extends CapabilitiesError {
  /** The capability asked for; undefined where signing in is all that is needed. */
  readonly capability: string | undefined;
  /** Where a guest's browser is sent to sign in instead of being refused; the HTTP exception filter redirects there. */
  readonly signInAt: string | undefined;
  /** The scope the capability was asked at (a scoped `@RequireCapability`); undefined for a global check. */
  readonly scope: string | undefined;

  constructor(
    code: 'SIGN_IN_REQUIRED' | 'CAPABILITY_MISSING' | 'CONTEXT_UNSUPPORTED',
    capability: string | undefined,
    message: string,
    signInAt?: string,
    scope?: string,
  ) {
    super(code, message);
    this.capability = capability;
    this.signInAt = signInAt;
    this.scope = scope;
  }
}
