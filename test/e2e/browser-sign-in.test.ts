import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumForSuite, inNewPage } from '../support/chromium';
import { ADAPTERS } from '../support/example-server';
import { reserveAppUrl, startIdentityServer, startOidcExample, type IdentityServer, type OidcExample } from '../providers/oidc-identity-server';

/** A page on another origin of this machine whose one link points at `target`. */
async function startOtherSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<!doctype html><a id="away" href="${target}">a link elsewhere</a>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function signInAtProvider(page: Page, app: OidcExample, email: string): Promise<void> {
  await page.goto(`${app.baseUrl}/login?redirect=/`);
  // The second time, the provider may remember the user and send the browser straight back.
  await page.waitForURL((url) => url.pathname.includes('/interaction/') || url.href === `${app.baseUrl}/`);
  if (new URL(page.url()).pathname.includes('/interaction/')) {
    await page.fill('#email', email);
    await page.click('#continue');
    await page.waitForURL(`${app.baseUrl}/`);
  }
  assert.equal(await page.textContent('#user'), email);
}

describe('signing in with a real browser (headless Chromium)', () => {
  const browser = chromiumForSuite();

  for (const adapter of ADAPTERS) {
    describe(`on ${adapter}`, () => {
      let idp: IdentityServer;
      let app: OidcExample;

      before(async () => {
        const at = await reserveAppUrl();
        idp = await startIdentityServer([`${at.baseUrl}/auth/oidc/callback`]);
        app = await startOidcExample(idp, at, { adapter });
      });

      after(async () => {
        await app?.close();
        await idp?.close();
      });

      it('signs in at the OpenID Connect server, comes back, shows the capabilities and hands out a token', async () => {
        await inNewPage(browser(), async (page) => {
          await page.goto(`${app.baseUrl}/`);
          assert.match(await page.textContent('body') ?? '', /You are not signed in/);
          await page.click('text=Sign in');
          await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin && url.pathname.includes('/interaction/'));
          await page.fill('#email', 'Mafia@Example.com');
          await page.click('#continue');
          await page.waitForURL(`${app.baseUrl}/`);
          assert.equal(await page.textContent('#user'), 'mafia@example.com');
          assert.deepEqual(await page.locator('#capabilities li').allTextContents(), ['bake', 'mafia', 'racket', 'read']);

          await page.click('text=Get a token');
          await page.waitForURL(`${app.baseUrl}/token`);
          const token = await page.inputValue('#token');
          assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
          const whoami = await fetch(`${app.baseUrl}/whoami`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
          assert.equal(((await whoami.json()) as { user: string }).user, 'mafia@example.com');

          const cookies = await page.context().cookies(app.baseUrl);
          const session = cookies.find((cookie) => cookie.name === 'caps_session');
          assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
          assert.equal(cookies.filter((cookie) => cookie.name.startsWith('caps_login_')).length, 0, 'no sign-in attempt is left behind');
        });
      });

      it("signs out from the app's own link, and only after confirming when another site links to /logout", async () => {
        const other = await startOtherSite(`${app.baseUrl}/logout`);
        try {
          await inNewPage(browser(), async (page) => {
            await signInAtProvider(page, app, 'baker@example.com');
            await page.click('text=Sign out');
            await page.waitForURL(`${app.baseUrl}/`);
            assert.match((await page.textContent('body')) ?? '', /You are not signed in/);

            await signInAtProvider(page, app, 'baker@example.com');
            await page.goto(other.url);
            await page.click('#away');
            await page.waitForURL(`${app.baseUrl}/logout`);
            assert.match((await page.textContent('h1')) ?? '', /Sign out/);
            await page.goto(`${app.baseUrl}/`);
            assert.equal(await page.textContent('#user'), 'baker@example.com', 'still signed in after the link from elsewhere');

            await page.goto(other.url);
            await page.click('#away');
            await page.waitForURL(`${app.baseUrl}/logout`);
            await page.click('button[type=submit]');
            await page.waitForURL(`${app.baseUrl}/`);
            assert.match((await page.textContent('body')) ?? '', /You are not signed in/);
          });
        } finally {
          await other.close();
        }
      });

      it('sends a page that needs signing in through the provider and back to that page', async () => {
        await inNewPage(browser(), async (page) => {
          await page.goto(`${app.baseUrl}/racket`);
          await page.waitForURL((url) => url.pathname.includes('/interaction/'));
          await page.fill('#email', 'mafia@example.com');
          await page.click('#continue');
          await page.waitForURL(`${app.baseUrl}/racket`);
          assert.deepEqual(JSON.parse((await page.textContent('body')) ?? ''), { collected: 1000 });
        });
      });

      it('shows a denial page that offers sign-in back to the page, then names the missing capability and offers sign-out', async () => {
        await inNewPage(browser(), async (page) => {
          const guest = await page.goto(`${app.baseUrl}/bake`);
          assert.equal(guest?.status(), 401);
          assert.match((await page.textContent('#who')) ?? '', /not signed in/);
          assert.match((await page.textContent('#missing')) ?? '', /bake/);
          assert.equal(await page.getAttribute('main', 'data-code'), 'SIGN_IN_REQUIRED');
          assert.equal(await page.textContent('#code'), 'SIGN_IN_REQUIRED');
          assert.match((await page.getAttribute('#sign-in', 'href')) ?? '', /\/login\?redirect=%2Fbake$/);
          await page.click('#sign-in');
          await page.waitForURL((url) => url.pathname.includes('/interaction/'));
          await page.fill('#email', 'police@example.com');
          await page.click('#continue');
          await page.waitForURL(`${app.baseUrl}/bake`);
          assert.match((await page.textContent('h1')) ?? '', /Not allowed/);
          assert.match((await page.textContent('#who')) ?? '', /police@example\.com/);
          assert.match((await page.textContent('#missing')) ?? '', /bake/);
          assert.equal(await page.getAttribute('main', 'data-code'), 'CAPABILITY_MISSING');
          assert.equal(await page.textContent('#code'), 'CAPABILITY_MISSING');
          await page.click('#sign-out');
          await page.waitForURL(`${app.baseUrl}/`);
          assert.match((await page.textContent('body')) ?? '', /You are not signed in/);
        });
      });
    });
  }
});
