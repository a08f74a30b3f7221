import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { TokenError } from '../errors';
import type { ProviderTokens } from './provider-tokens';
import { credentialTail } from '../tokens/credential-tail';
import type { RevocableToken } from '../tokens/revocation-list';
import { MemoryRevocationStore, type RevocationStore } from '../tokens/revocation-store';
import { clearCookie, readCookie, setCookie, type CookiePolicy } from './cookie-jar';
import { seal, unseal } from './sealed-value';
import { nowSeconds } from '../clock';

const PURPOSE = 'session';
/** What every browser keeps of one cookie's name and value (RFC 6265 asks for at least 4096 bytes). */
const MAX_COOKIE_BYTES = 4000;
const logger = new Logger('nest-capabilities');

/** What the session cookie carries. */
export interface Session {
  /** Canonical email of the signed-in user. */
  readonly email: string;
  /** The provider that signed the user in. */
  readonly provider: string;
  /** Random per sign-in, so every sign-in yields a new cookie value. */
  readonly sessionId: string;
  /** When the user signed in, unix seconds: `revoke_all` ends the sessions issued up to its second. */
  readonly issuedAt: number;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** The principal this session authenticates, made once per cookie value. */
  readonly principal: Principal;
  /**
   * The provider's tokens for this user, to call its API on their behalf. They
   * travel inside the encrypted cookie (HttpOnly): the browser can neither read nor
   * change them.
   */
  readonly providerTokens?: ProviderTokens | undefined;
  /** The provider's id_token, kept only for a sign-out at the provider (`id_token_hint`). */
  readonly idToken?: string | undefined;
}

/** An opened cookie value, with what the revocation check reads made once. */
interface OpenedSession {
  /** The whole cookie value: the cache is keyed by its tail only. */
  readonly value: string;
  readonly session: Session;
  readonly revocable: RevocableToken;
}

/**
 * The session, kept in an encrypted cookie: any instance that shares the secret can
 * read it. Ending one (sign-out, `revoke_all`) goes through the `RevocationStore`,
 * where a session id is revoked like a token id until the session's expiry, so a
 * copied cookie stops working on every instance that shares the store.
 *
 * @example
 * const sessions = new SessionCookie(key, cookiePolicyFor(baseUrl), 86_400, revocations);
 * const session = await sessions.read(request.headers.cookie);
 * if (session !== null) await sessions.end(session);
 */
export class SessionCookie {
  // Opening a JWE costs an AES-GCM pass and a promise; the same cookie comes back on
  // every request of a page load, so the newest opened values are remembered, keyed
  // by their tail (the GCM tag) and served only to an equal value.
  private readonly opened = new Map<string, OpenedSession>();

  constructor(
    private readonly key: Uint8Array,
    private readonly cookies: CookiePolicy,
    private readonly ttlSeconds: number,
    /** Where ended sessions are kept; by default this process only. */
    private readonly revocations: RevocationStore = new MemoryRevocationStore(),
    /** The clock, in milliseconds, that issues sessions and expires them; tests freeze it. */
    private readonly now: () => number = Date.now,
    private readonly cacheSize = 10_000,
  ) {}

  /** A `Set-Cookie` value that signs `email` in, keeping the provider's tokens when given. */
  async issue(email: string, provider: string, tokens?: ProviderTokens, idToken?: string): Promise<string> {
    const claims = { sub: email, prv: provider, sid: randomBytes(16).toString('base64url'), ...(idToken === undefined ? {} : { idt: idToken }) };
    const value = await this.sealFitting(claims, tokens, this.ttlSeconds);
    return setCookie(this.cookies, this.cookies.sessionName, value, this.ttlSeconds);
  }

  /**
   * A `Set-Cookie` value for the same session with new provider tokens (after a
   * refresh): same user, same session id, and no longer than it had left to live.
   */
  async withTokens(session: Session, tokens: ProviderTokens): Promise<string> {
    const left = Math.max(1, Math.min(this.ttlSeconds, session.expiresAt - nowSeconds(this.now)));
    // The first sign-in's second is kept, so that a refresh cannot lift a session over a `revoke_all` cut-off.
    const claims = { sub: session.email, prv: session.provider, sid: session.sessionId, ...(session.idToken === undefined ? {} : { idt: session.idToken }) };
    const value = await this.sealFitting(claims, tokens, left, session.issuedAt);
    return setCookie(this.cookies, this.cookies.sessionName, value, left);
  }

  /**
   * The session in a `Cookie` header, or null: a tampered, expired or ended cookie is
   * simply no session.
   */
  async read(cookieHeader: string | string[] | undefined): Promise<Session | null> {
    const value = this.valueIn(cookieHeader);
    if (value === undefined) return null;
    const known = this.known(value);
    if (known !== undefined) return known;
    const session = await this.open(value);
    if (session === null) return null;
    const opened: OpenedSession = { value, session, revocable: { tokenId: session.sessionId, email: session.email, issuedAt: session.issuedAt } };
    this.remember(opened);
    return this.unlessEnded(opened);
  }

