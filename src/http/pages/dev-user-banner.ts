import { escapeHtml } from './html';

/**
 * The banner on the module's HTML pages while `devUser` is on.
 *
 * @example
 * devUserBanner('ada@example.com'); // '<p class="warning" id="dev-user-banner" ...'
 */
export function devUserBanner(email: string): string {
  return `<p class="warning" id="dev-user-banner" role="alert"><strong>Development mode:</strong> every request without credentials acts as <strong>${escapeHtml(email)}</strong> (devUser). Never in production.</p>`;
}
