import { InvalidInputError, LoginError } from '../errors';
import type { IdentityLinks } from './identity-link';
import { ADMIN_CAPABILITY, type CapabilityGraph } from './capability-graph';
import type { CapabilitySet } from './capability-set';
import { withGrant, type UserGrants } from './layered-grants';
import type { Principal } from './principal';

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
  /** Linked provider identities (`"<provider>:<subject>"` -> email). Default none. */
  readonly identities?: IdentityLinks;
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
  readonly identities: IdentityLinks;
  private readonly guestSet: CapabilitySet;
  private readonly defaultSet: CapabilitySet;
  private readonly effectiveByEmail = new Map<string, CapabilitySet>();
  // Service token and API key principals come from the token and key caches, so the
  // same object returns with every request that carries the same credential.
  private readonly effectiveByPrincipal = new WeakMap<Principal, CapabilitySet>();

  constructor(parts: PolicyParts) {
    this.graph = parts.graph;
    this.defaults = parts.defaults;
    this.guest = parts.guest;
    this.users = parts.users;
    this.pinned = parts.pinned;
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
    if (!this.users.has(email) && links.length === 0) return this;
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
    return new CapabilityPolicy({ ...this, users, identities });
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

  /** Whether `email` (or a guest, for `null`) holds `capability` now. */
  can(email: string | null, capability: string): boolean {
    return this.effective(email).has(capability);
  }

  /** Accounts that hold `admin` through a stored or pinned grant, directly or by implication. */
  adminAccounts(): string[] {
    if (!this.graph.has(ADMIN_CAPABILITY)) return [];
    const holders = new Set<string>();
    for (const grants of [this.users, this.pinned]) {
      // Without auto_admin, `admin` is an ordinary capability that another one may imply.
      for (const [email, names] of grants) if (this.graph.closureOf(names).has(ADMIN_CAPABILITY)) holders.add(email);
    }
    return [...holders].sort();
  }

  /** The graph as `{capability: [directly implied, ...]}`, for display. */
  graphAsObject(): Record<string, string[]> {
    const result: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const name of this.graph.names) result[name] = [...this.graph.impliedBy(name)];
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
