import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TokenError } from '../errors';

/** The claims a sealed value carries: a JSON object. */
export type SealedClaims = Record<string, unknown>;

// A compact JWE with `dir` and A256GCM, byte for byte what jose's EncryptJWT makes (a test
// opens each library's values with the other). Written on node:crypto because jose ships
// only ES modules, which Jest's CommonJS runtime cannot load; the format has exactly one
// cipher, so there is no algorithm choice to get wrong here.
const PROTECTED_HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * Seals claims into a compact JWE (`dir`, A256GCM): encrypted and authenticated in
 * one step, so a cookie is both unreadable and tamper-evident. `nowSeconds` is the
 * caller's clock in unix seconds; `issuedAt` (default `nowSeconds`) lets a re-sealed
 * value keep the moment it was first issued.
 */
export async function seal(
  claims: SealedClaims,
  key: Uint8Array,
  ttlSeconds: number,
  purpose: string,
  issuedAt: number | undefined,
  nowSeconds: number,
): Promise<string> {
  assertKeyLength(key);
  const payload = { ...claims, pur: purpose, iat: issuedAt ?? nowSeconds, exp: nowSeconds + ttlSeconds };
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(PROTECTED_HEADER, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return `${PROTECTED_HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * Opens a value made by `seal` for the same purpose. Anything else (tampered,
 * expired, another purpose, not a JWE at all) is a `TokenError`.
 */
export async function unseal(value: string, key: Uint8Array, purpose: string, nowSeconds: number): Promise<SealedClaims> {
  assertKeyLength(key);
  const payload = openCompact(value, key);
  assertClaimsTimes(payload, nowSeconds);
  if (payload['pur'] !== purpose) throw new TokenError('TOKEN_WRONG_TYPE', `the value is not a ${purpose}`);
  return payload;
}

function openCompact(value: string, key: Uint8Array): SealedClaims {
  const parts = value.split('.');
  const [header, encryptedKey, iv, ciphertext, tag] = parts;
  // Only the exact header seal() writes is accepted: no other alg/enc, no extra parameters.
  if (parts.length !== 5 || header !== PROTECTED_HEADER || encryptedKey !== '' || iv === undefined || ciphertext === undefined || tag === undefined) {
    throw invalid();
  }
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw invalid();
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(header, 'ascii'));
    decipher.setAuthTag(tagBytes);
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw invalid(error);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(plaintext);
  } catch (error) {
    throw invalid(error);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid();
  return payload as SealedClaims;
}

function assertClaimsTimes(payload: SealedClaims, nowSeconds: number): void {
  const { exp, iat, nbf } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) throw invalid();
  if (exp <= nowSeconds) throw new TokenError('TOKEN_EXPIRED', 'the value has expired');
  if (typeof nbf === 'number' && nbf > nowSeconds) throw invalid();
}

function assertKeyLength(key: Uint8Array): void {
  if (key.byteLength !== KEY_BYTES) throw new TypeError(`a sealing key has ${KEY_BYTES} bytes`);
}

function invalid(cause?: unknown): TokenError {
  return new TokenError('TOKEN_INVALID', 'the value could not be opened', cause === undefined ? undefined : { cause });
}
