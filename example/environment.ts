import { randomBytes } from 'node:crypto';
import { readSecretFile, secretFromEnvironment } from '../src/secrets/secret-file';
import type { AuthModuleOptions, GitHubProviderOptions, GoogleProviderOptions, OidcProviderOptions } from '../src';

/** What the example app reads from its environment (README: "The example app"). */
export interface ExampleSettings {
  readonly port: number;
  readonly host: string;
  /** The HTTP platform under Nest: `HTTP_ADAPTER=fastify`, or Express by default. */
  readonly adapter: 'express' | 'fastify';
  /** `AUTH_PREFIX`: where the module's routes are mounted, e.g. `/auth` (default none). */
  readonly prefix: string;
  readonly auth: AuthModuleOptions;
  /** Said once at start: what was defaulted and why. */
  readonly notices: readonly string[];
}

const PROVIDER_VARIABLES = ['GOOGLE_CLIENT_ID', 'GITHUB_CLIENT_ID', 'OIDC_ISSUER'];

/**
 * The example's settings from environment variables, with the embedded defaults:
 * port 3000, the repository's caps.yaml, the development sign-in, a random secret.
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): ExampleSettings {
  const notices: string[] = [];
  const production = env['NODE_ENV'] === 'production';
  const port = parsePort(env['PORT'] ?? '3000');
  let secret = secretFromEnvironment(env, 'AUTH_SECRET');
  if (secret === undefined) {
    if (production) throw new Error('AUTH_SECRET is required when NODE_ENV=production');
    secret = randomBytes(48).toString('base64url');
    notices.push('AUTH_SECRET is not set: using a random secret, so sessions and tokens end when the app stops');
  }
  const baseUrl = baseUrlFromEnvironment(env, port, production);
  const anyProvider = PROVIDER_VARIABLES.some((name) => (env[name] ?? '') !== '');
  const devLogin = parseFlag(env['AUTH_DEV_LOGIN'], 'AUTH_DEV_LOGIN') ?? (!anyProvider && !production);
  if (devLogin) notices.push('the development sign-in is on: anybody can sign in as anybody (development only)');
  // AUTH_DEV_USER: every request without credentials acts as this user; the module refuses it in production and warns.
  const devUser = env['AUTH_DEV_USER'] ?? '';
  return {
    port,
    host: env['HOST'] ?? '127.0.0.1',
    adapter: parseAdapter(env['HTTP_ADAPTER']),
    prefix: env['AUTH_PREFIX'] ?? '',
    notices,
    auth: {
      secret,
      baseUrl,
      capsFile: env['CAPS_FILE'] ?? 'caps.yaml',
      // AUTH_PREVIOUS_SECRETS: comma-separated secrets AUTH_SECRET replaced; their tokens keep working (key rotation).
      previousSecrets: (env['AUTH_PREVIOUS_SECRETS'] ?? '').split(',').filter((previous) => previous !== ''),
      ...tokenSigningFromEnvironment(env),
      devLogin,
      ...(devUser === '' ? {} : { devUser }),
      production,
      // API_KEYS_MAY_NEVER_EXPIRE=true: managers may create API keys with "expires_in": "never".
      apiKeysMayNeverExpire: parseFlag(env['API_KEYS_MAY_NEVER_EXPIRE'], 'API_KEYS_MAY_NEVER_EXPIRE') ?? false,
      // CLIENT_TOKEN_TTL_SECONDS: lifetime of the access tokens POST /token issues to OAuth clients (default 3600).
      ...clientTokenTtlFromEnvironment(env),
      providers: [...oidcProviderFromEnvironment(env), ...googleProviderFromEnvironment(env), ...gitHubProviderFromEnvironment(env)],
      ...redisFromEnvironment(env),
    },
  };
}

/**
 * `BASE_URL`, the URL browsers and providers reach the app at: `http://localhost:$PORT` in
 * development, required in production, where a guess would put localhost in every
 * redirect URI and leave the cookies without `Secure`.
 */
function baseUrlFromEnvironment(env: NodeJS.ProcessEnv, port: number, production: boolean): string {
  const given = env['BASE_URL'] ?? '';
  if (given !== '') return given;
  if (production) {
    throw new Error('BASE_URL is required when NODE_ENV=production: the external URL of the app, e.g. https://app.example.com (redirect URIs and cookies are made from it)');
  }
  return `http://localhost:${port}`;
}

