import { LoginError } from '../../errors';
import type { ProviderIdentity, ProviderTokens } from '../sign-in-provider';

/** The claims this module reads, from a verified id_token or the userinfo endpoint. */
export interface IdentityClaims {
  readonly sub?: unknown;
  readonly email?: unknown;
  readonly [claim: string]: unknown;
}

/**
 * Who signed in, from the verified id_token's claims and, where the id_token has no
 * email (providers may keep it for userinfo), the userinfo answer for the same
 * subject. `emailVerified` is true only when `verifiedClaim` (default
 * `email_verified`) is the boolean `true`: a missing claim or `"true"` as a string
 * is not a verification.
 */
export function identityFromClaims(
  idToken: IdentityClaims,
  userinfo: IdentityClaims | undefined,
  tokens: ProviderTokens | undefined,
  verifiedClaim = 'email_verified',
): ProviderIdentity {
  if (typeof idToken.sub !== 'string' || idToken.sub === '') {
    throw new LoginError('LOGIN_PROVIDER_ERROR', 'the provider sent no subject in its id_token');
  }
  const source = idToken.email !== undefined ? idToken : userinfo;
  return {
    subject: idToken.sub,
    email: source?.email,
    emailVerified: source?.[verifiedClaim] === true,
    tokens,
  };
}

/** The tokens worth keeping from a token endpoint answer, with the expiry turned into unix seconds. */
export function providerTokensOf(
  answer: { access_token?: unknown; refresh_token?: unknown },
  expiresInSeconds: number | undefined,
  nowSeconds: number,
): ProviderTokens | undefined {
  if (typeof answer.access_token !== 'string' || answer.access_token === '') return undefined;
  return {
    accessToken: answer.access_token,
    refreshToken: typeof answer.refresh_token === 'string' && answer.refresh_token !== '' ? answer.refresh_token : undefined,
    expiresAt: expiresInSeconds === undefined ? undefined : nowSeconds + expiresInSeconds,
  };
}
