import { OAuthError } from '../errors';
import type { TokenRequest } from '../nest/client-credentials.grant';
import { MAX_AUTHORIZATION_LENGTH } from '../tokens/bearer-header';
import { assertMediaType } from './request-body';
import type { HttpRequest } from './request';

const BASIC = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;
/** The fields a client-credentials request may hold. */
const FIELDS = new Set(['grant_type', 'scope', 'client_id', 'client_secret']);

/** A client's id and secret, as it presented them. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The client credentials a request to an OAuth endpoint (introspection, revocation)
 * presents, or undefined when it presents none (it is then judged on its bearer
 * credential or session): an `Authorization: Basic` header, or `client_id` and
 * `client_secret` in its form (a `client_id` alone authenticates nobody). Malformed credentials are `OAUTH_INVALID_CLIENT`.
 *
 * @example clientCredentialsIn(request)?.clientId // 'ncc_…'
 */
export function clientCredentialsIn(request: HttpRequest): ClientCredentials | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^basic /i.test(header)) return basicCredentials(header);
  const body = request.body as Record<string, unknown> | undefined;
  // A client_id alone (openid-client's `None()`) authenticates nobody: the request is judged on its bearer credential.
  if (typeof body !== 'object' || body === null || body['client_secret'] === undefined) return undefined;
  const { client_id: clientId, client_secret: clientSecret } = body;
  if (typeof clientId !== 'string' || clientId === '' || typeof clientSecret !== 'string') throw new OAuthError('OAUTH_INVALID_CLIENT', 'client_id and client_secret must each be sent once');
  return { clientId, clientSecret };
}

/** The peer address of the request, as the HTTP platform reports it (Express and Fastify both set `ip`): failed authentications are counted per address. */
export function addressOf(request: HttpRequest): string {
  const found = request as HttpRequest & { ip?: unknown; socket?: { remoteAddress?: unknown } };
  if (typeof found.ip === 'string') return found.ip;
  const remote = found.socket?.remoteAddress;
  return typeof remote === 'string' ? remote : '';
}

/**
 * The token request in `request`: a form (RFC 6749 §4.4.2), the client authenticated by
 * `client_secret_basic` or `client_secret_post` (exactly one of them, §2.3.1). Throws
 * `OAUTH_INVALID_REQUEST` for a body that is not a form, a repeated or unknown field,
 * two ways of authenticating; `OAUTH_INVALID_CLIENT` when the client does not authenticate at all.
 *
 * @example tokenRequestOf(request, '127.0.0.1').clientId // 'ncc_…'
 */
export function tokenRequestOf(request: HttpRequest, address: string): TokenRequest {
  const form = tokenForm(request);
  const basic = basicCredentials(request.headers.authorization);
  const posted = form.client_id !== undefined || form.client_secret !== undefined;
  if (basic !== undefined && posted) throw new OAuthError('OAUTH_INVALID_REQUEST', 'authenticate the client one way only: an Authorization header or client_id and client_secret in the form');
  const credentials = basic ?? postedCredentials(form);
  return { ...credentials, grantType: form.grant_type, scope: form.scope, address };
}

function tokenForm(request: HttpRequest): Record<string, string | undefined> {
  try {
    assertMediaType(request.headers, 'application/x-www-form-urlencoded', 'the token request must be a form (application/x-www-form-urlencoded)');
  } catch (error) {
    throw new OAuthError('OAUTH_INVALID_REQUEST', (error as Error).message);
  }
  const body = request.body;
  const fields: Record<string, string | undefined> = {};
  if (typeof body !== 'object' || body === null) return fields;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (!FIELDS.has(name)) continue;
    // RFC 6749 §3.2: a parameter sent more than once is an invalid request.
    if (typeof value !== 'string') throw new OAuthError('OAUTH_INVALID_REQUEST', `${name} must be sent once`);
    fields[name] = value;
  }
  return fields;
}

/** The client id and secret of an `Authorization: Basic` header, form-decoded (§2.3.1); undefined without one. */
function basicCredentials(header: string | string[] | undefined): ClientCredentials | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_LENGTH) throw new OAuthError('OAUTH_INVALID_CLIENT', 'send one Authorization header, Basic');
  const found = BASIC.exec(header);
  if (found === null) throw new OAuthError('OAUTH_INVALID_CLIENT', 'the client authenticates with Authorization: Basic, or with client_id and client_secret in the form');
  const decoded = Buffer.from(found[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('OAUTH_INVALID_CLIENT', 'the Basic credentials must be client_id:client_secret');
  return { clientId: formDecoded(decoded.slice(0, colon)), clientSecret: formDecoded(decoded.slice(colon + 1)) };
}

function postedCredentials(form: Record<string, string | undefined>): ClientCredentials {
  const { client_id: clientId, client_secret: clientSecret } = form;
  if (clientId === undefined || clientId === '' || clientSecret === undefined) throw new OAuthError('OAUTH_INVALID_CLIENT', 'the client did not authenticate');
  return { clientId, clientSecret };
}

function formDecoded(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('OAUTH_INVALID_CLIENT', 'the Basic credentials are not form-encoded');
  }
}
