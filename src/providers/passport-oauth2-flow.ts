import { createHash, randomBytes } from 'node:crypto';
import { nowSeconds, type Clock } from '../clock';
import { LoginError } from '../errors';
import { assertStateMatches, type LoginAttempt } from '../session/login-attempt';
import { ProviderTimeoutError, requiredString, timeoutAgent } from './oauth2-endpoints';
import type { IdentitySource, ProviderIdentity, ProviderTokens, RedirectSignInProvider } from './sign-in-provider';

/** The request a passport strategy is run with: the callback's query, nothing of the HTTP platform. */
export interface StrategyRequest {
  readonly query: Record<string, string>;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The attempt the login route sealed; the state store and the PKCE hooks read it. */
  readonly attempt: LoginAttempt;
}

/** Options handed to `strategy.authenticate` by this module. */
export interface AttemptAuthenticateOptions {
  readonly callbackURL: string;
  readonly state: string;
  readonly attempt: LoginAttempt;
  readonly [option: string]: unknown;
}

/** The parts of a passport strategy that `runStrategy` drives. */
export interface DrivableStrategy {
  authenticate(request: never, options: AttemptAuthenticateOptions): void;
}

type StrategyOutcome =
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'success'; readonly user: unknown }
  | { readonly kind: 'fail'; readonly challenge: unknown }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Runs one `authenticate` of a passport strategy and settles with what it decided,
 * the way passport's own middleware does (a copy of the strategy with `redirect`,
 * `success`, `fail`, `error` and `pass` attached), but without Express' req and res:
 * the same code then serves Express and Fastify, and the module writes the answer.
 */
export function runStrategy(strategy: DrivableStrategy, request: StrategyRequest, options: AttemptAuthenticateOptions): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const run = Object.create(strategy) as DrivableStrategy & Record<string, unknown>;
    run['redirect'] = (location: string) => resolve({ kind: 'redirect', location });
    run['success'] = (user: unknown) => resolve({ kind: 'success', user });
    run['fail'] = (challenge: unknown) => resolve({ kind: 'fail', challenge });
    run['error'] = (error: unknown) => resolve({ kind: 'error', error });
    run['pass'] = () => resolve({ kind: 'error', error: new Error('the strategy passed the request on') });
    try {
      run.authenticate(request as never, options);
    } catch (error) {
      resolve({ kind: 'error', error });
    }
  });
}

/** The request for the callback `callbackUrl` of `attempt`. */
export function strategyRequest(callbackUrl: URL, attempt: LoginAttempt): StrategyRequest {
  return { query: Object.fromEntries(callbackUrl.searchParams), url: callbackUrl.pathname + callbackUrl.search, headers: {}, attempt };
}

/** The S256 PKCE challenge of `verifier` (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** PKCE parameters of the authorization request, from the attempt's verifier. */
export function pkceAuthorizationParams(attempt: LoginAttempt | undefined): Record<string, string> {
  if (attempt?.codeVerifier === undefined) return {};
  return { code_challenge: pkceChallenge(attempt.codeVerifier), code_challenge_method: 'S256' };
}

/** The PKCE parameter of the token request, from the attempt's verifier. */
export function pkceTokenParams(attempt: LoginAttempt | undefined): Record<string, string> {
  return attempt?.codeVerifier === undefined ? {} : { code_verifier: attempt.codeVerifier };
}

/**
 * passport-oauth2's state store, backed by the attempt the login route has already
 * sealed in its cookie: there is no server-side session. The callback route checked
 * the state before; checking it again here keeps passport's own check meaningful.
 */
export class AttemptStateStore {
  store(request: StrategyRequest, _meta: unknown, callback: (error: Error | null, state?: string) => void): void {
    callback(null, request.attempt.state);
  }

  verify(request: StrategyRequest, state: string, callback: (error: Error | null, ok: boolean, info?: unknown) => void): void {
    try {
      assertStateMatches(request.attempt.state, typeof state === 'string' ? state : '');
    } catch (error) {
      callback(error as Error, false);
      return;
    }
    callback(null, true, { state });
  }
}

/** Tokens from a token response, with `expires_in` turned into a time on the module's clock `now`. */
export function tokensOf(accessToken: string, refreshToken: string | undefined, params: unknown, now: Clock): ProviderTokens {
  const expiresIn = Number((params as { expires_in?: unknown } | undefined)?.expires_in);
  return {
    accessToken,
    refreshToken: refreshToken === undefined || refreshToken === '' ? undefined : refreshToken,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? nowSeconds(now) + Math.floor(expiresIn) : undefined,
  };
}

/**
 * The identity the strategy produced, or the `LoginError` that says why there is
 * none. Provider messages are not repeated: they may hold anything.
 */
