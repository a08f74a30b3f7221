import { GrantError } from '../errors';
import { ADMIN_CAPABILITY } from './capability-graph';
import { assertDefined, type CapabilityPolicy } from './capability-policy';
import type { CapabilitySet } from './capability-set';

/**
 * Throws `GRANT_FORBIDDEN` unless the manager holds the whole closure of every
 * capability in `changed`: granting `write`, which implies `read`, needs `read` too.
 * Removing is judged the same way, so nobody strips what they could not give.
 */
export function assertCanGrant(policy: CapabilityPolicy, manager: CapabilitySet, changed: Iterable<string>): void {
  for (const name of changed) {
    assertDefined(policy.graph, name);
    const needed = policy.graph.closureOf([name]);
    if (!manager.covers(needed)) {
      const missing = manager.missingFrom(needed);
      throw new GrantError(
        'GRANT_FORBIDDEN',
        name,
        `you may not grant or remove ${JSON.stringify(name)}: it needs ${missing.map((m) => JSON.stringify(m)).join(', ')}, which you do not hold`,
      );
    }
  }
}

/**
 * Throws `LAST_ADMIN` when `after` leaves no account holding `admin` while `before`
 * had one, so that no change through the API locks everybody out.
 */
export function assertAdminRemains(before: CapabilityPolicy, after: CapabilityPolicy): void {
  if (!after.graph.has(ADMIN_CAPABILITY)) return;
  if (before.adminAccounts().length > 0 && after.adminAccounts().length === 0) {
    throw new GrantError('LAST_ADMIN', ADMIN_CAPABILITY, 'refused: this would remove admin from the last account that holds it');
  }
}

/** What a management request asks for, on one account. */
export type CapabilityChange =
  | { readonly kind: 'add'; readonly capability: string }
  | { readonly kind: 'remove'; readonly capability: string }
  | { readonly kind: 'set'; readonly capabilities: readonly string[] };

/**
 * The grants `email` would hold after `change`, and what it adds and removes.
 * Pure: checks come from the caller, in order.
 */
export function planChange(
  policy: CapabilityPolicy,
  email: string,
  change: CapabilityChange,
): { capabilities: string[]; added: string[]; removed: string[] } {
  const current = policy.stored(email);
  let next: string[];
  switch (change.kind) {
    case 'add':
      next = current.includes(change.capability) ? [...current] : [...current, change.capability];
      break;
    case 'remove':
      next = current.filter((name) => name !== change.capability);
      break;
    case 'set':
      next = [...new Set(change.capabilities)];
      break;
  }
  for (const name of next) assertDefined(policy.graph, name);
  return {
    capabilities: next,
    added: next.filter((name) => !current.includes(name)),
    removed: current.filter((name) => !next.includes(name)),
  };
}
