import { GrantError, InvalidInputError } from '../errors';
import { ADMIN_CAPABILITY } from './capability-graph';
import { assertDefined, type CapabilityPolicy } from './capability-policy';
import type { CapabilitySet } from './capability-set';
import { isServiceAccount } from './email';
import type { Principal } from './principal';
import { isWithinScope } from './scope';
import { accountExists } from './service-accounts';

/** The capability that lets a caller manage others' capabilities and mint service tokens. */
export const USER_MANAGEMENT = 'user_management';

/**
 * Throws `GRANT_FORBIDDEN` unless the manager holds the whole closure of every
 * capability in `changed`: granting `write`, which implies `read`, needs `read` too.
 * Removing is judged the same way, so nobody strips what they could not give.
 */
export function assertCanGrant(policy: CapabilityPolicy, manager: CapabilitySet, changed: Iterable<string>): void {
  for (const name of changed) {
    assertDefined(policy.graph, name);
    if (!mayGrant(policy, manager, name)) {
      const missing = manager.missingFrom(policy.graph.closureOf([name]));
      throw new GrantError(
        'GRANT_FORBIDDEN',
        name,
        `you may not grant or remove ${JSON.stringify(name)}: it needs ${missing.map((m) => JSON.stringify(m)).join(', ')}, which you do not hold`,
      );
    }
  }
}

/**
 * Every capability of the graph the manager may grant or remove (`assertCanGrant`'s
 * rule), sorted: what a form offers them.
 *
 * @example grantableBy(policy, policy.effective('mia@example.com')) // ['read', 'write']
 */
export function grantableBy(policy: CapabilityPolicy, manager: CapabilitySet): string[] {
  return policy.graph.names.filter((name) => mayGrant(policy, manager, name)).sort();
}

function mayGrant(policy: CapabilityPolicy, manager: CapabilitySet, name: string): boolean {
  return manager.covers(policy.graph.closureOf([name]));
}

/**
 * Throws `LAST_ADMIN` when giving `email` the grants `next` would leave no person
 * holding `admin` (stored or pinned), so that no change through the API locks
 * everybody out. Service accounts do not count: a bot cannot sign in to manage
 * anything, so an admin bot must not let the last admin person be demoted. Costs a
 * scan of the users only when `admin` is being removed from a person.
 */
export function assertAdminRemains(policy: CapabilityPolicy, email: string, next: readonly string[]): void {
  const holdsAdmin = (names: readonly string[]): boolean => policy.graph.closureOf(names).has(ADMIN_CAPABILITY);
  if (!policy.graph.has(ADMIN_CAPABILITY) || isServiceAccount(email) || holdsAdmin(next)) return;
  if (!holdsAdmin(policy.stored(email)) || holdsAdmin(policy.pinnedTo(email))) return;
  if (policy.adminAccounts().some((holder) => holder !== email && !isServiceAccount(holder))) return;
  throw new GrantError('LAST_ADMIN', ADMIN_CAPABILITY, `refused: ${email} is the last person holding admin`);
}

/**
 * The capabilities a service token for `email` may carry, once every rule of minting
 * one holds: `email` is a service account (`INVALID_REQUEST`) that exists in the store
 * now (`UNKNOWN_ACCOUNT`), and the manager holds everything it has (`GRANT_FORBIDDEN`),
 * so that nobody mints more than they could grant. With `scope`, a token limited to
 * that scope: it carries what the account holds there, and `manager` is the
 * manager's set there. `manager` null: an operator with the file (the command line),
 * who may mint for any existing account.
 *
 * @example assertCanMintServiceToken(policy, policy.effective('alice@example.com'), 'bot@service').toArray() // ['bake', 'read']
 */
export function assertCanMintServiceToken(policy: CapabilityPolicy, manager: CapabilitySet | null, email: string, scope?: string): CapabilitySet {
  if (!isServiceAccount(email)) throw new InvalidInputError('INVALID_REQUEST', 'user', 'service tokens are only for service accounts (name@service)');
  if (!accountExists(policy, email)) {
    throw new InvalidInputError('UNKNOWN_ACCOUNT', 'user', `there is no service account ${email}: add it to the capability file (users, pinned or scopes) first`);
  }
  const account = scope === undefined ? policy.effective(email) : policy.effectiveAt({ email, kind: 'service', via: 'token' }, scope);
  if (manager !== null) assertHoldsAll(manager, account, (missing) => `you may not mint a token carrying ${missing}, which you do not hold${scope === undefined ? '' : ` at ${scope}`}`);
  return account;
}