export function identityOf(outcome: StrategyOutcome, label: string): ProviderIdentity {
  switch (outcome.kind) {
    case 'success':
      return outcome.user as ProviderIdentity;
    case 'fail':
      throw new LoginError('LOGIN_REFUSED', `sign-in with ${label} was refused`);
    case 'redirect':
      throw new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${label} failed: the provider asked for another redirect`);
    case 'error':
      throw providerFailure(outcome.error, label);
  }
}

function providerFailure(error: unknown, label: string): LoginError {
  if (error instanceof LoginError) return error;
  if (findTimeout(error) !== undefined) {
    return new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${label} failed: ${findTimeout(error)!.message}; try again later`);
  }
  // Profile reads report their own LoginError; what is left failed at the token endpoint.
  return new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${label} failed: could not exchange the authorization code`, { cause: error });
}

function findTimeout(error: unknown): ProviderTimeoutError | undefined {
  // passport-oauth2 wraps the socket's error in `oauthError`.
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    if (current instanceof ProviderTimeoutError) return current;
    current = (current as { oauthError?: unknown; cause?: unknown }).oauthError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The part of the `oauth` library's OAuth2 client that a refresh uses. */
interface TokenClient {
  getOAuthAccessToken(
    code: string,
    params: object,
    callback: (error: unknown, accessToken?: string, refreshToken?: string, params?: unknown) => void,
  ): void;
}

/**
 * New tokens for `refreshToken` (RFC 6749 §6) through the strategy's own OAuth2
 * client; the refresh token is kept when the provider does not send a new one.
 */
export function refreshWith(client: TokenClient, refreshToken: string, label: string, now: Clock): Promise<ProviderTokens> {
  return new Promise((resolve, reject) => {
    client.getOAuthAccessToken(refreshToken, { grant_type: 'refresh_token' }, (error, accessToken, newRefreshToken, params) => {
      if (error || typeof accessToken !== 'string' || accessToken === '') {
        const timeout = findTimeout(error);
        // A refused refresh token (revoked, expired) only a new sign-in can replace.
        reject(
          timeout === undefined
            ? new LoginError('LOGIN_EXPIRED', `${label} refused to renew its access token; sign in again`)
            : new LoginError('LOGIN_PROVIDER_ERROR', `could not refresh the ${label} access token: ${timeout.message}`),
        );
        return;
      }
      resolve(tokensOf(accessToken, newRefreshToken || refreshToken, params, now));
    });
  });
}

/** A passport-oauth2 strategy of this module: drivable, and able to refresh a token. */
export interface AttemptStrategy extends DrivableStrategy {
  name: string;
  refreshTokens(refreshToken: string): Promise<ProviderTokens>;
}

/**
 * The sign-in provider that drives `strategy`: a fresh PKCE verifier per attempt,
 * the authorization URL from the strategy's redirect, the identity from its verify
 * callback, every request bounded by `timeoutSeconds`.
 *
 * @example
 * return passportProvider({ kind: 'github', name, label, strategy, protocol, timeoutSeconds: 10 });
 */
export function passportProvider(provider: {
  readonly kind: string;
  readonly name: string;
  readonly identitySource: IdentitySource;
  readonly label: string;
  readonly strategy: AttemptStrategy;
  readonly protocol: string;
  readonly timeoutSeconds: number;
  /** Extra options of the authorization request, e.g. Google's `accessType`. */
  readonly startOptions?: Readonly<Record<string, unknown>>;
}): RedirectSignInProvider {
  const { kind, name, label, strategy } = provider;
  strategy.name = name;
  (strategy as unknown as { _oauth2: { setAgent(agent: unknown): void } })._oauth2.setAgent(timeoutAgent(provider.protocol, provider.timeoutSeconds));
  return {
    kind,
    name,
    label,
    identitySource: provider.identitySource,
    secrets: () => ({ codeVerifier: randomBytes(32).toString('base64url') }),
    async authorizationUrl(attempt, redirectUri) {
      const outcome = await runStrategy(
        strategy,
        { query: {}, url: '/', headers: {}, attempt },
        { callbackURL: redirectUri, state: attempt.state, attempt, ...provider.startOptions },
      );
      if (outcome.kind !== 'redirect') throw new LoginError('LOGIN_PROVIDER_ERROR', `sign-in with ${label} could not start`);
      return new URL(outcome.location);
    },
    async finish(callbackUrl, attempt, redirectUri) {
      const outcome = await runStrategy(strategy, strategyRequest(callbackUrl, attempt), { callbackURL: redirectUri, state: attempt.state, attempt });
      return identityOf(outcome, label);
    },
    refresh: (refreshToken) => strategy.refreshTokens(refreshToken),
  };
}

/**
 * The options every passport-oauth2 strategy of this module shares: the client, the
 * endpoints, the required scopes plus the configured ones, and the attempt-backed
 * state store. The callback URL is given per request, from `baseUrl`.
 *
 * @example
 * new GitHubStrategy(strategyOptions('github', options, endpoints, ['read:user', 'user:email']), verify);
 */
export function strategyOptions<E extends Record<string, string>>(
  name: string,
  client: { readonly clientId: string; readonly clientSecret: string; readonly scopes?: readonly string[] | undefined },
  endpoints: E,
  requiredScopes: readonly string[],
): E & { clientID: string; clientSecret: string; callbackURL: string; scope: string[]; store: never } {
  return {
    ...endpoints,
    clientID: requiredString(client.clientId, `provider "${name}" clientId`),
    clientSecret: requiredString(client.clientSecret, `provider "${name}" clientSecret`),
    callbackURL: '',
    scope: [...new Set([...requiredScopes, ...(client.scopes ?? [])])],
    store: new AttemptStateStore() as never,
  };
}
