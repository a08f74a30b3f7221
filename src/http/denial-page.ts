import type { Principal } from '../capabilities/principal';
import { escapeHtml, page } from './html';
import { loginLocation } from './login-redirect';

/** What a browser is told when the module refuses it. */
export interface Denial {
  readonly status: number;
  readonly message: string;
  readonly capability: string | undefined;
  readonly principal: Principal | null;
  /** The path the browser asked for, to come back to after signing in. */
  readonly here: string;
  readonly prefix: string;
}

/**
 * A small page for a refused browser: who is signed in, what is missing, and a way on:
 * sign in (and come back here), or sign out to sign in as somebody else.
 */
export function denialPage(denial: Denial): string {
  const signIn = `<a class="button" id="sign-in" href="${escapeHtml(loginLocation(denial.prefix, denial.here))}">Sign in</a>`;
  const signOut = `<form method="post" action="${escapeHtml(`${denial.prefix}/logout`)}"><button type="submit" id="sign-out">Sign out</button></form>`;
  const who =
    denial.principal === null
      ? '<p id="who">You are not signed in.</p>'
      : `<p id="who">You are signed in as <strong>${escapeHtml(denial.principal.email)}</strong>.</p>`;
  const missing = denial.capability === undefined ? '' : `<p id="missing">This page needs the capability <code>${escapeHtml(denial.capability)}</code>.</p>`;
  const title = denial.status === 401 ? 'Sign-in required' : denial.status === 403 ? 'Not allowed' : 'Something went wrong';
  const next = denial.status === 401 ? `<p>${signIn}</p>` : denial.status === 403 && denial.principal !== null ? `<p>Ask an administrator for it, or sign in as somebody else.</p>${signOut}` : '<p><a href="/">Back</a></p>';
  return page(title, `<h1>${title}</h1>${who}${missing}<p id="message">${escapeHtml(denial.message)}</p>${next}`);
}
