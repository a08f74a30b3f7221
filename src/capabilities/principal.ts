/**
 * Who is calling: a person signed in through a provider (by session cookie or a
 * user token), a service account (by a service token), or an API key.
 */
export interface Principal {
  /** Canonical email; `name@service` for a service account; `key:<name>` for an API key. */
  readonly email: string;
  readonly kind: 'user' | 'service' | 'key';
  /** How the request proved it. */
  readonly via: 'session' | 'token';
  /**
   * Service tokens only: the capabilities baked into the token. Access needs a
   * capability both here and in the store now.
   */
  readonly snapshot?: readonly string[] | undefined;
  /**
   * Bearer credentials only (`via: 'token'`): when the credential stops working, unix
   * seconds, or null for one that never expires. What it mints expires no later.
   */
  readonly expiresAt?: number | null | undefined;
  /** API keys only: the key's name. */
  readonly keyName?: string | undefined;
  /**
   * API keys only: the capabilities stored for the key. Access is judged on their
   * closure alone: no defaults, no account.
   */
  readonly keyCapabilities?: readonly string[] | undefined;
  /**
   * OAuth client tokens only (a service token whose `snapshot` is the token's `scope`):
   * the client it was issued to; a revoked client's tokens are refused.
   */
  readonly clientId?: string | undefined;
  /**
   * Service tokens and API keys limited to a scope: the scope path. Such a credential
   * holds nothing outside that scope and below it, globally neither.
   */
  readonly scope?: string | undefined;
}