/** What the start-up log says about signing in: the providers that are on, or plainly that none is and how to turn one on. */
export function signInReport(providers: readonly { readonly name: string; readonly label: string }[]): { readonly level: 'log' | 'warn'; readonly message: string } {
  if (providers.length === 0) {
    return {
      level: 'warn',
      message:
        'no sign-in provider is on: nobody can sign in through a browser. Set GOOGLE_CLIENT_ID, GITHUB_CLIENT_ID or OIDC_ISSUER ' +
        '(with its secret), or AUTH_DEV_LOGIN=true outside production',
    };
  }
  return { level: 'log', message: `sign-in providers: ${providers.map((provider) => `${provider.name} (${provider.label})`).join(', ')}` };
}

/**
 * `REDIS_URL` (accounts, identity links and revocations shared by every instance),
 * `REDIS_PREFIX` (default `nest-capabilities:`), `REDIS_MAX_STALENESS_SECONDS` (default 30).
 */
function redisFromEnvironment(env: NodeJS.ProcessEnv): Pick<AuthModuleOptions, 'redis'> {
  const url = env['REDIS_URL'] ?? '';
  if (url === '') return {};
  const prefix = env['REDIS_PREFIX'] ?? '';
  const staleness = env['REDIS_MAX_STALENESS_SECONDS'] ?? '';
  const maxStalenessSeconds = Number(staleness);
  if (staleness !== '' && (!Number.isFinite(maxStalenessSeconds) || maxStalenessSeconds <= 0)) {
    throw new Error(`REDIS_MAX_STALENESS_SECONDS must be a positive number, got ${JSON.stringify(staleness)}`);
  }
  return { redis: { url, ...(prefix === '' ? {} : { prefix }), ...(staleness === '' ? {} : { maxStalenessSeconds }) } };
}

function clientTokenTtlFromEnvironment(env: NodeJS.ProcessEnv): Pick<AuthModuleOptions, 'clientTokenTtlSeconds'> {
  const value = env['CLIENT_TOKEN_TTL_SECONDS'] ?? '';
  if (value === '') return {};
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`CLIENT_TOKEN_TTL_SECONDS must be a positive whole number of seconds, got ${JSON.stringify(value)}`);
  return { clientTokenTtlSeconds: seconds };
}

/**
 * `AUTH_TOKEN_ALG` (`HS256` by default, `EdDSA` or `ES256`), `AUTH_SIGNING_KEY_FILE` (a
 * PKCS#8 PEM; without it the key pair is derived from AUTH_SECRET) and
 * `AUTH_PREVIOUS_SIGNING_KEY_FILES` (comma-separated PEM files of keys it replaced).
 */
