import { assertDefined, type CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { assertCanGrant } from '../capabilities/grant-rules';
import { assertKeyName } from '../capabilities/key-name';
import { assertScope } from '../capabilities/scope';
import { assertWellFormedText } from '../capabilities/well-formed-text';
import { InvalidInputError } from '../errors';
import { generateApiKey, hashApiKey, type ApiKeyRecord } from './api-key';

/** Longest note kept with a key, in characters. */
export const MAX_KEY_NOTE_LENGTH = 500;
/** Longest lifetime a key may be given, in seconds: ten years. */
export const MAX_KEY_TTL_SECONDS = 10 * 366 * 86400;

/** What a request to create a key asks for, before any check. */
export interface ApiKeyRequest {
  readonly name: unknown;
  readonly capabilities: readonly string[];
  /** Seconds, `'never'`, or undefined for the default. */
  readonly expiresIn?: unknown;
  readonly note?: unknown;
  /** A key limited to this scope path; `creator` is then the creator's set at it. Undefined: a global key. */
  readonly scope?: unknown;
}

/** How keys may be made: the default lifetime, and whether `'never'` may be asked for. */
export interface ApiKeyPolicy {
  readonly defaultTtlSeconds: number;
  readonly mayNeverExpire: boolean;
}

/**
 * A new key and its record, after every rule: a valid name, known capabilities (at
 * least one), the creator holding the whole closure of each (the grant rule; `creator`
 * null for an operator on the command line), a valid expiry (`'never'` only when the
 * application allows it), a short note of well-formed text, and a valid scope when one
 * is asked for. Throws `INVALID_REQUEST`, `INPUT_INVALID`, `UNKNOWN_CAPABILITY`,
 * `SCOPE_INVALID` or `GRANT_FORBIDDEN`; nothing is stored here.
 *
 * @example
 * const { key, record } = plannedApiKey(policy, managerSet, { name: 'deploy', capabilities: ['write'] }, rules, 'ada@example.com', now);
 */
export function plannedApiKey(
  policy: CapabilityPolicy,
  creator: CapabilitySet | null,
  request: ApiKeyRequest,
  rules: ApiKeyPolicy,
  createdBy: string,
  nowSeconds: number,
): { key: string; record: ApiKeyRecord } {
  const name = assertKeyName(request.name);
  const capabilities = [...new Set(request.capabilities)].sort();
  if (capabilities.length === 0) throw new InvalidInputError('INVALID_REQUEST', 'capabilities', 'an API key needs at least one capability');
  capabilities.forEach((capability) => assertDefined(policy.graph, capability));
  if (creator !== null) assertCanGrant(policy, creator, capabilities);
  const scope = request.scope === undefined ? undefined : assertScope(request.scope);
  const ttl = keyTtl(request.expiresIn, rules);
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    name,
    hash: hashApiKey(key),
    capabilities,
    expiresAt: ttl === null ? null : nowSeconds + ttl,
    createdBy,
    createdAt: nowSeconds,
    note: keyNote(request.note),
    revokedAt: null,
    ...(scope === undefined ? {} : { scope }),
  };
  return { key, record };
}

function keyTtl(value: unknown, rules: ApiKeyPolicy): number | null {
  if (value === undefined) return rules.defaultTtlSeconds;
  if (value === 'never') {
    if (rules.mayNeverExpire) return null;
    throw new InvalidInputError('INVALID_REQUEST', 'expires_in', 'keys that never expire are not allowed by this application');
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_KEY_TTL_SECONDS) {
    throw new InvalidInputError('INVALID_REQUEST', 'expires_in', `"expires_in" must be a whole number of seconds from 1 to ${MAX_KEY_TTL_SECONDS}, or "never"`);
  }
  return value;
}

function keyNote(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MAX_KEY_NOTE_LENGTH) {
    throw new InvalidInputError('INVALID_REQUEST', 'note', `"note" must be text of at most ${MAX_KEY_NOTE_LENGTH} characters`);
  }
  return assertWellFormedText(value, 'note');
}
