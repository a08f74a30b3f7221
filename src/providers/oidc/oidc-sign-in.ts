import { randomBytes } from 'node:crypto';
import type * as OpenIdClient from 'openid-client';
import { nowSeconds } from '../../clock';
import { ConfigError, LoginError } from '../../errors';
import type { LoginAttempt } from '../../session/login-attempt';
import type { AttemptSecrets, EndSessionRequest, IdentitySource, ProviderContext, ProviderIdentity, ProviderTokens, RedirectSignInProvider } from '../sign-in-provider';
import { discoveryConfigError, exchangeError } from './oidc-errors';
import { identityFromClaims, providerTokensOf, type IdentityClaims } from './oidc-identity';
import { assertEndpointTransport, parseIssuer, type IssuerTransport } from './oidc-issuer';
import type { OidcProviderOptions } from './oidc-provider.options';

const DEFAULT_SCOPES = ['openid', 'email', 'profile'];
const DEFAULT_TIMEOUT_SECONDS = 10;

type Client = typeof OpenIdClient;
let loadedClient: Promise<Client> | undefined;

// openid-client ships only ES modules: loaded on first use, so an application without an
// OpenID Connect provider (and Jest's CommonJS runtime) never loads it.
function openIdClient(): Promise<Client> {
  loadedClient ??= import('openid-client');
  return loadedClient;
}

/**
 * Any OpenID Connect provider, through openid-client: discovery, PKCE (S256), state,
 * nonce, and the id_token's signature, issuer, audience and expiry, all checked by
 * the library that the OpenID Foundation certifies, rather than by hand.
 *
 * @example
 * createOidcProvider({ kind: 'oidc', issuer: 'https://accounts.example.com', clientId: 'app', clientSecret: 's3cret' }, context)
 */
export function createOidcProvider(options: OidcProviderOptions, context: ProviderContext): RedirectSignInProvider {
  return new OidcSignIn(options, context);
}

class OidcSignIn implements RedirectSignInProvider {
  readonly kind = 'oidc';
  readonly name: string;
  readonly label: string;
  readonly identitySource: IdentitySource;
  private readonly issuer: URL;
  private readonly transport: IssuerTransport;
  private readonly scope: string;
  private readonly timeoutSeconds: number;
  private configuration: Promise<OpenIdClient.Configuration> | undefined;

  constructor(
    private readonly options: OidcProviderOptions,
    private readonly context: ProviderContext,
  ) {
    const { url, transport } = parseIssuer(options.issuer, options.allowInsecureHttpIssuer === true);
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new ConfigError(`the OpenID Connect provider ${url.href} needs a clientId`);
    this.issuer = url;
    this.transport = transport;
    this.name = options.name ?? 'oidc';
    this.label = options.label ?? url.host;
    // Links are keyed by the issuer alone: the route name may later be pointed at another provider.
    this.identitySource = { issuer: url.href.replace(/\/$/, '') };
    const scopes = new Set(['openid', ...(options.scopes ?? DEFAULT_SCOPES)]);
    if (options.offlineAccess === true) scopes.add('offline_access');
    this.scope = [...scopes].join(' ');
    this.timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (!(this.timeoutSeconds > 0)) throw new ConfigError('timeoutSeconds must be positive');
    if (transport === 'insecure-http') {
      context.warn(`sign-in provider "${this.name}": the issuer ${url.origin} is plain http (allowInsecureHttpIssuer); codes and tokens cross the network unencrypted`);
    }
  }

  async prepare(): Promise<void> {
    try {
      await this.discovered();
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      this.context.warn(`sign-in provider "${this.name}": ${this.issuer.href} could not be reached; discovery is retried at the next sign-in`);
    }
  }

  secrets(): AttemptSecrets {
    // What openid-client's randomPKCECodeVerifier and randomNonce return: 32 random bytes, base64url.
    return { codeVerifier: randomBytes(32).toString('base64url'), nonce: randomBytes(32).toString('base64url') };
  }

