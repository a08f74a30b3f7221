import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { grantChangeDetail } from '../audit/change-detail';
import { assertDefined, type CapabilityHolders, type CapabilityPolicy, type ScopesHeld } from '../capabilities/capability-policy';
import { assertEmail } from '../capabilities/email';
import { assertScope } from '../capabilities/scope';
import type { CapabilitySet } from '../capabilities/capability-set';
import { checkedChange, USER_MANAGEMENT, type CapabilityChange } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import type { CapabilityStore } from '../stores/capability-store';
import { CAPABILITY_STORE } from './auth.constants';
import { assertAccess } from './access';

/**
 * Capability checks and changes for application code, globally or at a scope.
 *
 * @example
 * constructor(private readonly capabilities: CapabilityService) {}
 * if (this.capabilities.can(user, 'moderate')) { ... }
 * if (this.capabilities.can(user, 'bake', 'shop:paris')) { ... }
 */
@Injectable()
export class CapabilityService {
  constructor(
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    private readonly audit: AuditRecorder,
  ) {}

  /** The policy in force now. */
  policy(): CapabilityPolicy {
    return this.store.current();
  }

  /**
   * Whether `user` (a principal, null for a guest) may use `capability` now: globally
   * when `scope` is left out (scoped grants never count then), or at `scope` (a global
   * grant, or one at `scope` or above it). An unknown capability is held by nobody.
   * Throws `SCOPE_INVALID` for a malformed scope.
   *
   * @example
   * capabilities.can(user, 'bake', `shop:${shop}`); // bob's grant at shop:paris holds at shop:paris/oven:2 too
   */
  can(user: Principal | null, capability: string, scope?: string): boolean {
    const policy = this.store.current();
    if (scope === undefined) return policy.effectiveFor(user).has(capability);
    const checked = assertScope(scope);
    const index = policy.graph.indexOf(capability);
    return index >= 0 && policy.holdsAt(user, index, checked);
  }

  /**
   * Every stored account (named in `users`, `pinned` or `scopes`) that holds `capability`
   * at `scope` by any route (globally, above, at `scope`, through `admin`), sorted, and
   * whether every signed-in user holds it there. Throws `UNKNOWN_CAPABILITY` or
   * `SCOPE_INVALID`.
   *
   * @example
   * const { holders } = capabilities.holders('bake', 'shop:paris'); // ['alice@example.com', 'bob@example.com']
   */
  holders(capability: string, scope: string): CapabilityHolders {
    const policy = this.store.current();
    assertDefined(policy.graph, capability);
    return policy.holders(capability, assertScope(scope));
  }

  /**
   * Where `email` holds `capability`: `everywhere` when it holds it globally, and the
   * fewest scopes (`under` or below it, when given) at each of which, and below, it
   * holds it; what a list query needs to filter by. Held at or above `under`: `[under]`.
   * Throws `INVALID_EMAIL`, `UNKNOWN_CAPABILITY` or `SCOPE_INVALID`.
   *
   * @example
   * const { everywhere, scopes } = capabilities.scopesOf('bob@example.com', 'owner', 'org:acme');
   * const mine = everywhere ? all : all.filter((doc) => scopes.includes(`org:acme/doc:${doc.id}`));
   */
  scopesOf(email: string, capability: string, under?: string): ScopesHeld {
    const policy = this.store.current();
    assertDefined(policy.graph, capability);
    return policy.scopesOf(assertEmail(email), capability, under === undefined ? undefined : assertScope(under, 'under'));
  }

  /**
   * Grants `capability` to `email`, globally or at exactly `scope`, after every write
   * queued before it; resolves once it is durable with what `email` now holds there, as
   * stored. Granting what is held there already writes nothing. An application-side
   * write: no manager is asked for and the audit trail does not record it. Rejects with
   * `INVALID_EMAIL`, `UNKNOWN_CAPABILITY`, `SCOPE_INVALID`, or the store's own error.
   *
   * @example
   * // The author of a new document owns it.
   * await capabilities.grant(author, 'owner', `doc:${id}`);
   */
  async grant(email: string, capability: string, scope?: string): Promise<readonly string[]> {
    return this.write(email, capability, scope, (held) => (held.includes(capability) ? held : [...held, capability]));
  }

  /**
   * Removes `capability` from what `email` holds globally, or at exactly `scope` (a grant
   * above or below it stays); resolves once it is durable with what `email` now holds
   * there. Revoking what is not held there writes nothing. Rejects as `grant` does.
   *
   * @example
   * await capabilities.revoke('bob@example.com', 'owner', 'doc:42');
   */
  async revoke(email: string, capability: string, scope?: string): Promise<readonly string[]> {
    return this.write(email, capability, scope, (held) => held.filter((name) => name !== capability));
  }

  /** The set `user` may use now, for checks against other sets. */
  effectiveSet(user: Principal | null): CapabilitySet {
    return this.store.current().effectiveFor(user);
  }

  /** Every capability `user` may use now, implications expanded, sorted. */
  effective(user: Principal | null): readonly string[] {
    return this.store.current().effectiveFor(user).toArray();
  }

  /**
   * Changes what `email` holds on behalf of `manager`, under the rules of the
   * management API, and writes it (or its refusal) to the audit trail; resolves with
   * the grants now stored for `email`.
   */
  async change(manager: Principal, email: string, change: CapabilityChange): Promise<readonly string[]> {
    let before: readonly string[] = [];
    const policy = await this.audit.record(
      manager,
      change.kind,
      email,
      requestedChange(change),
      () =>
        this.store.update((current) => {
          before = current.stored(email);
          // Judged on the store's newest state: a manager whose user_management was just removed elsewhere manages no more.
          const held = current.effectiveFor(manager);
          assertAccess(manager, { capability: USER_MANAGEMENT, held: held.has(USER_MANAGEMENT) });
          return checkedChange(current, held, email, change);
        }),
      (after) => grantChangeDetail(before, after.stored(email)),
    );
    return policy.stored(email);
  }

  private async write(
    email: string,
    capability: string,
    scope: string | undefined,
    next: (held: readonly string[]) => readonly string[],
  ): Promise<readonly string[]> {
    const account = assertEmail(email);
    const at = scope === undefined ? undefined : assertScope(scope);
    const policy = await this.store.update((current) => {
      assertDefined(current.graph, capability);
      return { email: account, capabilities: next(storedThere(current, account, at)), scope: at ?? null };
    });
    return storedThere(policy, account, at);
  }
}

function storedThere(policy: CapabilityPolicy, email: string, scope: string | undefined): readonly string[] {
  return scope === undefined ? policy.stored(email) : policy.storedAt(email, scope);
}

function requestedChange(change: CapabilityChange): string {
  return change.kind === 'set' ? `set ${[...change.capabilities].sort().join(', ') || '(nothing)'}` : `${change.kind} ${change.capability}`;
}
