import { createHash, type KeyObject } from 'node:crypto';
import { deriveTokenKey } from '../secrets/auth-secret';

/**
 * The keys of bearer tokens: one signs, every listed one verifies, each named by a
 * `kid` derived from the key itself. Rotating means signing with a new secret and
 * keeping the old one in `previousSecrets` until its tokens have expired.
 */
export class TokenKeyring {
  readonly signingKid: string;
  readonly signingKey: KeyObject;
  private readonly keys: ReadonlyMap<string, KeyObject>;

  private constructor(signing: KeyObject, verifyOnly: readonly KeyObject[]) {
    this.signingKey = signing;
    this.signingKid = kidOf(signing);
    this.keys = new Map([signing, ...verifyOnly].map((key) => [kidOf(key), key]));
  }

  /** Keys from the current secret and the secrets it replaced. */
  static fromSecrets(current: string, previous: readonly string[] = []): TokenKeyring {
    return TokenKeyring.fromKeys(deriveTokenKey(current), previous.map(deriveTokenKey));
  }

  /** Keys already derived (the configuration's `keys.token` and `keys.previousTokens`). */
  static fromKeys(signing: KeyObject, verifyOnly: readonly KeyObject[]): TokenKeyring {
    return new TokenKeyring(signing, verifyOnly);
  }

  /** The verification key named `kid`, or undefined when it is not (or no longer) listed. */
  keyFor(kid: unknown): KeyObject | undefined {
    return typeof kid === 'string' ? this.keys.get(kid) : undefined;
  }
}

// A digest of the derived key names it without revealing anything about the secret.
function kidOf(key: KeyObject): string {
  return createHash('sha256').update(key.export()).digest('base64url').slice(0, 16);
}