  async authorizationUrl(attempt: LoginAttempt, redirectUri: string): Promise<URL> {
    const configuration = await this.discovered().catch((error: unknown) => {
      throw error instanceof ConfigError ? error : exchangeError(error, this.label);
    });
    const { codeVerifier, nonce } = requiredSecrets(attempt);
    const client = await openIdClient();
    const parameters: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: this.scope,
      state: attempt.state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    };
    // Most providers only issue a refresh token for offline_access after an explicit consent.
    if (this.options.offlineAccess === true) parameters['prompt'] = 'consent';
    return client.buildAuthorizationUrl(configuration, parameters);
  }

  async finish(callbackUrl: URL, attempt: LoginAttempt, redirectUri: string): Promise<ProviderIdentity> {
    const { codeVerifier, nonce } = requiredSecrets(attempt);
    try {
      const configuration = await this.discovered();
      const client = await openIdClient();
      const answer = await client.authorizationCodeGrant(
        configuration,
        callbackUrl,
        { pkceCodeVerifier: codeVerifier, expectedState: attempt.state, expectedNonce: nonce, idTokenExpected: true },
        { redirect_uri: redirectUri },
      );
      const claims = answer.claims();
      if (claims === undefined) throw new LoginError('LOGIN_PROVIDER_ERROR', `${this.label} sent no id_token`);
      const userinfo: IdentityClaims | undefined =
        claims.email === undefined ? await client.fetchUserInfo(configuration, answer.access_token, claims.sub) : undefined;
      const identity = identityFromClaims(claims, userinfo, providerTokensOf(answer, answer.expiresIn(), nowSeconds(this.context.now)), this.options.emailVerifiedClaim);
      // The id_token rides in the session cookie only when a sign-out at the provider will need it.
      return this.options.signOutAtProvider === true && typeof answer.id_token === 'string' ? { ...identity, idToken: answer.id_token } : identity;
    } catch (error) {
      throw exchangeError(error, this.label);
    }
  }

  async refresh(refreshToken: string): Promise<ProviderTokens> {
    try {
      const configuration = await this.discovered();
      const answer = await (await openIdClient()).refreshTokenGrant(configuration, refreshToken);
      const tokens = providerTokensOf(answer, answer.expiresIn(), nowSeconds(this.context.now));
      if (tokens === undefined) throw new LoginError('LOGIN_PROVIDER_ERROR', `${this.label} sent no access token`);
      // A provider that does not rotate refresh tokens keeps the old one valid.
      return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
    } catch (error) {
      throw exchangeError(error, this.label);
    }
  }

  async endSessionUrl(request: EndSessionRequest): Promise<URL | undefined> {
    if (this.options.signOutAtProvider !== true) return undefined;
    const configuration = await this.discovered();
    const endpoint = configuration.serverMetadata().end_session_endpoint;
    if (endpoint === undefined) return undefined;
    assertEndpointTransport(this.transport, 'end_session_endpoint', endpoint);
    return (await openIdClient()).buildEndSessionUrl(configuration, {
      post_logout_redirect_uri: request.postLogoutRedirectUri,
      state: request.state,
      ...(request.idToken === undefined ? {} : { id_token_hint: request.idToken }),
    });
  }

  /** Discovery once; a failure is forgotten so the next sign-in tries again. */
  private discovered(): Promise<OpenIdClient.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private async discover(): Promise<OpenIdClient.Configuration> {
    const secret = this.options.clientSecret;
    let configuration: OpenIdClient.Configuration;
    try {
      const client = await openIdClient();
      configuration = await client.discovery(
        this.issuer,
        this.options.clientId,
        secret === undefined ? { token_endpoint_auth_method: 'none' } : undefined,
        secret === undefined ? client.None() : client.ClientSecretBasic(secret),
        {
          timeout: this.timeoutSeconds,
          // openid-client refuses plain http unless told; only an issuer accepted by parseIssuer gets here.
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- marked deprecated only to stand out; parseIssuer allowed it
          ...(this.transport === 'https' ? {} : { execute: [client.allowInsecureRequests] }),
        },
      );
    } catch (error) {
      throw discoveryConfigError(error, this.issuer) ?? error;
    }
    const metadata = configuration.serverMetadata();
    assertEndpointTransport(this.transport, 'authorization_endpoint', metadata.authorization_endpoint);
    assertEndpointTransport(this.transport, 'token_endpoint', metadata.token_endpoint);
    assertEndpointTransport(this.transport, 'userinfo_endpoint', metadata.userinfo_endpoint);
    assertEndpointTransport(this.transport, 'jwks_uri', metadata.jwks_uri);
    configuration.timeout = this.timeoutSeconds;
    return configuration;
  }
}

function requiredSecrets(attempt: LoginAttempt): { codeVerifier: string; nonce: string } {
  if (attempt.codeVerifier === undefined || attempt.nonce === undefined) {
    throw new LoginError('LOGIN_STATE_MISMATCH', 'the sign-in attempt lacks its PKCE verifier or nonce; start again');
  }
  return { codeVerifier: attempt.codeVerifier, nonce: attempt.nonce };
}
