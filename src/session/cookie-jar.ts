import { parse, serialize, type SerializeOptions } from 'cookie';

/** The names and flags of the module's cookies, fixed once from the base URL. */
export interface CookiePolicy {
  readonly secure: boolean;
  readonly sessionName: string;
  readonly loginPrefix: string;
}

/**
 * `__Host-` names when served over https: the browser then refuses them unless
 * Secure, Path=/ and host-only, so no sibling subdomain can plant one.
 */
export function cookiePolicyFor(baseUrl: URL): CookiePolicy {
  const secure = baseUrl.protocol === 'https:';
  return {
    secure,
    sessionName: secure ? '__Host-caps_session' : 'caps_session',
    loginPrefix: secure ? '__Host-caps_login_' : 'caps_login_',
  };
}

/** Reads the cookies of a `Cookie` header; a missing header is no cookies. */
export function readCookies(header: string | string[] | undefined): Record<string, string | undefined> {
  if (header === undefined) return {};
  return parse(Array.isArray(header) ? header.join('; ') : header);
}

/** A `Set-Cookie` value with the flags every cookie of the module carries. */
export function setCookie(policy: CookiePolicy, name: string, value: string, maxAgeSeconds: number): string {
  const options: SerializeOptions = {
    httpOnly: true,
    sameSite: 'lax',
    secure: policy.secure,
    path: '/',
    maxAge: maxAgeSeconds,
  };
  return serialize(name, value, options);
}

/** A `Set-Cookie` value that removes `name`. */
export function clearCookie(policy: CookiePolicy, name: string): string {
  return serialize(name, '', { httpOnly: true, sameSite: 'lax', secure: policy.secure, path: '/', maxAge: 0, expires: new Date(0) });
}
