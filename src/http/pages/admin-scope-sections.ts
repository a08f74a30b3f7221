import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import { grantableBy, managedScopes } from '../../capabilities/grant-rules';
import type { Principal } from '../../capabilities/principal';
import { ADMIN_SCOPED_ROWS, type ScopedGrantRow, type ScopeSection } from './admin-scopes.view';

/**
 * The scoped grants the admin page shows `manager`: every scope in one section for a
 * global manager (`global`), else one section per scope they manage, each with the
 * grants there and below; what they may grant or remove is judged at each row's scope.
 *
 * @example scopeSectionsFor(policy, bob, false) // [{ scope: 'shop:paris', grantable: ['bake', 'read'], rows: [...], total: 2 }]
 */
export function scopeSectionsFor(policy: CapabilityPolicy, manager: Principal, global: boolean): ScopeSection[] {
  const grantableAt = new Map<string, string[]>();
  const grantableThere = (scope: string): string[] => {
    let names = grantableAt.get(scope);
    if (names === undefined) {
      names = grantableBy(policy, policy.effectiveAt(manager, scope));
      grantableAt.set(scope, names);
    }
    return names;
  };
  const section = (scope: string | undefined, grantable: readonly string[]): ScopeSection => {
    const rows: ScopedGrantRow[] = [];
    let total = 0;
    for (const [at, grants] of Object.entries(policy.scopesAsObject(scope))) {
      for (const [email, capabilities] of Object.entries(grants)) {
        total += 1;
        if (rows.length < ADMIN_SCOPED_ROWS) rows.push({ scope: at, email, capabilities: [...capabilities].sort(), grantable: grantableThere(at) });
      }
    }
    return { scope, grantable, rows, total };
  };
  if (global) return [section(undefined, grantableBy(policy, policy.effectiveFor(manager)))];
  return managedScopes(policy, manager).map((scope) => section(scope, grantableThere(scope)));
}
