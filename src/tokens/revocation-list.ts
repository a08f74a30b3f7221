import { TokenError } from '../errors';

/** What a revocation check needs to know of a verified token. */
export interface RevocableToken {
  readonly tokenId: string;
  /** Canonical email of the token's subject. */
  readonly email: string;
  /** The `iat` claim, unix seconds. */
  readonly issuedAt: number;
}

/** The revocations as kept on disk or sent between instances. */
export interface RevocationSnapshot {
  /** Token id -> the token's expiry (unix seconds), or null for a token that never expires. */
  readonly tokens: Readonly<Record<string, number | null>>;
  /** Canonical email -> every token of that account issued at or before this second is revoked. */
  readonly accounts: Readonly<Record<string, number>>;
}

/**
 * The revocations in memory: revoked token ids until their expiry, and per account the
 * second up to which every token it was issued is void. Pure; stores wrap it.
 *
 * @example
 * const list = new RevocationList();
 * list.revokeToken('k3x…', 1767225600);
 * list.isRevoked({ tokenId: 'k3x…', email: 'bot@service', issuedAt: 1764547200 }); // true
 */
export class RevocationList {
  private readonly tokens = new Map<string, number | null>();
  private readonly accounts = new Map<string, number>();

  /** Revokes one token; `expiresAt` (unix seconds, null never) says when it may be forgotten. */
  revokeToken(tokenId: string, expiresAt: number | null): void {
    if (!this.tokens.has(tokenId)) this.tokens.set(tokenId, expiresAt);
  }

  /** Revokes every token of `email` issued at or before `issuedUpTo` (unix seconds). */
  revokeAccount(email: string, issuedUpTo: number): void {
    this.accounts.set(email, Math.max(issuedUpTo, this.accounts.get(email) ?? issuedUpTo));
  }

  /** Synchronous and in memory: the guard's hot path calls it on every bearer request. */
  isRevoked(token: RevocableToken): boolean {
    if (this.tokens.has(token.tokenId)) return true;
    const cutoff = this.accounts.get(token.email);
    return cutoff !== undefined && token.issuedAt <= cutoff;
  }

  /**
   * Forgets revoked tokens that expired before `nowSeconds`: they fail as expired anyway.
   * Account entries stay, since a token issued before one may never expire.
   */
  prune(nowSeconds: number): boolean {
    let pruned = false;
    for (const [tokenId, expiresAt] of this.tokens) {
      if (expiresAt !== null && expiresAt < nowSeconds) {
        this.tokens.delete(tokenId);
        pruned = true;
      }
    }
    return pruned;
  }

  /** Adds every revocation of `other`; revocations are only ever added, so merging loses none. */
  merge(other: RevocationSnapshot): void {
    for (const [tokenId, expiresAt] of Object.entries(other.tokens)) this.revokeToken(tokenId, expiresAt);
    for (const [email, cutoff] of Object.entries(other.accounts)) this.revokeAccount(email, cutoff);
  }

  snapshot(): RevocationSnapshot {
    return { tokens: Object.fromEntries(this.tokens), accounts: Object.fromEntries(this.accounts) };
  }

  get size(): number {
    return this.tokens.size + this.accounts.size;
  }
}

/** Throws `TOKEN_REVOKED` when `token` or its account's earlier tokens were revoked. */
export function assertNotRevoked(revocations: { isRevoked(token: RevocableToken): boolean }, token: RevocableToken): void {
  if (revocations.isRevoked(token)) throw new TokenError('TOKEN_REVOKED', 'the token has been revoked');
}

/**
 * `value` read back as a snapshot, or undefined when it is not one. Checked field by
 * field: the file may have been edited or truncated by hand.
 */
export function parseRevocationSnapshot(value: unknown): RevocationSnapshot | undefined {
  if (!isPlainObject(value) || !isPlainObject(value['tokens']) || !isPlainObject(value['accounts'])) return undefined;
  const tokens: Record<string, number | null> = {};
  for (const [tokenId, expiresAt] of Object.entries(value['tokens'])) {
    if (expiresAt !== null && !Number.isFinite(expiresAt)) return undefined;
    tokens[tokenId] = expiresAt as number | null;
  }
  const accounts: Record<string, number> = {};
  for (const [email, cutoff] of Object.entries(value['accounts'])) {
    if (!Number.isFinite(cutoff)) return undefined;
    accounts[email] = cutoff as number;
  }
  return { tokens, accounts };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
