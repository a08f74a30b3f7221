/** Canonical email -> capabilities granted to it, as written. */
export type UserGrants = ReadonlyMap<string, readonly string[]>;

/** Changed entries a layer may hold before it is flattened into a plain map. */
function flattenAt(baseSize: number): number {
  // About √n each way: a layer costs O(changes) to derive, a flattening O(n) every √n edits.
  return Math.max(32, Math.ceil(Math.sqrt(baseSize)));
}

/** Maps made by flattening, and what they were flattened from (see `flattenedFrom`). */
const flattenings = new WeakMap<UserGrants, { readonly base: WeakRef<UserGrants>; readonly changes: ReadonlyMap<string, readonly string[]> }>();

/**
 * User grants derived from other grants with a few accounts changed, without copying
 * the whole map: a policy with one user changed costs about √n, not n, with a
 * hundred thousand users. Iterates exactly like `new Map(base).set(email, names)`:
 * changed accounts keep their place, new ones follow in the order they were added.
 *
 * @example
 * const next = withGrant(policy.users, 'bob@example.com', ['write']);
 */
export function withGrant(grants: UserGrants, email: string, names: readonly string[]): UserGrants {
  const layer = grants instanceof LayeredGrants ? grants : undefined;
  const base = layer?.base ?? grants;
  const changes = new Map(layer?.changes).set(email, names);
  const isNew = !base.has(email) && !(layer?.changes.has(email) ?? false);
  const added = isNew ? [...(layer?.added ?? []), email] : (layer?.added ?? []);
  const next = new LayeredGrants(base, changes, added);
  if (changes.size <= flattenAt(base.size)) return next;
  const flat = new Map(next);
  // Weakly: the map flattened is not kept alive for the sake of what was derived from it.
  flattenings.set(flat, { base: new WeakRef(base), changes });
  return flat;
}

/**
 * For a map `withGrant` made by flattening layered grants: the shared map those grants
 * were layered on, while it is still in memory, and the accounts changed on top of it.
 * What was computed for the old map can then be carried over instead of redone.
 *
 * @example
 * const from = flattenedFrom(policy.users); // { base, changes } or undefined
 */
export function flattenedFrom(grants: UserGrants): GrantLayers | undefined {
  const record = flattenings.get(grants);
  const base = record?.base.deref();
  return record === undefined || base === undefined ? undefined : { base, changes: record.changes };
}

/**
 * The accounts changed or added in `next` since `previous`, when `next` was derived
 * from `previous` by `withGrant` (so no account was removed); undefined when that
 * cannot be told, e.g. after a flattening or a reload.
 */
export function grantsChangedSince(previous: UserGrants, next: UserGrants): Iterable<string> | undefined {
  if (!(next instanceof LayeredGrants)) return undefined;
  const earlier = previous instanceof LayeredGrants ? previous : undefined;
  if (next.base !== (earlier?.base ?? previous)) return undefined;
  // Siblings of one base are not a chain: an account added in `previous` may be missing here.
  for (const email of earlier?.changes.keys() ?? []) if (!next.changes.has(email)) return undefined;
  return next.changes.keys();
}

/** The map `grants` shares with the grants it was derived from, and the accounts changed or added on top. */
export interface GrantLayers {
  readonly base: UserGrants;
  readonly changes: ReadonlyMap<string, readonly string[]>;
}

const NO_CHANGES: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * How `grants` is held: for grants made by `withGrant`, the shared map and the (at most
 * about √n) accounts changed or added since; for any other map, itself and no change.
 * What is computed once per shared map can then be reused across many policies.
 *
 * @example
 * const { base, changes } = layersOf(policy.users);
 */
export function layersOf(grants: UserGrants): GrantLayers {
  return grants instanceof LayeredGrants ? grants : { base: grants, changes: NO_CHANGES };
}

class LayeredGrants implements ReadonlyMap<string, readonly string[]> {
  readonly size: number;

  constructor(
    readonly base: UserGrants,
    readonly changes: ReadonlyMap<string, readonly string[]>,
    readonly added: readonly string[],
  ) {
    this.size = base.size + added.length;
  }

  get(email: string): readonly string[] | undefined {
    return this.changes.get(email) ?? this.base.get(email);
  }

  has(email: string): boolean {
    return this.changes.has(email) || this.base.has(email);
  }

  *entries(): MapIterator<[string, readonly string[]]> {
    for (const [email, names] of this.base) yield [email, this.changes.get(email) ?? names];
    for (const email of this.added) yield [email, this.changes.get(email)!];
  }

  *keys(): MapIterator<string> {
    for (const [email] of this.entries()) yield email;
  }

  *values(): MapIterator<readonly string[]> {
    for (const [, names] of this.entries()) yield names;
  }

  [Symbol.iterator](): MapIterator<[string, readonly string[]]> {
    return this.entries();
  }

  forEach(callback: (names: readonly string[], email: string, map: ReadonlyMap<string, readonly string[]>) => void, thisArg?: unknown): void {
    for (const [email, names] of this.entries()) callback.call(thisArg, names, email, this);
  }
}
