import type { AuditLog } from '../audit/audit-log';
import type { ApiKeyStore } from '../api-keys/api-key-store';
import type { ProviderOptions } from '../providers/provider-options';
import type { Backend } from '../stores/backend';
import type { CapabilityStore } from '../stores/capability-store';
import type { RedisStoreOptions } from '../stores/redis/redis-store.options';
import type { RevocationStore } from '../tokens/revocation-store';

/**
 * Options of `AuthModule.forRoot` / `forRootAsync`.
 *
 * @example
 * AuthModule.forRoot({ secret: process.env.AUTH_SECRET!, baseUrl: 'https://app.example.com', capsFile: 'caps.yaml' })
 */
export interface AuthModuleOptions {
  /** Signs and encrypts cookies and tokens. At least 32 random bytes; required in production. */
  readonly secret: string;
  /** Secrets `secret` replaced: tokens they signed keep working while listed here. */
  readonly previousSecrets?: readonly string[];
  /**
   * What tokens are signed with: `'HS256'` (default) with a key derived from `secret`,
   * or a key pair, `'EdDSA'` (Ed25519) or `'ES256'` (P-256), whose public keys other
   * services read at `/.well-known/jwks.json`. The pair is derived from `secret` (every
   * instance agrees without a key file) unless `signingKey` is given. Tokens issued
   * under HS256 keep working after a switch.
   */
  readonly tokenAlgorithm?: 'HS256' | 'EdDSA' | 'ES256';
  /** With an asymmetric `tokenAlgorithm`: the private key that signs tokens, as PKCS#8 PEM (e.g. `readSecretFile(path, 'AUTH_SIGNING_KEY_FILE')`). */
  readonly signingKey?: string;
  /** Keys (PEM, private or public) `signingKey` replaced: tokens they signed keep verifying, and the JWKS lists them, while listed here. */
  readonly previousSigningKeys?: readonly string[];
  /** The application's external URL; redirect URIs and the cookies' Secure flag follow it. */
  readonly baseUrl: string;
  /** Path of the capability file. Default `caps.yaml`. Ignored when `store` is given. */
  readonly capsFile?: string;
  /**
   * Where state lives, as one bundle of your own: capabilities (with identity links and
   * account deletion), revocations, API keys and the audit trail (see `Backend` in
   * `nest-capabilities/extend`). The app opens and closes it. Not with `store`, `redis`,
   * `revocationStore`, `apiKeyStore` or `auditLog`.
   */
  readonly backend?: Backend;
  /** A store of your own instead of the file (e.g. one shared through Redis). */
  readonly store?: CapabilityStore;
  /**
   * Share accounts, identity links and revocations between instances through Redis
   * (`{ url, prefix, maxStalenessSeconds }`); the graph and defaults stay in `capsFile`,
   * whose `users` seed an empty prefix once. Not with `store` or `revocationStore`.
   */
  readonly redis?: RedisStoreOptions;
  /**
   * Where revoked bearer tokens are kept. Default: `<capsFile>.revoked.json` next to the
   * caps file; with a `store` of your own and none given, this process only (warned).
   */
  readonly revocationStore?: RevocationStore;
  /**
   * Where API keys (their hashes) are kept. Default: `<capsFile>.keys.json` next to the
   * caps file; with a `store` of your own and none given, this process only (warned).
   */
  readonly apiKeyStore?: ApiKeyStore;
  /**
   * Where the audit trail of changes is kept. Default: `<capsFile>.audit.jsonl` next to
   * the caps file; with a `store` of your own and none given, this process only (warned).
   */
  readonly auditLog?: AuditLog;
  /**
   * Days the default audit logs (the file next to the caps file, Redis) keep every entry
   * of the trail, whatever the number of refusals. Default 90.
   */
  readonly auditRetentionDays?: number;
  /** Lifetime of an API key created without `expires_in`, in seconds. Default 90 days. */
  readonly apiKeyTtlSeconds?: number;
  /** Let managers create API keys that never expire (`"expires_in": "never"`). Default false. */
  readonly apiKeysMayNeverExpire?: boolean;
  /** How audit entries name this process. Default `<host>:<pid>`. */
  readonly instanceName?: string;
  /**
   * The development sign-in provider `dev`: anybody signs in as any email. Only for
   * development; the module refuses to start with it in production.
   */
  readonly devLogin?: boolean;
  /**
   * Development only: every request without credentials (no Authorization header, no
   * valid session cookie) acts as this user, as if signed in through a session
   * (easy-oauth's `force_user`). A request with credentials is judged on them. Warned
   * at start-up, shown on the module's HTML pages, refused in production.
   */
  readonly devUser?: string;
  /**
   * The sign-in providers, one entry each: `{ kind: 'oidc', issuer, clientId, clientSecret }`
   * for any OpenID Connect provider (see `ProviderOptions`). Callback URL to register
   * with each: `<baseUrl><prefix>/auth/<name>/callback`.
   */
  readonly providers?: readonly ProviderOptions[];
  /** Production rules (strong secret, no development sign-in). Default: `NODE_ENV === 'production'`. */
  readonly production?: boolean;
  /** Lifetime of a session cookie, in seconds. Default 8 hours. */
  readonly sessionTtlSeconds?: number;
  /** Lifetime of a user's bearer token from `GET /token`, in seconds. Default 30 days. */
  readonly userTokenTtlSeconds?: number;
  /** Lifetime of a service token, in seconds, or `'never'` to issue tokens that do not expire. Default 90 days. */
  readonly serviceTokenTtlSeconds?: number | 'never';
  /** Lifetime of an access token issued to an OAuth client (`POST /token`), in seconds. Default 3600. */
  readonly clientTokenTtlSeconds?: number;
  /** Largest request body the module's routes accept, in bytes. Default 16 KiB. */
  readonly maxBodyBytes?: number;
  /** Put the capability guard on every route of the application. Default true. */
  readonly globalGuard?: boolean;
  /**
   * Record the module's metrics through `@opentelemetry/api` (see the README's Telemetry
   * section): a no-op until the application registers an SDK, before creating the app.
   * `false` records none, and the guard counts nothing. Default true.
   */
  readonly telemetry?: boolean;
}

/** Options that shape the module itself, given next to the others in `forRoot`/`forRootAsync`. */
export interface AuthModuleExtras {
  /** Make the module's providers available everywhere. Default true. */
  readonly isGlobal?: boolean;
  /** Prefix of the module's routes, e.g. `/api/v1`. Default none. */
  readonly prefix?: string;
}
