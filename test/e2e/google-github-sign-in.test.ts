import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Controller, Get } from '@nestjs/common';
import { ProviderAccessToken, RequireCapability } from '../../src';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { ALICE_AT_GOOGLE, FAKE_CLIENTS, FakeGoogleGitHub, OCTO_WITH_PRIVATE_EMAIL } from '../support/fake-google-github';
import { fakeProviderEnvironment, signInThrough, startAuthApp, visitProvider, whoami } from '../support/provider-sign-in';

const HTML = { accept: 'text/html' };

for (const adapter of ADAPTERS) {
  describe(`sign-in with Google and GitHub (${adapter})`, () => {
    let fake: FakeGoogleGitHub;
    let example: RunningExample;

    before(async () => {
      fake = await FakeGoogleGitHub.start();
      example = await startExample({ adapter, env: fakeProviderEnvironment(fake) });
    });
    after(async () => {
      await example?.close();
      await fake?.close();
    });
    beforeEach(() => {
      fake.scenario = { google: 'normal', github: 'normal' };
      fake.google = { ...ALICE_AT_GOOGLE, email: 'Alice@Example.com' };
      fake.github = OCTO_WITH_PRIVATE_EMAIL;
    });

    it('offers both providers on /login', async () => {
      const reply = await example.client().get('/login?redirect=/menu');
      assert.equal(reply.status, 200);
      assert.match(reply.text, /href="\/login\/google\?redirect=%2Fmenu">Sign in with Google/);
      assert.match(reply.text, /href="\/login\/github\?redirect=%2Fmenu">Sign in with GitHub/);
    });

    it('sends the browser to Google with state, PKCE S256 and the redirect URI from BASE_URL', async () => {
      const client = example.client({ host: 'evil.example', 'x-forwarded-host': 'evil.example' });
      const { authorization } = await visitProvider(client, '/login/google');
      const query = authorization.searchParams;
      assert.equal(authorization.origin + authorization.pathname, fake.googleEndpoints.authorizationURL);
      assert.equal(query.get('redirect_uri'), `${example.baseUrl}/auth/google/callback`);
      assert.equal(query.get('response_type'), 'code');
      assert.equal(query.get('code_challenge_method'), 'S256');
      assert.match(query.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok((query.get('state') ?? '').length >= 32);
      assert.deepEqual(query.get('scope')?.split(' ').sort(), ['email', 'openid', 'profile']);
      assert.equal(query.get('access_type'), null, 'offline access only when asked');
    });

    it('signs in with Google as the verified email, lower-cased, and returns to the remembered page', async () => {
      const client = example.client();
      const reply = await signInThrough(client, 'google', '/menu?x=1');
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/menu?x=1');
      assert.equal(await whoami(client), 'alice@example.com');
      assert.equal([...client.cookies.keys()].filter((name) => name.startsWith('caps_login_')).length, 0, 'the attempt cookie is gone');
      const exchange = fake.tokenRequests.at(-1)!;
      assert.equal(exchange.provider, 'google');
      assert.match(exchange.form['code_verifier'] ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal(exchange.form['redirect_uri'], `${example.baseUrl}/auth/google/callback`);
    });

    it('signs in with GitHub through the primary verified address when /user hides the email', async () => {
      const client = example.client();
      const reply = await signInThrough(client, 'github', '/menu');
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/menu');
      assert.equal(await whoami(client), 'octo@example.com');
      const exchange = fake.tokenRequests.at(-1)!;
      assert.equal(exchange.provider, 'github');
      assert.ok(!(exchange.accept ?? '').includes('application/json'), 'the form-encoded answer of GitHub is understood');
      assert.match(exchange.form['code_verifier'] ?? '', /^[A-Za-z0-9_-]{43}$/);
    });

    it('signs in with GitHub through the public email when /user/emails confirms it verified', async () => {
      fake.github = { ...fake.github, email: 'octo-old@example.org' };
      const client = example.client();
      assert.equal((await signInThrough(client, 'github')).status, 302);
      assert.equal(await whoami(client), 'octo-old@example.org');
    });

    it('refuses GitHub with a clear page when no address is both primary and verified', async () => {
      fake.github = {
        ...fake.github,
        email: 'octo-unverified@example.net',
        emails: [
          { email: 'octo@example.com', primary: true, verified: false },
          { email: 'octo-unverified@example.net', primary: false, verified: false },
        ],
      };
      const client = example.client();
      const reply = await signInThrough(client, 'github', '/', HTML);
      expectHtmlDenial(reply, 403, 'LOGIN_REFUSED');
      assert.match(reply.headers.get('content-type') ?? '', /text\/html/);
      assert.match(reply.text, /id="sign-in" href="\/login"/, 'offers to sign in another way');
      assert.match(reply.text, /no verified primary email address/);
      assert.equal(await whoami(client), null);
    });

    it('refuses a Google email that Google has not verified', async () => {
      fake.google = { ...fake.google, email_verified: false };
      const client = example.client();
      const reply = await signInThrough(client, 'google');
      assert.equal(reply.status, 403);
      assert.equal(reply.json.code, 'LOGIN_REFUSED');
      assert.match(reply.json.message as string, /not verified/);
      assert.equal(await whoami(client), null);
    });

    for (const disguise of ['bot@service', 'BOT@SERVICE', 'bot@service.', ' bot@service ', 'bot\uFF20service', 'bot@serv\u200Bice']) {
      it(`refuses a service account sent by the provider (${JSON.stringify(disguise)})`, async () => {
        fake.google = { ...fake.google, email: disguise };
        const client = example.client();
        const reply = await signInThrough(client, 'google');
        assert.equal(reply.status, 403);
        assert.equal(reply.json.code, 'LOGIN_REFUSED');
        assert.match(reply.json.message as string, /^sign-in refused: /);
        assert.equal(await whoami(client), null);
      });
    }

    it('answers access_denied with a 4xx page that escapes the provider text, and no session', async () => {
      fake.scenario.google = 'access_denied';
      const client = example.client();
      const reply = await signInThrough(client, 'google', '/', HTML);
      expectHtmlDenial(reply, 400, 'LOGIN_PROVIDER_ERROR');
      assert.ok(!reply.text.includes('<b>denied</b>'), 'provider text is escaped');
      assert.match(reply.text, /&lt;b&gt;denied&lt;\/b&gt;/);
      assert.equal(await whoami(client), null);
    });

    it('answers a token endpoint that never answers with a 4xx in bounded time, and no session', async () => {
      fake.scenario.google = 'hang_token';
      const client = example.client();
      const reply = await signInThrough(client, 'google');
      assert.equal(reply.status, 400);
      assert.equal(reply.json.code, 'LOGIN_PROVIDER_ERROR');
      assert.match(reply.json.message as string, /did not answer within 1 seconds/);
      assert.equal(await whoami(client), null);
    });

    it('answers a failing profile fetch with a 4xx and no session, without secrets in the answer', async () => {
      for (const provider of ['google', 'github'] as const) {
        fake.scenario[provider] = 'profile_fails';
        const client = example.client();
        const reply = await signInThrough(client, provider);
        expectDenial(reply, 400, 'LOGIN_PROVIDER_ERROR', provider);
        assert.match(reply.json.message as string, /could not read your profile/);
        assert.ok(!reply.text.includes('client-secret') && !reply.text.includes('-at-'), 'no secret or token in the answer');
        assert.equal(await whoami(client), null);
      }
    });

    it('refuses a forged state', async () => {
      const client = example.client();
      const { callback } = await visitProvider(client, '/login/google');
      callback.searchParams.set('state', 'A'.repeat(43));
      const reply = await client.get(callback.pathname + callback.search);
      expectDenial(reply, 401, 'LOGIN_EXPIRED');
      assert.equal(await whoami(client), null);
    });

    it('refuses a callback for another provider than the attempt', async () => {
      const client = example.client();
      const { callback } = await visitProvider(client, '/login/google');
      const reply = await client.get(`/auth/github/callback${callback.search}`);
      expectDenial(reply, 401, 'LOGIN_STATE_MISMATCH');
      assert.match(reply.json.message as string, /another provider/);
      assert.equal(await whoami(client), null);
    });

    it('refuses a replayed callback, in the same browser or with the attempt cookie kept', async () => {
      const client = example.client();
      const { callback } = await visitProvider(client, '/login/github');
      const attemptCookies = new Map(client.cookies);
      assert.equal((await client.get(callback.pathname + callback.search)).status, 302);
      expectDenial(await client.get(callback.pathname + callback.search), 401, 'LOGIN_EXPIRED', 'the attempt is used up');
      const thief = example.client();
      for (const [name, value] of attemptCookies) thief.cookies.set(name, value);
      const replay = await thief.get(callback.pathname + callback.search);
      // The attempt lives in the cookie, so the copy gets as far as the provider, which takes a code once.
      expectDenial(replay, 400, 'LOGIN_PROVIDER_ERROR');
      assert.match(replay.json.message as string, /could not exchange the authorization code/);
      assert.equal(await whoami(thief), null);
    });

    it('finishes two attempts started in two tabs, in either order', async () => {
      const client = example.client();
      const first = await visitProvider(client, '/login/google?redirect=/first');
      const second = await visitProvider(client, '/login/github?redirect=/second');
      const secondReply = await client.get(second.callback.pathname + second.callback.search);
      assert.equal(secondReply.location, '/second');
      const firstReply = await client.get(first.callback.pathname + first.callback.search);
      assert.equal(firstReply.location, '/first');
      assert.equal(await whoami(client), 'alice@example.com');
    });

    it('finishes on another instance sharing the secret and BASE_URL a sign-in started on this one', async () => {
      const second = await startExample({ adapter, env: { ...fakeProviderEnvironment(fake), BASE_URL: example.baseUrl } });
      try {
        const browser = example.client();
        const { callback } = await visitProvider(browser, '/login/google?redirect=/menu');
        const elsewhere = second.client();
        for (const [name, value] of browser.cookies) elsewhere.cookies.set(name, value);
        const reply = await elsewhere.get(callback.pathname + callback.search);
        assert.equal(reply.status, 302);
        assert.equal(reply.location, '/menu');
        assert.equal(await whoami(elsewhere), 'alice@example.com');
      } finally {
        await second.close();
      }
    });

    for (const redirect of ['//evil.example', 'https://evil.example', '/\\evil.example', '%2F%2Fevil.example', '/%2F/evil.example']) {
      it(`returns to / instead of ${JSON.stringify(redirect)}`, async () => {
        const client = example.client();
        const reply = await signInThrough(client, 'github', redirect);
        assert.equal(reply.status, 302);
        assert.equal(reply.location, '/');
      });
    }
  });
}

/** A handler that calls the provider's API on the user's behalf, as an application would. */
@Controller('provider')
class ProviderApiController {
  static apiUrl = '';

  @Get('me')
  @RequireCapability('read')
  async me(@ProviderAccessToken() token: string | null): Promise<object> {
    if (token === null) return { token: false };
    const answer = await fetch(ProviderApiController.apiUrl, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    return { token: true, status: answer.status, body: await answer.json() };
  }
}

for (const adapter of ADAPTERS) {
  describe(`the provider's access token for handlers (${adapter})`, () => {
    let fake: FakeGoogleGitHub;
    let folder: string;
    let app: Awaited<ReturnType<typeof startAuthApp>>;
    const logged: string[] = [];
    const record = (...parts: unknown[]) => void logged.push(parts.map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part))).join(' '));
    const logger = { log: record, error: record, warn: record, debug: record, verbose: record, fatal: record };

    before(async () => {
      fake = await FakeGoogleGitHub.start();
      ProviderApiController.apiUrl = fake.googleApiUrl;
      folder = mkdtempSync(join(tmpdir(), 'caps-provider-token-'));
      writeFileSync(join(folder, 'caps.yaml'), 'capabilities:\n  read: []\ndefault: [read]\n');
      app = await startAuthApp(
        adapter,
        (baseUrl) => ({
          secret: 'test-secret-0123456789abcdefghijklmnopqrstuv',
          baseUrl,
          capsFile: join(folder, 'caps.yaml'),
          providers: [
            { kind: 'google', clientId: FAKE_CLIENTS.google.id, clientSecret: FAKE_CLIENTS.google.secret, offlineAccess: true, endpoints: fake.googleEndpoints },
            { kind: 'github', clientId: FAKE_CLIENTS.github.id, clientSecret: FAKE_CLIENTS.github.secret, endpoints: fake.githubEndpoints, timeoutSeconds: 1 },
            { kind: 'google', name: 'google-online', clientId: FAKE_CLIENTS.google.id, clientSecret: FAKE_CLIENTS.google.secret, endpoints: fake.googleEndpoints },
          ],
        }),
        [ProviderApiController],
        logger,
      );
    });
    after(async () => {
      await app?.close();
      await fake?.close();
      rmSync(folder, { recursive: true, force: true });
    });
    beforeEach(() => {
      fake.scenario = { google: 'normal', github: 'normal' };
    });
    beforeEach(() => {
      fake.accessTokenSeconds = 3600;
      fake.google = { sub: '1000777', email: 'ada@example.com', email_verified: true };
    });

    it('asks Google for offline access, and hands the handler a token that the provider API accepts', async () => {
      const client = app.client();
      const { authorization } = await visitProvider(client, '/login/google');
      assert.equal(authorization.searchParams.get('access_type'), 'offline');
      assert.equal(authorization.searchParams.get('prompt'), 'consent');
      await signInThrough(client, 'google');
      const reply = await client.get('/provider/me');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { token: true, status: 200, body: { sub: '1000777' } });
    });

    it('keeps the tokens out of the browser: the session cookie is HttpOnly and encrypted', async () => {
      const client = app.client();
      const reply = await signInThrough(client, 'google');
      const session = reply.setCookies.find((line) => line.startsWith('caps_session='))!;
      assert.match(session, /HttpOnly/i);
      const issued = fake.tokenRequests.at(-1);
      assert.equal(issued?.provider, 'google');
      const value = session.split(';')[0]!.split('=')[1]!;
      assert.equal(value.split('.').length, 5, 'a compact JWE');
      assert.ok(!Buffer.from(value.split('.')[3]!, 'base64url').toString('latin1').includes('google-at-'), 'no access token in clear');
    });

    it('refreshes an expiring access token with the refresh token and re-issues the session cookie', async () => {
      fake.accessTokenSeconds = 30; // within the refresh margin from the start
      const client = app.client();
      await signInThrough(client, 'google');
      fake.expireAccessTokens(); // the token from sign-in no longer works at the API
      const refreshesBefore = fake.tokenRequests.filter((request) => request.form['grant_type'] === 'refresh_token').length;
      const reply = await client.get('/provider/me');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json.body, { sub: '1000777' }, 'the API accepted the refreshed token');
      const refreshes = fake.tokenRequests.filter((request) => request.form['grant_type'] === 'refresh_token');
      assert.equal(refreshes.length, refreshesBefore + 1);
      assert.ok(reply.setCookies.some((line) => line.startsWith('caps_session=')), 'the session cookie carries the new tokens');
      assert.equal(await whoami(client), 'ada@example.com', 'still the same user');
    });

    it('answers 401 asking to sign in again when Google refuses the refresh token, and keeps the session as it was', async () => {
      fake.accessTokenSeconds = 30;
      const client = app.client();
      await signInThrough(client, 'google');
      fake.revokeRefreshTokens();
      const reply = await client.get('/provider/me');
      assert.equal(reply.status, 401);
      assert.equal(reply.json.code, 'LOGIN_EXPIRED');
      assert.equal(reply.json.message, 'Google refused to renew its access token; sign in again');
      assert.ok(!reply.text.includes('-rt-') && !reply.text.includes('-at-'), 'no token in the answer');
      assert.ok(!reply.setCookies.some((line) => line.startsWith('caps_session=')));
      assert.equal(await whoami(client), 'ada@example.com');
    });

    it('answers 401 when the access token expires and offline access was not asked for', async () => {
      fake.accessTokenSeconds = 30;
      const client = app.client();
      const { authorization } = await visitProvider(client, '/login/google-online');
      assert.equal(authorization.searchParams.get('access_type'), null);
      await signInThrough(client, 'google-online');
      const reply = await client.get('/provider/me');
      assert.equal(reply.status, 401);
      assert.equal(reply.json.code, 'LOGIN_EXPIRED');
      assert.equal(reply.json.message, 'the Google access token has expired and cannot be refreshed; sign in again');
    });

    it('logs no secret, code or token when sign-ins and refreshes fail', async () => {
      fake.accessTokenSeconds = 30;
      const signedIn = app.client();
      await signInThrough(signedIn, 'google');
      fake.revokeRefreshTokens();
      expectDenial(await signedIn.get('/provider/me'), 401, 'LOGIN_EXPIRED');
      fake.scenario = { google: 'profile_fails', github: 'hang_token' };
      assert.equal((await signInThrough(app.client(), 'google')).status, 400);
      assert.equal((await signInThrough(app.client(), 'github')).status, 400);
      fake.scenario = { google: 'access_denied', github: 'normal' };
      assert.equal((await signInThrough(app.client(), 'google')).status, 400);
      fake.scenario = { google: 'normal', github: 'normal' };
      const issued = fake.tokenRequests.flatMap((request) => [request.form['code'], request.form['code_verifier'], request.form['refresh_token']]);
      const secrets = [FAKE_CLIENTS.google.secret, FAKE_CLIENTS.github.secret, 'google-at-', 'github-at-', 'google-rt-', ...issued];
      const text = logged.join('\n');
      assert.match(text, /auth\/:provider\/callback/, 'the logger records what the application logs');
      for (const secret of secrets) if (secret !== undefined) assert.ok(!text.includes(secret), `the logs hold ${secret.slice(0, 12)}…`);
    });

    it('answers null when the session has no provider tokens (a bearer token), and passes GitHub tokens that never expire', async () => {
      fake.accessTokenSeconds = 30;
      const client = app.client();
      await signInThrough(client, 'github');
      const withGitHub = await client.get('/provider/me');
      assert.equal(withGitHub.status, 200, 'GitHub tokens do not expire');
      assert.equal(withGitHub.json.token, true);
      const token = await client.token();
      const byBearer = await app.client().withToken(token).get('/provider/me');
      assert.deepEqual(byBearer.json, { token: false });
    });
  });
}
