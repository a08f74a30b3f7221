import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { chromiumForSuite, inNewPage } from '../support/chromium';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

/** A phone's screen: the page must stay usable there. */
const PHONE_SCREEN = { viewport: { width: 390, height: 844 } };

/** Signs in through the development form the page was sent to, as a person would. */
async function signInAt(page: Page, email: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/login/dev');
  await page.fill('input[name="email"]', email);
  await page.click('button[type="submit"], input[type="submit"]');
}

describe('the admin page in a real browser (headless Chromium)', () => {
  const browser = chromiumForSuite();

  for (const adapter of ADAPTERS) {
    describe(`on ${adapter}`, () => {
      let example: RunningExample;

      before(async () => {
        example = await startExample({ adapter, caps: MANAGERS_CAPS });
      });
      after(() => example.close());

      it('signs a manager in and back, grants, sees it take effect, and is refused an escalation with the reason', async () => {
        await inNewPage(browser(), async (page) => {
          await page.goto(`${example.baseUrl}/manage_capabilities`);
          await signInAt(page, 'lead@example.com');
          await page.waitForURL(`${example.baseUrl}/manage_capabilities`);
          assert.equal(await page.textContent('#manager'), 'lead@example.com');

          await page.fill('#grant-form input[name="email"]', 'carol@example.com');
          await page.selectOption('#grant-form select[name="capability"]', 'bake');
          await page.click('#grant-form button[type="submit"]');
          await page.waitForSelector('#notice.ok');
          assert.equal((await page.textContent('#notice'))?.trim(), 'Granted bake to carol@example.com.');
          assert.equal(await page.textContent('tr[data-email="carol@example.com"] .effective'), 'bake, read');

          await inNewPage(browser(), async (carolPage) => {
            await carolPage.goto(`${example.baseUrl}/login?redirect=${encodeURIComponent('/bake?food=pie')}`);
            await signInAt(carolPage, 'carol@example.com');
            await carolPage.waitForURL((url) => url.pathname === '/bake');
            assert.deepEqual(JSON.parse((await carolPage.textContent('body')) ?? ''), { baked: 'pie', by: 'carol@example.com' });
            // Not a manager: the module's denial page, naming what is missing, with its code.
            const refused = await carolPage.goto(`${example.baseUrl}/manage_capabilities`);
            assert.equal(refused?.status(), 403);
            assert.match((await carolPage.textContent('#who')) ?? '', /carol@example\.com/);
            assert.match((await carolPage.textContent('#missing')) ?? '', /user_management/);
            assert.equal(await carolPage.getAttribute('main', 'data-code'), 'CAPABILITY_MISSING');
            assert.equal(await carolPage.textContent('#code'), 'CAPABILITY_MISSING');
          });

          // The page offers nothing lead cannot grant; a doctored form is refused all the same.
          const offered = await page.locator('#grant-form select[name="capability"] option').allTextContents();
          assert.ok(!offered.includes('arrest'));
          await page.evaluate(`document.querySelector('#grant-form select[name="capability"]').add(new Option('arrest', 'arrest', true, true))`);
          await page.fill('#grant-form input[name="email"]', 'carol@example.com');
          const [answer] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.click('#grant-form button[type="submit"]')]);
          assert.equal(answer.status(), 403);
          await page.waitForSelector('#notice.refused');
          assert.equal(await page.getAttribute('#notice', 'data-code'), 'GRANT_FORBIDDEN');
          assert.equal(await page.textContent('#code'), 'GRANT_FORBIDDEN');
          assert.match((await page.textContent('#notice')) ?? '', /^Refused: you may not grant or remove "arrest": it needs "arrest", which you do not hold/);
          assert.equal(await page.textContent('tr[data-email="carol@example.com"] .effective'), 'bake, read');

          await page.screenshot({ path: join(tmpdir(), `admin-page-${adapter}.png`), fullPage: true });
        }, PHONE_SCREEN);
      });
    });
  }
});
