/*
 * How to add a sign-in provider (Google, GitHub, any redirect-based flow):
 *
 * 1. Describe its options as one member of the `ProviderOptions` union in
 *    `provider-options.ts`, with a literal `kind` ('google', 'github', 'oidc', ...).
 * 2. Write a factory `(options, context) => RedirectSignInProvider` in
 *    `src/providers/<kind>/` and add it to `PROVIDER_FACTORIES` in
 *    `sign-in-providers.ts` (the mapped type there refuses to compile until every
 *    kind of the union has its factory).
 * 3. Implement the two halves of the flow; the routes do everything else:
 *    - `secrets()`: what the attempt must remember (PKCE verifier, nonce). The
 *      login route seals it with a fresh `state` and the page to return to in the
 *      attempt's own encrypted cookie (`LoginAttempts`), then calls
 *    - `authorizationUrl(attempt, redirectUri)`: where to send the browser.
 *    - `finish(callbackUrl, attempt, redirectUri)`: exchange the code, check what
 *      the protocol requires (PKCE, nonce, id_token), read the profile, and return a
 *      `ProviderIdentity`. Throw `LoginError` (`LOGIN_PROVIDER_ERROR` for a failed
 *      exchange, profile fetch or time-out; `LOGIN_REFUSED` for an identity you
 *      refuse), never with a secret or a token in the message.
 * The callback route (`src/http/callback.controller.ts`) has already checked, before
 * `finish` runs: the attempt cookie exists and is unexpired and unused, its state
 * equals the response's in constant time, it belongs to this provider, there is no
 * `error` parameter and there is a `code`. After `finish`, `ProviderAccounts`
 * picks the account (a linked identity's, or the verified email: an unverified one
 * is refused, `accountEmailOf` canonicalizes it and refuses `@service`), then the
 * route issues the session (provider tokens inside, encrypted) and redirects to the
 * remembered page. `redirectUri` always comes from
 * `baseUrl` (`$BASE_URL/auth/<name>/callback`), never from the request's Host.
 */
import type { Clock } from '../clock';
import type { LoginAttempt } from '../session/login-attempt';
import type { ProviderTokens } from '../session/provider-tokens';

export type { ProviderTokens };

/** A way to sign in, as the login routes see it. */
export interface SignInProvider {
  /** Route name: `/login/<name>`, `/auth/<name>/callback`. */
  readonly name: string;
  /** What the button says: "Sign in with <label>". */
  readonly label: string;
}

/** What an attempt must remember between leaving for the provider and coming back. */
export interface AttemptSecrets {
  /** PKCE (S256) code verifier, where the provider takes PKCE. */
  readonly codeVerifier?: string | undefined;
  /** OpenID Connect nonce. */
  readonly nonce?: string | undefined;
}


/** Who the provider says signed in. Checked by the callback route before any session exists. */
export interface ProviderIdentity {
  /** The provider's stable identifier of the user (`sub`, GitHub's numeric id). */
  readonly subject: string;
  /** The email as the provider sent it; canonicalized by the callback route. */
  readonly email: unknown;
  /** Only `true` lets the sign-in go on. */
  readonly emailVerified: boolean;
  /** Present when the provider issued an access token. */
  readonly tokens?: ProviderTokens | undefined;
  /** The OpenID Connect id_token, kept in the session as the `id_token_hint` of a sign-out at the provider. */
  readonly idToken?: string | undefined;
}

/**
 * The namespace of a provider's subjects. Links are keyed by `issuer`, so pointing a
 * route name at another identity provider cannot reach the accounts linked through
 * the first one.
 */
export interface IdentitySource {
  /** The issuer (OpenID Connect) or the origin of the authorization endpoint (OAuth 2.0). */
  readonly issuer: string;
  /** The route name whose older `<name>:<subject>` links are still honoured: only Google's and GitHub's own endpoints. */
  readonly legacyName?: string | undefined;
}

/**
 * A provider reached by redirecting the browser: the authorization-code flow of
 * OAuth 2.0 or OpenID Connect. One instance per configured provider.
 *
 * @example
 * const url = await provider.authorizationUrl(attempt, 'https://app.example.com/auth/oidc/callback');
 */
export interface RedirectSignInProvider extends SignInProvider {
  /** The option `kind` it was made from: 'oidc', 'google', 'github'. */
  readonly kind: string;
  /** Where its subjects are unique: what keys its identities in linked accounts. */
  readonly identitySource: IdentitySource;
  /** Fresh secrets for one attempt. */
  secrets(): AttemptSecrets;
  /** The provider's authorization URL for this attempt. */
  authorizationUrl(attempt: LoginAttempt, redirectUri: string): Promise<URL>;
  /** Finishes the flow from the callback URL (built on `redirectUri`, with the response's query). */
  finish(callbackUrl: URL, attempt: LoginAttempt, redirectUri: string): Promise<ProviderIdentity>;
  /** New tokens from a refresh token, where offline access was asked for; undefined when the provider cannot. */
  refresh?(refreshToken: string): Promise<ProviderTokens>;
  /** Work worth doing before the first sign-in (e.g. discovery); a configuration error stops the start. */
  prepare?(): Promise<void>;
  /**
   * Where to send the browser to end its session at the provider too (OpenID Connect
   * RP-Initiated Logout), or undefined when the provider offers no such endpoint or
   * the option is off.
   */
  endSessionUrl?(request: EndSessionRequest): Promise<URL | undefined>;
}

/** What a sign-out at the provider sends. */
export interface EndSessionRequest {
  /** The id_token of the session, when it was kept. */
  readonly idToken?: string | undefined;
  /** Where the provider sends the browser back. */
  readonly postLogoutRedirectUri: string;
  /** Checked when the browser comes back. */
  readonly state: string;
}

/** What a provider factory receives besides its own options. */
export interface ProviderContext {
  /** The application's external URL (`baseUrl`). */
  readonly baseUrl: URL;
  readonly production: boolean;
  /** The module's clock (`CLOCK`), which the expiry of the provider's access tokens is counted on. */
  readonly now: Clock;
  /** Where the provider may warn (never with a secret). */
  warn(message: string): void;
}

/** True for a provider reached by redirect, as opposed to the development form. */
export function isRedirectProvider(provider: SignInProvider): provider is RedirectSignInProvider {
  return typeof (provider as Partial<RedirectSignInProvider>).authorizationUrl === 'function';
}
