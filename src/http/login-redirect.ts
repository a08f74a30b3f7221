import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';

/** Whether the caller is a browser asking for a page (Accept names text/html). */
export function acceptsHtml(headers: IncomingHttpHeaders): boolean {
  const accept = headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/**
 * The login page that sends the browser back to `back` (a path of this app) once signed in.
 *
 * @example loginLocation('/auth', '/reports?year=2025') // '/auth/login?redirect=%2Freports%3Fyear%3D2025'
 */
export function loginLocation(prefix: string, back: string): string {
  return `${prefix}/login?redirect=${encodeURIComponent(back)}`;
}

/** Whether a guest should be sent to the login page rather than answered 401: a browser without a token. */
export function wantsLoginPage(headers: IncomingHttpHeaders): boolean {
  return headers.authorization === undefined && acceptsHtml(headers);
}

/**
 * Sends a guest's browser to the login page and back to `here` (throws the redirect);
 * returns for anyone else, whose refusal is then an ordinary denial.
 */
export function sendGuestBrowserToLogin(principal: Principal | null, headers: IncomingHttpHeaders, prefix: string, here: string): void {
  if (principal === null && wantsLoginPage(headers)) throw new LoginRedirect(loginLocation(prefix, here));
}

/** Thrown by the guard to send a browser to the login page; the exception filter answers 302. */
export class LoginRedirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
    this.name = 'LoginRedirect';
  }
}
