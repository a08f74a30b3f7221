import type { Principal } from '../../capabilities/principal';
import type { CapabilitiesErrorCode } from '../../errors';
import { escapeHtml, HOME_LINK, page } from './html';
import { loginLocation } from '../../nest/access';

/** What a browser is told when the module refuses it. */
export interface Denial {
  readonly status: number;
  /** The error's stable code, shown on the page and marked for scripts and tests. */
  readonly code: CapabilitiesErrorCode;
  readonly message: string;
  readonly capability: string | undefined;
  /** Where the capability was asked (a scoped route); undefined for a global check. */
  readonly scope?: string | undefined;
  /** Who is signed in: null for nobody, undefined when nobody asked yet (a body refused before the guard ran). */
  readonly principal: Principal | null | undefined;
  /**
   * The path the browser asked for, to come back to after signing in; undefined when
   * that path is a step of signing in itself, which would only fail again.
   */
  readonly here: string | undefined;
  readonly prefix: string;
}

/**
 * A small page for a refused browser: who is signed in, what is missing, and a way on:
 * sign in (and come back here), or sign out to sign in as somebody else. The code of the
 * refusal is shown (for a person to quote) and is the `data-code` of `<main>` (for scripts).
 */
export function denialPage(denial: Denial): string {
  const login = denial.here === undefined ? `${denial.prefix}/login` : loginLocation(denial.prefix, denial.here);
  const signIn = `<a class="button" id="sign-in" href="${escapeHtml(login)}">Sign in</a>`;
  const signOut = `<form method="post" action="${escapeHtml(`${denial.prefix}/logout`)}"><button type="submit" id="sign-out">Sign out</button></form>`;
  const who =
    denial.principal === undefined
      ? ''
      : denial.principal === null
        ? '<p id="who">You are not signed in.</p>'
        : `<p id="who">You are signed in as <strong>${escapeHtml(denial.principal.email)}</strong>.</p>`;
  const at = denial.scope === undefined ? '' : ` at <code id="scope">${escapeHtml(denial.scope)}</code>`;
  const missing = denial.capability === undefined ? '' : `<p id="missing">This page needs the capability <code>${escapeHtml(denial.capability)}</code>${at}.</p>`;
  // The guard's two denials say no more than the line above: the page says it once.
  const restated = denial.capability !== undefined && (denial.code === 'SIGN_IN_REQUIRED' || denial.code === 'CAPABILITY_MISSING');
  const message = restated ? '' : `<p id="message">${escapeHtml(denial.message)}</p>`;
  const title = denial.status === 401 ? 'Sign-in required' : denial.status === 403 ? 'Not allowed' : 'Something went wrong';
  const next = nextSteps(denial, signIn, signOut);
  return page(title, `<main data-code="${escapeHtml(denial.code)}"><h1>${title}</h1>${who}${missing}${message}${codeLine(denial.code)}${next}</main>`);
}

/** Sign in when that can help, sign out to become somebody else; and always the way home. */
function nextSteps(denial: Denial, signIn: string, signOut: string): string {
  if (denial.status === 401 || (denial.principal === null && denial.here === undefined)) return `<p>${signIn} ${HOME_LINK}</p>`;
  if (denial.status !== 403 || denial.principal === null) return `<p>${HOME_LINK}</p>`;
  const ask = denial.capability === undefined ? '<p>You may sign in as somebody else.</p>' : '<p>Ask an administrator for it, or sign in as somebody else.</p>';
  return `${ask}${signOut}<p>${HOME_LINK}</p>`;
}

/**
 * The stable code of a refusal, shown small on a page.
 *
 * @example codeLine('CAPABILITY_MISSING') // '<p class="code">code: <code id="code">CAPABILITY_MISSING</code></p>'
 */
export function codeLine(code: CapabilitiesErrorCode): string {
  return `<p class="code">code: <code id="code">${escapeHtml(code)}</code></p>`;
}
