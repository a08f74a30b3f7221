import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginError } from '../../src/errors';
import { cookiePolicyFor } from '../../src/session/cookie-jar';
import { LoginAttempts } from '../../src/session/login-attempt';

const attempts = new LoginAttempts(new Uint8Array(32).fill(7), cookiePolicyFor(new URL('http://127.0.0.1:3000')));

function cookieOf(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

describe('an OpenID Connect sign-in attempt', () => {
  it('keeps the PKCE verifier, the nonce and the account to link, encrypted', async () => {
    const { attempt, setCookie } = await attempts.begin({ provider: 'oidc', redirect: '/menu', codeVerifier: 'verifier-1', nonce: 'nonce-1', linkTo: 'ada@example.com', linkSession: 'session-1' });
    assert.ok(!setCookie.includes('verifier-1') && !setCookie.includes('nonce-1') && !setCookie.includes('ada@'));
    const { attempt: finished } = await attempts.finish(cookieOf(setCookie), 'oidc', attempt.state);
    assert.deepEqual(finished, { provider: 'oidc', state: attempt.state, redirect: '/menu', codeVerifier: 'verifier-1', nonce: 'nonce-1', linkTo: 'ada@example.com', linkSession: 'session-1' });
  });

  it('expires after ten minutes', async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const timed = new LoginAttempts(new Uint8Array(32).fill(7), cookiePolicyFor(new URL('http://127.0.0.1:3000')), () => nowMs);
    const { attempt, setCookie } = await timed.begin({ provider: 'oidc', redirect: '/', codeVerifier: 'v', nonce: 'n' });
    nowMs += 599 * 1000;
    await timed.finish(cookieOf(setCookie), 'oidc', attempt.state);
    nowMs += 1000;
    await assert.rejects(
      timed.finish(cookieOf(setCookie), 'oidc', attempt.state),
      (error) => error instanceof LoginError && error.code === 'LOGIN_EXPIRED' && error.message === 'the sign-in attempt has expired; start again',
    );
  });

  it('belongs to one provider', async () => {
    const { attempt, setCookie } = await attempts.begin({ provider: 'company', redirect: '/' });
    await assert.rejects(
      attempts.finish(cookieOf(setCookie), 'oidc', attempt.state),
      (error) => error instanceof LoginError && error.code === 'LOGIN_STATE_MISMATCH' && error.message === 'this sign-in attempt was started with another provider than "oidc"',
    );
  });
});
