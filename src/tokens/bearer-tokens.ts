import { randomBytes } from 'node:crypto';
import { JsonWebTokenError, NotBeforeError, TokenExpiredError, decode, sign, verify } from 'jsonwebtoken';
import { canonicalizeEmail, isServiceAccount } from '../capabilities/email';
import { assertScope, scopeProblem } from '../capabilities/scope';
import type { Principal } from '../capabilities/principal';
import { TokenError } from '../errors';
import { BEARER_SCHEME } from './bearer-header';
import { assertNotRevoked } from './revocation-list';
import { RevocationQuota } from './revocation-quota';
import { MemoryRevocationStore, type RevocationStore } from './revocation-store';
import type { TokenKeyring, VerificationKey } from './token-keyring';
import type { TokenAlgorithm } from '../secrets/signing-key';
import { signCompactJws, verifyCompactJws } from './compact-jws';
import { assertRegisteredClaims } from './jwt-claims';
import type { PublicJwk } from './public-jwk';
import { VerifiedTokenCache } from './verified-token-cache';
import { nowSeconds } from '../clock';

/** The algorithm tokens are signed with unless `tokenAlgorithm` names a key pair (EdDSA, ES256). */
export const TOKEN_ALGORITHM = 'HS256';

/** The JOSE header `typ` of an OAuth access token (RFC 9068 §2.1). */
const ACCESS_TOKEN_HEADER = { typ: 'at+jwt' } as const;

/** The `typ` claim of each kind of bearer token; a session cookie is not a JWT at all. */
export const TokenType = { user: 'user', service: 'service' } as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

export interface BearerTokenOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly userTokenTtlSeconds: number;
  /** `null` only when service tokens that never expire were asked for explicitly. */
  readonly serviceTokenTtlSeconds: number | null;
  /** The clock, in milliseconds, that issues tokens and judges their expiry; tests freeze it. Default `Date.now`. */
  readonly now?: () => number;
}

/** A token just issued. */
export interface IssuedToken {
  readonly token: string;
  readonly tokenId: string;
  /** Unix seconds, or null for a token that never expires. */
  readonly expiresAt: number | null;
}

/** A verified token: who it is for, and what identifies it for revocation. */
export interface VerifiedToken {
  readonly principal: Principal;
  readonly tokenId: string;
  /** Canonical email of the subject. */
  readonly email: string;
  /** The `iat` claim, unix seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number | null;
}

/**
 * Issues and verifies bearer tokens through jsonwebtoken (the library `@nestjs/jwt`
 * wraps; used directly because `@nestjs/jwt` 11 refuses Nest 12 as a peer and 12 ships
 * only ES modules, which Jest cannot load): algorithm pinned, `iss`,
 * `aud`, `sub`, `iat`, `exp`, `jti` and a `typ` claim, key chosen by `kid`, and
 * revocation checked at every call (cached or not).
 *
 * @example
 * const tokens = new BearerTokens(TokenKeyring.fromSecrets(secret), { issuer, audience: issuer, userTokenTtlSeconds: 3600, serviceTokenTtlSeconds: null });
 * const { token } = tokens.issueServiceToken('bot@service', ['write']);
 * tokens.verify(token).principal; // { email: 'bot@service', kind: 'service', via: 'token', snapshot: ['write'], expiresAt: null }
 */
export class BearerTokens {
  private readonly cache: VerifiedTokenCache<VerifiedToken>;
  private readonly now: () => number;

  constructor(
    private readonly keyring: TokenKeyring,
    private readonly options: BearerTokenOptions,
    /** Where revocations are looked up; by default this process only. */
    readonly revocations: RevocationStore = new MemoryRevocationStore(options.now),
    private readonly quota = new RevocationQuota(undefined, options.now),
  ) {
    this.now = options.now ?? Date.now;
    this.cache = new VerifiedTokenCache(this.now);
  }

  /** The algorithm new tokens are signed with. */
  get algorithm(): TokenAlgorithm {
    return this.keyring.signingAlgorithm;
  }

  /** The public keys that verify this application's tokens (none under HS256): the JWKS. */
  publicJwks(): readonly PublicJwk[] {
    return this.keyring.publicJwks;
  }

  /** The `iss` (and `aud`) of every token issued here. */
  get issuer(): string {
    return this.options.issuer;
  }

