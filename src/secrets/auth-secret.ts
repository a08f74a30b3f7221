import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';

/** Shortest secret accepted in production, in bytes (256 bits). */
export const MIN_SECRET_BYTES = 32;

// Values people paste from examples; refusing them keeps a copied config from going live.
const PLACEHOLDERS = [/change[-_ ]?me/i, /^secret$/i, /^password$/i, /your[-_ ]?secret/i, /^x+$/i, /^(.)\1+$/, /example/i, /replace/i];

/**
 * Throws `CONFIG_INVALID` unless `secret` is long enough and not a placeholder.
 * The message never contains the secret.
 */
export function assertStrongSecret(secret: string, name = 'AUTH_SECRET'): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError(`${name} must be at least ${MIN_SECRET_BYTES} bytes long (e.g. openssl rand -base64 48)`);
  }
  if (PLACEHOLDERS.some((pattern) => pattern.test(secret))) {
    throw new ConfigError(`${name} looks like a placeholder; generate a random one (e.g. openssl rand -base64 48)`);
  }
}

/** Independent keys for each use of the one configured secret. */
export interface DerivedKeys {
  /** AES-256-GCM key of the session cookie. */
  readonly session: Uint8Array;
  /** AES-256-GCM key of the short-lived sign-in attempt cookie. */
  readonly login: Uint8Array;
  /** HMAC key of bearer tokens, as a KeyObject so jsonwebtoken never re-parses it. */
  readonly token: KeyObject;
  /** Bearer-token keys of the secrets `token` replaced: they verify, never sign. */
  readonly previousTokens: readonly KeyObject[];
}

/**
 * Derives one key per purpose with HKDF-SHA256, once at start-up, so that a value
 * made for one purpose can never be accepted for another.
 */
export function deriveKeys(secret: string, previousSecrets: readonly string[] = []): DerivedKeys {
  return {
    session: derive(secret, 'session cookie v1'),
    login: derive(secret, 'login attempt cookie v1'),
    token: deriveTokenKey(secret),
    previousTokens: previousSecrets.map(deriveTokenKey),
  };
}

/** The bearer-token HMAC key of one secret; also used for keys kept only to verify. */
export function deriveTokenKey(secret: string): KeyObject {
  return createSecretKey(derive(secret, 'bearer token v1'));
}

function derive(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'nest-capabilities', purpose, 32));
}
