import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LoginError } from '../../src/errors';
import { createOidcProvider } from '../../src/providers/oidc/oidc-sign-in';
import type { RedirectSignInProvider } from '../../src/providers/sign-in-provider';
import { cookiePolicyFor } from '../../src/session/cookie-jar';
import { SessionCookie } from '../../src/session/session-cookie';
import { answerAtIdentityServer, startIdentityServer, type IdentityServer } from './oidc-identity-server';

const REDIRECT_URI = 'http://127.0.0.1:9/auth/oidc/callback';

async function signIn(provider: RedirectSignInProvider, email: string) {
  const attempt = { provider: 'oidc', state: `state-${email}`, redirect: '/', ...provider.secrets() };
  const callbackUrl = await answerAtIdentityServer(await provider.authorizationUrl(attempt, REDIRECT_URI), { email });
  return provider.finish(callbackUrl, attempt, REDIRECT_URI);
}

describe('OpenID Connect provider tokens (oidc-provider)', () => {
  let idp: IdentityServer;
  const context = { baseUrl: new URL('http://127.0.0.1:9'), production: false, now: Date.now, warn: () => undefined };

  before(async () => {
    idp = await startIdentityServer([REDIRECT_URI]);
  });
  after(() => idp.close());

  it('returns a refresh token when offline access is asked for, and refreshes the access token with it', async () => {
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, offlineAccess: true }, context);
    const identity = await signIn(provider, 'ada@example.com');
    assert.equal(identity.subject, 'ada@example.com');
    assert.equal(identity.emailVerified, true);
    const tokens = identity.tokens!;
    assert.ok(tokens.accessToken.length > 20);
    assert.ok(tokens.refreshToken !== undefined && tokens.refreshToken.length > 20, 'a refresh token');
    assert.ok(tokens.expiresAt !== undefined && tokens.expiresAt > Date.now() / 1000);
    const refreshed = await provider.refresh!(tokens.refreshToken);
    assert.notEqual(refreshed.accessToken, tokens.accessToken);
    assert.ok(refreshed.refreshToken !== undefined);
  });

  it("counts the access token's expiry, at sign-in and at refresh, on the module's clock", async () => {
    const frozenMs = Date.UTC(2031, 0, 1);
    const frozen = { ...context, now: () => frozenMs };
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, offlineAccess: true }, frozen);
    // The identity server gives access tokens an hour; openid-client counts down the seconds since the answer.
    const anHourOn = (expiresAt: number | undefined) => expiresAt !== undefined && expiresAt > frozenMs / 1000 + 3500 && expiresAt <= frozenMs / 1000 + 3600;
    const tokens = (await signIn(provider, 'ada@example.com')).tokens!;
    assert.ok(anHourOn(tokens.expiresAt), `signed in with an expiry of ${tokens.expiresAt}`);
    const refreshed = await provider.refresh!(tokens.refreshToken!);
    assert.ok(anHourOn(refreshed.expiresAt), `refreshed with an expiry of ${refreshed.expiresAt}`);
  });

  it('gets no refresh token without offline access', async () => {
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }, context);
    const identity = await signIn(provider, 'ada@example.com');
    assert.ok(identity.tokens !== undefined);
    assert.equal(identity.tokens.refreshToken, undefined);
  });

  it('refuses a refresh token the provider does not know', async () => {
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, offlineAccess: true }, context);
    await assert.rejects(
      provider.refresh!('not-a-refresh-token'),
      (error) => error instanceof LoginError && error.code === 'LOGIN_PROVIDER_ERROR' && /\(invalid_grant\)$/.test(error.message),
    );
  });

  it('refuses a response whose nonce belongs to another attempt', async () => {
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }, context);
    const attempt = { provider: 'oidc', state: 'state-n', redirect: '/', ...provider.secrets() };
    const callbackUrl = await answerAtIdentityServer(await provider.authorizationUrl(attempt, REDIRECT_URI), { email: 'ada@example.com' });
    await assert.rejects(
      provider.finish(callbackUrl, { ...attempt, nonce: provider.secrets().nonce }, REDIRECT_URI),
      (error) => error instanceof LoginError && error.code === 'LOGIN_PROVIDER_ERROR',
    );
  });

  it('refuses a code redeemed with another PKCE verifier', async () => {
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }, context);
    const attempt = { provider: 'oidc', state: 'state-p', redirect: '/', ...provider.secrets() };
    const callbackUrl = await answerAtIdentityServer(await provider.authorizationUrl(attempt, REDIRECT_URI), { email: 'ada@example.com' });
    await assert.rejects(
      provider.finish(callbackUrl, { ...attempt, codeVerifier: provider.secrets().codeVerifier }, REDIRECT_URI),
      (error) => error instanceof LoginError && error.code === 'LOGIN_PROVIDER_ERROR' && /\(invalid_grant\)$/.test(error.message),
    );
  });

  it('keeps the tokens in the session cookie where the browser cannot read them', async () => {
    const provider = createOidcProvider({ kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, offlineAccess: true }, context);
    const identity = await signIn(provider, 'ada@example.com');
    const sessions = new SessionCookie(new Uint8Array(32).fill(3), cookiePolicyFor(new URL('http://127.0.0.1:9')), 3600);
    const setCookie = await sessions.issue('ada@example.com', 'oidc', identity.tokens);
    assert.match(setCookie, /HttpOnly/i);
    assert.ok(!setCookie.includes(identity.tokens!.accessToken) && !setCookie.includes(identity.tokens!.refreshToken!));
    const session = await sessions.read(setCookie.split(';')[0]);
    assert.deepEqual(session?.providerTokens, identity.tokens);
  });
});
