import type { CapabilityPolicy } from './capability-policy';
import { scopeAndAncestors } from './scope';

/** Where a grant that leads to a capability comes from. */
export type GrantSource = 'users' | 'pinned' | 'default' | 'guest' | 'scope';

/** One way a capability is held: the grant, where it sits, and the chain of implications to the capability. */
export interface HeldBecause {
  readonly source: GrantSource;
  /** The scope the grant sits at; null for a global grant. */
  readonly scope: string | null;
  /** From the capability granted to the one asked: `['admin', 'bake']`, `['bake']`. */
  readonly path: readonly string[];
}

/** Whether a capability is held, and every way it is. */
export interface Explanation {
  readonly allowed: boolean;
  readonly because: readonly HeldBecause[];
}

/**
 * Why `email` (a guest for `null`) holds `capability` at `scope` (globally when
 * undefined), or does not: every grant that leads to it, one entry per granted
 * capability, each with its implication chain. `allowed` is the policy's own answer,
 * the one the guard gives a session of that account.
 *
 * @example
 * explain(policy, 'bob@example.com', 'bake', 'shop:paris');
 * // { allowed: true, because: [{ source: 'scope', scope: 'shop:paris', path: ['sell_bread', 'bake'] }] }
 */
export function explain(policy: CapabilityPolicy, email: string | null, capability: string, scope?: string): Explanation {
  const because: HeldBecause[] = [];
  const collect = (source: GrantSource, at: string | null, granted: readonly string[] | undefined): void => {
    for (const name of granted ?? []) {
      const path = policy.graph.implicationPath(name, capability);
      if (path !== undefined) because.push({ source, scope: at, path });
    }
  };
  if (email === null) {
    collect('guest', null, policy.guest);
  } else {
    collect('users', null, policy.users.get(email));
    collect('pinned', null, policy.pinned.get(email));
    collect('default', null, policy.defaults);
    if (scope !== undefined) for (const at of scopeAndAncestors(scope)) collect('scope', at, policy.scopes.get(at)?.get(email));
  }
  return { allowed: policy.can(email, capability, scope), because };
}
