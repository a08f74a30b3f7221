import type { IncomingHttpHeaders } from 'node:http';
import { CrossSiteRequestError } from '../errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Throws `CROSS_SITE_REQUEST` for a state-changing request whose browser says it
 * came from another site. Browsers send `Sec-Fetch-Site` or `Origin` with every
 * such request; a client that sends neither is not a browser, and cross-site
 * request forgery needs a browser to carry the victim's cookie.
 */
export function assertSameOriginRequest(method: string, headers: IncomingHttpHeaders, origin: string): void {
  if (SAFE_METHODS.has(method)) return;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new CrossSiteRequestError(`cross-site request refused (Sec-Fetch-Site: ${String(site)})`);
  }
  const requestOrigin = headers.origin;
  if (requestOrigin !== undefined && requestOrigin !== origin) {
    throw new CrossSiteRequestError('cross-site request refused: the Origin is not this application');
  }
  const referer = headers.referer;
  if (site === undefined && requestOrigin === undefined && referer !== undefined && originOf(referer) !== origin) {
    throw new CrossSiteRequestError('cross-site request refused: the Referer is not this application');
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
