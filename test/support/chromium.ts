import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); playwright downloads no browser here. */
const CHROMIUM_CANDIDATES = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];

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
