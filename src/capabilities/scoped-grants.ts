import { withGrant, type UserGrants } from './layered-grants';
import { isWithinScope } from './scope';

/** Scope path -> the grants held there and below (email -> capabilities, as written). */
export type ScopedGrants = ReadonlyMap<string, UserGrants>;

/**
 * `scopes` with the grants of `email` at exactly `scope` replaced by `names`; an empty
 * list removes the account from that scope, and a scope left empty goes. Other scopes
 * are shared, not copied.
 *
 * @example
 * const next = withScopedGrant(policy.scopes, 'shop:paris', 'bob@example.com', ['bake']);
 */
export function withScopedGrant(scopes: ScopedGrants, scope: string, email: string, names: readonly string[]): ScopedGrants {
  const grants = scopes.get(scope);
  const next = new Map(scopes);
  if (names.length > 0) {
    next.set(scope, withGrant(grants ?? new Map(), email, names));
    return next;
  }
  if (grants === undefined || !grants.has(email)) return scopes;
  const remaining = new Map(grants);
  remaining.delete(email);
  if (remaining.size === 0) next.delete(scope);
  else next.set(scope, remaining);
  return next;
}

/**
 * `scopes` without `scope` and every scope below it, and how many (account, capability,
 * scope) grants went with them.
 *
 * @example
 * const { scopes, removed } = withoutScopeTree(policy.scopes, 'shop:paris');
 */
export function withoutScopeTree(scopes: ScopedGrants, scope: string): { readonly scopes: ScopedGrants; readonly removed: number } {
  let removed = 0;
  const next = new Map<string, UserGrants>();
  for (const [at, grants] of scopes) {
    if (!isWithinScope(at, scope)) {
      next.set(at, grants);
      continue;
    }
    for (const names of grants.values()) removed += names.length;
  }
  return removed === 0 && next.size === scopes.size ? { scopes, removed } : { scopes: next, removed };
}

/**
 * `scopes` without any grant of `email`; `scopes` itself when it holds none.
 *
 * @example
 * const next = withoutAccountInScopes(policy.scopes, 'bob@example.com');
 */
export function withoutAccountInScopes(scopes: ScopedGrants, email: string): ScopedGrants {
  let next: Map<string, UserGrants> | undefined;
  for (const [scope, grants] of scopes) {
    if (!grants.has(email)) continue;
    next ??= new Map(scopes);
    const remaining = new Map(grants);
    remaining.delete(email);
    if (remaining.size === 0) next.delete(scope);
    else next.set(scope, remaining);
  }
  return next ?? scopes;
}

/**
 * The fewest of `scopes` that cover them all: a scope below another one listed is
 * dropped. Sorted.
 *
 * @example outermostScopes(['shop:a/oven:1', 'shop:a', 'shop:b']) // ['shop:a', 'shop:b']
 */
export function outermostScopes(scopes: Iterable<string>): string[] {
  const all = new Set(scopes);
  const kept: string[] = [];
  for (const scope of all) {
    let covered = false;
    for (let slash = scope.indexOf('/'); slash >= 0 && !covered; slash = scope.indexOf('/', slash + 1)) covered = all.has(scope.slice(0, slash));
    if (!covered) kept.push(scope);
  }
  return kept.sort();
}
