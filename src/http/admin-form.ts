import type { IncomingHttpHeaders } from 'node:http';
import { InvalidInputError } from '../errors';
import { assertMediaType } from './request-body';

/** The fields of an HTML form post (application/x-www-form-urlencoded), as strings or lists of strings. */
export function formFields(request: { headers: IncomingHttpHeaders; body?: unknown }): Record<string, unknown> {
  assertMediaType(request.headers, 'application/x-www-form-urlencoded', 'the body must be an HTML form (application/x-www-form-urlencoded)');
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError('INVALID_REQUEST', 'body', 'the form is empty');
  return body as Record<string, unknown>;
}

/** The one text value of `field`. */
export function textField(fields: Record<string, unknown>, field: string): string {
  const value = fields[field];
  if (typeof value !== 'string') throw new InvalidInputError('INVALID_REQUEST', field, `the form needs one "${field}"`);
  return value;
}

/** Every value of a field that may repeat (checkboxes); none is an empty list. */
export function listField(fields: Record<string, unknown>, field: string): string[] {
  const value = fields[field];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((item): item is string => typeof item === 'string')) throw new InvalidInputError('INVALID_REQUEST', field, `"${field}" must be text`);
  return values;
}
