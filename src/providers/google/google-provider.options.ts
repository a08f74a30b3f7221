/**
 * Sign-in with Google. Register the callback URL `<baseUrl><prefix>/auth/<name>/callback`
 * as an authorized redirect URI of a Google OAuth client ("Web application").
 *
 * @example
 * { kind: 'google', clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET! }
 */
export interface GoogleProviderOptions {
  readonly kind: 'google';
  /** Route name (`/login/<name>`, `/auth/<name>/callback`). Default `google`. */
  readonly name?: string;
  /** What the button says after "Sign in with". Default `Google`. */
  readonly label?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes besides `openid email profile`, which are always asked for. */
  readonly scopes?: readonly string[];
  /**
   * Ask for a refresh token (`access_type=offline`, `prompt=consent`), so that
   * `ProviderTokens` can renew an expired access token to call Google's APIs.
   */
  readonly offlineAccess?: boolean;
  /** Only accounts of this Google Workspace domain (`hd`); checked on the profile too. */
  readonly hostedDomain?: string;
  /** Other endpoints, e.g. a local test server. Default: Google's. */
  readonly endpoints?: {
    readonly authorizationURL?: string;
    readonly tokenURL?: string;
    readonly userProfileURL?: string;
  };
  /** Accept `http://` endpoints that are not on a loopback address. For closed test networks only. */
  readonly allowInsecureHttpEndpoints?: boolean;
  /** How long to wait for Google's token and userinfo endpoints, in seconds. Default 10. */
  readonly timeoutSeconds?: number;
}