  /**
   * As `read`, synchronously, for a cookie value opened before (the guard's hot path:
   * no promise, no I/O); undefined when the value has not been opened yet.
   */
  readKnown(cookieHeader: string | string[] | undefined): Session | null | undefined {
    const value = this.valueIn(cookieHeader);
    return value === undefined ? null : this.known(value);
  }

  /**
   * Ends `session` on every instance sharing the revocation store: its cookie, copied
   * or not, no longer signs anybody in. Resolves once the revocation is durable.
   */
  end(session: Session): Promise<void> {
    return this.revocations.revokeToken(session.sessionId, session.expiresAt);
  }

  /** A `Set-Cookie` value that signs out. */
  clear(): string {
    return clearCookie(this.cookies, this.cookies.sessionName);
  }

  private valueIn(cookieHeader: string | string[] | undefined): string | undefined {
    const value = readCookie(cookieHeader, this.cookies.sessionName);
    return value === '' ? undefined : value;
  }

  private known(value: string): Session | null | undefined {
    const key = credentialTail(value);
    const opened = this.opened.get(key);
    if (opened === undefined || opened.value !== value) return undefined;
    if (opened.session.expiresAt * 1000 <= this.now()) {
      this.opened.delete(key);
      return null;
    }
    return this.unlessEnded(opened);
  }

  /** After the cache, in memory, so that an ended session is refused on the very next request. */
  private unlessEnded(opened: OpenedSession): Session | null {
    return this.revocations.isRevoked(opened.revocable) ? null : opened.session;
  }

  /**
   * Seals the session with as much of `tokens` as a cookie can hold: browsers drop
   * a cookie over 4 KiB without a word, which would fail the sign-in itself. The
   * refresh token goes first, then the access token; the session always fits.
   */
  private async sealFitting(
    claims: Record<string, string>,
    tokens: ProviderTokens | undefined,
    ttlSeconds: number,
    issuedAt?: number,
  ): Promise<string> {
    const candidates = tokens === undefined ? [] : [tokens, { ...tokens, refreshToken: undefined }];
    for (const kept of candidates) {
      const value = await seal({ ...claims, ptk: sealedTokens(kept) }, this.key, ttlSeconds, PURPOSE, issuedAt, nowSeconds(this.now));
      if (this.cookies.sessionName.length + value.length < MAX_COOKIE_BYTES) {
        if (kept !== tokens) logger.warn("the provider's refresh token does not fit in the session cookie and was not kept");
        return value;
      }
    }
    if (tokens !== undefined) logger.warn("the provider's tokens do not fit in the session cookie and were not kept");
    const value = await seal(claims, this.key, ttlSeconds, PURPOSE, issuedAt, nowSeconds(this.now));
    const { idt, ...withoutIdToken } = claims;
    if (idt === undefined || this.cookies.sessionName.length + value.length < MAX_COOKIE_BYTES) return value;
    logger.warn("the provider's id_token does not fit in the session cookie and was not kept: a sign-out at the provider goes without id_token_hint");
    return seal(withoutIdToken, this.key, ttlSeconds, PURPOSE, issuedAt, nowSeconds(this.now));
  }

  private async open(value: string): Promise<Session | null> {
    try {
      const claims = await unseal(value, this.key, PURPOSE, nowSeconds(this.now));
      const { sub, prv, sid, iat, exp, ptk, idt } = claims;
      if (typeof sub !== 'string' || typeof prv !== 'string' || typeof sid !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return null;
      const providerTokens = openedTokens(ptk);
      return {
        email: sub,
        provider: prv,
        sessionId: sid,
        issuedAt: iat,
        expiresAt: exp,
        principal: { email: sub, kind: 'user', via: 'session' },
        ...(providerTokens === undefined ? {} : { providerTokens }),
        ...(typeof idt === 'string' ? { idToken: idt } : {}),
      };
    } catch (error) {
      if (error instanceof TokenError) return null;
      throw error;
    }
  }

  private remember(opened: OpenedSession): void {
    if (this.opened.size >= this.cacheSize) {
      const oldest = this.opened.keys().next().value;
      if (oldest !== undefined) this.opened.delete(oldest);
    }
    this.opened.set(credentialTail(opened.value), opened);
  }
}

function sealedTokens(tokens: ProviderTokens): Record<string, string | number> {
  return {
    at: tokens.accessToken,
    ...(tokens.refreshToken === undefined ? {} : { rt: tokens.refreshToken }),
    ...(tokens.expiresAt === undefined ? {} : { exp: tokens.expiresAt }),
  };
}

function openedTokens(value: unknown): ProviderTokens | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { at, rt, exp } = value as Record<string, unknown>;
  if (typeof at !== 'string') return undefined;
  return { accessToken: at, refreshToken: typeof rt === 'string' ? rt : undefined, expiresAt: typeof exp === 'number' ? exp : undefined };
}
