import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { deriveTokenKey } from '../secrets/auth-secret';
import { deriveSigningKey, type AsymmetricAlgorithm, type TokenAlgorithm } from '../secrets/signing-key';
import { publicJwkOf, type PublicJwk } from './public-jwk';

/** A key that verifies tokens, with the one algorithm it is accepted for. */
export interface VerificationKey {
  readonly kid: string;
  readonly algorithm: TokenAlgorithm;
  /** The HMAC key (HS256) or the public key (EdDSA, ES256). */
  readonly key: KeyObject;
  /** The public JWK a JWKS lists; undefined for an HMAC key, which is never published. */
  readonly jwk?: PublicJwk | undefined;
}

/** The key pairs a keyring is made of beside the secrets' HMAC keys. */
export interface AsymmetricKeys {
  readonly algorithm: AsymmetricAlgorithm;
  /** The private key that signs. */
  readonly signing: KeyObject;
  /** Public (or private) keys that signed before: they verify, never sign. */
  readonly previous: readonly KeyObject[];
}

/**
 * The keys of bearer tokens: one signs, every listed one verifies, each named by a
 * `kid` derived from the key itself and pinned to its algorithm. Rotating means signing
 * with a new secret (or key) and keeping the old one in `previousSecrets` (or
 * `previousSigningKeys`) until its tokens have expired. With a key pair, the HMAC keys
 * of the secrets still verify, so tokens issued before the switch keep working.
 */
export class TokenKeyring {
  readonly signingAlgorithm: TokenAlgorithm;
  readonly signingKid: string;
  /** The HMAC key (HS256) or the private key (EdDSA, ES256) that signs. */
  readonly signingKey: KeyObject;
  private readonly keys: ReadonlyMap<string, VerificationKey>;
  /** The public keys, signing one first: what `/.well-known/jwks.json` lists. */
  readonly publicJwks: readonly PublicJwk[];

  private constructor(signing: VerificationKey & { readonly signingKey: KeyObject }, verifyOnly: readonly VerificationKey[]) {
    this.signingAlgorithm = signing.algorithm;
    this.signingKid = signing.kid;
    this.signingKey = signing.signingKey;
    // The signing key wins a clash of kids: a previous key equal to the current one adds nothing.
    const all = [...verifyOnly.filter((key) => key.kid !== signing.kid), signing];
    this.keys = new Map(all.map((key) => [key.kid, { kid: key.kid, algorithm: key.algorithm, key: key.key, jwk: key.jwk }]));
    this.publicJwks = uniqueJwks([signing, ...verifyOnly]);
  }

  /**
   * Keys from the current secret and the secrets it replaced: HMAC keys (HS256), or,
   * with `algorithm` EdDSA or ES256, key pairs derived from the secrets that sign and verify.
   */
  static fromSecrets(current: string, previous: readonly string[] = [], algorithm: TokenAlgorithm = 'HS256'): TokenKeyring {
    if (algorithm === 'HS256') return TokenKeyring.fromKeys(deriveTokenKey(current), previous.map(deriveTokenKey));
    const derived = { algorithm, signing: deriveSigningKey(current, algorithm), previous: previous.map((secret) => deriveSigningKey(secret, algorithm)) };
    return TokenKeyring.withKeyPair(derived, [deriveTokenKey(current), ...previous.map(deriveTokenKey)]);
  }

  /** HMAC keys already derived (the configuration's `keys.token` and `keys.previousTokens`). */
  static fromKeys(signing: KeyObject, verifyOnly: readonly KeyObject[]): TokenKeyring {
    const signingEntry = { ...hmacKey(signing), signingKey: signing };
    return new TokenKeyring(signingEntry, verifyOnly.map(hmacKey));
  }

  /**
   * A key pair that signs, the public keys it replaced, and HMAC keys that still verify
   * tokens issued under HS256.
   */
  static withKeyPair(keys: AsymmetricKeys, hmacKeys: readonly KeyObject[] = []): TokenKeyring {
    const signing = { ...publicKey(createPublicKey(keys.signing), keys.algorithm), signingKey: keys.signing };
    const previous = keys.previous.map((key) => publicKey(key.type === 'private' ? createPublicKey(key) : key, keys.algorithm));
    return new TokenKeyring(signing, [...previous, ...hmacKeys.map(hmacKey)]);
  }

  /** The verification key named `kid`, or undefined when it is not (or no longer) listed. */
  keyFor(kid: unknown): VerificationKey | undefined {
    return typeof kid === 'string' ? this.keys.get(kid) : undefined;
  }
}

function hmacKey(key: KeyObject): VerificationKey {
  return { kid: hmacKid(key), algorithm: 'HS256', key };
}

function publicKey(key: KeyObject, algorithm: AsymmetricAlgorithm): VerificationKey {
  const jwk = publicJwkOf(key, algorithm);
  return { kid: jwk.kid, algorithm, key, jwk };
}

function uniqueJwks(keys: readonly VerificationKey[]): PublicJwk[] {
  const seen = new Map<string, PublicJwk>();
  for (const { jwk } of keys) if (jwk !== undefined && !seen.has(jwk.kid)) seen.set(jwk.kid, jwk);
  return [...seen.values()];
}

// A digest of the derived key names it without revealing anything about the secret.
function hmacKid(key: KeyObject): string {
  return createHash('sha256').update(key.export()).digest('base64url').slice(0, 16);
}
