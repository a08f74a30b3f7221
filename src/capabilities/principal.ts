/**
 * Who is calling: a person signed in through a provider (by session cookie or a
 * user token), or a service account (by a service token).
 */
export interface Principal {
  /** Canonical email; `name@service` for a service account. */
  readonly email: string;
  readonly kind: 'user' | 'service';
  /** How the request proved it. */
  readonly via: 'session' | 'token';
  /**
   * Service tokens only: the capabilities baked into the token. Access needs a
   * capability both here and in the store now.
   */
  readonly snapshot?: readonly string[] | undefined;
}