/**
 * Throws `GRANT_FORBIDDEN` unless `manager` holds every capability that `email` has:
 * ending an account's tokens and sessions (`revoke`, `revoke_all`) is judged like a
 * grant, so a manager cannot sign out or cut off somebody who holds more than they
 * do. Whether the caller manages at all, and oneself, are the edge's business.
 *
 * @example assertCanEndTokensOf(policy, policy.effective('mia@example.com'), 'bob@example.com')
 */
export function assertCanEndTokensOf(policy: CapabilityPolicy, manager: CapabilitySet, email: string): void {
  assertHoldsAll(manager, policy.effective(email), (missing) => `you may not end the tokens of ${email}, who holds ${missing}, which you do not hold`);
}

/**
 * Throws `GRANT_FORBIDDEN` unless `manager` holds every capability the API key
 * carries (`capabilities`, closed over the graph; a name the graph no longer has
 * gives nothing): revoking a key is judged like ending an account's tokens, so a
 * manager cannot cut off a key that holds more than they do.
 *
 * @example assertCanRevokeKey(policy, policy.effective('mia@example.com'), record.capabilities)
 */
export function assertCanRevokeKey(policy: CapabilityPolicy, manager: CapabilitySet, capabilities: readonly string[]): void {
  assertHoldsAll(manager, policy.graph.closureOf(capabilities), (missing) => `you may not revoke an API key carrying ${missing}, which you do not hold`);
}

function assertHoldsAll(manager: CapabilitySet, needed: CapabilitySet, message: (missing: string) => string): void {
  if (manager.covers(needed)) return;
  const missing = manager.missingFrom(needed);
  throw new GrantError('GRANT_FORBIDDEN', missing[0] ?? '', message(missing.map((name) => JSON.stringify(name)).join(', ')));
}

/**
 * What a management request asks for, on one account: on its global grants, or on its
 * grants at exactly `scope` when given (a valid scope path, see `assertScope`).
 */
export type CapabilityChange = (
  | { readonly kind: 'add'; readonly capability: string }
  | { readonly kind: 'remove'; readonly capability: string }
  | { readonly kind: 'set'; readonly capabilities: readonly string[] }
) & { readonly scope?: string | undefined };

/**
 * The grants `email` would hold after `change`, and what it adds and removes.
 * Pure: checks come from the caller, in order.
 */
