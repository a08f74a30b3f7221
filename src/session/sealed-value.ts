import { EncryptJWT, jwtDecrypt, errors, type JWTPayload } from 'jose';
import { TokenError } from '../errors';

/**
 * Seals claims into a compact JWE (`dir`, A256GCM): encrypted and authenticated in
 * one step, so a cookie is both unreadable and tamper-evident. `issuedAt` (unix
 * seconds, default now) lets a re-sealed value keep the moment it was first issued.
 */
export async function seal(claims: JWTPayload, key: Uint8Array, ttlSeconds: number, purpose: string, issuedAt?: number): Promise<string> {
  return new EncryptJWT({ ...claims, pur: purpose })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(`${ttlSeconds}s`)
    .encrypt(key);
}

/**
 * Opens a value made by `seal` for the same purpose. Anything else (tampered,
 * expired, another purpose, not a JWE at all) is a `TokenError`.
 */
export async function unseal(value: string, key: Uint8Array, purpose: string): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtDecrypt(value, key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenError('TOKEN_EXPIRED', 'the value has expired', { cause: error });
    throw new TokenError('TOKEN_INVALID', 'the value could not be opened', { cause: error });
  }
  if (payload['pur'] !== purpose) throw new TokenError('TOKEN_WRONG_TYPE', `the value is not a ${purpose}`);
  return payload;
}
