const PLACEHOLDER_ORIGIN = 'http://same-site.invalid';
const MAX_REDIRECT_LENGTH = 2048;

/**
 * The path to return to after sign-in: `value` when it is a same-site relative path,
 * `/` otherwise. `//evil.example`, `/\evil.example`, `https://evil.example`,
 * `%2F%2Fevil.example` and control characters all give `/`.
 *
 * @example safeRedirectPath('/reports?year=2026') // '/reports?year=2026'
 */
export function safeRedirectPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REDIRECT_LENGTH) return '/';
  if (!isSameSitePath(value)) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return '/';
  }
  // A path that only turns into another origin once decoded (by a proxy, a
  // framework or a second redirect) is refused as well.
  return isSameSitePath(decoded) ? value : '/';
}

function isSameSitePath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  if (/[\\\u0000-\u001f\u007f]/u.test(path)) return false;
  try {
    const resolved = new URL(path, PLACEHOLDER_ORIGIN);
    return resolved.origin === PLACEHOLDER_ORIGIN;
  } catch {
    return false;
  }
}
