import type { IncomingHttpHeaders } from 'node:http';
import { InvalidInputError } from '../errors';
import { MAX_AUTHORIZATION_LENGTH } from '../tokens/bearer-header';
import { formFields, textField } from './admin-form';
import type { HttpRequest } from './request';

/** Whether the body is declared as an HTML form (`application/x-www-form-urlencoded`), as OAuth messages are sent. */
export function isFormBody(headers: IncomingHttpHeaders): boolean {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * The `token` parameter of an RFC 7662 or RFC 7009 form (and `token_type_hint`, which
 * may be any text: it is only a hint); `INVALID_REQUEST` (400) when it is missing,
 * repeated or longer than any credential of this application.
 *
 * @example tokenParameter(request) // 'eyJ…'
 */
export function tokenParameter(request: HttpRequest): string {
  const fields = formFields(request);
  const token = textField(fields, 'token');
  if (token.length === 0 || token.length > MAX_AUTHORIZATION_LENGTH) throw new InvalidInputError('INVALID_REQUEST', 'token', '"token" must be a token or an API key');
  const hint = fields['token_type_hint'];
  if (hint !== undefined && typeof hint !== 'string') throw new InvalidInputError('INVALID_REQUEST', 'token_type_hint', 'the form may hold one "token_type_hint"');
  return token;
}
