import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { launchChromium } from '../support/chromium';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

/** Signs in through the development form the page was sent to, as a person would. */
async function signInAt(page: Page, email: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/login/dev');
  await page.fill('input[name="email"]', email);
  await page.click('button[type="submit"], input[type="submit"]');
}

describe('the admin page in a real browser (headless Chromium)', () => {
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  for (const adapter of ADAPTERS) {
    describe(`on ${adapter}`, () => {
      let example: RunningExample;

      before(async () => {
        example = await startExample({ adapter, caps: MANAGERS_CAPS });
      });
      after(() => example.close());

      it('signs a manager in and back, grants, sees it take effect, and is refused an escalation with the reason', async () => {
        // A phone's screen: the page must stay usable there.
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(20_000);
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

          const carol = await context.browser()!.newContext();
          try {
            const carolPage = await carol.newPage();
            carolPage.setDefaultTimeout(20_000);
            await carolPage.goto(`${example.baseUrl}/login?redirect=${encodeURIComponent('/bake?food=pie')}`);
            await signInAt(carolPage, 'carol@example.com');
            await carolPage.waitForURL((url) => url.pathname === '/bake');
            assert.deepEqual(JSON.parse((await carolPage.textContent('body')) ?? ''), { baked: 'pie', by: 'carol@example.com' });
          } finally {
            await carol.close();
          }

          // The page offers nothing lead cannot grant; a doctored form is refused all the same.
          const offered = await page.locator('#grant-form select[name="capability"] option').allTextContents();
          assert.ok(!offered.includes('arrest'));
          await page.evaluate(`document.querySelector('#grant-form select[name="capability"]').add(new Option('arrest', 'arrest', true, true))`);
          await page.fill('#grant-form input[name="email"]', 'carol@example.com');
          const [answer] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.click('#grant-form button[type="submit"]')]);
          assert.equal(answer.status(), 403);
          await page.waitForSelector('#notice.refused');
          assert.match((await page.textContent('#notice')) ?? '', /^Refused: you may not grant or remove "arrest": it needs "arrest", which you do not hold/);
          assert.equal(await page.textContent('tr[data-email="carol@example.com"] .effective'), 'bake, read');

          await page.screenshot({ path: join(tmpdir(), `admin-page-${adapter}.png`), fullPage: true });
        } finally {
          await context.close();
        }
      });
    });
  }
});
