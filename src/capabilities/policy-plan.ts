import { ADMIN_CAPABILITY, type CapabilityGraph } from './capability-graph';
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
  const changes: PlannedChange[] = [];
  const into = newGraphOf(current, next);
  const sameDefaults = defaultsKept(current, next, into);
  const guest = diff(current.graph.closureOfGrant(current.guest), next.graph.closureOfGrant(next.guest), undefined, into);
  if (guest !== undefined) changes.push({ email: null, scope: null, ...guest });
  const scopesByEmail = scopesByAccount(current, next);
  for (const email of accountsOf(current, next)) changes.push(...changesOf(current, next, email, scopesByEmail.get(email) ?? NO_SCOPES, sameDefaults, into));
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
  const into = newGraphOf(current, next);
  return changesOf(current, next, email, scopes, defaultsKept(current, next, into), into);
}

function defaultsKept(current: CapabilityPolicy, next: CapabilityPolicy, into: NewGraph): boolean {
  return sameList(current.defaults, next.defaults) && into.keepsAll(current.defaults);
}

function newGraphOf(current: CapabilityPolicy, next: CapabilityPolicy): NewGraph {
  const dropsNames = current.graph.names.some((name) => !next.graph.has(name));
  const translatedByName = new Map<string, CapabilitySet>();
  const translatedClosureOf = (name: string): CapabilitySet => {
    let set = translatedByName.get(name);
    if (set === undefined) translatedByName.set(name, (set = next.graph.translated(current.graph.closureOf([name]))));
    return set;
  };
  const sameGraph = sameNames(current.graph.names, next.graph.names);
  const keptByName = new Map<string, boolean>();
  // A name is kept when it implies the same names in both graphs: an unchanged grant of it then changes nothing.
  const keeps = (name: string): boolean => {
    let kept = keptByName.get(name);
    if (kept === undefined) {
      const before = current.graph.closureOf([name]);
      const inNew = next.graph.translated(before);
      const after = next.graph.closureOf([name]);
      kept = next.graph.has(name) && inNew.size === before.size && inNew.covers(after) && after.covers(inNew);
      keptByName.set(name, kept);
    }
    return kept;
  };
  return {
    graph: next.graph,
    dropsNames,
    readsOldInNew: !dropsNames && !sameGraph,
    keepsAll: (names) => sameGraph || names === undefined || names.every(keeps),
    oldClosureInNew: (names) => next.graph.union(next.graph.none, ...names.filter((name) => current.graph.has(name)).map(translatedClosureOf)),
  };
}

function changesOf(current: CapabilityPolicy, next: CapabilityPolicy, email: string, scopes: ReadonlySet<string>, sameDefaults: boolean, into: NewGraph): PlannedChange[] {
  const changes: PlannedChange[] = [];
  const unchanged = sameDefaults && keptList(current.users.get(email), next.users.get(email), into) && keptList(current.pinned.get(email), next.pinned.get(email), into);
  const globally = unchanged ? undefined : { before: into.readsOldInNew ? into.oldClosureInNew(grantedGlobally(current, email)) : globalSetOf(current, email), after: globalSetOf(next, email) };
  const global = globally === undefined ? undefined : diff(globally.before, globally.after, undefined, into);
  if (global !== undefined) changes.push({ email, scope: null, ...global });
  for (const scope of [...scopes].sort()) {
    if (unchanged && keptAtAndAbove(current, next, email, scope, into)) continue;
    const principal: Principal = { email, kind: isServiceAccount(email) ? 'service' : 'user', via: 'session' };
    // At a scope, only what the global change does not already say.
    const atScope = diff(current.effectiveAt(principal, scope), next.effectiveAt(principal, scope), global === undefined ? undefined : globally, into);
    if (atScope !== undefined) changes.push({ email, scope, ...atScope });
  }
  return changes;
}

