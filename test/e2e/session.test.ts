import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { HttpClient, hiddenFields } from '../support/http-client';

for (const adapter of ADAPTERS) {
  describe(`sign-in through the development provider and the session cookie on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    it('shows a development-only form with a text input named email', async () => {
      const reply = await example.client().get('/login/dev');
      assert.equal(reply.status, 200);
      assert.match(reply.text, /<form method="post">/);
      assert.match(reply.text, /<input type="text" name="email"/);
      assert.match(reply.text, /Development only/);
    });

    it('sends /login to the only provider, keeping the page to return to', async () => {
      const reply = await example.client().get('/login?redirect=/bake');
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/login/dev?redirect=%2Fbake');
    });

    it('signs in, sets an HttpOnly SameSite=Lax cookie, and returns to the remembered page', async () => {
      const client = example.client();
      const reply = await client.signIn('Baker@Example.com', '/bake?food=bread');
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/bake?food=bread');
      const session = reply.setCookies.find((line) => line.startsWith('caps_session='));
      assert.ok(session, 'a session cookie');
      assert.match(session, /HttpOnly/i);
      assert.match(session, /SameSite=Lax/i);
      assert.match(session, /Max-Age=\d+/i);
      assert.doesNotMatch(session, /Secure/i, 'no Secure flag over http');
      assert.deepEqual((await client.get('/whoami')).json.user, 'baker@example.com');
    });

    it('gives a new cookie value at every sign-in', async () => {
      const client = example.client();
      await client.signIn('baker@example.com');
      const first = client.cookies.get('caps_session');
      await client.signIn('baker@example.com');
      assert.notEqual(client.cookies.get('caps_session'), first);
    });

    for (const target of ['//evil.example', 'https://evil.example', '/\\evil.example', '%2F%2Fevil.example', '/%2F/evil.example', 'javascript:alert(1)']) {
      it(`goes to / instead of ${target}`, async () => {
        const reply = await example.client().signIn('baker@example.com', target);
        assert.equal(reply.location, '/');
      });
    }

    for (const email of ['bot@service', 'BOT@SERVICE', 'bot@service.', 'bot＠service']) {
      it(`refuses ${email} and sets no session`, async () => {
        const client = example.client();
        expectDenial(await client.signIn(email), 403, 'LOGIN_REFUSED');
        assert.equal(client.cookies.get('caps_session'), undefined);
      });
    }

    it('refuses a form whose state does not match the attempt', async () => {
      const client = example.client();
      const form = await client.get('/login/dev');
      const fields = hiddenFields(form.text);
      const reply = await client.postForm('/login/dev', { ...fields, state: 'x'.repeat(43), email: 'baker@example.com' });
      // A state that no attempt of this browser holds cannot be told from one already used or expired.
      expectDenial(reply, 401, 'LOGIN_EXPIRED');
      assert.match(reply.json.message as string, /no sign-in attempt matches/);
      assert.equal(client.cookies.get('caps_session'), undefined);
    });

    it('refuses a form posted twice (the attempt is used once)', async () => {
      const client = example.client();
      const form = await client.get('/login/dev');
      const fields = { ...hiddenFields(form.text), email: 'baker@example.com' };
      assert.equal((await client.postForm('/login/dev', fields)).status, 302);
      client.cookies.delete('caps_session');
      expectDenial(await client.postForm('/login/dev', fields), 401, 'LOGIN_EXPIRED');
    });

    it('lets two tabs sign in at once', async () => {
      const client = example.client();
      const first = await client.get('/login/dev?redirect=/menu');
      const second = await client.get('/login/dev?redirect=/bake');
      const a = await client.postForm('/login/dev', { ...hiddenFields(first.text), email: 'baker@example.com' });
      const b = await client.postForm('/login/dev', { ...hiddenFields(second.text), email: 'baker@example.com' });
      assert.deepEqual([a.status, a.location, b.status, b.location], [302, '/menu', 302, '/bake']);
    });

    it('treats a tampered session cookie as no session', async () => {
      const client = await example.signedIn('admin@example.com');
      const value = client.cookies.get('caps_session')!;
      client.cookies.set('caps_session', `${value.slice(0, -6)}AAAAAA`);
      assert.deepEqual((await client.get('/whoami')).json, { user: null, capabilities: [], scopes: {} });
      expectDenial(await client.get('/bake'), 401, 'SIGN_IN_REQUIRED');
    });

    it('does not accept a session cookie value as a bearer token', async () => {
      const client = await example.signedIn('admin@example.com');
      const reply = await example.client().withToken(client.cookies.get('caps_session')!).get('/menu');
      expectDenial(reply, 401, 'TOKEN_INVALID');
    });

    it('signs out on /logout', async () => {
      const client = await example.signedIn('admin@example.com');
      const reply = await client.get('/logout');
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/');
      assert.deepEqual((await client.get('/whoami')).json.user, null);
    });

    it('serves the home page with who you are and your capabilities', async () => {
      const client = await example.signedIn('baker@example.com');
      const reply = await client.get('/');
      assert.match(reply.text, /baker@example\.com/);
      assert.match(reply.text, /<li>bake<\/li>/);
      assert.match(reply.text, /href="\/token"/);
    });
  });

  describe(`sessions over https on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter, env: { BASE_URL: 'https://app.example.com' } });
    });
    after(() => example.close());

    it('names the cookie __Host- and marks it Secure', async () => {
      const client = new HttpClient(example.baseUrl);
      const reply = await client.signIn('baker@example.com');
      const session = reply.setCookies.find((line) => line.startsWith('__Host-caps_session='));
      assert.ok(session, reply.setCookies.join('\n'));
      assert.match(session, /Secure/);
      assert.match(session, /Path=\//);
    });
  });
}

