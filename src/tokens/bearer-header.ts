import { TokenError } from '../errors';

/** Longest Authorization header read at all; anything longer is refused unparsed. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

/** The scheme and the one space before the token. */
export const BEARER_SCHEME = 'Bearer ';
const BEARER = /^Bearer [A-Za-z0-9._~+/-]+=*$/;

/**
 * The token of an `Authorization: Bearer <token>` header, read strictly: one header,
 * the scheme spelled `Bearer`, one space, one token of base64url characters.
 * Returns undefined when there is no header; throws `TOKEN_INVALID` for anything else.
 */
export function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw new TokenError('TOKEN_INVALID', 'send exactly one Authorization header');
  if (header.length > MAX_AUTHORIZATION_LENGTH) throw new TokenError('TOKEN_INVALID', 'the Authorization header is too long');
  // A test and a slice rather than a capture: no match array on every request.
  if (!BEARER.test(header)) throw new TokenError('TOKEN_INVALID', 'the Authorization header must be "Bearer <token>"');
  return header.slice(BEARER_SCHEME.length);
}
