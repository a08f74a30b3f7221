import { ConfigError } from '../errors';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module.options';

type Check = (value: unknown) => boolean;
interface OptionRule {
  readonly check: Check;
  /** What the option takes, for the message: "a boolean", "a positive number or 'never'". */
  readonly expected: string;
}

const string: OptionRule = { check: (value) => typeof value === 'string', expected: 'a string' };
const boolean: OptionRule = { check: (value) => typeof value === 'boolean', expected: 'a boolean' };
const number: OptionRule = { check: (value) => typeof value === 'number', expected: 'a number' };
const object: OptionRule = { check: (value) => typeof value === 'object' && value !== null && !Array.isArray(value), expected: 'an object' };
const stringList: OptionRule = {
  check: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'),
  expected: 'a list of strings',
};
const objectList: OptionRule = {
  check: (value) => Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null),
  expected: 'a list of objects',
};
const numberOrNever: OptionRule = { check: (value) => typeof value === 'number' || value === 'never', expected: "a number or 'never'" };

/**
 * Every option of `AuthModuleOptions` with the type it takes. Typed as a record of the
 * interface's keys, so a new option does not compile until it is listed here.
 */
const OPTION_RULES: Record<keyof AuthModuleOptions, OptionRule> = {
  secret: string,
  previousSecrets: stringList,
  baseUrl: string,
  capsFile: string,
  backend: object,
  store: object,
  redis: object,
  revocationStore: object,
  devLogin: boolean,
  providers: objectList,
  production: boolean,
  sessionTtlSeconds: number,
  userTokenTtlSeconds: number,
  serviceTokenTtlSeconds: numberOrNever,
  clientTokenTtlSeconds: number,
  maxBodyBytes: number,
  globalGuard: boolean,
  apiKeyStore: object,
  auditLog: object,
  auditRetentionDays: number,
  apiKeyTtlSeconds: number,
  apiKeysMayNeverExpire: boolean,
  instanceName: string,
  devUser: string,
  telemetry: boolean,
  tokenAlgorithm: string,
  signingKey: string,
  previousSigningKeys: stringList,
};

const EXTRA_RULES: Record<keyof AuthModuleExtras, OptionRule> = { isGlobal: boolean, prefix: string };

// What Nest's ConfigurableModuleBuilder reads beside the factory in forRootAsync.
const ASYNC_RULES: Record<string, OptionRule> = {
  imports: { check: Array.isArray, expected: 'a list' },
  inject: { check: Array.isArray, expected: 'a list' },
  extraProviders: { check: Array.isArray, expected: 'a list' },
  useFactory: { check: (value) => typeof value === 'function', expected: 'a function' },
  useClass: { check: (value) => typeof value === 'function', expected: 'a class' },
  useExisting: { check: (value) => value !== undefined, expected: 'a provider token' },
  provideInjectionTokensFrom: { check: Array.isArray, expected: 'a list' },
  globalGuard: boolean,
  ...EXTRA_RULES,
};

/**
 * Refuses options the module does not know or of the wrong type, naming the option and,
 * for a near miss, the one meant: `unknown option "devlogin" (did you mean "devLogin"?)`.
 * Throws `CONFIG_INVALID`; never echoes a value, which may be a secret.
 *
 * @example
 * assertAuthOptions({ secret, baseUrl, devlogin: true }, 'AuthModule.forRoot', true); // throws
 */
export function assertAuthOptions(options: unknown, where: string, withExtras: boolean): void {
  assertOptions(options, where, withExtras ? { ...OPTION_RULES, ...EXTRA_RULES } : OPTION_RULES);
}

/** As `assertAuthOptions` for what sits beside `useFactory` in `forRootAsync`. */
export function assertAsyncAuthOptions(options: unknown): void {
  assertOptions(options, 'AuthModule.forRootAsync', ASYNC_RULES);
}

function assertOptions(options: unknown, where: string, rules: Record<string, OptionRule>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ConfigError(`${where} takes an object of options`);
  for (const [name, value] of Object.entries(options)) {
    const rule = rules[name];
    if (rule === undefined) {
      const meant = nearestName(name, Object.keys(rules));
      throw new ConfigError(`${where}: unknown option ${JSON.stringify(name)}${meant === undefined ? '' : ` (did you mean ${JSON.stringify(meant)}?)`}`);
    }
    if (value !== undefined && !rule.check(value)) {
      throw new ConfigError(`${where}: option ${JSON.stringify(name)} must be ${rule.expected}, got ${typeName(value)}`);
    }
  }
}

/** The known name closest to `name`: same letters in another case, or at most two edits (one for short names). */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameLetters = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const limit = name.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}
