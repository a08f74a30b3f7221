import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every client secret starts with this, so that secret scanners can find a leaked one. */
export const CLIENT_SECRET_PREFIX = 'ncs_';
/** Every client id starts with this; an id is no secret, the prefix only tells it apart. */
export const CLIENT_ID_PREFIX = 'ncc_';

/** Random bytes in a secret: 256 bits. */
const SECRET_BYTES = 32;
/** Random bytes in a client id: 128 bits, so two never meet. */
const ID_BYTES = 16;

/** One OAuth 2.0 client of a service account, as stored: never its secret, only the secret's hash. */
export interface ClientRecord {
  /** `ncc_` and random characters; what the client sends as `client_id`. */
  readonly clientId: string;
  /** The service account (`name@service`) whose capabilities the client's tokens hold at most. */
  readonly account: string;
  /** What people call it; may be empty. */
  readonly name: string;
  /** SHA-256 of the secret, base64url. */
  readonly hash: string;
  /** Who created it: an email or `cli:<os user>`. */
  readonly createdBy: string;
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds; null while the client is not revoked. */
  readonly revokedAt: number | null;
  /** A client limited to a scope of §8: its tokens hold nothing outside it. Absent: globally. */
  readonly scope?: string | undefined;
}

/**
 * A new client secret: `ncs_` and 256 random bits in base64url. Shown once; only its
 * hash is kept.
 *
 * @example generateClientSecret(); // 'ncs_Zm9v…' (47 characters)
 */
export function generateClientSecret(): string {
  return `${CLIENT_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** A new client id: `ncc_` and 128 random bits in base64url. */
export function generateClientId(): string {
  return `${CLIENT_ID_PREFIX}${randomBytes(ID_BYTES).toString('base64url')}`;
}

/**
 * The hash a secret is stored as. A fast hash is right for 256 random bits (nobody
 * guesses them from the hash); a slow one would only slow every token request.
 *
 * @example hashClientSecret(secret) === record.hash
 */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Whether `secret` is the one `hash` was made from, compared in constant time. */
export function secretMatches(secret: string, hash: string): boolean {
  const presented = Buffer.from(hashClientSecret(secret));
  const stored = Buffer.from(hash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
