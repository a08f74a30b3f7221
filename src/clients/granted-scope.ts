import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { OAuthError } from '../errors';
import type { ClientRecord } from './client';

// RFC 6749 §3.3: scope-tokens of visible ASCII but `"` and `\`, separated by one space.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
/** Most names one `scope` may hold; a graph bigger than this is asked for with no `scope`. */
const MAX_SCOPE_NAMES = 256;

/** What the account of `record` holds now: globally, or at the client's scope for a client limited to one. */
export function heldByClientAccount(policy: CapabilityPolicy, record: ClientRecord): CapabilitySet {
  if (record.scope === undefined) return policy.effective(record.account);
  return policy.effectiveAt({ email: record.account, kind: 'service', via: 'token' }, record.scope);
}

/**
 * The capability names a token for the client `record` carries: those of `requested`
 * (OAuth's `scope`, names separated by spaces), each held by the account now, or, when
 * `requested` is undefined, everything it holds; sorted. Throws `OAUTH_INVALID_SCOPE`
 * for a malformed scope or a name the account does not hold.
 *
 * @example grantedCapabilities(policy, record, 'read bake') // ['bake', 'read']
 */
export function grantedCapabilities(policy: CapabilityPolicy, record: ClientRecord, requested: string | undefined): string[] {
  const held = heldByClientAccount(policy, record);
  if (requested === undefined) return [...held.toArray()];
  if (requested.length > 16_384 || !SCOPE.test(requested)) throw new OAuthError('OAUTH_INVALID_SCOPE', 'scope must be capability names separated by single spaces');
  const names = [...new Set(requested.split(' '))].sort();
  if (names.length > MAX_SCOPE_NAMES) throw new OAuthError('OAUTH_INVALID_SCOPE', `scope may name at most ${MAX_SCOPE_NAMES} capabilities`);
  for (const name of names) {
    if (!held.has(name)) throw new OAuthError('OAUTH_INVALID_SCOPE', `the client's account does not hold ${JSON.stringify(name.slice(0, 64))}${record.scope === undefined ? '' : ` at ${record.scope}`}`);
  }
  return names;
}
