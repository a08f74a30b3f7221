import { createECDH, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors';

/** The algorithms tokens may be signed with: HMAC with a key derived from the secret, or a key pair. */
export const TOKEN_ALGORITHMS = ['HS256', 'EdDSA', 'ES256'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];
/** The algorithms of a key pair, whose public half others may verify with. */
export type AsymmetricAlgorithm = Exclude<TokenAlgorithm, 'HS256'>;

// An Ed25519 private key is its 32-byte seed behind this fixed PKCS#8 prefix (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// The order of the P-256 group: a private scalar lies in [1, n - 1].
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * Throws `CONFIG_INVALID` unless `value` is one of `TOKEN_ALGORITHMS`.
 *
 * @example assertTokenAlgorithm(process.env.AUTH_TOKEN_ALG ?? 'HS256', 'AUTH_TOKEN_ALG'); // 'EdDSA'
 */
export function assertTokenAlgorithm(value: unknown, name = 'tokenAlgorithm'): TokenAlgorithm {
  if (typeof value === 'string' && (TOKEN_ALGORITHMS as readonly string[]).includes(value)) return value as TokenAlgorithm;
  throw new ConfigError(`${name} must be one of ${TOKEN_ALGORITHMS.join(', ')}, got ${JSON.stringify(String(value).slice(0, 32))}`);
}

/**
 * The token signing key of `algorithm` derived from `secret` with HKDF-SHA256, so every
 * instance sharing the secret signs with the same key pair and no key file is needed.
 *
 * @example deriveSigningKey(process.env.AUTH_SECRET!, 'EdDSA').asymmetricKeyType; // 'ed25519'
 */
export function deriveSigningKey(secret: string, algorithm: AsymmetricAlgorithm): KeyObject {
  if (algorithm === 'EdDSA') {
    const seed = Buffer.from(hkdfSync('sha256', secret, 'nest-capabilities', 'token signing key Ed25519 v1', 32));
    return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }
  // 16 bytes beyond the order's 32, so reducing modulo n leaves no measurable bias.
  const wide = BigInt(`0x${Buffer.from(hkdfSync('sha256', secret, 'nest-capabilities', 'token signing key P-256 v1', 48)).toString('hex')}`);
  const scalar = Buffer.from(((wide % (P256_ORDER - 1n)) + 1n).toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: scalar.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

/**
 * The private key of a PKCS#8 PEM (`openssl genpkey -algorithm ed25519`, or
 * `-algorithm EC -pkeyopt ec_paramgen_curve:P-256`), checked to fit `algorithm`.
 * `name` says where it came from in a `CONFIG_INVALID` error, which never holds the key.
 *
 * @example parseSigningKey(readSecretFile('/run/secrets/signing.pem', 'AUTH_SIGNING_KEY_FILE'), 'EdDSA', 'AUTH_SIGNING_KEY_FILE')
 */
export function parseSigningKey(pem: string, algorithm: AsymmetricAlgorithm, name: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError(`${name} is not a PKCS#8 PEM private key`);
  }
  assertKeyFits(key, algorithm, name);
  return key;
}

/**
 * The public key of a PEM that signed tokens before (its PKCS#8 private key or its SPKI
 * public key), checked to fit `algorithm`: kept to verify, never to sign.
 *
 * @example parsePreviousSigningKey(oldPem, 'EdDSA', 'previousSigningKeys[0]')
 */
export function parsePreviousSigningKey(pem: string, algorithm: AsymmetricAlgorithm, name: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError(`${name} is not a PEM private or public key`);
  }
  assertKeyFits(key, algorithm, name);
  return key;
}

/** Throws `CONFIG_INVALID` when `key` cannot sign `algorithm`: an Ed25519 key for EdDSA, a P-256 key for ES256. */
export function assertKeyFits(key: KeyObject, algorithm: AsymmetricAlgorithm, name: string): void {
  const fits = algorithm === 'EdDSA' ? key.asymmetricKeyType === 'ed25519' : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (!fits) throw new ConfigError(`${name} is not ${algorithm === 'EdDSA' ? 'an Ed25519' : 'a P-256'} key, as tokenAlgorithm ${algorithm} needs`);
}
