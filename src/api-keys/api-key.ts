import { createHash, randomBytes } from 'node:crypto';

/** Every API key starts with this, so that secret scanners can find a leaked one. */
export const API_KEY_PREFIX = 'nck_';

/** Random bytes in a key: 256 bits. */
const KEY_BYTES = 32;

/** One API key as stored: never the key itself, only its hash. */
export interface ApiKeyRecord {
  /** Unique among live keys; `/whoami` shows the key as `key:<name>`. */
  readonly name: string;
  /** SHA-256 of the key, base64url. */
  readonly hash: string;
  /** The capabilities the key carries, as granted (sorted, no duplicates). */
  readonly capabilities: readonly string[];
  /** Unix seconds, or null for a key that never expires. */
  readonly expiresAt: number | null;
  /** Who created it: an email, `key:<name>` or `cli:<os user>`. */
  readonly createdBy: string;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly note: string;
  /** Unix seconds; null while the key is not revoked. */
  readonly revokedAt: number | null;
  /** A key limited to a scope: the scope path; it holds nothing outside it. Absent: the key holds globally. */
  readonly scope?: string | undefined;
}

/**
 * A new API key: `nck_` and 256 random bits in base64url. Shown once; only its hash
 * is kept.
 *
 * @example
 * const key = generateApiKey(); // 'nck_3q2-…' (47 characters)
 */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
}

/**
 * The hash an API key is stored and looked up by. A fast hash is right here: the
 * key holds 256 random bits, so nobody can guess it from its hash however many
 * guesses a second they make; slow hashes (bcrypt, scrypt) exist to protect
 * passwords a person chose, and would cost every request milliseconds.
 *
 * @example
 * hashApiKey(key) === record.hash
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** Whether a bearer credential is an API key rather than a token. */
export function isApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** Whether `record` authenticates at `nowSeconds`: neither revoked nor expired. */
export function isLive(record: ApiKeyRecord, nowSeconds: number): boolean {
  return record.revokedAt === null && (record.expiresAt === null || record.expiresAt > nowSeconds);
}
