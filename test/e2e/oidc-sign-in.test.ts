import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { expectDenial } from '../support/denial';
import { ADAPTERS } from '../support/example-server';
import { HttpClient, type Reply } from '../support/http-client';
import {
  answerAtIdentityServer,
  reserveAppUrl,
  startIdentityServer,
  startModuleApp,
  startOidcExample,
  visitIdentityServer,
  type IdentityServer,
  type OidcExample,
} from '../providers/oidc-identity-server';

/** True when the client holds no session: `/whoami` knows nobody. */
async function assertNoSession(client: HttpClient): Promise<void> {
  const whoami = await client.get('/whoami');
  assert.equal(whoami.json.user, null);
}

function withQuery(url: URL, change: (query: URLSearchParams) => void): string {
  const changed = new URL(url.href);
  change(changed.searchParams);
  return changed.href;
}

for (const adapter of ADAPTERS) {
  describe(`sign-in through OpenID Connect (oidc-provider) on ${adapter}`, () => {
    let idp: IdentityServer;
    let app: OidcExample;
    let second: OidcExample;

    before(async () => {
      const first = await reserveAppUrl();
      const other = await reserveAppUrl();
      idp = await startIdentityServer([`${first.baseUrl}/auth/oidc/callback`]);
      idp.unverified.add('unverified@example.com');
      app = await startOidcExample(idp, first, { adapter });
      // A second instance behind the same public URL, sharing the secret.
      second = await startOidcExample(idp, other, { adapter, env: { BASE_URL: first.baseUrl } });
    });

    after(async () => {
      await second?.close();
      await app?.close();
      await idp?.close();
    });

    it('sends a browser from /login straight to the one provider', async () => {
      const reply = await new HttpClient(app.baseUrl).get('/login?redirect=/menu');
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/login/oidc?redirect=%2Fmenu');
    });

    it('signs in with PKCE and nonce and lands on the remembered page', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl, authorizationUrl } = await visitIdentityServer(client, '/login/oidc?redirect=%2Fmenu%3Fday%3Dmonday', { email: 'Baker@Example.com' });
      const query = authorizationUrl.searchParams;
      assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, `${idp.issuer}/auth`);
      assert.equal(query.get('code_challenge_method'), 'S256');
      assert.match(query.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok((query.get('nonce') ?? '').length >= 32);
      assert.ok((query.get('state') ?? '').length >= 32);
      assert.equal(query.get('redirect_uri'), `${app.baseUrl}/auth/oidc/callback`);
      assert.deepEqual(query.get('scope')?.split(' ').sort(), ['email', 'openid', 'profile']);
      const done = await client.get(callbackUrl.href);
      assert.equal(done.status, 302, done.text);
      assert.equal(done.location, '/menu?day=monday');
      assert.ok(!done.setCookies.some((line) => /caps_login_[^=]+=[^;]/.test(line)), 'the attempt cookie is cleared');
      const whoami = await client.get('/whoami');
      assert.deepEqual(whoami.json, { user: 'baker@example.com', capabilities: ['bake', 'baker', 'read'], scopes: {} });
      assert.equal((await client.get('/bake?food=bread')).status, 200);
    });

    it('refuses a forged state and signs nobody in', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'baker@example.com' });
      const forged = await client.get(withQuery(callbackUrl, (query) => query.set('state', 'A'.repeat(43))), { accept: 'application/json' });
      assert.equal(forged.status, 401);
      assert.equal(forged.json.code, 'LOGIN_EXPIRED');
      await assertNoSession(client);
    });

    it('refuses a state repeated in the response', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'baker@example.com' });
      const doubled = await client.get(withQuery(callbackUrl, (query) => query.append('state', 'B'.repeat(43))), { accept: 'application/json' });
      assert.equal(doubled.status, 401);
      assert.equal(doubled.json.code, 'LOGIN_STATE_MISMATCH');
      await assertNoSession(client);
    });

    it('refuses a replayed callback, in the same browser and in another one', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'police@example.com' });
      assert.equal((await client.get(callbackUrl.href)).status, 302);
      const again = await client.get(callbackUrl.href, { accept: 'application/json' });
      assert.equal(again.status, 401);
      assert.equal(again.json.code, 'LOGIN_EXPIRED');
      const attacker = new HttpClient(app.baseUrl);
      const stolen = await attacker.get(callbackUrl.href, { accept: 'application/json' });
      expectDenial(stolen, 401, 'LOGIN_EXPIRED');
      await assertNoSession(attacker);
    });

    it('refuses an email the provider has not verified', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'unverified@example.com' });
      const refused = await client.get(callbackUrl.href, { accept: 'application/json' });
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.json, {
        statusCode: 403,
        code: 'LOGIN_REFUSED',
        message: 'sign-in refused: the provider has not verified this email address',
      });
      await assertNoSession(client);
    });

    it('refuses a service account in disguise', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'BOT@SERVICE.' });
      const refused = await client.get(callbackUrl.href, { accept: 'application/json' });
      assert.equal(refused.status, 403);
      assert.equal(refused.json.code, 'LOGIN_REFUSED');
      await assertNoSession(client);
    });

    it('answers access_denied with the description escaped on a page, and as JSON', async () => {
      const description = '<script>alert("owned")</script> & <b>no</b>';
      const browser = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(browser, '/login/oidc', { deny: description });
      assert.equal(callbackUrl.searchParams.get('error'), 'access_denied');
      const html = await browser.get(callbackUrl.href, { accept: 'text/html' });
      assert.equal(html.status, 400);
      assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok(!html.text.includes('<script>alert'), 'no markup from the provider reaches the page');
      assert.ok(html.text.includes('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &lt;b&gt;no&lt;/b&gt;'), html.text);
      assert.ok(html.text.includes('access_denied'));
      await assertNoSession(browser);

      const script = new HttpClient(app.baseUrl);
      const denied = await visitIdentityServer(script, '/login/oidc', { deny: description });
      const json = await script.get(denied.callbackUrl.href, { accept: 'application/json' });
      assert.equal(json.status, 400);
      assert.equal(json.json.code, 'LOGIN_PROVIDER_ERROR');
      assert.equal(json.json.message, `${new URL(idp.issuer).host} did not sign you in (access_denied): ${description}`);
      // The attempt is over: the same state cannot be used again.
      const retried = await script.get(withQuery(denied.callbackUrl, (query) => { query.delete('error'); query.delete('error_description'); query.set('code', 'x'); }), { accept: 'application/json' });
      expectDenial(retried, 401, 'LOGIN_EXPIRED');
    });

    it('refuses a response without a code', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'baker@example.com' });
      const reply = await client.get(withQuery(callbackUrl, (query) => query.delete('code')), { accept: 'application/json' });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.json, { statusCode: 400, code: 'LOGIN_PROVIDER_ERROR', message: 'the sign-in response has no authorization code' });
      await assertNoSession(client);
    });

    it('refuses a code the provider does not accept, without echoing it', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc', { email: 'baker@example.com' });
      const code = 'forged-code-0123456789';
      const reply = await client.get(withQuery(callbackUrl, (query) => query.set('code', code)), { accept: 'application/json' });
      assert.equal(reply.status, 400);
      assert.equal(reply.json.code, 'LOGIN_PROVIDER_ERROR');
      assert.match(reply.json.message as string, /\(invalid_grant\)$/);
      assert.ok(!reply.text.includes(code));
      assert.ok(!reply.text.includes(idp.clientSecret));
      await assertNoSession(client);
    });

    it('sends only same-site paths back after sign-in', async () => {
      for (const redirect of ['//evil.example', 'https://evil.example', '/\\evil.example', '%2F%2Fevil.example']) {
        const client = new HttpClient(app.baseUrl);
        const { callbackUrl } = await visitIdentityServer(client, `/login/oidc?redirect=${encodeURIComponent(redirect)}`, { email: 'baker@example.com' });
        const done = await client.get(callbackUrl.href);
        assert.equal(done.status, 302);
        assert.equal(done.location, '/', redirect);
      }
    });

    it('takes the redirect URI from BASE_URL, not from Host or X-Forwarded-Host', async () => {
      const location = await new Promise<string>((resolve, reject) => {
        const url = new URL('/login/oidc', app.baseUrl);
        const outgoing = httpRequest(
          { host: '127.0.0.1', port: url.port, path: url.pathname, headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } },
          (response) => {
            response.resume();
            resolve(String(response.headers.location));
          },
        );
        outgoing.on('error', reject);
        outgoing.end();
      });
      assert.equal(new URL(location).searchParams.get('redirect_uri'), `${app.baseUrl}/auth/oidc/callback`);
    });

    it('finishes on another instance a sign-in started on the first', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/oidc?redirect=/menu', { email: 'mafia@example.com' });
      const elsewhere = new HttpClient(second.baseUrl);
      for (const [name, value] of client.cookies) elsewhere.cookies.set(name, value);
      const done = await elsewhere.get(`${callbackUrl.pathname}${callbackUrl.search}`);
      assert.equal(done.status, 302, done.text);
      assert.equal(done.location, '/menu');
      assert.equal((await elsewhere.get('/whoami')).json.user, 'mafia@example.com');
      assert.equal((await client.get(`${app.baseUrl}/whoami`, { cookie: cookieHeader(elsewhere) })).json.user, 'mafia@example.com');
    });

    it('completes two sign-ins started at once in one browser (two tabs)', async () => {
      const browser = new HttpClient(app.baseUrl);
      const first = await startAttempt(browser, '/login/oidc?redirect=/menu');
      const secondTab = await startAttempt(browser, '/login/oidc?redirect=/bake');
      const firstBack = await answerAtIdentityServer(first, { email: 'baker@example.com' });
      const secondBack = await answerAtIdentityServer(secondTab, { email: 'baker@example.com' });
      const secondDone = await browser.get(secondBack.href);
      assert.equal(secondDone.status, 302, secondDone.text);
      assert.equal(secondDone.location, '/bake');
      const firstDone = await browser.get(firstBack.href);
      assert.equal(firstDone.status, 302, firstDone.text);
      assert.equal(firstDone.location, '/menu');
      assert.equal((await browser.get('/whoami')).json.user, 'baker@example.com');
    });

    it('answers 404 LOGIN_PROVIDER_UNKNOWN for the sign-in, the callback and the development form of a provider it does not have', async () => {
      const reply = await new HttpClient(app.baseUrl).get('/auth/nobody/callback?code=x&state=y', { accept: 'application/json' });
      expectDenial(reply, 404, 'LOGIN_PROVIDER_UNKNOWN');
      expectDenial(await new HttpClient(app.baseUrl).get('/login/nobody', { accept: 'application/json' }), 404, 'LOGIN_PROVIDER_UNKNOWN');
      // A provider is configured, so the development sign-in is off: its form has nothing to finish.
      expectDenial(await new HttpClient(app.baseUrl).postForm('/login/dev', { email: 'eve@example.com' }, { accept: 'application/json' }), 404, 'LOGIN_PROVIDER_UNKNOWN');
    });
  });

  describe(`two OpenID Connect providers on ${adapter}`, () => {
    let idp: IdentityServer;
    let app: OidcExample;

    before(async () => {
      const at = await reserveAppUrl();
      idp = await startIdentityServer([`${at.baseUrl}/auth/oidc/callback`, `${at.baseUrl}/auth/company/callback`]);
      const common = { kind: 'oidc', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret } as const;
      app = await startModuleApp([common, { ...common, name: 'company', label: 'Company' }], at, adapter);
    });

    after(async () => {
      await app?.close();
      await idp?.close();
    });

    it('offers one button per provider on /login', async () => {
      const page = await new HttpClient(app.baseUrl).get('/login?redirect=/menu');
      assert.equal(page.status, 200);
      assert.ok(page.text.includes('href="/login/oidc?redirect=%2Fmenu"'));
      assert.ok(page.text.includes('href="/login/company?redirect=%2Fmenu">Sign in with Company'));
    });

    it('refuses a callback sent to another provider than the one the attempt started with', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/company', { email: 'baker@example.com' });
      assert.equal(callbackUrl.pathname, '/auth/company/callback');
      const crossed = await client.get(`/auth/oidc/callback${callbackUrl.search}`, { accept: 'application/json' });
      assert.equal(crossed.status, 401);
      assert.equal(crossed.json.code, 'LOGIN_STATE_MISMATCH');
      await assertNoSession(client);
    });

    it('signs in through the second provider under its own name', async () => {
      const client = new HttpClient(app.baseUrl);
      const { callbackUrl } = await visitIdentityServer(client, '/login/company', { email: 'police@example.com' });
      const done = await client.get(callbackUrl.href);
      assert.equal(done.status, 302, done.text);
      assert.equal((await client.get('/whoami')).json.user, 'police@example.com');
    });
  });
}

async function startAttempt(browser: HttpClient, loginPath: string): Promise<URL> {
  const reply: Reply = await browser.get(loginPath);
  assert.equal(reply.status, 302);
  return new URL(reply.location ?? '');
}

function cookieHeader(client: HttpClient): string {
  return [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}