function tokenSigningFromEnvironment(env: NodeJS.ProcessEnv): Pick<AuthModuleOptions, 'tokenAlgorithm' | 'signingKey' | 'previousSigningKeys'> {
  const algorithm = env['AUTH_TOKEN_ALG'] ?? '';
  const keyFile = env['AUTH_SIGNING_KEY_FILE'] ?? '';
  const previousFiles = (env['AUTH_PREVIOUS_SIGNING_KEY_FILES'] ?? '').split(',').filter((path) => path !== '');
  return {
    // The module refuses an unknown algorithm, and key files under HS256, by name.
    ...(algorithm === '' ? {} : { tokenAlgorithm: algorithm as NonNullable<AuthModuleOptions['tokenAlgorithm']> }),
    ...(keyFile === '' ? {} : { signingKey: readSecretFile(keyFile, 'AUTH_SIGNING_KEY_FILE') }),
    ...(previousFiles.length === 0 ? {} : { previousSigningKeys: previousFiles.map((path) => readSecretFile(path, 'AUTH_PREVIOUS_SIGNING_KEY_FILES')) }),
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(value)}`);
  return port;
}

function parseFlag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`${name} must be "true" or "false", got ${JSON.stringify(value)}`);
}

function parseAdapter(value: string | undefined): 'express' | 'fastify' {
  if (value === undefined || value === '' || value === 'express') return 'express';
  if (value === 'fastify') return 'fastify';
  throw new Error(`HTTP_ADAPTER must be "express" or "fastify", got ${JSON.stringify(value)}`);
}

/** `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET` (or `OIDC_CLIENT_SECRET_FILE`), `OIDC_NAME` (default `oidc`): any OpenID Connect provider. */
function oidcProviderFromEnvironment(env: NodeJS.ProcessEnv): OidcProviderOptions[] {
  const issuer = env['OIDC_ISSUER'] ?? '';
  if (issuer === '') return [];
  const clientId = env['OIDC_CLIENT_ID'] ?? '';
  if (clientId === '') throw new Error('OIDC_ISSUER is set but OIDC_CLIENT_ID is not');
  const clientSecret = secretFromEnvironment(env, 'OIDC_CLIENT_SECRET') ?? '';
  const name = env['OIDC_NAME'] ?? '';
  return [
    {
      kind: 'oidc',
      issuer,
      clientId,
      ...(clientSecret === '' ? {} : { clientSecret }),
      ...(name === '' ? {} : { name }),
      // OIDC_SIGN_OUT=true: /logout also ends the session at the provider (its end_session_endpoint).
      ...(parseFlag(env['OIDC_SIGN_OUT'], 'OIDC_SIGN_OUT') === true ? { signOutAtProvider: true } : {}),
      ...providerTimeout(env),
    },
  ];
}

/**
 * `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET`; `GOOGLE_OFFLINE_ACCESS=true` asks for a
 * refresh token; `GOOGLE_AUTHORIZATION_URL`, `GOOGLE_TOKEN_URL`, `GOOGLE_USERINFO_URL`
 * point at another server (tests).
 */
function googleProviderFromEnvironment(env: NodeJS.ProcessEnv): GoogleProviderOptions[] {
  const clientId = env['GOOGLE_CLIENT_ID'] ?? '';
  if (clientId === '') return [];
  const endpoints = definedOnly({
    authorizationURL: env['GOOGLE_AUTHORIZATION_URL'],
    tokenURL: env['GOOGLE_TOKEN_URL'],
    userProfileURL: env['GOOGLE_USERINFO_URL'],
  });
  return [
    {
      kind: 'google',
      clientId,
      clientSecret: required(env, 'GOOGLE_CLIENT_SECRET', 'GOOGLE_CLIENT_ID'),
      offlineAccess: parseFlag(env['GOOGLE_OFFLINE_ACCESS'], 'GOOGLE_OFFLINE_ACCESS') ?? false,
      ...(Object.keys(endpoints).length === 0 ? {} : { endpoints }),
      ...providerTimeout(env),
    },
  ];
}

/**
 * `GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET`; `GITHUB_URL` (default https://github.com)
 * and `GITHUB_API_URL` (default https://api.github.com) for GitHub Enterprise Server
 * (`https://HOST` and `https://HOST/api/v3`) or a test server.
 */
function gitHubProviderFromEnvironment(env: NodeJS.ProcessEnv): GitHubProviderOptions[] {
  const clientId = env['GITHUB_CLIENT_ID'] ?? '';
  if (clientId === '') return [];
  const web = (env['GITHUB_URL'] ?? '').replace(/\/+$/, '');
  const api = (env['GITHUB_API_URL'] ?? '').replace(/\/+$/, '');
  const endpoints = definedOnly({
    authorizationURL: web === '' ? undefined : `${web}/login/oauth/authorize`,
    tokenURL: web === '' ? undefined : `${web}/login/oauth/access_token`,
    userProfileURL: api === '' ? undefined : `${api}/user`,
    userEmailURL: api === '' ? undefined : `${api}/user/emails`,
  });
  return [
    {
      kind: 'github',
      clientId,
      clientSecret: required(env, 'GITHUB_CLIENT_SECRET', 'GITHUB_CLIENT_ID'),
      ...(Object.keys(endpoints).length === 0 ? {} : { endpoints }),
      ...providerTimeout(env),
    },
  ];
}

/** A client secret that must be given, as `name` or in the file `<name>_FILE`. */
function required(env: NodeJS.ProcessEnv, name: string, because: string): string {
  const value = secretFromEnvironment(env, name);
  if (value === undefined) throw new Error(`${because} is set but neither ${name} nor ${name}_FILE is`);
  return value;
}

/** `PROVIDER_TIMEOUT_SECONDS`: how long to wait for the providers' endpoints (default 10). */
function providerTimeout(env: NodeJS.ProcessEnv): { timeoutSeconds?: number } {
  const value = env['PROVIDER_TIMEOUT_SECONDS'] ?? '';
  if (value === '') return {};
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`PROVIDER_TIMEOUT_SECONDS must be a positive number, got ${JSON.stringify(value)}`);
  return { timeoutSeconds: seconds };
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
