import { InvalidInputError } from '../errors';

/** The most `type:id` segments a scope path may have. */
export const MAX_SCOPE_DEPTH = 8;

const SCOPE_TYPE = /^[a-z][a-z0-9_-]{0,31}$/;
const SCOPE_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const MAX_SCOPE_ID_LENGTH = 128;

/** 1 at the character codes an id may hold: `A-Z a-z 0-9 . _ ~ -`. */
const ID_CHARACTER = (() => {
  const table = new Uint8Array(128);
  for (let code = 0; code < 128; code++) table[code] = SCOPE_ID.test(String.fromCharCode(code)) ? 1 : 0;
  return table;
})();

/**
 * Whether `value` may stand as the id of a scope segment: 1 to 128 of `A-Z a-z 0-9 . _ ~ -`,
 * and not `.` or `..`, so that a filled placeholder can never name another scope.
 *
 * @example isScopeId('paris') // true;  isScopeId('..') // false;  isScopeId('a/b') // false
 */
export function isScopeId(value: string): boolean {
  // A table lookup per character rather than a regular expression: the guard asks this of every filled placeholder.
  const length = value.length;
  if (length === 0 || length > MAX_SCOPE_ID_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || ID_CHARACTER[code] === 0) return false;
  }
  return value !== '.' && value !== '..';
}

/**
 * Tells what is wrong with `value` as a scope path (`type:id` segments joined by `/`,
 * one to eight of them), or undefined when it is one.
 *
 * @example scopeProblem('org:acme/project:42') // undefined
 */
export function scopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a scope must be a string';
  if (value.length === 0) return 'a scope must not be empty';
  const segments = value.split('/');
  if (segments.length > MAX_SCOPE_DEPTH) return `a scope has at most ${MAX_SCOPE_DEPTH} segments`;
  for (const segment of segments) {
    const colon = segment.indexOf(':');
    if (colon < 0) return `scope segment ${JSON.stringify(segment)} must be written type:id`;
    const type = segment.slice(0, colon);
    const id = segment.slice(colon + 1);
    if (!SCOPE_TYPE.test(type)) return `scope type ${JSON.stringify(type)} must be a lower-case letter then up to 31 of a-z 0-9 _ -`;
    if (!isScopeId(id)) return `scope id ${JSON.stringify(id)} must be 1 to 128 of A-Z a-z 0-9 . _ ~ - and not . or ..`;
  }
  return undefined;
}

/**
 * Returns `value` when it is a scope path; throws `SCOPE_INVALID` naming `field`
 * otherwise. Scopes are compared exactly: nothing is decoded, folded or trimmed.
 *
 * @example assertScope('shop:paris/oven:2') // 'shop:paris/oven:2'
 */
export function assertScope(value: unknown, field = 'scope'): string {
  const problem = scopeProblem(value);
  if (problem !== undefined) throw new InvalidInputError('SCOPE_INVALID', field, problem);
  return value as string;
}

/**
 * Whether `scope` is `ancestor` or lies below it: `org:acme/project:42` is within
 * `org:acme`, `org:acme2` is not.
 *
 * @example isWithinScope('org:acme/project:42', 'org:acme') // true
 */
export function isWithinScope(scope: string, ancestor: string): boolean {
  return scope === ancestor || (scope.length > ancestor.length && scope.charCodeAt(ancestor.length) === 47 /* / */ && scope.startsWith(ancestor));
}

/**
 * The scopes a grant may sit at to hold at `scope`: the top segment first, `scope`
 * itself last.
 *
 * @example scopeAndAncestors('org:acme/project:42') // ['org:acme', 'org:acme/project:42']
 */
export function scopeAndAncestors(scope: string): string[] {
  const found: string[] = [];
  for (let slash = scope.indexOf('/'); slash >= 0; slash = scope.indexOf('/', slash + 1)) found.push(scope.slice(0, slash));
  found.push(scope);
  return found;
}
