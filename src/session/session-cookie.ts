import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { TokenError } from '../errors';
import type { ProviderTokens } from '../providers/sign-in-provider';
import { clearCookie, readCookies, setCookie, type CookiePolicy } from './cookie-jar';
import { seal, unseal } from './sealed-value';

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
}

/**
 * The session, kept entirely in an encrypted cookie: any instance that shares the
 * secret can read it, and there is no server-side store to lose or to sync.
 */
export class SessionCookie {
  // Opening a JWE costs an AES-GCM pass and a promise; the same cookie comes back on
  // every request of a page load, so the newest opened values are remembered.
  private readonly opened = new Map<string, Session>();

  constructor(
    private readonly key: Uint8Array,
    private readonly cookies: CookiePolicy,
    private readonly ttlSeconds: number,
    private readonly cacheSize = 10_000,
  ) {}

  /** A `Set-Cookie` value that signs `email` in, keeping the provider's tokens when given. */
  async issue(email: string, provider: string, tokens?: ProviderTokens): Promise<string> {
    const value = await this.sealFitting({ sub: email, prv: provider, sid: randomBytes(16).toString('base64url') }, tokens, this.ttlSeconds);
    return setCookie(this.cookies, this.cookies.sessionName, value, this.ttlSeconds);
  }

  /**
   * A `Set-Cookie` value for the same session with new provider tokens (after a
   * refresh): same user, same session id, and no longer than it had left to live.
   */
  async withTokens(session: Session, tokens: ProviderTokens): Promise<string> {
    const left = Math.max(1, Math.min(this.ttlSeconds, session.expiresAt - Math.floor(Date.now() / 1000)));
    const value = await this.sealFitting({ sub: session.email, prv: session.provider, sid: session.sessionId }, tokens, left);
    return setCookie(this.cookies, this.cookies.sessionName, value, left);
  }

  /** The session in a `Cookie` header, or null: a tampered or expired cookie is simply no session. */
  async read(cookieHeader: string | string[] | undefined): Promise<Session | null> {
    const value = readCookies(cookieHeader)[this.cookies.sessionName];
    if (value === undefined || value === '') return null;
    const cached = this.opened.get(value);
    if (cached !== undefined) {
      if (cached.expiresAt * 1000 > Date.now()) return cached;
      this.opened.delete(value);
      return null;
    }
    const session = await this.open(value);
    if (session !== null) this.remember(value, session);
    return session;
  }

  /** A `Set-Cookie` value that signs out. */
  clear(): string {
    return clearCookie(this.cookies, this.cookies.sessionName);
  }

  /**
   * Seals the session with as much of `tokens` as a cookie can hold: browsers drop
   * a cookie over 4 KiB without a word, which would fail the sign-in itself. The
   * refresh token goes first, then the access token; the session always fits.
   */
  private async sealFitting(claims: Record<string, string>, tokens: ProviderTokens | undefined, ttlSeconds: number): Promise<string> {
    const candidates = tokens === undefined ? [] : [tokens, { ...tokens, refreshToken: undefined }];
    for (const kept of candidates) {
      const value = await seal({ ...claims, ptk: sealedTokens(kept) }, this.key, ttlSeconds, PURPOSE);
      if (this.cookies.sessionName.length + value.length < MAX_COOKIE_BYTES) {
        if (kept !== tokens) logger.warn("the provider's refresh token does not fit in the session cookie and was not kept");
        return value;
      }
    }
    if (tokens !== undefined) logger.warn("the provider's tokens do not fit in the session cookie and were not kept");
    return seal(claims, this.key, ttlSeconds, PURPOSE);
  }

  private async open(value: string): Promise<Session | null> {
    try {
      const claims = await unseal(value, this.key, PURPOSE);
      const { sub, prv, sid, exp, ptk } = claims;
      if (typeof sub !== 'string' || typeof prv !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') return null;
      const providerTokens = openedTokens(ptk);
      return {
        email: sub,
        provider: prv,
        sessionId: sid,
        expiresAt: exp,
        principal: { email: sub, kind: 'user', via: 'session' },
        ...(providerTokens === undefined ? {} : { providerTokens }),
      };
    } catch (error) {
      if (error instanceof TokenError) return null;
      throw error;
    }
  }

  private remember(value: string, session: Session): void {
    if (this.opened.size >= this.cacheSize) {
      const oldest = this.opened.keys().next().value;
      if (oldest !== undefined) this.opened.delete(oldest);
    }
    this.opened.set(value, session);
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
