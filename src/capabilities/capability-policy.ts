import { InvalidInputError, LoginError } from '../errors';
import type { IdentityLinks } from './identity-link';
import { ADMIN_CAPABILITY, type CapabilityGraph } from './capability-graph';
import type { CapabilitySet } from './capability-set';
import { withGrant, type UserGrants } from './layered-grants';
import type { Principal } from './principal';
import { isWithinScope, scopeAndAncestors } from './scope';
import { outermostScopes, withoutAccountInScopes, withoutScopeTree, withScopedGrant, type ScopedGrants } from './scoped-grants';

export type { UserGrants } from './layered-grants';

export interface PolicyParts {
  readonly graph: CapabilityGraph;
  /** Granted to every authenticated user. */
  readonly defaults: readonly string[];
  /** Granted to anonymous callers. */
  readonly guest: readonly string[];
  /** Grants managed through the API. */
  readonly users: UserGrants;
  /** Grants the API never changes. */
  readonly pinned: UserGrants;
  /** Grants that hold at one scope and below (scope -> email -> capabilities). Default none. */
  readonly scopes?: ScopedGrants;
  /** Linked provider identities (`"<provider>:<subject>"` -> email). Default none. */
  readonly identities?: IdentityLinks;
}


/** The most (scope, account) answers a policy keeps for scoped checks before it starts over. */
const SCOPED_CACHE_ENTRIES = 100_000;

/** Who holds a capability at a scope: see `CapabilityPolicy.holders`. */
export interface CapabilityHolders {
  /** Whether every signed-in user holds it there (through `default`). */
  readonly everyone: boolean;
  /** Every stored account that holds it there, by any route; sorted. */
  readonly holders: readonly string[];
}

/** Where an account holds a capability: see `CapabilityPolicy.scopesOf`. */
export interface ScopesHeld {
  /** Whether the account holds it globally. */
  readonly everywhere: boolean;
  /** The fewest scopes at (and below) each of which the account holds it; sorted. */
  readonly scopes: readonly string[];
}

/**
 * One immutable state of the capability file: the graph, the defaults and every
 * user's grants. Effective sets are computed at most once per user (and per service
 * token or API key principal) per state, so a change of state (a new policy) is the
 * only invalidation there is.
 *
 * @example
 * policy.effective('bob@example.com').has('write');
 * policy.effective(null).has('read'); // a guest
 * policy.effectiveFor(principal).has('write'); // whoever the request proved to be
 */
export class CapabilityPolicy implements PolicyParts {
  readonly graph: CapabilityGraph;
  readonly defaults: readonly string[];
  readonly guest: readonly string[];
  readonly users: UserGrants;
  readonly pinned: UserGrants;
  readonly scopes: ScopedGrants;
  readonly identities: IdentityLinks;
  private readonly guestSet: CapabilitySet;
  private readonly defaultSet: CapabilitySet;
  private readonly effectiveByEmail = new Map<string, CapabilitySet>();
  // Service token and API key principals come from the token and key caches, so the
  // same object returns with every request that carries the same credential.
  private readonly effectiveByPrincipal = new WeakMap<Principal, CapabilitySet>();
  // Email -> the account's global set, and per scope what its grants at the scope and above
  // add (null: nothing): a guarded request at a scope reads two maps instead of walking the path.
  private readonly heldAtScopes = new Map<string, AccountAtScopes>();
  private heldAtScopesEntries = 0;

  constructor(parts: PolicyParts) {
    this.graph = parts.graph;
    this.defaults = parts.defaults;
    this.guest = parts.guest;
    this.users = parts.users;
    this.pinned = parts.pinned;
    this.scopes = parts.scopes ?? new Map();
    this.identities = parts.identities ?? new Map();
    this.guestSet = this.graph.closureOf(parts.guest);
    this.defaultSet = this.graph.closureOf(parts.defaults);
  }

  /** The same file state with other API-managed grants. Every name must be defined. */
  withUsers(users: UserGrants): CapabilityPolicy {
    for (const [email, names] of users) {
      for (const name of names) assertDefined(this.graph, name, `capabilities of ${email}`);
    }
    return new CapabilityPolicy({ ...this, users });
  }

