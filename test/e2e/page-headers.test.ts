import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { percentEncodedLocation } from '../../src/http/responder';
import { expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { hiddenFields, type Reply } from '../support/http-client';

const HTML = { accept: 'text/html' };

function assertHardened(reply: Reply): void {
  assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(reply.headers.get('content-security-policy'), "frame-ancestors 'none'");
  assert.equal(reply.headers.get('x-frame-options'), 'DENY');
}

function assertSecretKept(reply: Reply): void {
  assert.equal(reply.headers.get('cache-control'), 'no-store');
  assert.equal(reply.headers.get('referrer-policy'), 'no-referrer');
}

for (const adapter of ADAPTERS) {
  describe(`hardening headers on the module's HTML pages on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    it('sends them on the token page, which shows a secret', async () => {
      const browser = await example.signedIn('baker@example.com');
      const reply = await browser.get('/token', HTML);
      assert.equal(reply.status, 200);
      assertHardened(reply);
      assertSecretKept(reply);
    });

    it('sends them on the sign-in form, whose state is a secret', async () => {
      const reply = await example.client().get('/login/dev', HTML);
      assert.equal(reply.status, 200);
      assertHardened(reply);
      assertSecretKept(reply);
    });

    it('sends them on an error page', async () => {
      const client = example.client();
      const form = await client.get('/login/dev');
      const reply = await client.postForm('/login/dev', { ...hiddenFields(form.text), state: 'x'.repeat(43), email: 'baker@example.com' }, HTML);
      expectHtmlDenial(reply, 401, 'LOGIN_EXPIRED');
      assert.match(reply.text, /no sign-in attempt matches/);
      assert.match(reply.text, /id="sign-in" href="\/login"/, 'a fresh sign-in, not one coming back to the step that failed');
      assertHardened(reply);
    });

    it('sends them on the denial page a browser gets for a missing capability', async () => {
      const browser = await example.signedIn('baker@example.com');
      const reply = await browser.get('/arrest?who=tony', HTML);
      expectHtmlDenial(reply, 403, 'CAPABILITY_MISSING');
      assert.match(reply.text, /This page needs the capability <code>arrest<\/code>/);
      assertHardened(reply);
    });

    it('never says which framework answers', async () => {
      const reply = await example.client().get('/whoami');
      assert.equal(reply.headers.get('x-powered-by'), null);
    });
  });

  describe(`redirects to pages with non-ASCII paths on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    const pages: ReadonlyArray<[string, string]> = [
      ['/€', '/%E2%82%AC'],
      ['/café?q=crème brûlée', '/caf%C3%A9?q=cr%C3%A8me%20br%C3%BBl%C3%A9e'],
      ['/日本語/ページ', '/%E6%97%A5%E6%9C%AC%E8%AA%9E/%E3%83%9A%E3%83%BC%E3%82%B8'],
      ['/emoji/🥐', '/emoji/%F0%9F%A5%90'],
      ['/already%20encoded/€', '/already%20encoded/%E2%82%AC'],
    ];
    for (const [page, location] of pages) {
      it(`returns to ${page} after sign-in with a percent-encoded Location`, async () => {
        const reply = await example.client().signIn('baker@example.com', page);
        assert.equal(reply.status, 302, reply.text);
        assert.equal(reply.location, location);
      });
    }
  });
}

describe('percentEncodedLocation', () => {
  it('keeps printable ASCII and existing escapes, and encodes the rest as UTF-8', () => {
    assert.equal(percentEncodedLocation('/reports?year=2026&x=%2F'), '/reports?year=2026&x=%2F');
    assert.equal(percentEncodedLocation('/€ ü'), '/%E2%82%AC%20%C3%BC');
    assert.equal(percentEncodedLocation('https://idp.example/authorize?state=abc'), 'https://idp.example/authorize?state=abc');
  });

  it('does not throw on a lone surrogate', () => {
    assert.equal(percentEncodedLocation('/\ud800'), '/%EF%BF%BD');
  });
});
