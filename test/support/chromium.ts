import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); playwright downloads no browser here. */
const CHROMIUM_CANDIDATES = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** How long one page action or navigation may take before the test fails. */
const PAGE_TIMEOUT_MS = 20_000;

function chromiumPath(): string {
  const found = CHROMIUM_CANDIDATES.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
  if (found === undefined) {
    throw new Error(
      'the browser test needs Chromium: install the Debian package "chromium" (apt-get install chromium; .ci/run does it) or set CHROMIUM_PATH',
    );
  }
  return found;
}

/** Headless Chromium for the browser tests. */
export function launchChromium(): Promise<Browser> {
  // Root in a container has no user namespace for Chromium's sandbox.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/**
 * One headless Chromium for the tests of the enclosing `describe`: launched before them, closed after them.
 * Call it in the `describe` body; the returned function hands out the browser inside a test.
 */
export function chromiumForSuite(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === undefined) throw new Error('Chromium is launched before the tests of the describe that called chromiumForSuite');
    return browser;
  };
}

/** Runs `use` on a page of a new browser context (its own cookies), and closes the context whatever happens. */
export async function inNewPage(browser: Browser, use: (page: Page) => Promise<void>, options: BrowserContextOptions = {}): Promise<void> {
  const context = await browser.newContext(options);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    await use(page);
  } finally {
    await context.close();
  }
}
