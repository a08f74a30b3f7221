import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
const CROSS_SITE = { 'sec-fetch-site': 'cross-site' };
const HTML = { accept: 'text/html' };

for (const adapter of ADAPTERS) {
  describe(`signing out by GET only from the app's own pages on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    for (const [what, headers] of [
      ['Sec-Fetch-Site: cross-site', CROSS_SITE],
      ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
      ['a Referer of another site', { referer: 'https://evil.example/page' }],
      ['an Origin of another site', { origin: 'https://evil.example' }],
    ] as const) {
      it(`refuses 403 CROSS_SITE_REQUEST with ${what}, and the session stays`, async () => {
        const client = await example.signedIn('baker@example.com');
        const reply = await client.get('/logout', headers);
        assert.equal(reply.status, 403);
        assert.equal(reply.json.code, 'CROSS_SITE_REQUEST');
        assert.equal((await client.get('/whoami')).json.user, 'baker@example.com');
      });
    }

    it('asks a browser that shows no origin to confirm (a cross-site page may strip the Referer)', async () => {
      const client = await example.signedIn('baker@example.com');
      const page = await client.get('/logout', HTML);
      assert.equal(page.status, 200);
      assert.match(page.text, /<form method="post" action="\/logout">/);
      assert.equal((await client.get('/whoami')).json.user, 'baker@example.com');
    });

    it('signs out a script that shows no origin and asks for no page: no cross-site page can send that with the cookie', async () => {
      const client = await example.signedIn('baker@example.com');
      const reply = await client.get('/logout');
      assert.equal(reply.status, 302);
      assert.equal((await client.get('/whoami')).json.user, null);
    });

    it('asks a browser sent from another site to confirm with a button that posts', async () => {
      const client = await example.signedIn('baker@example.com');
      const page = await client.get('/logout', { ...CROSS_SITE, ...HTML });
      assert.equal(page.status, 200);
      assert.match(page.text, /<form method="post" action="\/logout">/);
      assert.equal((await client.get('/whoami')).json.user, 'baker@example.com', 'not signed out yet');
      const confirmed = await client.request('POST', '/logout', { headers: { origin: example.baseUrl } });
      assert.equal(confirmed.status, 302);
      assert.equal((await client.get('/whoami')).json.user, null);
    });

    for (const [what, headers] of [
      ['Sec-Fetch-Site: same-origin', SAME_ORIGIN],
      ['Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }],
      ['a Referer of this application', undefined],
    ] as const) {
      it(`signs out with ${what}`, async () => {
        const client = await example.signedIn('baker@example.com');
        const reply = await client.get('/logout', headers ?? { referer: `${example.baseUrl}/` });
        assert.equal(reply.status, 302);
        assert.equal((await client.get('/whoami')).json.user, null);
      });
    }

    it('refuses a cross-site POST /logout with a session', async () => {
      const client = await example.signedIn('baker@example.com');
      const reply = await client.request('POST', '/logout', { headers: { origin: 'https://evil.example' } });
      assert.equal(reply.status, 403);
      assert.equal(reply.json.code, 'CROSS_SITE_REQUEST');
    });

    it('still answers a guest GET /logout with the redirect', async () => {
      assert.equal((await example.client().get('/logout')).status, 302);
    });
  });
}
