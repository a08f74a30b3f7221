import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LoginError, TokenError } from '../errors';
import { clearCookie, readCookies, setCookie, type CookiePolicy } from './cookie-jar';
import { seal, unseal } from './sealed-value';
import { nowSeconds } from '../clock';

const PURPOSE = 'login attempt';

/** How long a sign-in may take between leaving for the provider and coming back. */
export const LOGIN_ATTEMPT_TTL_SECONDS = 600;

/**
 * Most sign-in attempts one browser keeps at once: a new one takes a free slot, else
 * the oldest one's. Fixed cookie names bound the sum even when many start in parallel.
 */
export const LOGIN_ATTEMPT_SLOTS = 3;

/** Longest page to return to (UTF-8 bytes) an attempt remembers; a longer one returns to `/`, keeping each cookie small. */
export const MAX_REMEMBERED_REDIRECT_BYTES = 1024;

/** What one sign-in attempt remembers while the browser is at the provider. */
export interface LoginAttempt {
  readonly provider: string;
  readonly state: string;
  /** Same-site path to return to afterwards. */
  readonly redirect: string;
  /** PKCE code verifier, where the provider takes PKCE. */
  readonly codeVerifier?: string | undefined;
  /** OpenID Connect nonce. */
  readonly nonce?: string | undefined;
  /** Set when a signed-in user links this provider to their account: that account's email. */
  readonly linkTo?: string | undefined;
  /** With `linkTo`: the id of the session that started the link, which must be the one that finishes it. */
  readonly linkSession?: string | undefined;
}

/**
 * Sign-in attempts, each in its own short-lived encrypted cookie, so two tabs signing
 * in at once do not overwrite each other, and any instance sharing the secret can
 * finish an attempt another one started. The cookies are a few fixed slots: a browser
 * made to start sign-ins over and over (45 cross-site navigations used to fill its
 * headers for ten minutes) keeps only the newest `LOGIN_ATTEMPT_SLOTS`.
 *
 * A slot's value is `<start time>.<state digest>.<JWE>`: the visible prefix only picks
 * the slot to evict and the one to open; the JWE alone is trusted.
 */
