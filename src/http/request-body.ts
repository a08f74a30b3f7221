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
  const type = request.headers['content-type'];
  // A cross-site HTML form cannot send application/json, which closes one more door.
  if (typeof type !== 'string' || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new InvalidInputError('INVALID_REQUEST', 'body', 'the body must be JSON (Content-Type: application/json)');
  }
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
