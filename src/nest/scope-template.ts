import type { ExecutionContext } from '@nestjs/common';
import { isScopeId, MAX_SCOPE_DEPTH, scopeProblem } from '../capabilities/scope';
import { InvalidInputError } from '../errors';

/**
 * Where a requirement holds: a scope template whose `{name}` placeholders are filled from
 * the route parameter (HTTP), the field argument (GraphQL) or the message's field
 * (WebSocket) of that name, or a function of the execution context returning the scope.
 */
export type ScopeSource = string | ((context: ExecutionContext) => string);

/** The second form of `@RequireCapability`: the capabilities are needed at `scope`. */
export interface RequireCapabilityOptions {
  readonly scope: ScopeSource;
}

/** A scope template read once: its literal text around each placeholder, and the placeholders' names. */
export interface ScopeTemplate {
  readonly source: string;
  /** The text before each placeholder, then the text after the last one: one more than `names`. */
  readonly parts: readonly string[];
  readonly names: readonly string[];
}

/** A requirement's scope as the guard uses it: a compiled template, or the application's function. */
export type CompiledScope = ScopeTemplate | ((context: ExecutionContext) => string);

const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a scope template: each of its one to eight segments is `type:{name}` or
 * `type:literal`; throws a `TypeError` naming what is wrong otherwise, when the decorator
 * runs, so a malformed template never reaches a request.
 *
 * @example
 * compileScopeTemplate('shop:{shop}/oven:{oven}'); // { parts: ['shop:', '/oven:', ''], names: ['shop', 'oven'], ... }
 */
export function compileScopeTemplate(source: string): ScopeTemplate {
  if (typeof source !== 'string') throw new TypeError('@RequireCapability: scope must be a template string or a function of the execution context');
  const segments = source.split('/');
  if (segments.length > MAX_SCOPE_DEPTH) throw new TypeError(`@RequireCapability: scope template "${source}" has more than ${MAX_SCOPE_DEPTH} segments`);
  const parts: string[] = [];
  const names: string[] = [];
  const sample: string[] = [];
  let literal = '';
  for (const [i, segment] of segments.entries()) {
    const colon = segment.indexOf(':');
    const id = colon < 0 ? '' : segment.slice(colon + 1);
    const prefix = `${i === 0 ? '' : '/'}${segment.slice(0, colon + 1)}`;
    if (id.startsWith('{') && id.endsWith('}')) {
      const name = id.slice(1, -1);
      if (!PLACEHOLDER_NAME.test(name)) throw new TypeError(`@RequireCapability: scope template "${source}" has a placeholder "{${name}}" that is not a name`);
      parts.push(literal + prefix);
      literal = '';
      names.push(name);
      sample.push(`${segment.slice(0, colon + 1)}x`);
    } else {
      literal += prefix + id;
      sample.push(segment);
    }
  }
  parts.push(literal);
  const problem = scopeProblem(sample.join('/'));
  if (problem !== undefined) throw new TypeError(`@RequireCapability: scope template "${source}" is not a scope path: ${problem}`);
  return Object.freeze({ source, parts: Object.freeze(parts), names: Object.freeze(names) });
}

/**
 * The scope `template` names for `values` (route parameters, field arguments or message
 * fields); `SCOPE_INVALID` when a placeholder's value is missing or is not a scope id
 * (`..`, a `/`, empty, too long, outside ASCII), so that a request never reaches another scope.
 *
 * @example
 * fillScopeTemplate(compileScopeTemplate('shop:{shop}'), { shop: 'paris' }, 'http'); // 'shop:paris'
 */
export function fillScopeTemplate(template: ScopeTemplate, values: unknown, transport: string): string {
  assertFillable(template, values, transport);
  return filledScope(template, values);
}

/**
 * Throws `SCOPE_INVALID` unless every placeholder of `template` has a scope id in `values`
 * (those of a `transport`: `http`, `graphql`, `ws`, as the refusal words them); builds
 * nothing, so a caller that holds the capability everywhere need not build the scope.
 *
 * @example
 * assertFillable(compileScopeTemplate('shop:{shop}'), { shop: '..' }, 'http'); // throws SCOPE_INVALID
 */
export function assertFillable(template: ScopeTemplate, values: unknown, transport: string): asserts values is Readonly<Record<string, string>> {
  const { names } = template;
  for (let i = 0; i < names.length; i++) {
    const value = typeof values === 'object' && values !== null ? (values as Record<string, unknown>)[names[i]!] : undefined;
    if (typeof value !== 'string' || !isScopeId(value)) throw invalidPlaceholder(template, names[i]!, transport, value);
  }
}

/**
 * The scope of `template` for `values` that `assertFillable` accepted: the only string built.
 *
 * @example
 * filledScope(compileScopeTemplate('shop:{shop}/oven:{oven}'), { shop: 'paris', oven: '2' }); // 'shop:paris/oven:2'
 */
export function filledScope(template: ScopeTemplate, values: Readonly<Record<string, string>>): string {
  const { parts, names } = template;
  let scope = parts[0]!;
  for (let i = 0; i < names.length; i++) scope += values[names[i]!]! + parts[i + 1]!;
  return scope;
}

/** What a placeholder is called in a refusal, by transport. */
const PLACEHOLDER_SOURCE: Readonly<Record<string, string>> = { http: 'route parameter', graphql: 'argument', ws: 'message field' };

function invalidPlaceholder(template: ScopeTemplate, name: string, transport: string, value: unknown): InvalidInputError {
  const from = PLACEHOLDER_SOURCE[transport] ?? `${transport} value`;
  const what = value === undefined ? 'is missing' : 'is not a scope id (1 to 128 of A-Z a-z 0-9 . _ ~ -, not . or ..)';
  return new InvalidInputError('SCOPE_INVALID', name, `the ${from} "${name}" of scope "${template.source}" ${what}`);
}
