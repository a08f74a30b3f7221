import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { hiddenFields, type HttpClient } from '../support/http-client';

/** The Cookie header `client` sends, as the server reads it. */
function cookieHeader(client: HttpClient): string {
  return [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

function attemptCookies(client: HttpClient): string[] {
  return [...client.cookies.keys()].filter((name) => name.startsWith('caps_login_'));
}

for (const adapter of ADAPTERS) {
  describe(`sign-in attempt cookies stay few and small on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    it('keeps the newest 3 of 50 started sign-ins, in a Cookie header the server still accepts', async () => {
      const client = await example.signedIn('baker@example.com');
      const forms: Array<Record<string, string>> = [];
      for (let i = 0; i < 50; i++) {
        // The longest page to return to an attempt remembers, so each cookie is as large as it gets.
        const page = `/menu?n=${String(i).padStart(2, '0')}&pad=${'p'.repeat(1000 - 17)}`;
        const form = await client.get(`/login/dev?redirect=${encodeURIComponent(page)}`);
        assert.equal(form.status, 200, `start ${i}: ${form.status}`);
        forms.push({ ...hiddenFields(form.text), email: 'baker@example.com', page });
      }
      assert.equal(attemptCookies(client).length, 3);
      assert.ok(cookieHeader(client).length < 8 * 1024, `Cookie header of ${cookieHeader(client).length} bytes`);
      for (const name of attemptCookies(client)) assert.ok(client.cookies.get(name)!.length < 2048, `${name} is small`);
      assert.equal((await client.get('/whoami')).json.user, 'baker@example.com');

      const evicted = await client.postForm('/login/dev', forms[46]!);
      assert.equal(evicted.status, 401);
      assert.equal(evicted.json.code, 'LOGIN_EXPIRED');
      for (const fields of forms.slice(47)) {
        const { page, ...form } = fields;
        const done = await client.postForm('/login/dev', form);
        assert.equal(done.status, 302, done.text);
        assert.equal(done.location, page);
      }
      assert.equal(attemptCookies(client).length, 0, 'each completed attempt is cleared');
    });

    it('keeps at most 3 attempts when 20 sign-ins start at once', async () => {
      const client = example.client();
      const replies = await Promise.all(Array.from({ length: 20 }, () => client.get('/login/dev')));
      assert.ok(replies.every((reply) => reply.status === 200));
      assert.ok(attemptCookies(client).length <= 3, attemptCookies(client).join(', '));
      const last = await client.get('/login/dev?redirect=/bake');
      const done = await client.postForm('/login/dev', { ...hiddenFields(last.text), email: 'baker@example.com' });
      assert.equal(done.location, '/bake');
    });

    it('returns to / instead of a page too long to remember', async () => {
      const reply = await example.client().signIn('baker@example.com', `/menu?pad=${'p'.repeat(1100)}`);
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/');
    });
  });
}
