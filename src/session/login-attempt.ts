import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LoginError, TokenError } from '../errors';
import { clearCookie, readCookies, setCookie, type CookiePolicy } from './cookie-jar';
import { seal, unseal } from './sealed-value';

const PURPOSE = 'login attempt';

/** How long a sign-in may take between leaving for the provider and coming back. */
export const LOGIN_ATTEMPT_TTL_SECONDS = 600;

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
}

/**
 * Sign-in attempts, each in its own short-lived encrypted cookie named after its
 * state, so two tabs signing in at once do not overwrite each other, and any
 * instance sharing the secret can finish an attempt another one started.
 */
export class LoginAttempts {
  constructor(
    private readonly key: Uint8Array,
    private readonly cookies: CookiePolicy,
  ) {}

  /** Starts an attempt: a fresh `state`, and the `Set-Cookie` value that remembers it. */
  async begin(attempt: Omit<LoginAttempt, 'state'>): Promise<{ attempt: LoginAttempt; setCookie: string }> {
    const started: LoginAttempt = { ...attempt, state: randomBytes(32).toString('base64url') };
    const value = await seal(
      { prv: started.provider, st: started.state, rd: started.redirect, cv: started.codeVerifier, nn: started.nonce, lk: started.linkTo },
      this.key,
      LOGIN_ATTEMPT_TTL_SECONDS,
      PURPOSE,
    );
    return { attempt: started, setCookie: setCookie(this.cookies, this.cookieName(started.state), value, LOGIN_ATTEMPT_TTL_SECONDS) };
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
    const name = this.cookieName(state);
    const value = readCookies(cookieHeader)[name];
    if (value === undefined || value === '') {
      throw new LoginError('LOGIN_EXPIRED', 'no sign-in attempt matches this response: it was already used, has expired, or was started in another browser');
    }
    const attempt = await this.open(value);
    assertStateMatches(attempt.state, state);
    assertSameProvider(attempt.provider, provider);
    return { attempt, clearCookie: clearCookie(this.cookies, name) };
  }

  /** The `Set-Cookie` value that drops the attempt named by `state`. */
  forget(state: string): string {
    return clearCookie(this.cookies, this.cookieName(state));
  }

  private cookieName(state: string): string {
    // A hash keeps the name short and free of characters a cookie name may not hold.
    return this.cookies.loginPrefix + createHash('sha256').update(state).digest('base64url').slice(0, 16);
  }

  private async open(value: string): Promise<LoginAttempt> {
    let claims;
    try {
      claims = await unseal(value, this.key, PURPOSE);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      if (error.code === 'TOKEN_EXPIRED') throw new LoginError('LOGIN_EXPIRED', 'the sign-in attempt has expired; start again');
      throw new LoginError('LOGIN_STATE_MISMATCH', 'the sign-in attempt cookie is not valid');
    }
    const { prv, st, rd, cv, nn, lk } = claims;
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
    };
  }
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