  /**
   * The same file state with the API-managed grants of one account replaced. Only
   * `names` are checked, and the other accounts are shared with this policy, so the
   * cost does not grow with the number of users.
   *
   * @example
   * const next = policy.withUser('bob@example.com', ['write']);
   */
  withUser(email: string, names: readonly string[]): CapabilityPolicy {
    for (const name of names) assertDefined(this.graph, name, `capabilities of ${email}`);
    return new CapabilityPolicy({ ...this, users: withGrant(this.users, email, names) });
  }

  /**
   * The same state without the account `email`: its API-managed grants and every identity
   * link that signs in to it are gone (its pinned grants are the file's, and stay). This
   * policy itself when it holds neither. Costs a copy of the users (an offboarding is rare).
   *
   * @example
   * const next = policy.withoutAccount('bob@example.com'); // next.users.has('bob@example.com') === false
   */
  withoutAccount(email: string): CapabilityPolicy {
    const links = this.identitiesOf(email);
    const scopes = withoutAccountInScopes(this.scopes, email);
    if (!this.users.has(email) && links.length === 0 && scopes === this.scopes) return this;
    let users = this.users;
    if (users.has(email)) {
      const remaining = new Map(users);
      remaining.delete(email);
      users = remaining;
    }
    let identities = this.identities;
    if (links.length > 0) {
      const remaining = new Map(identities);
      for (const identity of links) remaining.delete(identity);
      identities = remaining;
    }
    return new CapabilityPolicy({ ...this, users, scopes, identities });
  }

  /**
   * The same state with the grants of `email` at exactly `scope` replaced by `names`
   * (an empty list removes them). Every name must be defined; `scope` must be valid
   * (see `assertScope`). Other scopes and accounts are shared with this policy.
   *
   * @example
   * const next = policy.withScopedUser('shop:paris', 'bob@example.com', ['bake']);
   */
  withScopedUser(scope: string, email: string, names: readonly string[]): CapabilityPolicy {
    for (const name of names) assertDefined(this.graph, name, `capabilities of ${email} at ${scope}`);
    return new CapabilityPolicy({ ...this, scopes: withScopedGrant(this.scopes, scope, email, names) });
  }

  /**
   * The same state without any grant at `scope` or below it (a deleted shop), and how many
   * (account, capability, scope) grants that removed.
   *
   * @example
   * const { policy: next, removed } = policy.withoutScope('shop:paris');
   */
  withoutScope(scope: string): { readonly policy: CapabilityPolicy; readonly removed: number } {
    const { scopes, removed } = withoutScopeTree(this.scopes, scope);
    return { policy: scopes === this.scopes ? this : new CapabilityPolicy({ ...this, scopes }), removed };
  }

  /** The provider identities linked to `email`, in the order they were linked. */
  identitiesOf(email: string): string[] {
    const links: string[] = [];
    for (const [identity, linked] of this.identities) if (linked === email) links.push(identity);
    return links;
  }

  /** The account a linked provider identity (`"<provider>:<subject>"`) signs in to, if any. */
  linkedAccount(identity: string): string | undefined {
    return this.identities.get(identity);
  }

  /**
   * The same state with `identity` linked to `email`. Throws `LOGIN_IDENTITY_LINKED`
   * when it is linked to another account already: a link is never moved silently.
   *
   * @example
   * const next = policy.withIdentityLink('github:2000001', 'bob@example.com');
   */
  withIdentityLink(identity: string, email: string): CapabilityPolicy {
    assertIdentityFree(this.identities, identity, email);
    if (this.identities.get(identity) === email) return this;
    return new CapabilityPolicy({ ...this, identities: new Map(this.identities).set(identity, email) });
  }

  /** The capabilities stored for `email` through the API, as written. */
  stored(email: string): readonly string[] {
    return this.users.get(email) ?? [];
  }

  /** The capabilities stored for `email` at exactly `scope`, as written. */
  storedAt(email: string, scope: string): readonly string[] {
    return this.scopes.get(scope)?.get(email) ?? [];
  }

