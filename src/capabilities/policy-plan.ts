import { ADMIN_CAPABILITY } from './capability-graph';
import type { CapabilityPolicy } from './capability-policy';
import type { CapabilitySet } from './capability-set';
import { isServiceAccount } from './email';
import type { Principal } from './principal';

/** What one account (a guest for `email` null) gains and loses at one scope (globally for `scope` null). */
export interface PlannedChange {
  readonly email: string | null;
  readonly scope: string | null;
  readonly gains: readonly string[];
  readonly loses: readonly string[];
}

/** The effect of replacing one policy by another. */
export interface PolicyPlan {
  /** Guests first, then accounts in order; each account's global change before its scopes'. */
  readonly changes: readonly PlannedChange[];
  /** True when the new policy leaves no person (a non-service account) holding `admin` while the current one has some. */
  readonly noPersonAdmin: boolean;
}

/**
 * What every account gains and loses if `next` replaces `current`: globally, and at each
 * scope where it has a grant in either (there only what the global change does not
 * already say). An account missing from one policy holds there what any signed-in user
 * holds. Accounts whose grants and defaults read the same in both are not recomputed.
 *
 * @example
 * planPolicyChange(current, next).changes; // [{ email: 'bob@example.com', scope: null, gains: ['bake'], loses: [] }]
 */
export function planPolicyChange(current: CapabilityPolicy, next: CapabilityPolicy): PolicyPlan {
  const sameGraph = sameNames(current.graph.names, next.graph.names);
  const sameDefaults = sameGraph && sameList(current.defaults, next.defaults);
  const changes: PlannedChange[] = [];
  const guest = diff(current.graph.closureOfGrant(current.guest), next.graph.closureOfGrant(next.guest));
  if (guest !== undefined) changes.push({ email: null, scope: null, ...guest });
  const scopesByEmail = scopesByAccount(current, next);
  for (const email of accountsOf(current, next)) changes.push(...changesOf(current, next, email, scopesByEmail.get(email) ?? NO_SCOPES, sameDefaults));
  return { changes, noPersonAdmin: personAdmins(next).length === 0 && personAdmins(current).length > 0 };
}

const NO_SCOPES: ReadonlySet<string> = new Set();

/**
 * What one account gains and loses if `next` replaces `current`, as `planPolicyChange`
 * reports it, computed for that account alone: the admin page shows it before a change
 * is confirmed.
 *
 * @example
 * planAccountChange(policy, policy.withUser('bob@example.com', []), 'bob@example.com');
 */
export function planAccountChange(current: CapabilityPolicy, next: CapabilityPolicy, email: string): PlannedChange[] {
  const scopes = new Set([...current.scopedGrantsOf(email), ...next.scopedGrantsOf(email)].map(([scope]) => scope));
  return changesOf(current, next, email, scopes, sameNames(current.graph.names, next.graph.names) && sameList(current.defaults, next.defaults));
}

function changesOf(current: CapabilityPolicy, next: CapabilityPolicy, email: string, scopes: ReadonlySet<string>, sameDefaults: boolean): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const unchanged = sameDefaults && sameList(current.users.get(email), next.users.get(email)) && sameList(current.pinned.get(email), next.pinned.get(email));
  const global = unchanged ? undefined : diff(globalSetOf(current, email), globalSetOf(next, email));
  if (global !== undefined) changes.push({ email, scope: null, ...global });
  for (const scope of [...scopes].sort()) {
    if (unchanged && sameList(current.scopes.get(scope)?.get(email), next.scopes.get(scope)?.get(email))) continue;
    const principal: Principal = { email, kind: isServiceAccount(email) ? 'service' : 'user', via: 'session' };
    const atScope = diff(current.effectiveAt(principal, scope), next.effectiveAt(principal, scope));
    if (atScope === undefined) continue;
    const gains = atScope.gains.filter((name) => !(global?.gains.includes(name) ?? false));
    const loses = atScope.loses.filter((name) => !(global?.loses.includes(name) ?? false));
    if (gains.length > 0 || loses.length > 0) changes.push({ email, scope, gains, loses });
  }
  return changes;
}

function personAdmins(policy: CapabilityPolicy): string[] {
  if (!policy.graph.has(ADMIN_CAPABILITY)) return [];
  return policy.adminAccounts().filter((email) => !isServiceAccount(email));
}

// Computed here rather than through `effective`, whose per-policy cache would keep a set
// for each of a hundred thousand accounts alive for the length of the plan.
function globalSetOf(policy: CapabilityPolicy, email: string): CapabilitySet {
  const { graph } = policy;
  return graph.union(graph.closureOfGrant(policy.defaults), graph.closureOf(policy.users.get(email) ?? []), graph.closureOf(policy.pinned.get(email) ?? []));
}

function accountsOf(current: CapabilityPolicy, next: CapabilityPolicy): string[] {
  const emails = new Set<string>(current.users.keys());
  for (const policy of [current, next]) {
    if (policy !== current) for (const email of policy.users.keys()) emails.add(email);
    for (const email of policy.pinned.keys()) emails.add(email);
    for (const grants of policy.scopes.values()) for (const email of grants.keys()) emails.add(email);
  }
  // Plain code-unit order: the same on every machine, and cheaper than a locale's.
  return [...emails].sort();
}

// Once for all accounts: asking each account for its scopes would read every scope each time.
function scopesByAccount(current: CapabilityPolicy, next: CapabilityPolicy): Map<string, Set<string>> {
  const byEmail = new Map<string, Set<string>>();
  for (const policy of [current, next]) {
    for (const [scope, grants] of policy.scopes) {
      for (const email of grants.keys()) {
        let scopes = byEmail.get(email);
        if (scopes === undefined) byEmail.set(email, (scopes = new Set()));
        scopes.add(scope);
      }
    }
  }
  return byEmail;
}

function diff(before: CapabilitySet, after: CapabilitySet): { gains: string[]; loses: string[] } | undefined {
  const was = before.bits;
  const is = after.bits;
  // Same graph (the common deploy): compare words; only differing bits are named.
  if (was.length === is.length && before.sameGraphAs(after)) {
    let differs = false;
    for (let word = 0; word < was.length && !differs; word++) differs = was[word] !== is[word];
    if (!differs) return undefined;
  }
  const gains = after.namesWhere((name) => !before.has(name));
  const loses = before.namesWhere((name) => !after.has(name));
  return gains.length === 0 && loses.length === 0 ? undefined : { gains, loses };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((name, index) => name === b[index]));
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
