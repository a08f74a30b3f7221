import type { IncomingHttpHeaders } from 'node:http';
import { assertCapabilityName } from '../capabilities/capability-name';
import { assertEmail } from '../capabilities/email';
import { InvalidInputError } from '../errors';

/** Most capabilities one `set` request may name. */
export const MAX_CAPABILITIES_PER_REQUEST = 256;

/**
 * The JSON object body of a request, checked strictly: declared as JSON, no larger
 * than `maxBytes`, a plain object holding exactly the `allowed` fields (and any of
 * the `optional` ones).
 */
export function jsonObjectBody(
  request: { headers: IncomingHttpHeaders; body?: unknown },
  maxBytes: number,
  allowed: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  const length = Number(request.headers['content-length'] ?? 0);
  if (length > maxBytes) throw new InvalidInputError('BODY_TOO_LARGE', 'body', `the body must be at most ${maxBytes} bytes`);
  // A cross-site HTML form cannot send application/json, which closes one more door.
  assertMediaType(request.headers, 'application/json', 'the body must be JSON (Content-Type: application/json)');
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.getPrototypeOf(body) !== Object.prototype) {
    throw new InvalidInputError('INVALID_REQUEST', 'body', 'the body must be a JSON object');
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key) && !optional.includes(key)) {
      throw new InvalidInputError('INVALID_REQUEST', key, `unexpected field ${JSON.stringify(key.slice(0, 64))}; expected ${[...allowed, ...optional].join(', ')}`);
    }
  }
  for (const key of allowed) {
    if (!Object.hasOwn(body, key)) throw new InvalidInputError('INVALID_REQUEST', key, `missing field "${key}"`);
  }
  return body as Record<string, unknown>;
}

/**
 * Throws unless the body is declared as `mediaType` in UTF-8 (the only charset JSON
 * has, and the one a form of the admin page is sent in): `INVALID_REQUEST` (400, a
 * malformed body) for another type or none, `MEDIA_TYPE_UNSUPPORTED` (415) for
 * another charset.
 *
 * @example assertMediaType({ 'content-type': 'application/json; charset=utf-8' }, 'application/json', 'the body must be JSON');
 */
export function assertMediaType(headers: IncomingHttpHeaders, mediaType: string, what: string): void {
  const declared = headers['content-type'] ?? '';
  if (declared.split(';')[0]!.trim().toLowerCase() !== mediaType) throw new InvalidInputError('INVALID_REQUEST', 'body', what);
  assertUtf8Body(headers);
}

/**
 * Throws `MEDIA_TYPE_UNSUPPORTED` (415) when the Content-Type names a charset other
 * than UTF-8, which the body would then be read in by mistake.
 *
 * @example assertUtf8Body({ 'content-type': 'application/json; charset=latin1' }); // throws
 */
export function assertUtf8Body(headers: IncomingHttpHeaders): void {
  for (const parameter of (headers['content-type'] ?? '').split(';').slice(1)) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    if (!/^"?utf-?8"?$/i.test(value.trim())) throw new InvalidInputError('MEDIA_TYPE_UNSUPPORTED', 'body', 'the body must be UTF-8 (no other charset in its Content-Type)');
  }
}

/** The canonical email in `body[field]`. */
export function emailField(body: Record<string, unknown>, field = 'email'): string {
  return assertEmail(body[field], field);
}

/** The capability name in `body[field]`. */
export function capabilityField(body: Record<string, unknown>, field = 'capability'): string {
  return assertCapabilityName(body[field], field);
}

/** The list of capability names in `body[field]`. */
export function capabilityListField(body: Record<string, unknown>, field = 'capabilities'): string[] {
  const value = body[field];
  if (!Array.isArray(value)) throw new InvalidInputError('INVALID_REQUEST', field, `"${field}" must be a list of capability names`);
  if (value.length > MAX_CAPABILITIES_PER_REQUEST) {
    throw new InvalidInputError('INVALID_REQUEST', field, `"${field}" may name at most ${MAX_CAPABILITIES_PER_REQUEST} capabilities`);
  }
  return value.map((name) => assertCapabilityName(name, field));
}
