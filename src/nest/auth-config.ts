import { defaultInstanceName } from '../audit/audit-recorder';
import { ConfigError } from '../errors';
import type { ApiKeyPolicy } from '../api-keys/api-key-request';
import { checkedRetentionDays } from '../stores/audit-retention';
import { assertStrongSecret, deriveKeys, type DerivedKeys } from '../secrets/auth-secret';
import { cookiePolicyFor, type CookiePolicy } from '../session/cookie-jar';
import type { AuthModuleOptions } from './auth-module.options';
import { assertDevUserAllowed, devUserWarning } from './dev-user';
import { assertAuthOptions } from './auth-options.check';
import { isLoopbackHost } from '../providers/oidc/oidc-issuer';
import type { TokenKeyring } from '../tokens/token-keyring';
import { tokenKeyringFor } from './token-keys.config';

/** The options after defaults and checks, with keys derived once. */
export interface AuthConfig {
  readonly baseUrl: URL;
  /** Route prefix, '' or '/something' without a trailing slash. */
  readonly prefix: string;
  readonly production: boolean;
  readonly devLogin: boolean;
  /** Canonical email every request without credentials acts as, or null. */
  readonly devUser: string | null;
  readonly keys: DerivedKeys;
  /** The keys that sign and verify bearer tokens, with their algorithm. */
  readonly tokenKeys: TokenKeyring;
  readonly secret: string;
  readonly previousSecrets: readonly string[];
  readonly cookies: CookiePolicy;
  readonly capsFile: string;
  readonly sessionTtlSeconds: number;
  readonly userTokenTtlSeconds: number;
  readonly serviceTokenTtlSeconds: number | null;
  /** Lifetime of an OAuth client's access token, in seconds. */
  readonly clientTokenTtlSeconds: number;
  readonly maxBodyBytes: number;
  readonly globalGuard: boolean;
  /** Whether the module records its metrics. */
  readonly telemetry: boolean;
  /** How API keys may be made. */
  readonly apiKeys: ApiKeyPolicy;
  /** How audit entries name this process. */
  readonly instanceName: string;
  /** Days the default audit logs keep every entry of the trail (null: never dropped). */
  readonly auditRetentionDays: number | null;
  /** Problems worth a warning that do not stop a development start. */
  readonly warnings: readonly string[];
}

/**
 * Checks `options` and fills in defaults. Throws `CONFIG_INVALID` (never echoing a
 * secret) for anything the module must not start with.
 */
export function resolveAuthConfig(options: AuthModuleOptions, prefix = '', env: NodeJS.ProcessEnv = process.env): AuthConfig {
  assertAuthOptions(options, 'AuthModule options', false);
  const production = options.production ?? env['NODE_ENV'] === 'production';
  const warnings: string[] = [];
  if (typeof options.secret !== 'string' || options.secret.length === 0) throw missingSecret(env);
  for (const secret of [options.secret, ...(options.previousSecrets ?? [])]) {
    try {
      assertStrongSecret(secret);
    } catch (error) {
      if (production) throw error;
      warnings.push(`${(error as Error).message}; this is refused in production`);
    }
  }
  const devLogin = options.devLogin ?? false;
  if (devLogin && production) {
    throw new ConfigError('the development sign-in cannot be enabled in production (NODE_ENV=production)');
  }
  const devUser = assertDevUserAllowed(options.devUser, production);
  if (devUser !== null) warnings.push(devUserWarning(devUser));
  const baseUrl = parseBaseUrl(options.baseUrl);
  if (production && baseUrl.protocol !== 'https:' && !isLoopbackHost(baseUrl.hostname)) {
    warnings.push(`baseUrl ${baseUrl.origin} is not https: cookies will not be marked Secure`);
  }
  const keys = deriveKeys(options.secret, options.previousSecrets);
  return {
    baseUrl,
    prefix: normalizePrefix(prefix),
    production,
    devLogin,
    devUser,
    keys,
    tokenKeys: tokenKeyringFor(options, keys),
    secret: options.secret,
    previousSecrets: options.previousSecrets ?? [],
    cookies: cookiePolicyFor(baseUrl),
    capsFile: options.capsFile ?? 'caps.yaml',
    sessionTtlSeconds: positive(options.sessionTtlSeconds, 'sessionTtlSeconds', 8 * 3600),
    userTokenTtlSeconds: positive(options.userTokenTtlSeconds, 'userTokenTtlSeconds', 30 * 86400),
    serviceTokenTtlSeconds:
      options.serviceTokenTtlSeconds === 'never' ? null : positive(options.serviceTokenTtlSeconds, 'serviceTokenTtlSeconds', 90 * 86400),
    clientTokenTtlSeconds: positive(options.clientTokenTtlSeconds, 'clientTokenTtlSeconds', 3600),
    maxBodyBytes: positive(options.maxBodyBytes, 'maxBodyBytes', 16 * 1024),
    globalGuard: options.globalGuard ?? true,
    telemetry: options.telemetry ?? true,
    apiKeys: {
      defaultTtlSeconds: positive(options.apiKeyTtlSeconds, 'apiKeyTtlSeconds', 90 * 86400),
      mayNeverExpire: options.apiKeysMayNeverExpire ?? false,
    },
    instanceName: options.instanceName ?? defaultInstanceName(),
    auditRetentionDays: checkedRetentionDays(options.auditRetentionDays),
    warnings,
  };
}

/**
 * The refusal of an empty `secret`, written for the newcomer who meets it first: which
 * variable, how to make one, how a test gets one. A secret read from `process.env` when
 * the module is imported is the usual cause; it names the variable, never its value.
 */
function missingSecret(env: NodeJS.ProcessEnv): ConfigError {
  const cause =
    (env['AUTH_SECRET'] ?? '') === ''
      ? 'AuthModule got no secret.'
      : 'AuthModule got no secret, though AUTH_SECRET is set now: the options were built before it was set.';
  return new ConfigError(
    `secret is required: ${cause} Keep it in the environment variable AUTH_SECRET, made with \`openssl rand -base64 48\`, ` +
      "and read it when the module is built (forRootAsync: config.getOrThrow('AUTH_SECRET')); " +
      "a test sets AUTH_SECRET before it compiles the testing module (see the README's quick start)",
  );
}

function parseBaseUrl(value: unknown): URL {
  if (typeof value !== 'string') throw new ConfigError('baseUrl is required, e.g. "https://app.example.com"');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`baseUrl ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`baseUrl must be http or https, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError('baseUrl must not hold credentials, a query or a fragment');
  }
  return url;
}

/** `'/api/v1/'`, `'api/v1'` -> `'/api/v1'`; `''` stays `''`. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  if (!/^[A-Za-z0-9._~\-/]+$/.test(trimmed)) throw new ConfigError(`prefix ${JSON.stringify(prefix)} holds characters a path may not`);
  return `/${trimmed}`;
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number, got ${String(value)}`);
  return value;
}

