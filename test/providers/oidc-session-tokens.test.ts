import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cookiePolicyFor } from '../../src/session/cookie-jar';
import { SessionCookie } from '../../src/session/session-cookie';

const sessions = new SessionCookie(new Uint8Array(32).fill(5), cookiePolicyFor(new URL('https://app.example.com')), 3600);

function cookieOf(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

describe('provider tokens in the session cookie', () => {
  it('keeps small tokens whole, encrypted', async () => {
    const tokens = { accessToken: 'a'.repeat(40), refreshToken: 'r'.repeat(40), expiresAt: 2_000_000_000 };
    const setCookie = await sessions.issue('ada@example.com', 'oidc', tokens);
    assert.ok(!setCookie.includes('a'.repeat(40)));
    assert.deepEqual((await sessions.read(cookieOf(setCookie)))?.providerTokens, tokens);
  });

  it('drops the refresh token before the access token when both do not fit in 4 KiB (an Entra ID-sized pair)', async () => {
    const tokens = { accessToken: 'a'.repeat(1500), refreshToken: 'r'.repeat(1500), expiresAt: 2_000_000_000 };
    const setCookie = await sessions.issue('ada@example.com', 'oidc', tokens);
    assert.ok(cookieOf(setCookie).length < 4000);
    const session = await sessions.read(cookieOf(setCookie));
    assert.equal(session?.email, 'ada@example.com');
    assert.deepEqual(session?.providerTokens, { accessToken: tokens.accessToken, refreshToken: undefined, expiresAt: tokens.expiresAt });
  });

  it('still signs the user in when not even the access token fits', async () => {
    const setCookie = await sessions.issue('ada@example.com', 'oidc', { accessToken: 'a'.repeat(3500) });
    assert.ok(cookieOf(setCookie).length < 4000);
    const session = await sessions.read(cookieOf(setCookie));
    assert.equal(session?.email, 'ada@example.com');
    assert.equal(session?.providerTokens, undefined);
  });

  it('keeps the id_token for a sign-out at the provider, and across a refresh of the tokens', async () => {
    const idToken = `eyJ.${'i'.repeat(900)}.sig`;
    const setCookie = await sessions.issue('ada@example.com', 'oidc', { accessToken: 'a'.repeat(40) }, idToken);
    const session = await sessions.read(cookieOf(setCookie));
    assert.equal(session?.idToken, idToken);
    const refreshed = await sessions.read(cookieOf(await sessions.withTokens(session, { accessToken: 'b'.repeat(40) })));
    assert.equal(refreshed?.idToken, idToken);
    assert.equal(refreshed?.providerTokens?.accessToken, 'b'.repeat(40));
  });

  it('drops the provider tokens before the id_token, and the id_token last, to stay under 4 KiB', async () => {
    const idToken = 'i'.repeat(1200);
    const tokensFirst = await sessions.read(cookieOf(await sessions.issue('ada@example.com', 'oidc', { accessToken: 'a'.repeat(2500) }, idToken)));
    assert.equal(tokensFirst?.providerTokens, undefined);
    assert.equal(tokensFirst?.idToken, idToken);
    const huge = await sessions.issue('ada@example.com', 'oidc', undefined, 'i'.repeat(3500));
    assert.ok(cookieOf(huge).length < 4000);
    const session = await sessions.read(cookieOf(huge));
    assert.equal(session?.email, 'ada@example.com', 'the sign-in still holds');
    assert.equal(session?.idToken, undefined);
  });
});
