import { TokenError } from '../errors';
import type { CapabilityPolicy } from './capability-policy';
import { isServiceAccount } from './email';
import { grantsChangedSince } from './layered-grants';
import type { Principal } from './principal';
import type { ScopedGrants } from './scoped-grants';

/** Whether `email` is an account of the store now: listed under `users`, `pinned` or at some scope. */
export function accountExists(policy: CapabilityPolicy, email: string): boolean {
  return policy.users.has(email) || policy.pinned.has(email) || namedInScopes(policy.scopes, email);
}

// Scoped grants are shared between the policies derived from one another, so are the accounts they name.
const accountsOfScopes = new WeakMap<ScopedGrants, ReadonlySet<string>>();

function namedInScopes(scopes: ScopedGrants, email: string): boolean {
  if (scopes.size === 0) return false;
  let accounts = accountsOfScopes.get(scopes);
  if (accounts === undefined) {
    const found = new Set<string>();
    for (const grants of scopes.values()) for (const account of grants.keys()) found.add(account);
    accountsOfScopes.set(scopes, found);
    accounts = found;
  }
  return accounts.has(email);
}

/**
 * Throws `TOKEN_REVOKED` when `principal` is a service token whose account is no
 * longer in the store: deleting `bot@service` ends its tokens at once, and keeps its
 * `default` capabilities from them. Two map lookups: it runs on every request.
 */
export function assertServiceAccountExists(policy: CapabilityPolicy, principal: Principal): void {
  if (principal.kind === 'service' && !accountExists(policy, principal.email)) {
    throw new TokenError('TOKEN_REVOKED', `the service account ${principal.email} no longer exists`);
  }
}

/**
 * The service accounts of successive policies, so that the deletion of one is seen
 * even when it comes from a hand edit or another instance: `observe` answers the
 * accounts that the new policy dropped. A change made through the API (one account
 * derived from the last policy) costs the changed accounts only; a policy loaded
 * anew costs one pass over its accounts.
 *
 * @example
 * const roster = new ServiceAccountRoster(store.current());
 * store.subscribe((policy) => roster.observe(policy).forEach((email) => cutOff(email)));
 */
export class ServiceAccountRoster {
  private known: Set<string>;
  private last: CapabilityPolicy;

  constructor(initial: CapabilityPolicy) {
    this.last = initial;
    this.known = serviceAccountsOf(initial);
  }

  /** The service accounts of the previous policy that `policy` no longer has, sorted. */
  observe(policy: CapabilityPolicy): string[] {
    const previous = this.last;
    this.last = policy;
    if (policy.pinned === previous.pinned) {
      if (policy.users === previous.users) return [];
      const changed = grantsChangedSince(previous.users, policy.users);
      // Derived by setting grants: nothing was deleted, only accounts added.
      if (changed !== undefined) {
        for (const email of changed) if (isServiceAccount(email)) this.known.add(email);
        return [];
      }
    }
    const now = serviceAccountsOf(policy);
    const removed = [...this.known].filter((email) => !now.has(email)).sort();
    this.known = now;
    return removed;
  }
}

function serviceAccountsOf(policy: CapabilityPolicy): Set<string> {
  const accounts = new Set<string>();
  for (const grants of [policy.users, policy.pinned]) for (const email of grants.keys()) if (isServiceAccount(email)) accounts.add(email);
  return accounts;
}
