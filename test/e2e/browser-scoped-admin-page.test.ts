import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { shopsCaps } from '../fixtures/caps-texts';
import { chromiumForSuite, inNewPage } from '../support/chromium';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

const CAPS = shopsCaps({ users: ['root@example.com: [admin]'] });

/** Signs in through the development form the page was sent to, as a person would. */
async function signInAt(page: Page, email: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/login/dev');
  await page.fill('input[name="email"]', email);
  await page.click('button[type="submit"], input[type="submit"]');
}

/** The (scope, email) of each row of the scoped grants shown, in order. */
function scopedRows(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll('table.scoped-grants tbody tr[data-scope]')].map((row) => row.getAttribute('data-scope') + ' ' + row.getAttribute('data-scoped-email'))`);
}

describe('the admin page for a manager of one scope, in a real browser (headless Chromium)', () => {
  const browser = chromiumForSuite();

  for (const adapter of ADAPTERS) {
    describe(`on ${adapter}`, () => {
      let example: RunningExample;

      before(async () => {
        example = await startExample({ adapter, caps: CAPS });
      });
      after(() => example.close());

      it('shows only the scope they manage, grants and removes there, and is refused elsewhere with the reason', async () => {
        await inNewPage(browser(), async (page) => {
          await page.goto(`${example.baseUrl}/manage_capabilities`);
          await signInAt(page, 'bob@example.com');
          await page.waitForURL(`${example.baseUrl}/manage_capabilities`);
          assert.equal(await page.textContent('#manager'), 'bob@example.com');
          // Nothing global: no account list, no keys, no audit; only their scope and what lies below it.
          assert.equal(await page.locator('#accounts').count(), 0);
          assert.equal(await page.locator('#keys').count(), 0);
          assert.equal(await page.locator('#audit').count(), 0);
          assert.deepEqual(await page.locator('section.scope-section h3').allTextContents(), ['shop:paris']);
          assert.deepEqual(await scopedRows(page), ['shop:paris bob@example.com', 'shop:paris/oven:2 carol@example.com']);
          const offered = await page.locator('#scope-grant-form-0 select[name="capability"] option').allTextContents();
          assert.deepEqual(offered, ['bake', 'read', 'user_management']);

          await page.fill('#scope-grant-form-0 input[name="scope"]', 'shop:paris/oven:3');
          await page.fill('#scope-grant-form-0 input[name="email"]', 'dan@example.com');
          await page.selectOption('#scope-grant-form-0 select[name="capability"]', 'bake');
          await page.click('#scope-grant-form-0 button[type="submit"]');
          await page.waitForSelector('#notice.ok');
          assert.equal((await page.textContent('#notice'))?.trim(), 'Granted bake to dan@example.com at shop:paris/oven:3.');
          assert.ok((await scopedRows(page)).includes('shop:paris/oven:3 dan@example.com'));
          const stored = (): ReturnType<typeof parseCapsFile> => parseCapsFile(readFileSync(example.capsFile, 'utf8'), 'caps.yaml');
          assert.deepEqual(stored().storedAt('dan@example.com', 'shop:paris/oven:3'), ['bake']);

          await page.click('button[aria-label="remove bake from carol@example.com at shop:paris/oven:2"]');
          await page.waitForSelector('#notice.confirm');
          assert.equal((await page.textContent('#plan'))?.trim(), 'carol@example.com at shop:paris/oven:2: loses bake');
          assert.deepEqual(stored().storedAt('carol@example.com', 'shop:paris/oven:2'), ['bake'], 'nothing removed before it is confirmed');
          await page.click('#confirm');
          await page.waitForSelector('#notice.ok');
          assert.equal((await page.textContent('#notice'))?.trim(), 'Removed bake from carol@example.com at shop:paris/oven:2.');
          assert.deepEqual(stored().storedAt('carol@example.com', 'shop:paris/oven:2'), []);

          // A doctored form naming another shop is refused, and nothing is written there.
          await page.fill('#scope-grant-form-0 input[name="scope"]', 'shop:lyon');
          await page.fill('#scope-grant-form-0 input[name="email"]', 'dan@example.com');
          const [refused] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.click('#scope-grant-form-0 button[type="submit"]')]);
          assert.equal(refused.status(), 403);
          await page.waitForSelector('#notice.refused');
          assert.equal(await page.getAttribute('#notice', 'data-code'), 'CAPABILITY_MISSING');
          assert.deepEqual(stored().storedAt('dan@example.com', 'shop:lyon'), []);

          // Granting there what they do not hold is refused with the grant rule's reason.
          await page.fill('#scope-grant-form-0 input[name="scope"]', 'shop:paris');
          await page.fill('#scope-grant-form-0 input[name="email"]', 'dan@example.com');
          await page.evaluate(`document.querySelector('#scope-grant-form-0 select[name="capability"]').add(new Option('arrest', 'arrest', true, true))`);
          const [escalation] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.click('#scope-grant-form-0 button[type="submit"]')]);
          assert.equal(escalation.status(), 403);
          await page.waitForSelector('#notice.refused');
          assert.equal(await page.getAttribute('#notice', 'data-code'), 'GRANT_FORBIDDEN');
          assert.deepEqual(stored().storedAt('dan@example.com', 'shop:paris'), []);
        });
      });

      it('shows a global manager every scope, with forms carrying each scope', async () => {
        await inNewPage(browser(), async (page) => {
          await page.goto(`${example.baseUrl}/manage_capabilities`);
          await signInAt(page, 'root@example.com');
          await page.waitForURL(`${example.baseUrl}/manage_capabilities`);
          assert.equal(await page.locator('#accounts').count(), 1);
          const rows = await scopedRows(page);
          assert.ok(rows.includes('shop:lyon lyon@example.com'), rows.join(', '));
          assert.ok(rows.includes('shop:paris bob@example.com'), rows.join(', '));
          await page.click('button[aria-label="remove arrest from lyon@example.com at shop:lyon"]');
          await page.waitForSelector('#notice.confirm');
          assert.match((await page.textContent('#plan')) ?? '', /^lyon@example\.com at shop:lyon: loses arrest/);
          await page.click('#confirm');
          await page.waitForSelector('#notice.ok');
          assert.equal((await page.textContent('#notice'))?.trim(), 'Removed arrest from lyon@example.com at shop:lyon.');
          assert.ok(!(await scopedRows(page)).includes('shop:lyon lyon@example.com'));
        });
      });
    });
  }
});
