import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';
import { AccessError } from '../errors';

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

/** A request whose guest, when it is a browser, is sent to sign in and then back to `here`. */
export interface SignInAndReturn {
  readonly headers: IncomingHttpHeaders;
  readonly prefix: string;
  readonly here: string;
}

/** What a caller needs to go on: being signed in, and holding `capability` when one is named. */
export interface AccessNeed {
  /** The capability asked for; undefined where signing in is all that is needed. */
  readonly capability?: string | undefined;
  /** Whether the principal holds `capability` (judged by the caller, who has the policy at hand). */
  readonly held?: boolean;
  /** Given, a guest's browser gets the login page (the refusal carries it) instead of a 401. */
  readonly returnTo?: SignInAndReturn | undefined;
  /** The scope `capability` was asked at; undefined for a global check. */
  readonly scope?: string | undefined;
}

/**
 * Throws the refusal of `need` to `principal`, or returns: the one owner of "sign-in
 * required" and of sending a guest's browser to sign in, for the guard and the module's
 * own routes alike.
 *
 * @example assertAccess(user, { capability: 'user_management', held: isManager(policy, user) })
 */
export function assertAccess(principal: Principal | null, need: AccessNeed = {}): asserts principal is Principal {
  if (principal !== null && (need.capability === undefined || need.held === true)) return;
  throw accessDenied(principal, need);
}

/**
 * The refusal of `need` to `principal`: `SIGN_IN_REQUIRED` for a guest (401 over HTTP,
 * `UNAUTHENTICATED` in GraphQL; for a browser given `returnTo`, the login page to send it
 * to, which the exception filter answers with a redirect), `CAPABILITY_MISSING` for a
 * principal (403, `FORBIDDEN`).
 */
export function accessDenied(principal: Principal | null, need: AccessNeed): AccessError {
  const { capability, returnTo, scope } = need;
  const at = scope === undefined ? '' : ` at scope "${scope}"`;
  if (principal !== null) return new AccessError('CAPABILITY_MISSING', capability, `missing capability "${capability ?? ''}"${at}`, undefined, scope);
  const message = capability === undefined ? 'sign-in required' : `sign-in required: this route needs capability "${capability}"${at}`;
  const signInAt = returnTo !== undefined && wantsLoginPage(returnTo.headers) ? loginLocation(returnTo.prefix, returnTo.here) : undefined;
  return new AccessError('SIGN_IN_REQUIRED', capability, message, signInAt);
}
