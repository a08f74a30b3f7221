import { ConfigError } from '../../errors';

/** How an issuer may be reached. */
export type IssuerTransport = 'https' | 'loopback-http' | 'insecure-http';

/**
 * The issuer URL of an OpenID Connect provider, checked for its transport:
 * `https:` always; `http:` only on a loopback address (a local identity server, a
 * test) unless `allowInsecureHttpIssuer` says otherwise. Throws `CONFIG_INVALID`.
 *
 * @example parseIssuer('http://127.0.0.1:4000', false) // { url, transport: 'loopback-http' }
 */
export function parseIssuer(issuer: unknown, allowInsecureHttpIssuer: boolean): { url: URL; transport: IssuerTransport } {
  if (typeof issuer !== 'string' || issuer === '') throw new ConfigError('an OpenID Connect provider needs an issuer URL');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError(`the OpenID Connect issuer ${JSON.stringify(issuer.slice(0, 200))} is not a URL`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError('the OpenID Connect issuer must not hold credentials, a query or a fragment');
  }
  return { url, transport: assertIssuerTransport(url, allowInsecureHttpIssuer) };
}

/** Throws `CONFIG_INVALID` for a plain-http issuer off loopback, unless explicitly allowed. */
export function assertIssuerTransport(url: URL, allowInsecureHttpIssuer: boolean): IssuerTransport {
  if (url.protocol === 'https:') return 'https';
  if (url.protocol !== 'http:') throw new ConfigError(`the OpenID Connect issuer must be https, got ${url.protocol}`);
  if (isLoopbackHost(url.hostname)) return 'loopback-http';
  if (allowInsecureHttpIssuer) return 'insecure-http';
  throw new ConfigError(
    `the OpenID Connect issuer ${url.origin} is plain http on a non-loopback address; use https (or, on a closed test network only, allowInsecureHttpIssuer: true)`,
  );
}

/**
 * Throws `CONFIG_INVALID` when a discovered endpoint is reached more weakly than the
 * issuer itself: an https issuer whose token endpoint is plain http, or a loopback
 * issuer sending the browser or the tokens to a plain-http host elsewhere.
 */
export function assertEndpointTransport(issuerTransport: IssuerTransport, endpoint: string, url: string | undefined): void {
  if (url === undefined || issuerTransport === 'insecure-http') return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`the discovered ${endpoint} ${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && issuerTransport === 'loopback-http' && isLoopbackHost(parsed.hostname)) return;
  throw new ConfigError(`the discovered ${endpoint} ${parsed.origin} is not https`);
}

/** `localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