  /**
   * Every scope where `email` has a stored grant, with the grant, sorted by scope; only
   * `under` and below it when given.
   *
   * @example
   * policy.scopedGrantsOf('bob@example.com'); // [['shop:paris', ['bake']]]
   */
  scopedGrantsOf(email: string, under?: string): [string, readonly string[]][] {
    const found: [string, readonly string[]][] = [];
    for (const [scope, grants] of this.scopes) {
      const names = grants.get(email);
      if (names !== undefined && (under === undefined || isWithinScope(scope, under))) found.push([scope, names]);
    }
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The capabilities pinned to `email` in the file. */
  pinnedTo(email: string): readonly string[] {
    return this.pinned.get(email) ?? [];
  }

  /**
   * Effective capabilities: closure(users ∪ pinned ∪ default) for a user,
   * closure(guest) for `null`.
   */
  effective(email: string | null): CapabilitySet {
    if (email === null) return this.guestSet;
    const cached = this.effectiveByEmail.get(email);
    if (cached !== undefined) return cached;
    const stored = this.users.get(email);
    const pinned = this.pinned.get(email);
    // Unknown users share the default set, so the cache only grows with the file.
    if (stored === undefined && pinned === undefined) return this.defaultSet;
    const set = this.graph.union(this.defaultSet, this.graph.closureOf(stored ?? []), this.graph.closureOf(pinned ?? []));
    this.effectiveByEmail.set(email, set);
    return set;
  }

  /**
   * The capabilities `principal` may use under this policy: a guest's for `null`; a
   * user's effective set; for a service token, only what is both in its snapshot
   * and held by its account now (a capability removed from the account is gone, one
   * added after minting is not gained); for an API key, the closure of the key's own
   * capabilities. Computed once per principal object, so the same set returns.
   *
   * @example
   * policy.effectiveFor(principal).has('write');
   */
  effectiveFor(principal: Principal | null): CapabilitySet {
    if (principal === null) return this.guestSet;
    // A credential limited to a scope holds nothing outside it, and a global check is outside.
    if (principal.scope !== undefined) return this.graph.none;
    if (principal.snapshot === undefined && principal.keyCapabilities === undefined) return this.effective(principal.email);
    const cached = this.effectiveByPrincipal.get(principal);
    if (cached !== undefined) return cached;
    const set = this.tokenSetOf(principal);
    this.effectiveByPrincipal.set(principal, set);
    return set;
  }

  private tokenSetOf(principal: Principal): CapabilitySet {
    if (principal.keyCapabilities !== undefined) return this.graph.closureOf(principal.keyCapabilities);
    const account = this.effective(principal.email);
    if (principal.snapshot === undefined) return account;
    return this.graph.intersection(account, this.graph.closureOf(principal.snapshot));
  }

  /**
   * Whether `email` (or a guest, for `null`) holds `capability` now: globally, or at
   * `scope` when given (a global grant, or one at `scope` or above it).
   *
   * @example
   * policy.can('bob@example.com', 'bake', 'shop:paris/oven:2');
   */
  can(email: string | null, capability: string, scope?: string): boolean {
    const index = this.graph.indexOf(capability);
    if (index < 0) return false;
    if (email === null) return this.guestSet.hasIndex(index);
    return this.accountHoldsAt(email, index, scope);
  }

  /**
   * Whether `principal` may use the capability at `capabilityIndex` (see
   * `CapabilityGraph.indexOf`) at `scope`, or globally when `scope` is undefined. The
   * guard's scoped check: no set is built, only the closures of the grants at `scope`
   * and above are read. A credential limited to a scope holds nothing outside it.
   *
   * @example
   * policy.holdsAt(principal, policy.graph.indexOf('bake'), 'shop:paris');
   */
  holdsAt(principal: Principal | null, capabilityIndex: number, scope: string | undefined): boolean {
    if (principal === null) return this.guestSet.hasIndex(capabilityIndex);
    if (scope === undefined) return this.effectiveFor(principal).hasIndex(capabilityIndex);
    if (principal.scope !== undefined && !isWithinScope(scope, principal.scope)) return false;
    if (principal.keyCapabilities !== undefined) return this.graph.closureOfGrant(principal.keyCapabilities).hasIndex(capabilityIndex);
    if (!this.accountHoldsAt(principal.email, capabilityIndex, scope)) return false;
    return principal.snapshot === undefined || this.graph.closureOfGrant(principal.snapshot).hasIndex(capabilityIndex);
  }

  /**
   * What `principal` may use at `scope`: its global set with the closures of its grants
   * at `scope` and above (for a service token, only what is also in its snapshot); a
   * guest's set for `null`; nothing outside the scope a credential is limited to.
   *
   * @example
   * policy.effectiveAt(principal, 'shop:paris').toArray();
   */
  effectiveAt(principal: Principal | null, scope: string): CapabilitySet {
    if (principal === null) return this.guestSet;
    if (principal.scope !== undefined && !isWithinScope(scope, principal.scope)) return this.graph.none;
    if (principal.keyCapabilities !== undefined) return this.graph.closureOfGrant(principal.keyCapabilities);
    const sets = [this.effective(principal.email)];
    for (const at of scopeAndAncestors(scope)) {
      const names = this.scopes.get(at)?.get(principal.email);
      if (names !== undefined) sets.push(this.graph.closureOfGrant(names));
    }
    const account = sets.length === 1 ? sets[0]! : this.graph.union(...sets);
    return principal.snapshot === undefined ? account : this.graph.intersection(account, this.graph.closureOfGrant(principal.snapshot));
  }

  /**
   * Every stored account (named in `users`, `pinned` or `scopes`) that holds `capability`
   * at `scope` (globally when undefined) by any route, and whether every signed-in user
   * does (through `default`).
   *
   * @example
   * policy.holders('bake', 'shop:paris'); // { everyone: false, holders: ['alice@example.com', 'bob@example.com'] }
   */
  holders(capability: string, scope?: string): CapabilityHolders {
    const index = this.graph.indexOf(capability);
    if (index < 0) return { everyone: false, holders: [] };
    const everyone = this.defaultSet.hasIndex(index);
    const found = new Set<string>();
    const take = (grants: UserGrants): void => {
      for (const [email, names] of grants) if (everyone || this.graph.closureOfGrant(names).hasIndex(index)) found.add(email);
    };
    take(this.users);
    take(this.pinned);
    if (everyone) {
      for (const grants of this.scopes.values()) for (const email of grants.keys()) found.add(email);
    } else if (scope !== undefined) {
      for (const at of scopeAndAncestors(scope)) {
        const grants = this.scopes.get(at);
        if (grants !== undefined) take(grants);
      }
    }
    return { everyone, holders: [...found].sort() };
  }

  /**
   * Where `email` holds `capability`: the fewest scopes (`under` or below it, when given)
   * at each of which, and below, it holds it; what an application needs to filter a
   * list. Held at or above `under`: `[under]`. Held globally without `under`: no scope,
   * and `everywhere` true.
   *
   * @example
   * policy.scopesOf('bob@example.com', 'bake'); // { everywhere: false, scopes: ['shop:paris'] }
   */
  scopesOf(email: string, capability: string, under?: string): ScopesHeld {
    const index = this.graph.indexOf(capability);
    if (index < 0) return { everywhere: false, scopes: [] };
    const everywhere = this.effective(email).hasIndex(index);
    if (under !== undefined && this.accountHoldsAt(email, index, under)) return { everywhere, scopes: [under] };
    if (everywhere) return { everywhere, scopes: [] };
    const found: string[] = [];
    for (const [scope, grants] of this.scopes) {
      const names = grants.get(email);
      if (names === undefined || (under !== undefined && !isWithinScope(scope, under))) continue;
      if (this.graph.closureOfGrant(names).hasIndex(index)) found.push(scope);
    }
    return { everywhere, scopes: outermostScopes(found) };
  }

  // Two map reads for a check at a scope, whether it is held globally or there; the path is
  // walked once per account and scope, and the cache is bounded, since scopes come from requests.
  private accountHoldsAt(email: string, index: number, scope: string | undefined): boolean {
    if (scope === undefined || this.scopes.size === 0) return this.effective(email).hasIndex(index);
    let account = this.heldAtScopes.get(email);
    if (account === undefined) account = this.rememberAccount(email, { global: this.effective(email), at: new Map<string, CapabilitySet | null>() });
    if (account.global.hasIndex(index)) return true;
    let held = account.at.get(scope);
    if (held === undefined) {
      held = this.scopedOnlyAt(email, scope);
      if (this.heldAtScopesEntries >= SCOPED_CACHE_ENTRIES) account = this.rememberAccount(email, { global: account.global, at: new Map<string, CapabilitySet | null>() });
      account.at.set(scope, held);
      this.heldAtScopesEntries++;
    }
    return held !== null && held.hasIndex(index);
  }

  // Starting over costs one walk per account and scope asked again.
  private rememberAccount(email: string, account: AccountAtScopes): AccountAtScopes {
    if (this.heldAtScopesEntries >= SCOPED_CACHE_ENTRIES) {
      this.heldAtScopes.clear();
      this.heldAtScopesEntries = 0;
    }
    this.heldAtScopes.set(email, account);
    this.heldAtScopesEntries++;
    return account;
  }

  // The closures of the grants of `email` at `scope` and above, in one set; null for none.
  private scopedOnlyAt(email: string, scope: string): CapabilitySet | null {
    let found: CapabilitySet | null = null;
    for (let slash = scope.indexOf('/'); ; slash = scope.indexOf('/', slash + 1)) {
      const names = this.scopes.get(slash < 0 ? scope : scope.slice(0, slash))?.get(email);
      if (names !== undefined) {
        const closure = this.graph.closureOfGrant(names);
        found = found === null ? closure : this.graph.union(found, closure);
      }
      if (slash < 0) return found;
    }
  }

  /** Accounts that hold `admin` through a stored or pinned grant, directly or by implication. */
  adminAccounts(): string[] {
    if (!this.graph.has(ADMIN_CAPABILITY)) return [];
    const holders = new Set<string>();
    for (const grants of [this.users, this.pinned]) {
      // Without auto_admin, `admin` is an ordinary capability that another one may imply.
      for (const [email, names] of grants) if (names.some((name) => this.graph.implies(name, ADMIN_CAPABILITY))) holders.add(email);
    }
    return [...holders].sort();
  }

  /** The graph as `{capability: [directly implied, ...]}`, for display. */
  graphAsObject(): Record<string, string[]> {
    const result: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const name of this.graph.names) result[name] = [...this.graph.impliedBy(name)];
    return result;
  }

