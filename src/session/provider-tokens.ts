// Kept here, beside the session that carries them, so that session/ needs nothing from providers/.
/** Tokens a provider gave for the user, to call its API on their behalf. */
export interface ProviderTokens {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  /** Unix seconds; undefined when the provider did not say. */
  readonly expiresAt?: number | undefined;
}