export function planChange(
  policy: CapabilityPolicy,
  email: string,
  change: CapabilityChange,
): { capabilities: string[]; added: string[]; removed: string[] } {
  const current = change.scope === undefined ? policy.stored(email) : policy.storedAt(email, change.scope);
  let next: string[];
  switch (change.kind) {
    case 'add':
      next = current.includes(change.capability) ? [...current] : [...current, change.capability];
      break;
    case 'remove':
      // Removing a name the graph lacks is a mistake too, even when nothing is stored.
      assertDefined(policy.graph, change.capability);
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

/**
 * Every rule of a change made through the API, in order: known capabilities, global
 * `admin` stays with somebody (a scoped `admin` may go: it locks nobody out), and the
 * manager holds the whole closure of all that is added or removed. `manager` is the
 * manager's set where the change is made (effective globally, or at `change.scope`:
 * see `CapabilityPolicy.effectiveAt`), or null for an operator editing the file
 * offline (who may change anything).
 *
 * @example checkedChange(policy, policy.effectiveAt(bob, 'shop:paris'), 'carol@example.com', { kind: 'add', capability: 'bake', scope: 'shop:paris' })
 */
export function checkedChange(
  policy: CapabilityPolicy,
  manager: CapabilitySet | null,
  email: string,
  change: CapabilityChange,
): { email: string; capabilities: string[]; scope: string | null } {
  const plan = planChange(policy, email, change);
  // Leaving nobody with admin is a conflict whoever asks: two admins removing each
  // other at once get one success and one LAST_ADMIN, not a 403 for the one who lost.
  if (change.scope === undefined) assertAdminRemains(policy, email, plan.capabilities);
  if (manager !== null) assertCanGrant(policy, manager, [...plan.added, ...plan.removed]);
  return { email, capabilities: plan.capabilities, scope: change.scope ?? null };
}

/**
 * Every rule of deleting the account `email` (offboarding), in order, and the account
 * when they all hold:
 * - it is pinned in the file (`ACCOUNT_PINNED`): pinned grants are changed by editing
 *   the file, never through the API or a store write, so the file must drop it first;
 * - it is an account at all (`UNKNOWN_ACCOUNT`): grants under `users` or an identity link;
 * - judged as the removal of everything it holds, as `set []` is (`checkedChange`): the
 *   last person holding `admin` stays (`LAST_ADMIN`), and the manager holds the whole
 *   closure of every grant removed (`GRANT_FORBIDDEN`);
 * - its tokens and sessions end with it, so the manager also needs all that ending them
 *   needs (`assertCanEndTokensOf`, as for `revoke_all`).
 * Deleting oneself passes when these rules do (another person still holds admin).
 * `manager` null: an operator with the file (the command line), held to every rule but
 * the manager's own.
 *
 * @example checkedDeletion(policy, policy.effective('alice@example.com'), 'bob@example.com') // 'bob@example.com'
 */
export function checkedDeletion(policy: CapabilityPolicy, manager: CapabilitySet | null, email: string): string {
  if (policy.pinned.has(email)) {
    throw new GrantError(
      'ACCOUNT_PINNED',
      policy.pinnedTo(email)[0] ?? '',
      `${email} is pinned in the capability file: only an edit of its "pinned" block removes it (the API never changes pinned grants)`,
    );
  }
  if (!policy.users.has(email) && policy.identitiesOf(email).length === 0) {
    throw new InvalidInputError('UNKNOWN_ACCOUNT', 'email', `there is no account ${email}: nothing is stored or linked for it`);
  }
  checkedChange(policy, manager, email, { kind: 'set', capabilities: [] });
  if (manager !== null) assertCanEndTokensOf(policy, manager, email);
  return email;
}

/**
 * Every rule of removing every grant at `scope` and below it (a deleted shop): the
 * manager holds the whole closure of each capability stored there (`GRANT_FORBIDDEN`
 * otherwise), judged like removing each grant alone. Answers the scope. `manager` is
 * the manager's set at `scope`, or null for an operator with the file.
 *
 * @example checkedScopeDrop(policy, policy.effectiveAt(bob, 'shop:paris'), 'shop:paris') // 'shop:paris'
 */
export function checkedScopeDrop(policy: CapabilityPolicy, manager: CapabilitySet | null, scope: string): string {
  if (manager === null) return scope;
  const removed = new Set<string>();
  for (const [at, grants] of policy.scopes) {
    if (isWithinScope(at, scope)) for (const names of grants.values()) for (const name of names) removed.add(name);
  }
  assertCanGrant(policy, manager, [...removed].filter((name) => policy.graph.has(name)).sort());
  return scope;
}

/**
 * What `principal` holds where a management request acts: its effective set globally
 * (`scope` undefined), or at `scope` (see `CapabilityPolicy.effectiveAt`). A manager
 * acts at a scope when this holds `user_management`, and changes there only what it holds.
 *
 * @example heldWhere(policy, bob, 'shop:paris').has(USER_MANAGEMENT)
 */
export function heldWhere(policy: CapabilityPolicy, principal: Principal, scope: string | undefined): CapabilitySet {
  return scope === undefined ? policy.effectiveFor(principal) : policy.effectiveAt(principal, scope);
}

/**
 * Whether `principal` holds `user_management` globally or at some scope: whether it
 * manages anybody anywhere, so that its refusals belong on the audit trail and the
 * admin page opens for it.
 *
 * @example managesSomewhere(policy, bob) // true for a manager of shop:paris only
 */
export function managesSomewhere(policy: CapabilityPolicy, principal: Principal): boolean {
  if (policy.effectiveFor(principal).has(USER_MANAGEMENT)) return true;
  if (principal.scope !== undefined) return policy.effectiveAt(principal, principal.scope).has(USER_MANAGEMENT);
  return principal.keyCapabilities === undefined && managedScopes(policy, principal).length > 0;
}

/**
 * The outermost scopes where `principal` holds `user_management` through a scoped grant
 * (none for a global manager, who manages everywhere; the credential's own scope for a
 * credential limited to one that holds it there), sorted.
 *
 * @example managedScopes(policy, bob) // ['shop:paris']
 */
export function managedScopes(policy: CapabilityPolicy, principal: Principal): string[] {
  if (principal.scope !== undefined) return policy.effectiveAt(principal, principal.scope).has(USER_MANAGEMENT) ? [principal.scope] : [];
  if (principal.keyCapabilities !== undefined) return [];
  const { everywhere, scopes } = policy.scopesOf(principal.email, USER_MANAGEMENT);
  if (everywhere) return [];
  // A service token holds at a scope only what its snapshot also carries.
  return scopes.filter((scope) => policy.effectiveAt(principal, scope).has(USER_MANAGEMENT));
}