export class LoginAttempts {
  constructor(
    private readonly key: Uint8Array,
    private readonly cookies: CookiePolicy,
    /** The clock, in milliseconds, that starts attempts and expires them; tests freeze it. */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Starts an attempt: a fresh `state`, and the `Set-Cookie` value that remembers it
   * in a free slot of `cookieHeader` (the request's cookies), else in the oldest one.
   */
  async begin(attempt: Omit<LoginAttempt, 'state'>, cookieHeader?: string | string[]): Promise<{ attempt: LoginAttempt; setCookie: string }> {
    const redirect = Buffer.byteLength(attempt.redirect) > MAX_REMEMBERED_REDIRECT_BYTES ? '/' : attempt.redirect;
    const started: LoginAttempt = { ...attempt, redirect, state: randomBytes(32).toString('base64url') };
    const startedAtMs = this.now();
    const sealed = await seal(
      {
        prv: started.provider,
        st: started.state,
        rd: started.redirect,
        cv: started.codeVerifier,
        nn: started.nonce,
        lk: started.linkTo,
        ls: started.linkSession,
      },
      this.key,
      LOGIN_ATTEMPT_TTL_SECONDS,
      PURPOSE,
      undefined,
      nowSeconds(() => startedAtMs),
    );
    const value = `${startedAtMs.toString(36)}.${stateDigest(started.state)}.${sealed}`;
    const slot = this.slotFor(readCookies(cookieHeader));
    return { attempt: started, setCookie: setCookie(this.cookies, slot, value, LOGIN_ATTEMPT_TTL_SECONDS) };
  }

  /**
   * Finishes the attempt that `state` names, for `provider`. Throws a `LoginError`
   * when there is none (never started, already used, or expired), when it belongs to
   * another provider, or when the state differs. The cookie is cleared either way.
   */
  async finish(
    cookieHeader: string | string[] | undefined,
    provider: string,
    state: unknown,
  ): Promise<{ attempt: LoginAttempt; clearCookie: string }> {
    if (typeof state !== 'string' || state.length === 0 || state.length > 128) {
      throw new LoginError('LOGIN_STATE_MISMATCH', 'the sign-in response has no valid state');
    }
    const found = this.slotHolding(readCookies(cookieHeader), state);
    if (found === undefined) {
      throw new LoginError('LOGIN_EXPIRED', 'no sign-in attempt matches this response: it was already used, has expired, or was started in another browser');
    }
    const attempt = await this.open(found.sealed);
    assertStateMatches(attempt.state, state);
    assertSameProvider(attempt.provider, provider);
    return { attempt, clearCookie: clearCookie(this.cookies, found.name) };
  }

  /** The `Set-Cookie` value that drops the attempt named by `state`, if `cookieHeader` holds it. */
  forget(cookieHeader: string | string[] | undefined, state: string): string | undefined {
    const found = this.slotHolding(readCookies(cookieHeader), state);
    return found === undefined ? undefined : clearCookie(this.cookies, found.name);
  }

  private slotName(index: number): string {
    return `${this.cookies.loginPrefix}${index + 1}`;
  }

  /** The first free slot, else the one whose attempt started first. */
  private slotFor(cookies: Record<string, string | undefined>): string {
    let oldest = this.slotName(0);
    let oldestStart = Infinity;
    for (let index = 0; index < LOGIN_ATTEMPT_SLOTS; index++) {
      const name = this.slotName(index);
      const value = cookies[name];
      if (value === undefined || value === '') return name;
      const started = parseInt(value.slice(0, value.indexOf('.')), 36);
      const start = Number.isFinite(started) ? started : 0;
      if (start < oldestStart) {
        oldest = name;
        oldestStart = start;
      }
    }
    return oldest;
  }

  private slotHolding(cookies: Record<string, string | undefined>, state: string): { name: string; sealed: string } | undefined {
    const digest = stateDigest(state);
    for (let index = 0; index < LOGIN_ATTEMPT_SLOTS; index++) {
      const name = this.slotName(index);
      const value = cookies[name];
      if (value === undefined) continue;
      const [, held, ...sealed] = value.split('.');
      if (held === digest) return { name, sealed: sealed.join('.') };
    }
    return undefined;
  }

  private async open(value: string): Promise<LoginAttempt> {
    let claims;
    try {
      claims = await unseal(value, this.key, PURPOSE, nowSeconds(this.now));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (error.code === 'TOKEN_EXPIRED') throw new LoginError('LOGIN_EXPIRED', 'the sign-in attempt has expired; start again');
      throw new LoginError('LOGIN_STATE_MISMATCH', 'the sign-in attempt cookie is not valid');
    }
    const { prv, st, rd, cv, nn, lk, ls } = claims;
    if (typeof prv !== 'string' || typeof st !== 'string' || typeof rd !== 'string') {
      throw new LoginError('LOGIN_STATE_MISMATCH', 'the sign-in attempt cookie is not valid');
    }
    return {
      provider: prv,
      state: st,
      redirect: rd,
      codeVerifier: typeof cv === 'string' ? cv : undefined,
      nonce: typeof nn === 'string' ? nn : undefined,
      linkTo: typeof lk === 'string' ? lk : undefined,
      linkSession: typeof ls === 'string' ? ls : undefined,
    };
  }
}

/** A short digest of `state`, naming its slot's attempt without revealing the state. */
function stateDigest(state: string): string {
  return createHash('sha256').update(state).digest('base64url').slice(0, 16);
}

/** Throws `LOGIN_STATE_MISMATCH` unless the states are equal, compared in constant time. */
export function assertStateMatches(expected: string, received: string): void {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new LoginError('LOGIN_STATE_MISMATCH', 'the sign-in response does not match the attempt (state mismatch)');
  }
}

/** Throws `LOGIN_STATE_MISMATCH` when a callback arrives for another provider than the attempt's. */
export function assertSameProvider(expected: string, received: string): void {
  if (expected !== received) {
    throw new LoginError('LOGIN_STATE_MISMATCH', `this sign-in attempt was started with another provider than ${JSON.stringify(received)}`);
  }
}

/**
 * Throws `LOGIN_STATE_MISMATCH` unless a link attempt comes back to the very session
 * that started it (same session id, same account): a link started elsewhere, or
 * before a sign-out or another sign-in, links nothing. A plain sign-in passes.
 */
export function assertLinkStartedBy(attempt: LoginAttempt, session: { readonly sessionId: string; readonly email: string } | null): void {
  if (attempt.linkTo === undefined) return;
  if (session === null || attempt.linkSession === undefined || session.sessionId !== attempt.linkSession || session.email !== attempt.linkTo) {
    throw new LoginError('LOGIN_STATE_MISMATCH', 'this link was not started by your current session; start linking again from your account');
  }
}
