import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { answerWhen } from '../fixtures/wait-until';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { expectDenial } from '../support/denial';
import type { HttpClient } from '../support/http-client';

/** What a browser on the app itself sends with a link click or a form. */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/** A second browser holding a copy of `client`'s session cookie, as a thief would. */
function copyOf(example: RunningExample, client: HttpClient): HttpClient {
  const copy = example.client();
  copy.cookies.set('caps_session', client.cookies.get('caps_session')!);
  return copy;
}

for (const adapter of ADAPTERS) {
  describe(`sessions end with logout and revoke_all on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    it('stops a copied session cookie at once after GET /logout', async () => {
      const browser = await example.signedIn('baker@example.com');
      const stolen = copyOf(example, browser);
      assert.equal((await stolen.get('/whoami')).json.user, 'baker@example.com');
      assert.equal((await browser.get('/logout', SAME_ORIGIN)).status, 302);
      assert.equal((await stolen.get('/whoami')).json.user, null);
      expectDenial(await stolen.get('/bake'), 401, 'SIGN_IN_REQUIRED');
      expectDenial(await stolen.get('/token'), 401, 'SIGN_IN_REQUIRED', 'the copy cannot mint a token either');
    });

    it('stops a copied session cookie at once after POST /logout', async () => {
      const browser = await example.signedIn('baker@example.com');
      const stolen = copyOf(example, browser);
      const reply = await browser.request('POST', '/logout', { headers: { origin: example.baseUrl } });
      assert.equal(reply.status, 302);
      assert.equal((await stolen.get('/whoami')).json.user, null);
    });

    it('leaves the other sessions of the same person signed in after a logout', async () => {
      const laptop = await example.signedIn('baker@example.com');
      const phone = await example.signedIn('baker@example.com');
      await laptop.get('/logout', SAME_ORIGIN);
      assert.equal((await phone.get('/whoami')).json.user, 'baker@example.com');
    });

    it('ends the sessions issued before a revoke_all, so a stolen cookie mints no fresh token', async () => {
      const victim = await example.signedIn('police@example.com');
      const stolen = copyOf(example, victim);
      const admin = example.client().withToken(await (await example.signedIn('admin@example.com')).token());
      const revoked = await admin.post('/token/revoke_all', { email: 'police@example.com' });
      assert.equal(revoked.status, 200, revoked.text);
      expectDenial(await stolen.get('/token'), 401, 'SIGN_IN_REQUIRED');
      assert.equal((await stolen.get('/whoami')).json.user, null);
      expectDenial(await victim.get('/arrest?who=tony'), 401, 'SIGN_IN_REQUIRED');
    });

    it('ends one own sessions too when a person revokes all their own tokens', async () => {
      const browser = await example.signedIn('mafia@example.com');
      const stolen = copyOf(example, browser);
      const reply = await browser.post('/token/revoke_all', { email: 'mafia@example.com' }, { origin: example.baseUrl });
      assert.equal(reply.status, 200, reply.text);
      expectDenial(await stolen.get('/racket'), 401, 'SIGN_IN_REQUIRED');
    });
  });

  describe(`GET /token mints only from a session on ${adapter}`, () => {
    let example: RunningExample;
    let admin: HttpClient;
    let adminToken: string;
    before(async () => {
      example = await startExample({ adapter });
      admin = await example.signedIn('admin@example.com');
      adminToken = await admin.token();
    });
    after(() => example.close());

    it('refuses 403 SESSION_REQUIRED to a user token asking for another token', async () => {
      const baker = example.client().withToken(await (await example.signedIn('baker@example.com')).token());
      const reply = await baker.get('/token');
      expectDenial(reply, 403, 'SESSION_REQUIRED');
      assert.match(reply.json.message as string, /only from a browser session/);
    });

    it('refuses 403 SESSION_REQUIRED to a service token asking for a user token', async () => {
      const minted = await example.client().withToken(adminToken).get('/token?user=bot@service');
      const bot = example.client().withToken(minted.json.service_token as string);
      expectDenial(await bot.get('/token'), 403, 'SESSION_REQUIRED');
    });

    it('still mints a service token for a manager authenticated by a bearer token', async () => {
      const reply = await example.client().withToken(adminToken).get('/token?user=bot@service');
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.user, 'bot@service');
    });

    it('still mints a user token from the session cookie', async () => {
      assert.equal((await admin.get('/token')).status, 200);
    });
  });

  describe(`logout on one instance ends the session on another sharing the store on ${adapter}`, () => {
    let first: RunningExample;
    let second: RunningExample;
    before(async () => {
      first = await startExample({ adapter });
      second = await startExample({ adapter, sharedCapsFile: first.capsFile });
    });
    after(async () => {
      await second?.close();
      await first?.close();
    });

    it('refuses the copied cookie on the other instance within a poll of the revocation file', async () => {
      const browser = await first.signedIn('baker@example.com');
      const elsewhere = copyOf(second, browser);
      assert.equal((await elsewhere.get('/whoami')).json.user, 'baker@example.com');
      assert.equal((await browser.get('/logout', SAME_ORIGIN)).status, 302);
      await answerWhen(() => elsewhere.get('/whoami'), (reply) => reply.json.user === null, 'the other instance refuses the ended session');
    });
  });
}
