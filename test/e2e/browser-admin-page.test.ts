import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { generatedGrant, generatedPeople, managersCapsWith, MANAGERS_CAPS } from '../fixtures/managers-caps';
import { chromiumForSuite, inNewPage } from '../support/chromium';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

/** A phone's screen: the page must stay usable there. */
const PHONE_SCREEN = { viewport: { width: 390, height: 844 } };

/** A store to page through: 3,000 people besides the three of MANAGERS_CAPS, in email order. */
const LARGE_STORE = 3_000;
const EVERYONE = ['bob@example.com', 'lead@example.com', 'root@example.com', ...generatedPeople(LARGE_STORE)];

/** The emails of the rows of the accounts table, in order. */
function accountRows(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll('#accounts tbody tr[data-email]')].map((row) => row.getAttribute('data-email'))`);
}

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

    describe(`a large store on ${adapter}`, () => {
      let example: RunningExample;

      before(async () => {
        example = await startExample({ adapter, caps: managersCapsWith(LARGE_STORE, 60) });
      });
      after(() => example.close());

      it('pages through the accounts, searches and filters on the server, and stays on the view after a grant', async () => {
        await inNewPage(browser(), async (page) => {
          await page.goto(`${example.baseUrl}/manage_capabilities`);
          await signInAt(page, 'lead@example.com');
          await page.waitForURL(`${example.baseUrl}/manage_capabilities`);
          assert.equal(await page.textContent('#accounts-pager .count'), `1–50 of ${EVERYONE.length.toLocaleString('en-US')}`);
          assert.deepEqual(await accountRows(page), EVERYONE.slice(0, 50));
          for (let turn = 2; turn <= 4; turn++) {
            await page.click('#accounts-pager a[rel="next"]');
            await page.waitForURL(`${example.baseUrl}/manage_capabilities?page=${turn}`);
            assert.deepEqual(await accountRows(page), EVERYONE.slice((turn - 1) * 50, turn * 50));
          }
          await page.click('#accounts-pager a[rel="prev"]');
          await page.waitForURL(`${example.baseUrl}/manage_capabilities?page=3`);

          // Generated people hold bake every seventh; lead and root hold it besides, but do not match "user2".
          const bakers = generatedPeople(LARGE_STORE).filter((email, index) => email.includes('user2') && generatedGrant(index) === 'bake');
          await page.fill('#search-form input[name="email"]', 'user2');
          await page.selectOption('#search-form select[name="capability"]', 'bake');
          await page.click('#search-form button[type="submit"]');
          await page.waitForURL((url) => url.searchParams.get('capability') === 'bake' && url.searchParams.get('email') === 'user2');
          assert.equal(await page.textContent('#accounts-pager .count'), `1–50 of ${bakers.length}`);
          assert.deepEqual(await accountRows(page), bakers.slice(0, 50));
          await page.click('#accounts-pager a[rel="next"]');
          await page.waitForURL((url) => url.searchParams.get('page') === '2');
          assert.deepEqual(await accountRows(page), bakers.slice(50, 100));

          const target = bakers[50]!;
          const row = `tr[data-email="${target}"]`;
          assert.deepEqual(await page.locator(`${row} select[name="capability"] option`).allTextContents(), ['user_management'], 'a baker lacks only user_management of what lead may grant');
          await page.click(`${row} button:has-text("Add")`);
          await page.waitForSelector('#notice.ok');
          assert.equal((await page.textContent('#notice'))?.trim(), `Granted user_management to ${target}.`);
          const after = new URL(page.url());
          assert.deepEqual([after.searchParams.get('email'), after.searchParams.get('capability'), after.searchParams.get('page')], ['user2', 'bake', '2']);
          assert.deepEqual(await accountRows(page), bakers.slice(50, 100), 'the same page of the same search after the grant');
          assert.match((await page.textContent(`${row} .effective`)) ?? '', /user_management/);
          await page.screenshot({ path: join(tmpdir(), `admin-page-large-${adapter}.png`), fullPage: true });
        }, PHONE_SCREEN);
      });
    });
  }
});
