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

/**
 * The value of the cookie `name` in a `Cookie` header, as `readCookies(header)[name]`
 * gives it (first one wins, blanks trimmed, percent-decoded), found without building
 * the others: the guard reads the session cookie on every request.
 *
 * @example readCookie('theme=dark; caps_session=abc', 'caps_session') // 'abc'
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return header === undefined ? undefined : readCookies(header)[name];
  const length = header.length;
  let index = 0;
  while (index < length) {
    let end = header.indexOf(';', index);
    if (end === -1) end = length;
    const equals = header.indexOf('=', index);
    if (equals !== -1 && equals < end) {
      // Index arithmetic rather than slices: nothing is allocated for the other cookies.
      let keyStart = index;
      while (keyStart < equals && isBlank(header.charCodeAt(keyStart))) keyStart++;
      let keyEnd = equals;
      while (keyEnd > keyStart && isBlank(header.charCodeAt(keyEnd - 1))) keyEnd--;
      if (keyEnd - keyStart === name.length && header.startsWith(name, keyStart)) {
        let valueStart = equals + 1;
        while (valueStart < end && isBlank(header.charCodeAt(valueStart))) valueStart++;
        let valueEnd = end;
        while (valueEnd > valueStart && isBlank(header.charCodeAt(valueEnd - 1))) valueEnd--;
        return decoded(header.slice(valueStart, valueEnd));
      }
    }
    index = end + 1;
  }
  return undefined;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function decoded(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
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
