import { InvalidInputError } from '../errors';

// Control characters (C0, DEL, C1) other than tab, and UTF-16 halves without their other half.
const NOT_WELL_FORMED = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `value` is not well-formed text, or undefined when it is: text that holds a
 * control character other than tab (a line break, an escape sequence, NUL) or half
 * of a character (a lone surrogate, as when a client cuts an emoji in two) is not.
 *
 * @example wellFormedTextProblem('deploy \ud83d') // 'it holds half of a character (U+D83D) at position 8, as when an emoji is cut in two'
 */
export function wellFormedTextProblem(value: string): string | undefined {
  const found = NOT_WELL_FORMED.exec(value);
  if (found === null) return undefined;
  const code = `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const at = `at position ${found.index + 1}`;
  return found[0] >= '\ud800' ? `it holds half of a character (${code}) ${at}, as when an emoji is cut in two` : `it holds a control character (${code}) ${at}; only tab is allowed`;
}

/**
 * Returns `value` when it is well-formed text; throws `INPUT_INVALID` naming `field`
 * otherwise. Every free-text value the module stores (an API key's name and note)
 * passes here first, so nothing stored can forge a line, move a terminal's cursor or
 * fail to encode.
 *
 * @example assertWellFormedText(body.note, 'note')
 */
export function assertWellFormedText(value: string, field: string): string {
  const problem = wellFormedTextProblem(value);
  if (problem !== undefined) throw new InvalidInputError('INPUT_INVALID', field, `"${field}" must be well-formed text: ${problem}`);
  return value;
}
