import { assertEmail } from '../capabilities/email';
import { assertKeyName } from '../capabilities/key-name';

/**
 * The target an audit query filters on: an account's canonical email, or an API key
 * as `key:<name>`; undefined for none. Throws `INVALID_EMAIL` or `INVALID_REQUEST`.
 *
 * @example
 * auditTarget('Bob@Example.com'); // 'bob@example.com'
 */
export function auditTarget(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && value.startsWith('key:')) return `key:${assertKeyName(value.slice(4), 'email')}`;
  return assertEmail(value, 'email');
}
