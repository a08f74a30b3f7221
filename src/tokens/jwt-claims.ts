import { TokenError } from '../errors';

/** What a token of this application must say about itself. */
export interface ExpectedClaims {
  readonly issuer: string;
  readonly audience: string;
  /** Now, unix seconds. */
  readonly nowSeconds: number;
}

/**
 * Judges the registered claims of a token whose signature verified, as jsonwebtoken
 * does for HS256 tokens and with the same codes: `iss` and `aud` must name this
 * application (`TOKEN_INVALID`), `exp` lie ahead (`TOKEN_EXPIRED`), `nbf` behind.
 */
export function assertRegisteredClaims(claims: Readonly<Record<string, unknown>>, expected: ExpectedClaims): void {
  assertIssuer(claims['iss'], expected.issuer);
  assertAudience(claims['aud'], expected.audience);
  assertNotExpired(claims['exp'], expected.nowSeconds);
  assertActive(claims['nbf'], expected.nowSeconds);
}

function assertIssuer(iss: unknown, issuer: string): void {
  if (iss !== issuer) throw new TokenError('TOKEN_INVALID', `the token is not valid: jwt issuer invalid. expected: ${issuer}`);
}

function assertAudience(aud: unknown, audience: string): void {
  const listed = Array.isArray(aud) ? aud.includes(audience) : aud === audience;
  if (!listed) throw new TokenError('TOKEN_INVALID', `the token is not valid: jwt audience invalid. expected: ${audience}`);
}

function assertNotExpired(exp: unknown, nowSeconds: number): void {
  if (exp === undefined) return;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenError('TOKEN_INVALID', 'the token is not valid: invalid exp value');
  if (nowSeconds >= exp) throw new TokenError('TOKEN_EXPIRED', 'the token has expired');
}

function assertActive(nbf: unknown, nowSeconds: number): void {
  if (nbf === undefined) return;
  if (typeof nbf !== 'number' || !Number.isFinite(nbf)) throw new TokenError('TOKEN_INVALID', 'the token is not valid: invalid nbf value');
  if (nowSeconds < nbf) throw new TokenError('TOKEN_INVALID', 'the token is not valid yet');
}
