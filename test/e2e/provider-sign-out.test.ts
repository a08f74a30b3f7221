import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADAPTERS } from '../support/example-server';
import { HttpClient, hiddenFields } from '../support/http-client';
import {
  reserveAppUrl,
  startIdentityServer,
  startOidcExample,
  visitIdentityServer,
  type IdentityServer,
  type OidcExample,
} from '../providers/oidc-identity-server';

/** What a browser sends when the user clicks "Sign out" on one of the app's pages. */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Signs `email` in through the identity server; the client then holds the session. */
async function signIn(app: OidcExample, email: string): Promise<HttpClient> {
  const client = new HttpClient(app.baseUrl);
  const { callbackUrl } = await visitIdentityServer(client, '/login/oidc?redirect=%2Fmenu', { email });
  const back = await client.get(`${callbackUrl.pathname}${callbackUrl.search}`);
  assert.equal(back.status, 302, back.text);
  assert.equal((await client.get('/whoami')).json.user, email);
  return client;
}

/** What the person does at the identity server's sign-out page: confirm. Returns where it sends the browser. */
async function confirmAtIdentityServer(endSessionUrl: URL): Promise<URL> {
  const browser = new HttpClient(endSessionUrl.origin);
  const page = await browser.get(endSessionUrl.href);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(action !== undefined, 'the identity server asks to confirm the sign-out');
  const confirmed = await browser.postForm(new URL(action, endSessionUrl).href, { ...hiddenFields(page.text), logout: 'yes' });
  assert.ok(confirmed.status >= 300 && confirmed.status < 400 && confirmed.location !== null, `${confirmed.status} ${confirmed.text.slice(0, 300)}`);
  return new URL(confirmed.location, endSessionUrl);
}

for (const adapter of ADAPTERS) {
  describe(`sign-out at the OpenID Connect provider (RP-Initiated Logout, oidc-provider) on ${adapter}`, () => {
    let idp: IdentityServer;
    let app: OidcExample;
    let plain: OidcExample;

    before(async () => {
      const at = await reserveAppUrl();
      const other = await reserveAppUrl();
      idp = await startIdentityServer([`${at.baseUrl}/auth/oidc/callback`], { postLogoutRedirectUris: [`${at.baseUrl}/logout/done`] });
      app = await startOidcExample(idp, at, { adapter, env: { OIDC_SIGN_OUT: 'true' } });
      // The same public URL without OIDC_SIGN_OUT: /logout stays local.
      plain = await startOidcExample(idp, other, { adapter, env: { BASE_URL: at.baseUrl } });
    });

    after(async () => {
      await plain?.close();
      await app?.close();
      await idp?.close();
    });

    it('ends the local session, signs out at the provider with id_token_hint and state, and comes back to BASE_URL', async () => {
      const client = await signIn(app, 'baker@example.com');
      const logout = await client.get('/logout', SAME_ORIGIN);
      assert.equal(logout.status, 302);
      const endSession = new URL(logout.location ?? '');
      assert.equal(`${endSession.origin}${endSession.pathname}`, `${idp.issuer}/session/end`);
      const query = endSession.searchParams;
      assert.equal(query.get('post_logout_redirect_uri'), `${app.baseUrl}/logout/done`);
      assert.equal(query.get('client_id'), idp.clientId);
      assert.ok((query.get('state') ?? '').length >= 32, 'a fresh state');
      const hint = claimsOf(query.get('id_token_hint') ?? '');
      assert.equal(hint['iss'], idp.issuer);
      assert.equal(hint['aud'], idp.clientId);
      assert.equal(hint['sub'], 'baker@example.com');
      assert.equal((await client.get('/whoami')).json.user, null, 'the local session ended before leaving');

      const back = await confirmAtIdentityServer(endSession);
      assert.equal(`${back.origin}${back.pathname}`, `${app.baseUrl}/logout/done`);
      assert.equal(back.searchParams.get('state'), query.get('state'));
      const done = await client.get(`${back.pathname}${back.search}`);
      assert.equal(done.status, 302);
      assert.equal(done.location, '/');
      const replay = await client.get(`${back.pathname}${back.search}`);
      assert.equal(replay.status, 401, 'a state is good once');
      assert.equal(replay.json.code, 'LOGIN_EXPIRED');
    });

    it('refuses a return whose state is not the one this browser was sent with', async () => {
      const client = await signIn(app, 'police@example.com');
      const logout = await client.get('/logout', SAME_ORIGIN);
      const state = new URL(logout.location ?? '').searchParams.get('state') ?? '';
      const forged = await client.get(`/logout/done?state=${'A'.repeat(state.length)}`);
      assert.equal(forged.status, 401);
      assert.equal(forged.json.code, 'LOGIN_EXPIRED');
      const missing = await client.get('/logout/done');
      assert.equal(missing.status, 401);
      assert.equal(missing.json.code, 'LOGIN_STATE_MISMATCH');
      const elsewhere = await new HttpClient(app.baseUrl).get(`/logout/done?state=${encodeURIComponent(state)}`);
      assert.equal(elsewhere.status, 401, 'another browser has no sign-out to finish');
      assert.equal(elsewhere.json.code, 'LOGIN_EXPIRED');
      assert.equal((await client.get(`/logout/done?state=${encodeURIComponent(state)}`)).status, 302);
    });

    it('signs out locally only without signOutAtProvider', async () => {
      const client = await signIn(app, 'mafia@example.com');
      const onPlain = new HttpClient(plain.baseUrl);
      for (const [name, value] of client.cookies) onPlain.cookies.set(name, value);
      const logout = await onPlain.get('/logout', SAME_ORIGIN);
      assert.equal(logout.status, 302);
      assert.equal(logout.location, '/');
      assert.equal((await onPlain.get('/whoami')).json.user, null);
    });

    it('signs out locally when there is no session to end at the provider', async () => {
      const logout = await new HttpClient(app.baseUrl).get('/logout', SAME_ORIGIN);
      assert.equal(logout.status, 302);
      assert.equal(logout.location, '/');
    });
  });
}
