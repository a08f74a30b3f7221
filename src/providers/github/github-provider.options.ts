/**
 * Sign-in with GitHub (an OAuth App or a GitHub App's user authorization). Register
 * the callback URL `<baseUrl><prefix>/auth/<name>/callback`.
 *
 * @example
 * { kind: 'github', clientId: process.env.GITHUB_CLIENT_ID!, clientSecret: process.env.GITHUB_CLIENT_SECRET! }
 */
export interface GitHubProviderOptions {
  readonly kind: 'github';
  /** Route name (`/login/<name>`, `/auth/<name>/callback`). Default `github`. */
  readonly name?: string;
  /** What the button says after "Sign in with". Default `GitHub`. */
  readonly label?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes besides `read:user` and `user:email`, which are always asked for. */
  readonly scopes?: readonly string[];
  /** Another GitHub (GitHub Enterprise Server) or a local test server. Default: github.com. */
  readonly endpoints?: {
    readonly authorizationURL?: string;
    readonly tokenURL?: string;
    readonly userProfileURL?: string;
    readonly userEmailURL?: string;
  };
  /** Accept `http://` endpoints that are not on a loopback address. For closed test networks only. */
  readonly allowInsecureHttpEndpoints?: boolean;
  /** How long to wait for GitHub's token and API endpoints, in seconds. Default 10. */
  readonly timeoutSeconds?: number;
}
