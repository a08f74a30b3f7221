import { randomBytes } from 'node:crypto';
import type { Principal } from '../capabilities/principal';
import { TokenError } from '../errors';
import { clearCookie, readCookies, setCookie, type CookiePolicy } from './cookie-jar';
import { seal, unseal } from './sealed-value';

const PURPOSE = 'session';

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

  /** A `Set-Cookie` value that signs `email` in. */
  async issue(email: string, provider: string): Promise<string> {
    const value = await seal({ sub: email, prv: provider, sid: randomBytes(16).toString('base64url') }, this.key, this.ttlSeconds, PURPOSE);
    return setCookie(this.cookies, this.cookies.sessionName, value, this.ttlSeconds);
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

  private async open(value: string): Promise<Session | null> {
    try {
      const claims = await unseal(value, this.key, PURPOSE);
      const { sub, prv, sid, exp } = claims;
      if (typeof sub !== 'string' || typeof prv !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') return null;
      return { email: sub, provider: prv, sessionId: sid, expiresAt: exp, principal: { email: sub, kind: 'user', via: 'session' } };
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
