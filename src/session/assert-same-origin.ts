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
    throw new CrossSiteRequestError(`cross-site request refused (Sec-Fetch-Site: ${site})`);
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

/**
 * Throws `CROSS_SITE_REQUEST` unless a GET that changes state (starting an account
 * link, signing out) shows it comes from this application: `Sec-Fetch-Site:
 * same-origin` (or `none`: typed or bookmarked by the user), else an `Origin` or a
 * `Referer` of this origin. Unlike `assertSameOriginRequest`, a GET carrying none of
 * them is refused: any site can send a browser to a URL and strip its Referer.
 *
 * @example assertSameOriginNavigation({ 'sec-fetch-site': 'same-origin' }, 'https://app.example.com') // passes
 */
export function assertSameOriginNavigation(headers: IncomingHttpHeaders, origin: string): void {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    throw new CrossSiteRequestError(`cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
  if (headers.origin !== undefined) {
    if (headers.origin === origin) return;
    throw new CrossSiteRequestError('cross-site request refused: the Origin is not this application');
  }
  if (headers.referer !== undefined && originOf(headers.referer) === origin) return;
  throw new CrossSiteRequestError("request refused: it does not show that it comes from this application's own pages");
}

/**
 * Throws `CROSS_SITE_REQUEST` unless the browser says the form came from this
 * application: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to ours. Stricter
 * than the guard's check, which lets a client that sends neither through: a form of
 * the admin page is always posted by a browser, and browsers send them.
 */
export function assertFormFromThisOrigin(headers: IncomingHttpHeaders, origin: string): void {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) {
    if (site !== 'same-origin') throw new CrossSiteRequestError(`cross-site form refused (Sec-Fetch-Site: ${site})`);
    return;
  }
  if (headers.origin !== origin) throw new CrossSiteRequestError('cross-site form refused: the Origin is missing or not this application');
}

/**
 * Whether a handshake (a WebSocket upgrade, socket.io's first long-polling GET) shows it
 * comes from this application's own pages, so the session cookie it carries may be used:
 * its `Origin` is the application's, or, where the browser sends no `Origin` (a
 * same-origin GET), `Sec-Fetch-Site: same-origin`. Browsers set both headers themselves;
 * a page of another site can forge neither.
 *
 * @example comesFromOwnPages({ 'sec-fetch-site': 'same-origin' }, 'https://app.example.com') // true
 */
export function comesFromOwnPages(headers: IncomingHttpHeaders, origin: string): boolean {
  if (headers.origin !== undefined) return headers.origin === origin;
  return headers['sec-fetch-site'] === 'same-origin';
}

/**
 * Whether a GET may be a browser's navigation, the only request from another site
 * that carries the `SameSite=Lax` session cookie: a navigation always asks for HTML,
 * and modern browsers add `Sec-Fetch-Site` (old ones often a `Referer`). A client
 * that sends none of these is a script, which a cross-site page cannot drive with the
 * victim's cookie.
 *
 * @example mayBeBrowserNavigation({ accept: 'application/json' }) // false
 */
export function mayBeBrowserNavigation(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept;
  return (
    (typeof accept === 'string' && accept.includes('text/html')) ||
    headers['sec-fetch-site'] !== undefined ||
    headers.origin !== undefined ||
    headers.referer !== undefined
  );
}
