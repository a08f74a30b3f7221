import { OAuthError } from '../errors';
import type { TokenRequest } from '../nest/client-credentials.grant';
import { MAX_AUTHORIZATION_LENGTH } from '../tokens/bearer-header';
import { assertMediaType } from './request-body';
import type { HttpRequest } from './request';

const BASIC = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;
/** The fields a client-credentials request may hold. */
const FIELDS = new Set(['grant_type', 'scope', 'client_id', 'client_secret']);

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
function basicCredentials(header: string | string[] | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header.length > MAX_AUTHORIZATION_LENGTH) throw new OAuthError('OAUTH_INVALID_CLIENT', 'send one Authorization header, Basic');
  const found = BASIC.exec(header);
  if (found === null) throw new OAuthError('OAUTH_INVALID_CLIENT', 'the client authenticates with Authorization: Basic, or with client_id and client_secret in the form');
  const decoded = Buffer.from(found[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('OAUTH_INVALID_CLIENT', 'the Basic credentials must be client_id:client_secret');
  return { clientId: formDecoded(decoded.slice(0, colon)), clientSecret: formDecoded(decoded.slice(colon + 1)) };
}

function postedCredentials(form: Record<string, string | undefined>): { clientId: string; clientSecret: string } {
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