  /** A token that authenticates `email`; its capabilities are read from the store at each request. */
  issueUserToken(email: string): IssuedToken {
    return this.issue({ typ: TokenType.user }, email, this.options.userTokenTtlSeconds);
  }

  /**
   * A token for the service account `email` carrying a snapshot of `capabilities`,
   * expiring after `ttlSeconds` (default `serviceTokenTtlSeconds`) but never after
   * `notAfter` (unix seconds; null: no bound). With `scope`, the token holds nothing
   * outside that scope and below it (its principal carries `scope`).
   */
  issueServiceToken(email: string, capabilities: readonly string[], ttlSeconds?: number | null, notAfter: number | null = null, scope?: string): IssuedToken {
    const ttl = ttlSeconds === undefined ? this.options.serviceTokenTtlSeconds : ttlSeconds;
    const claims = { typ: TokenType.service, cap: [...capabilities], ...(scope === undefined ? {} : { scp: assertScope(scope) }) };
    return this.issue(claims, email, ttl, notAfter);
  }

  /**
   * An RFC 9068 access token for the OAuth client `clientId` of the service account
   * `account` (header `typ: at+jwt`; claims `client_id` and `scope`, the capability
   * names it holds at most, space-separated), expiring after `ttlSeconds`. With
   * `placeScope`, the token holds nothing outside that scope of §8.
   */
  issueClientToken(account: string, clientId: string, capabilities: readonly string[], ttlSeconds: number, placeScope?: string): IssuedToken {
    const claims = { client_id: clientId, scope: capabilities.join(' '), ...(placeScope === undefined ? {} : { scp: assertScope(placeScope) }) };
    return this.issue(claims, account, ttlSeconds, null, ACCESS_TOKEN_HEADER);
  }

  /**
   * The principal of `token`, or a `TokenError`: malformed, another algorithm, an
   * unknown key, expired, not yet valid, another issuer or audience, another type,
   * revoked.
   */
  verify(token: string): VerifiedToken {
    const verified = this.verifyIgnoringRevocation(token);
    // After the cache, so that a revocation takes effect on the very next request.
    assertNotRevoked(this.revocations, verified);
    return verified;
  }

  /**
   * The token of the `Authorization` header `header` when that token was verified
   * before, checked for revocation as `verify` does; undefined for any other header
   * (then read it with `bearerTokenOf` and call `verify`). It spares a known token the
   * strict reading of its header, character by character: the header is exactly
   * `Bearer ` and a token jsonwebtoken verified, whose base64url segments that reading
   * accepts.
   */
  verifyKnown(header: string | string[]): VerifiedToken | undefined {
    if (typeof header !== 'string' || !header.startsWith(BEARER_SCHEME)) return undefined;
    const cached = this.cache.get(header.slice(BEARER_SCHEME.length));
    if (cached !== undefined) assertNotRevoked(this.revocations, cached);
    return cached;
  }

  /** As `verify`, except that a revoked token passes: for revoking it again, idempotently. */
  verifyIgnoringRevocation(token: string): VerifiedToken {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    const verified = toVerifiedToken(this.verifySignature(token));
    assertExpiryRequired(verified, this.options);
    this.cache.set(token, verified, verified.expiresAt);
    return verified;
  }