  /**
   * Every scoped grant as `{scope: {email: [capability, ...]}}`, scopes and emails
   * sorted; only `under` and below it when given. For display.
   */
  scopesAsObject(under?: string): Record<string, Record<string, string[]>> {
    const result: Record<string, Record<string, string[]>> = Object.create(null) as Record<string, Record<string, string[]>>;
    for (const scope of [...this.scopes.keys()].sort()) {
      if (under !== undefined && !isWithinScope(scope, under)) continue;
      const grants = this.scopes.get(scope)!;
      const byEmail: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
      for (const email of [...grants.keys()].sort()) byEmail[email] = [...grants.get(email)!];
      result[scope] = byEmail;
    }
    return result;
  }

  /** Every API-managed grant as `{email: [capability, ...]}`, for display. */
  usersAsObject(): Record<string, string[]> {
    const result: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const email of [...this.users.keys()].sort()) result[email] = [...(this.users.get(email) ?? [])];
    return result;
  }
}

/** Throws `LOGIN_IDENTITY_LINKED` when `identity` already signs in to an account other than `email`. */
export function assertIdentityFree(links: IdentityLinks, identity: string, email: string): void {
  const linked = links.get(identity);
  if (linked !== undefined && linked !== email) {
    throw new LoginError('LOGIN_IDENTITY_LINKED', 'this sign-in is already linked to another account, so it was not linked to yours; an administrator can move it in the capability file');
  }
}

/** Throws `UNKNOWN_CAPABILITY` unless `name` is in `graph`. */
export function assertDefined(graph: CapabilityGraph, name: string, field = 'capability'): void {
  if (!graph.has(name)) {
    throw new InvalidInputError('UNKNOWN_CAPABILITY', field, `unknown capability ${JSON.stringify(name)}`);
  }
}

/** One account's global set, and what its scoped grants add at each scope asked about. */
interface AccountAtScopes {
  readonly global: CapabilitySet;
  readonly at: Map<string, CapabilitySet | null>;
}
