/**
 * Any OpenID Connect provider, found through discovery
 * (`<issuer>/.well-known/openid-configuration`): Microsoft Entra ID, GitLab, Auth0,
 * Keycloak, a company IdP.
 *
 * @example
 * { kind: 'oidc', name: 'gitlab', label: 'GitLab', issuer: 'https://gitlab.com', clientId: process.env.GITLAB_CLIENT_ID!, clientSecret: process.env.GITLAB_CLIENT_SECRET! }
 */
export interface OidcProviderOptions {
  readonly kind: 'oidc';
  /** Route name (`/login/<name>`, `/auth/<name>/callback`). Default `oidc`. */
  readonly name?: string;
  /** What the button says after "Sign in with". Default: the issuer's host. */
  readonly label?: string;
  /** The issuer URL, exactly as the provider's discovery document states it. */
  readonly issuer: string;
  readonly clientId: string;
  /** Confidential clients: sent with HTTP Basic (`client_secret_basic`). Without it the client is public and relies on PKCE. */
  readonly clientSecret?: string;
  /** Scopes to ask for. Default `openid email profile`; `openid` is always added. */
  readonly scopes?: readonly string[];
  /** Ask for a refresh token (`offline_access`, with `prompt=consent`) so the provider's API can be called after the access token expires. */
  readonly offlineAccess?: boolean;
  /**
   * Accept an `http://` issuer that is not on a loopback address. Tokens and codes
   * then cross the network in clear text: for closed test networks only.
   */
  readonly allowInsecureHttpIssuer?: boolean;
  /**
   * The boolean claim that says the provider verified the email. Default
   * `email_verified`. Microsoft Entra ID sends none; there, configure its optional
   * claim `xms_edov` (email domain owner verified) and name it here.
   */
  readonly emailVerifiedClaim?: string;
  /** How long to wait for the provider's discovery, token and userinfo endpoints, in seconds. Default 10. */
  readonly timeoutSeconds?: number;
  /**
   * Sign out at the provider too (OpenID Connect RP-Initiated Logout): `/logout` ends
   * the local session, then sends the browser to the provider's
   * `end_session_endpoint` with `id_token_hint`, and the provider sends it back to
   * `<baseUrl><prefix>/logout/done` (register that URL with the provider as a
   * post-logout redirect URI). The id_token is then kept in the session cookie.
   * Default false.
   */
  readonly signOutAtProvider?: boolean;
}
