import type { IncomingHttpHeaders } from 'node:http';
import { CrossSiteRequestError, InvalidInputError } from '../errors';
import { assertMediaType } from './request-body';

/**
 * Throws `CROSS_SITE_REQUEST` unless the browser says the form came from this
 * application: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to ours. Stricter
 * than the guard's check, which lets a client that sends neither through: a form of
 * the admin page is always posted by a browser, and browsers send them.
 */
export function assertFormFromThisOrigin(headers: IncomingHttpHeaders, origin: string): void {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) {
    if (site !== 'same-origin') throw new CrossSiteRequestError(`cross-site form refused (Sec-Fetch-Site: ${site})`);
    return;
  }
  if (headers.origin !== origin) throw new CrossSiteRequestError('cross-site form refused: the Origin is missing or not this application');
}

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
