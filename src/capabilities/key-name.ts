import { InvalidInputError } from '../errors';
import { assertWellFormedText } from './well-formed-text';

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Throws unless `value` is a key name: letters, digits, `.`, `_`, `-`, at most 64
 * (`INPUT_INVALID` for text that is not well-formed, else `INVALID_REQUEST`).
 *
 * @example
 * assertKeyName('deploy-bot'); // 'deploy-bot'
 * assertKeyName('two words'); // throws INVALID_REQUEST
 */
export function assertKeyName(value: unknown, field = 'name'): string {
  if (typeof value === 'string') assertWellFormedText(value, field);
  if (typeof value !== 'string' || !KEY_NAME.test(value)) {
    throw new InvalidInputError('INVALID_REQUEST', field, `"${field}" must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return value;
}
