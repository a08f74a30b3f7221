import { InvalidInputError } from '../errors';

/** The longest capability name accepted anywhere. */
export const MAX_CAPABILITY_NAME_LENGTH = 64;

const CAPABILITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * Names that would reach an object's prototype if they were ever used as a key.
 * The core keeps capabilities in Maps, but names travel to JSON and to user code.
 */
function isPrototypeKey(name: string): boolean {
  return name === '__proto__' || name in Object.prototype;
}

/** Tells why `value` is not a capability name, or returns undefined when it is one. */
export function capabilityNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `a capability name must be a string, got ${describeType(value)}`;
  if (value.length === 0) return 'a capability name must not be empty';
  if (value.length > MAX_CAPABILITY_NAME_LENGTH) return `a capability name must be at most ${MAX_CAPABILITY_NAME_LENGTH} characters`;
  if (!CAPABILITY_NAME.test(value)) {
    return `invalid capability name ${JSON.stringify(value)}: use letters, digits and _ . : - only`;
  }
  if (isPrototypeKey(value)) return `invalid capability name ${JSON.stringify(value)}: reserved word`;
  return undefined;
}

/**
 * Returns `value` as a capability name, or throws `INVALID_CAPABILITY_NAME`.
 *
 * @example assertCapabilityName(body.capability, 'capability')
 */
export function assertCapabilityName(value: unknown, field = 'capability'): string {
  const problem = capabilityNameProblem(value);
  if (problem !== undefined) throw new InvalidInputError('INVALID_CAPABILITY_NAME', field, problem);
  return value as string;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
