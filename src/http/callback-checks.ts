import { LoginError } from '../errors';

const MAX_DESCRIPTION = 300;

/** The query of a request URL, as the provider sent it (Express and Fastify alike). */
export function callbackQueryOf(url: string): URLSearchParams {
  const at = url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
}

/** Throws `LOGIN_STATE_MISMATCH` when a parameter comes twice: which one counts would be anybody's guess. */
export function assertSingleValuedParameters(query: URLSearchParams): void {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name)) throw new LoginError('LOGIN_STATE_MISMATCH', `the sign-in response repeats the parameter ${JSON.stringify(name.slice(0, 32))}`);
    seen.add(name);
  }
}

/**
 * Throws `LOGIN_PROVIDER_ERROR` when the provider answered with an `error`
 * (`access_denied` when the user said no). Its text is kept short and free of
 * control characters; the pages escape it like any other message.
 */
export function assertNoProviderError(query: URLSearchParams, label: string): void {
  const error = query.get('error');
  if (error === null) return;
  const description = query.get('error_description');
  const detail = description === null || description === '' ? '' : `: ${printable(description).slice(0, MAX_DESCRIPTION)}`;
  throw new LoginError('LOGIN_PROVIDER_ERROR', `${label} did not sign you in (${printable(error).slice(0, 64)})${detail}`);
}

/** Throws `LOGIN_PROVIDER_ERROR` when the response carries no authorization code. */
export function assertHasCode(query: URLSearchParams): void {
  const code = query.get('code');
  if (code === null || code === '') throw new LoginError('LOGIN_PROVIDER_ERROR', 'the sign-in response has no authorization code');
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu, ' ');
}
