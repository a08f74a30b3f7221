import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { bakeryCaps } from '../fixtures/caps-texts';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { FakeGoogleGitHub } from '../support/fake-google-github';
import type { HttpClient } from '../support/http-client';
import { fakeProviderEnvironment, signInThrough, visitProvider, whoami } from '../support/provider-sign-in';

// Links are keyed by the provider's issuer: for GitHub at a test double, its authorization endpoint.
const caps = (githubIssuer: string): string =>
  bakeryCaps({
    comment: 'linking test',
    users: ['bob@example.com: [bake]   # Bob bakes', 'carol@example.com: [user_management]'],
    identities: [`${githubIssuer}#2999999: carol@example.com   # linked by hand`],
  });

/** What a browser sends when a page of the app itself links to `/link/...`. */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
const CROSS_SITE = { 'sec-fetch-site': 'cross-site' };
const HTML = { accept: 'text/html' };

function attemptCookies(client: HttpClient): string[] {
  return [...client.cookies.keys()].filter((name) => name.startsWith('caps_login_'));
}

for (const adapter of ADAPTERS) {
  describe(`account linking (${adapter})`, () => {
    let fake: FakeGoogleGitHub;
    let example: RunningExample;

    before(async () => {
      fake = await FakeGoogleGitHub.start();
      example = await startExample({ adapter, caps: caps(`${fake.url}/github/login/oauth/authorize`), env: fakeProviderEnvironment(fake) });
    });
    after(async () => {
      await example?.close();
      await fake?.close();
    });
    beforeEach(() => {
      fake.scenario = { google: 'normal', github: 'normal' };
    });

    const asGoogle = (sub: string, email: string) => {
      fake.google = { sub, email, email_verified: true };
    };
    const asGitHub = (id: number, email: string) => {
      fake.github = { id, login: `user${id}`, email: null, emails: [{ email, primary: true, verified: true }] };
    };

    it('signs in through an identity linked by hand in caps.yaml to the linked account', async () => {
      asGitHub(2999999, 'someone-else@example.org');
      const client = example.client();
      assert.equal((await signInThrough(client, 'github')).status, 302);
      assert.equal(await whoami(client), 'carol@example.com');
    });

    it('links GitHub to a Google account, after which GitHub sign-in reaches that account and its capabilities', async () => {
      asGoogle('1000101', 'bob@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      asGitHub(2000101, 'bob-at-github@example.net');
      const { callback } = await visitProvider(browser, '/link/github?redirect=/menu', SAME_ORIGIN);
      const linked = await browser.get(callback.pathname + callback.search);
      assert.equal(linked.status, 302);
      assert.equal(linked.location, '/menu');
      assert.equal(await whoami(browser), 'bob@example.com');
      const file = readFileSync(example.capsFile, 'utf8');
      assert.ok(file.includes(`${fake.url}/github/login/oauth/authorize#2000101: bob@example.com`), file);
      assert.match(file, /bob@example\.com: \[bake\] +# Bob bakes/, 'comments are kept');

      const other = example.client();
      assert.equal((await signInThrough(other, 'github')).status, 302);
      const reply = await other.get('/whoami');
      assert.equal(reply.json.user, 'bob@example.com');
      assert.deepEqual(reply.json.capabilities, ['bake', 'read']);
    });

    it('links Google to a GitHub account the other way round', async () => {
      asGitHub(2000202, 'dave@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'github')).status, 302);
      asGoogle('1000202', 'dave.personal@example.org');
      const { callback } = await visitProvider(browser, '/link/google', SAME_ORIGIN);
      assert.equal((await browser.get(callback.pathname + callback.search)).status, 302);
      const other = example.client();
      assert.equal((await signInThrough(other, 'google')).status, 302);
      assert.equal(await whoami(other), 'dave@example.com');
    });

    it('refuses with 409 an identity already linked to another account, and changes nothing', async () => {
      asGoogle('1000303', 'erin@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      asGitHub(2999999, 'erin@example.com');
      const before = readFileSync(example.capsFile, 'utf8');
      const { callback } = await visitProvider(browser, '/link/github', SAME_ORIGIN);
      const reply = await browser.get(callback.pathname + callback.search);
      assert.equal(reply.status, 409);
      assert.equal(reply.json.code, 'LOGIN_IDENTITY_LINKED');
      assert.match(reply.json.message as string, /already linked to another account/);
      assert.equal(readFileSync(example.capsFile, 'utf8'), before);
      assert.equal(await whoami(browser), 'erin@example.com', 'still signed in as before');
      const other = example.client();
      assert.equal((await signInThrough(other, 'github')).status, 302);
      assert.equal(await whoami(other), 'carol@example.com', 'the link still belongs to carol');
    });

    it('asks a guest to sign in first: a browser goes to /login and back, other clients get 401', async () => {
      const browser = await example.client().get('/link/github?redirect=/menu', { accept: 'text/html' });
      assert.equal(browser.status, 302);
      assert.equal(browser.location, `/login?redirect=${encodeURIComponent('/link/github?redirect=%2Fmenu')}`);
      const script = await example.client().get('/link/github');
      expectDenial(script, 401, 'SIGN_IN_REQUIRED');
    });

    it('refuses a cross-site GET /link with 403 CROSS_SITE_REQUEST and starts nothing', async () => {
      asGoogle('1000101', 'bob@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      for (const headers of [CROSS_SITE, { referer: 'https://evil.example/' }, {}]) {
        const reply = await browser.get('/link/github', headers);
        assert.equal(reply.status, 403);
        assert.equal(reply.json.code, 'CROSS_SITE_REQUEST');
      }
      assert.deepEqual(attemptCookies(browser), []);
    });

    it('asks a browser sent from another site to confirm, and links once it posts', async () => {
      asGoogle('1000101', 'bob@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      const page = await browser.get('/link/github?redirect=/menu', { ...CROSS_SITE, ...HTML });
      assert.equal(page.status, 200);
      assert.match(page.text, /<form method="post" action="\/link\/github\?redirect=%2Fmenu">/);
      assert.deepEqual(attemptCookies(browser), [], 'nothing started before the click');
      const refused = await browser.request('POST', '/link/github?redirect=/menu', { headers: { origin: 'https://evil.example' } });
      assert.equal(refused.status, 403);
      assert.equal(refused.json.code, 'CROSS_SITE_REQUEST');

      asGitHub(2000501, 'bob-elsewhere@example.net');
      const started = await browser.request('POST', '/link/github?redirect=/menu', { headers: { origin: example.baseUrl } });
      assert.equal(started.status, 302);
      const atProvider = await fetch(started.location!, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      const callback = new URL(atProvider.headers.get('location')!);
      const linked = await browser.get(callback.pathname + callback.search);
      assert.equal(linked.status, 302, linked.text);
      assert.equal(linked.location, '/menu');
      assert.ok(readFileSync(example.capsFile, 'utf8').includes(`${fake.url}/github/login/oauth/authorize#2000501: bob@example.com`));
    });

    it('refuses at the callback a link that another session started, and writes nothing', async () => {
      asGoogle('1000101', 'bob@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      asGitHub(2000502, 'bob-again@example.net');
      const { callback } = await visitProvider(browser, '/link/github', SAME_ORIGIN);
      // The same person signs out and in again before the provider answers: another session.
      await browser.get('/logout', SAME_ORIGIN);
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      const before = readFileSync(example.capsFile, 'utf8');
      const reply = await browser.get(callback.pathname + callback.search);
      assert.equal(reply.status, 401);
      assert.equal(reply.json.code, 'LOGIN_STATE_MISMATCH');
      assert.match(reply.json.message as string, /not started by your current session/);
      assert.equal(readFileSync(example.capsFile, 'utf8'), before);
      assert.equal(await whoami(browser), 'bob@example.com', 'still signed in');
    });

    it('refuses at the callback a link whose session was signed out', async () => {
      asGoogle('1000101', 'bob@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      asGitHub(2000503, 'bob-thrice@example.net');
      const { callback } = await visitProvider(browser, '/link/github', SAME_ORIGIN);
      await browser.get('/logout', SAME_ORIGIN);
      const reply = await browser.get(callback.pathname + callback.search);
      assert.equal(reply.status, 401);
      assert.equal(reply.json.code, 'LOGIN_STATE_MISMATCH');
      assert.doesNotMatch(readFileSync(example.capsFile, 'utf8'), /2000503/);
    });

    it('refuses to link with a bearer token, and answers 404 for an unknown provider', async () => {
      asGoogle('1000404', 'bob@example.com');
      const browser = example.client();
      assert.equal((await signInThrough(browser, 'google')).status, 302);
      const token = await browser.token();
      const reply = await example.client().withToken(token).get('/link/github');
      assert.equal(reply.status, 403);
      assert.equal(reply.json.code, 'LOGIN_REFUSED');
      expectDenial(await browser.get('/link/nope', { accept: 'application/json' }), 404, 'LOGIN_PROVIDER_UNKNOWN');
      expectHtmlDenial(await browser.get('/link/nope', { accept: 'text/html' }), 404, 'LOGIN_PROVIDER_UNKNOWN');
    });
  });
}
