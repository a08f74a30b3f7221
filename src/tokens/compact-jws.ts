import { sign, verify, type KeyObject } from 'node:crypto';
import { TokenError } from '../errors';
import type { AsymmetricAlgorithm } from '../secrets/signing-key';

/**
 * A JWT signed with EdDSA (Ed25519) or ES256 (P-256, the signature as r || s) in the
 * compact serialization (RFC 7515), synchronously on node:crypto: jsonwebtoken 9 knows
 * no EdDSA, and jose signs and verifies only asynchronously, where issuing a token is
 * not. jose verifies what this signs (tested).
 *
 * @example signCompactJws({ alg: 'EdDSA', typ: 'JWT', kid }, { sub: 'bot@service' }, privateKey)
 */
export function signCompactJws(header: { readonly alg: AsymmetricAlgorithm } & Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const signingInput = `${encoded(header)}.${encoded(payload)}`;
  return `${signingInput}.${signatureOf(signingInput, key, header.alg).toString('base64url')}`;
}

/**
 * The payload of `token` when its signature verifies with `key` under `algorithm`;
 * `TOKEN_INVALID` for a malformed token or a signature that does not verify. The
 * claims are not judged here (see `assertRegisteredClaims`).
 */
export function verifyCompactJws(token: string, key: KeyObject, algorithm: AsymmetricAlgorithm): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('TOKEN_INVALID', 'the token is not valid: jwt malformed');
  const [header, payload, signature] = parts as [string, string, string];
  const signingInput = Buffer.from(`${header}.${payload}`);
  const valid =
    algorithm === 'EdDSA'
      ? verify(null, signingInput, key, Buffer.from(signature, 'base64url'))
      : verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!valid) throw new TokenError('TOKEN_INVALID', 'the token is not valid: invalid signature');
  const claims = decodedSegment(payload);
  if (claims === undefined) throw new TokenError('TOKEN_INVALID', 'the token has no claims');
  return claims;
}

/** The JSON object of a base64url segment, or undefined when it is not one. */
export function decodedSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function signatureOf(signingInput: string, key: KeyObject, algorithm: AsymmetricAlgorithm): Buffer {
  const data = Buffer.from(signingInput);
  return algorithm === 'EdDSA' ? sign(null, data, key) : sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
}

function encoded(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
