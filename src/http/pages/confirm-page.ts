import type { IncomingHttpHeaders } from 'node:http';
import { CrossSiteRequestError } from '../../errors';
import { acceptsHtml } from '../../nest/access';
import { assertSameOriginNavigation } from '../../session/assert-same-origin';
import { escapeHtml, page } from './html';

/**
 * Whether a state-changing GET must be confirmed first: false when it comes from this
 * application's own pages, true for a browser sent from elsewhere; any other client
 * sent from elsewhere gets the `CROSS_SITE_REQUEST` of `assertSameOriginNavigation`.
 */
export function needsConfirmation(headers: IncomingHttpHeaders, origin: string): boolean {
  try {
    assertSameOriginNavigation(headers, origin);
    return false;
  } catch (error) {
    if (error instanceof CrossSiteRequestError && acceptsHtml(headers)) return true;
    throw error;
  }
}

/**
 * A page asking the user to confirm, with a button that POSTs to `action`: what a
 * browser gets for a state-changing GET that does not show it comes from this
 * application (a cross-site link, a Referer stripped). The POST then goes through the
 * cross-site checks of every state-changing request.
 *
 * @example confirmPage('Sign out', 'Sign out of this application?', '/logout', 'Sign out')
 */
export function confirmPage(title: string, question: string, action: string, button: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(question)}</p>
<form method="post" action="${escapeHtml(action)}">
<p><button type="submit">${escapeHtml(button)}</button> <a href="/">Cancel</a></p>
</form>`,
  );
}