  /**
   * Revokes `verified` on every instance sharing the revocation store. Revoking a
   * revoked token again does nothing; past `MAX_LIVE_REVOCATIONS_PER_ACCOUNT` live
   * revoked tokens of one account it throws `REVOCATION_LIMIT` (use `revokeAccount`).
   */
  async revoke(verified: VerifiedToken): Promise<void> {
    if (this.revocations.isRevoked(verified)) return;
    const release = this.quota.reserve(verified.email, verified.expiresAt);
    try {
      await this.revocations.revokeToken(verified.tokenId, verified.expiresAt);
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Revokes every token of `email` issued up to now; resolves with that second. Tokens
   * carry `iat` in whole seconds, so one issued later within the same second is void too.
   */
  async revokeAccount(email: string): Promise<number> {
    const issuedUpTo = nowSeconds(this.now);
    await this.revocations.revokeAccount(email, issuedUpTo);
    return issuedUpTo;
  }

  private issue(claims: Record<string, unknown>, email: string, ttlSeconds: number | null, notAfter: number | null = null, header?: { readonly typ: string }): IssuedToken {
    const tokenId = randomBytes(16).toString('base64url');
    // iat and exp set here, so that expires_at in the answer is exactly the token's exp.
    const issuedAt = nowSeconds(this.now);
    const lifetimeEnd = ttlSeconds === null ? null : issuedAt + ttlSeconds;
    const expiresAt = notAfter === null || (lifetimeEnd !== null && lifetimeEnd <= notAfter) ? lifetimeEnd : notAfter;
    const payload = { ...claims, iat: issuedAt, ...(expiresAt === null ? {} : { exp: expiresAt }) };
    return { token: this.signed(payload, email, tokenId, header?.typ ?? 'JWT'), tokenId, expiresAt };
  }

  private signed(payload: Record<string, unknown>, email: string, tokenId: string, typ: string): string {
    const { signingAlgorithm: algorithm, signingKey: key, signingKid: kid } = this.keyring;
    if (algorithm !== 'HS256') {
      const claims = { ...payload, aud: this.options.audience, iss: this.options.issuer, sub: email, jti: tokenId };
      return signCompactJws({ alg: algorithm, typ, kid }, claims, key);
    }
    // KeyObjects made once (the keyring's): given a string, jsonwebtoken would rebuild the key on every call.
    return sign(payload, key, {
      algorithm: TOKEN_ALGORITHM,
      issuer: this.options.issuer,
      audience: this.options.audience,
      keyid: kid,
      subject: email,
      jwtid: tokenId,
      header: { alg: TOKEN_ALGORITHM, typ, kid },
    });
  }

  private verifySignature(token: string): TokenClaims {
    const { key, algorithm } = this.keyFor(token);
    try {
      const payload: unknown =
        algorithm === 'HS256'
          ? verify(token, key, { algorithms: [TOKEN_ALGORITHM], issuer: this.options.issuer, audience: this.options.audience, clockTimestamp: nowSeconds(this.now) })
          : this.verifiedAsymmetric(token, key, algorithm);
      if (typeof payload !== 'object' || payload === null) throw new TokenError('TOKEN_INVALID', 'the token has no claims');
      return payload;
    } catch (error) {
      throw asTokenError(error);
    }
  }

  private verifiedAsymmetric(token: string, key: VerificationKey['key'], algorithm: Exclude<TokenAlgorithm, 'HS256'>): Record<string, unknown> {
    const payload = verifyCompactJws(token, key, algorithm);
    assertRegisteredClaims(payload, { issuer: this.options.issuer, audience: this.options.audience, nowSeconds: nowSeconds(this.now) });
    return payload;
  }

  /** The key the token names, used only for the algorithm it is pinned to. */
  private keyFor(token: string): VerificationKey {
    const decoded: unknown = decode(token, { complete: true });
    if (decoded === null || typeof decoded !== 'object') throw new TokenError('TOKEN_INVALID', 'the token is malformed');
    const header = (decoded as { header?: { kid?: unknown; alg?: unknown } }).header;
    const key = this.keyring.keyFor(header?.kid);
    if (key === undefined) throw new TokenError('TOKEN_INVALID', 'the token was signed with a key that is not (or no longer) accepted');
    // jsonwebtoken pins HS256 itself, with its own messages (an `alg: none` token: no signature).
    if (key.algorithm !== 'HS256') assertAlgorithmOfKey(header?.alg, key);
    return key;
  }
}

/**
 * Throws `TOKEN_INVALID` unless the token's `alg` is the one its key is pinned to: a
 * public key is never taken for an HMAC secret, nor `none` for anything.
 */
export function assertAlgorithmOfKey(alg: unknown, key: VerificationKey): void {
  if (alg !== key.algorithm) throw new TokenError('TOKEN_INVALID', 'the token is not valid: invalid algorithm');
}

/** The claims this module puts in a token; anything read back is checked before use. */
interface TokenClaims {
  readonly sub?: unknown;
  readonly iat?: unknown;
  readonly jti?: unknown;
  readonly exp?: number;
  readonly typ?: unknown;
  readonly cap?: unknown;
  /** A service token limited to a scope: the scope path. */
  readonly scp?: unknown;
  /** An OAuth client token: the client it was issued to. */
  readonly client_id?: unknown;
  /** An OAuth client token: the capability names it holds at most, space-separated. */
  readonly scope?: unknown;
}

function toVerifiedToken(payload: TokenClaims): VerifiedToken {
  const { sub, jti, exp, typ, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0) throw new TokenError('TOKEN_INVALID', 'the token has no jti claim');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new TokenError('TOKEN_INVALID', 'the token has no iat claim');
  const canonical = canonicalizeEmail(sub);
  if ('problem' in canonical || canonical.email !== sub) throw new TokenError('TOKEN_INVALID', 'the token has no valid subject');
  const email = canonical.email;
  if (typ === TokenType.user) {
    if (isServiceAccount(email)) throw new TokenError('TOKEN_WRONG_TYPE', 'a user token cannot name a service account');
    return { principal: { email, kind: 'user', via: 'token', expiresAt: exp ?? null }, tokenId: jti, email, issuedAt: iat, expiresAt: exp ?? null };
  }
  if (typ === TokenType.service) {
    const snapshot = payload.cap;
    if (!isServiceAccount(email)) throw new TokenError('TOKEN_WRONG_TYPE', 'a service token must name a service account');
    if (!Array.isArray(snapshot) || !snapshot.every((name) => typeof name === 'string')) {
      throw new TokenError('TOKEN_INVALID', 'the service token has no capability snapshot');
    }
    const scope = scopeClaimOf(payload.scp);
    const principal: Principal = { email, kind: 'service', via: 'token', snapshot, expiresAt: exp ?? null, ...(scope === undefined ? {} : { scope }) };
    return { principal, tokenId: jti, email, issuedAt: iat, expiresAt: exp ?? null };
  }
  if (typ === undefined && payload.client_id !== undefined) return clientToken(payload, email, jti, iat);
  throw new TokenError('TOKEN_WRONG_TYPE', 'this is not a bearer token of this application');
}

/**
 * An OAuth client token: a service token whose snapshot is its `scope`, with its
 * client (checked live at every request by the principal's resolver).
 */
function clientToken(payload: TokenClaims, email: string, jti: string, iat: number): VerifiedToken {
  const { client_id: clientId, scope, exp } = payload;
  if (!isServiceAccount(email)) throw new TokenError('TOKEN_WRONG_TYPE', 'a client token must name a service account');
  if (typeof clientId !== 'string' || clientId === '') throw new TokenError('TOKEN_INVALID', 'the client token has no client_id');
  if (typeof scope !== 'string') throw new TokenError('TOKEN_INVALID', 'the client token has no scope');
  const snapshot = scope === '' ? [] : scope.split(' ');
  const place = scopeClaimOf(payload.scp);
  const principal: Principal = { email, kind: 'service', via: 'token', snapshot, expiresAt: exp ?? null, clientId, ...(place === undefined ? {} : { scope: place }) };
  return { principal, tokenId: jti, email, issuedAt: iat, expiresAt: exp ?? null };
}

// A scope claim that is not a valid scope path would widen nothing, but it is not a token this module wrote.
function scopeClaimOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (scopeProblem(value) !== undefined) throw new TokenError('TOKEN_INVALID', 'the service token has a malformed scope');
  return value as string;
}

/**
 * Throws `TOKEN_INVALID` for a token without `exp`, unless it is a service token and
 * never-expiring service tokens were asked for (`serviceTokenTtlSeconds: 'never'`): a
 * token signed without an expiry by mistake or by a leaked key must not live forever.
 */
export function assertExpiryRequired(verified: VerifiedToken, options: Pick<BearerTokenOptions, 'serviceTokenTtlSeconds'>): void {
  if (verified.expiresAt !== null) return;
  if (verified.principal.kind === 'service' && options.serviceTokenTtlSeconds === null) return;
  throw new TokenError('TOKEN_INVALID', 'the token has no exp claim, and this application accepts no token that never expires');
}

function asTokenError(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof TokenExpiredError) return new TokenError('TOKEN_EXPIRED', 'the token has expired', { cause: error });
  if (error instanceof NotBeforeError) return new TokenError('TOKEN_INVALID', 'the token is not valid yet', { cause: error });
  if (error instanceof JsonWebTokenError) {
    return new TokenError('TOKEN_INVALID', `the token is not valid: ${error.message}`, { cause: error });
  }
  return new TokenError('TOKEN_INVALID', 'the token is not valid', { cause: error });
}