function keptList(before: readonly string[] | undefined, after: readonly string[] | undefined, into: NewGraph): boolean {
  return sameList(before, after) && into.keepsAll(before);
}

// A grant above `scope` holds at it too, so the lists at every ancestor must be kept as well.
function keptAtAndAbove(current: CapabilityPolicy, next: CapabilityPolicy, email: string, scope: string, into: NewGraph): boolean {
  for (let slash = scope.indexOf('/'); ; slash = scope.indexOf('/', slash + 1)) {
    const at = slash < 0 ? scope : scope.slice(0, slash);
    if (!keptList(current.scopes.get(at)?.get(email), next.scopes.get(at)?.get(email), into)) return false;
    if (slash < 0) return true;
  }
}

function personAdmins(policy: CapabilityPolicy): string[] {
  if (!policy.graph.has(ADMIN_CAPABILITY)) return [];
  return policy.adminAccounts().filter((email) => !isServiceAccount(email));
}

// Computed here rather than through `effective`, whose per-policy cache would keep a set
// for each of a hundred thousand accounts alive for the length of the plan.
function globalSetOf(policy: CapabilityPolicy, email: string): CapabilitySet {
  // One closure of the three lists together: one set allocated, not four.
  return policy.graph.closureOf(grantedGlobally(policy, email));
}

function grantedGlobally(policy: CapabilityPolicy, email: string): string[] {
  return [...policy.defaults, ...(policy.users.get(email) ?? []), ...(policy.pinned.get(email) ?? [])];
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

/** The new policy's graph, and whether it lacks a capability of the current one. */
interface NewGraph {
  readonly graph: CapabilityGraph;
  readonly dropsNames: boolean;
  /** Whether an account's current set is best read straight into the new graph (the graphs differ, none of its names is dropped). */
  readonly readsOldInNew: boolean;
  /** The current graph's closure of `names`, in the new graph's indices: each name's closure translated once for the whole plan. */
  oldClosureInNew(names: readonly string[]): CapabilitySet;
  /** Whether each of `names` implies the same names in both graphs (so the same list grants the same). */
  keepsAll(names: readonly string[] | undefined): boolean;
}

/** Sets of one account before and after, and what its global change already says. */
interface Change {
  readonly before: CapabilitySet;
  readonly after: CapabilitySet;
}

// `after` is always of the new policy's graph; `before` (and `said.before`) may be of the current one.
function diff(before: CapabilitySet, after: CapabilitySet, said?: Change, into?: NewGraph): { gains: string[]; loses: string[] } | undefined {
  if (!before.sameGraphAs(after) && into !== undefined) {
    // Capabilities added or removed: read `before` in the new graph's indices; one the new
    // graph lacks is lost by name (and already said when the account lost it globally).
    const { graph } = into;
    const lostByName = into.dropsNames ? before.namesWhere((name) => !graph.has(name) && !(said?.before.has(name) ?? false)) : [];
    const inNew = diff(graph.translated(before), after, said === undefined ? undefined : { before: graph.translated(said.before), after: said.after });
    const gains = inNew?.gains ?? [];
    const loses = lostByName.length === 0 ? (inNew?.loses ?? []) : [...(inNew?.loses ?? []), ...lostByName].sort();
    return gains.length === 0 && loses.length === 0 ? undefined : { gains, loses };
  }
  const was = before.bits;
  const is = after.bits;
  let differs = false;
  for (let word = 0; word < was.length && !differs; word++) differs = was[word] !== is[word];
  if (!differs) return undefined;
  const saidGain = (index: number): boolean => said !== undefined && said.after.hasIndex(index) && !said.before.hasIndex(index);
  const saidLoss = (index: number): boolean => said !== undefined && said.before.hasIndex(index) && !said.after.hasIndex(index);
  const gains = after.namesWhere((_, index) => !before.hasIndex(index) && !saidGain(index));
  const loses = before.namesWhere((_, index) => !after.hasIndex(index) && !saidLoss(index));
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
