import type { CapabilityPolicy } from '../capabilities/capability-policy';

/**
 * What a grant edit decides: the account, the whole list it should hold from now on,
 * and where: at exactly `scope` (a valid scope path), or globally (the `users` block)
 * when `scope` is undefined or null.
 */
export interface GrantTarget {
  readonly email: string;
  readonly capabilities: readonly string[];
  readonly scope?: string | null | undefined;
}

/**
 * One write to one account's API-managed grants, globally or at one scope. It runs
 * inside the store's serialized section against the newest policy, so its checks
 * (escalation, last admin) see every write committed or queued before it. Throwing
 * rejects this edit alone.
 */
export type GrantEdit = (policy: CapabilityPolicy) => GrantTarget;

/**
 * The judgment of deleting one account: it returns the account to delete, or throws
 * to refuse (unknown account, last admin, grant rule). Like a `GrantEdit`, it runs in
 * the store's serialized section against the newest policy.
 */
export type AccountDeletion = (policy: CapabilityPolicy) => string;

/**
 * The judgment of dropping a scope tree (a deleted shop): it returns the scope whose
 * grants, and those of every scope below it, are to go, or throws to refuse. Like a
 * `GrantEdit`, it runs in the store's serialized section against the newest policy,
 * so a check of what the caller holds there sees every write before it.
 */
export type ScopeDrop = (policy: CapabilityPolicy) => string;

/** What dropping a scope tree left: the policy, and how many (account, capability, scope) grants went. */
export interface ScopeDropped {
  readonly policy: CapabilityPolicy;
  readonly removed: number;
}

/**
 * Where capabilities live. Reads are synchronous and in memory (the guard's hot
 * path does no I/O); writes are serialized and durable before they resolve.
 */
export interface CapabilityStore {
  /** The policy in force now. */
  current(): CapabilityPolicy;
  /**
   * Applies `edit` after every write queued before it; resolves once it is durable,
   * with the policy as this edit left it.
   */
  update(edit: GrantEdit): Promise<CapabilityPolicy>;
  /**
   * Links the provider identity `identity` (`"<provider>:<subject>"`) to the account
   * `email`, durably, after every write queued before it. Rejects with
   * `LOGIN_IDENTITY_LINKED` when it is linked to another account already. Optional:
   * a store without it does not offer account linking.
   */
  linkIdentity?(identity: string, email: string): Promise<CapabilityPolicy>;
  /**
   * Deletes the account `deletion` names, durably, after every write queued before it:
   * its API-managed grants and every identity link to it (pinned grants are the file's).
   * Resolves with the policy as the deletion left it; rejects with the judgment's own
   * error. Optional: a store without it does not offer deleting accounts.
   */
  deleteAccount?(deletion: AccountDeletion): Promise<CapabilityPolicy>;
  /**
   * Removes every grant at the scope `drop` names and at every scope below it, durably,
   * after every write queued before it; global grants stay. Resolves with the policy it
   * left and the number of (account, capability, scope) grants removed (0 when there
   * were none); rejects with the judgment's own error, or `SCOPE_INVALID` when it names
   * no valid scope, and nothing is changed then. Optional: a store without it does not
   * offer dropping scopes.
   *
   * @example
   * const { removed } = await store.dropScope!(() => 'shop:paris');
   */
  dropScope?(drop: ScopeDrop): Promise<ScopeDropped>;
  /**
   * Whether the policy in memory is too old to enforce: true for a shared store cut
   * off from its backend for longer than it may be trusted. Synchronous and without
   * I/O, since the guard asks on every request that needs a capability. Optional: a
   * store without it is never stale.
   */
  isStale?(): boolean;
  /**
   * How far this instance's copy is behind a shared store, for the module's gauges; read
   * when metrics are collected, never on a request. Optional: a store of this instance
   * alone (a file) has no copy to lag.
   */
  replica?(): StoreReplica;
  /** Called with each new policy, whether written through the API or picked up from outside. */
  subscribe(listener: (policy: CapabilityPolicy) => void): () => void;
  close(): Promise<void>;
}

/** The state of an instance's copy of a shared store (see `CapabilityStore.replica`). */
export interface StoreReplica {
  /** Milliseconds since the copy was last known to be up to date. */
  readonly lagMs: number;
  /** Whether the copy is too old to enforce (`isStale`). */
  readonly stale: boolean;
  /** The shared store's version the copy holds. */
  readonly version: number;
}

/** What a store needs to report problems; Nest's `Logger` fits. */
export interface StoreLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
