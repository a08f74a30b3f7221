import type { CapabilityGraph } from './capability-graph';
import type { CapabilityPolicy, UserGrants } from './capability-policy';
import { isServiceAccount } from './email';
import { flattenedFrom, layersOf } from './layered-grants';

/** Which accounts to list (people or service accounts), and which part of that list. */
export interface AccountQuery {
  readonly kind: 'people' | 'services';
  /** Part of the email, in any letter case; empty for every account. */
  readonly search: string;
  /** Only the accounts that hold this capability (effectively); undefined for all. */
  readonly capability?: string | undefined;
  /** How many matching accounts to skip, in email order. */
  readonly offset: number;
  readonly limit: number;
}

/** A part of the accounts a query matches. */
export interface AccountPage {
  /** The matching accounts from `offset` on, at most `limit`, in email order. */
  readonly emails: readonly string[];
  /** How many accounts the query matches in all. */
  readonly total: number;
}

const NO_NAMES: readonly string[] = [];
const NOTHING: AccountPage = { emails: [], total: 0 };

/**
 * One page of a policy's accounts (those in `users` or `pinned`), found without
 * copying or sorting them: the accounts of the map that policies derived by
 * `withGrant` share are sorted and indexed once, and the few accounts changed on top
 * of it are merged in as the page is read. A search is one `indexOf` over the joined
 * emails, a capability filter one typed-array read per account; what a call allocates
 * does not grow with the number of accounts.
 *
 * @example
 * const page = pageOfAccounts(policy, { kind: 'people', search: 'bob', capability: 'write', offset: 0, limit: 50 });
 */
export function pageOfAccounts(policy: CapabilityPolicy, query: AccountQuery): AccountPage {
  const { base, changes } = layersOf(policy.users);
  const index = accountIndexOf(base, policy.pinned);
  const list = query.kind === 'services' ? index.services : index.people;
  const layer = layerOf(policy.users, changes, index)[query.kind];
  // As emails are kept: composed (NFC), lower case.
  const needle = query.search.trim().normalize('NFC').toLowerCase();
  // No email holds a line feed, which also parts the emails in the joined text.
  if (needle.includes('\n')) return NOTHING;
  const capability = query.capability;
  let byGrants: Uint8Array | undefined;
  if (capability !== undefined) {
    if (!policy.graph.has(capability)) return NOTHING;
    // Held by default: every account holds it.
    if (!policy.graph.closureOf(policy.defaults).has(capability)) byGrants = list.holding(policy.graph, capability);
  }
  const heldBy = (email: string): boolean => byGrants === undefined || policy.effective(email).has(capability!);
  const emails: string[] = [];
  let total = 0;
  const { overrides, extras, extraAt } = layer;
  const grantsOf = byGrants === undefined ? undefined : list.grantNumbers();
  let extra = 0;
  let override = 0;
  // Accounts added on top of the shared map sort in before the shared account at their place.
  const takeExtrasBefore = (place: number): void => {
    for (; extra < extras.length && extraAt[extra]! <= place; extra++) {
      const email = extras[extra]!;
      if (!email.includes(needle) || !heldBy(email)) continue;
      if (total >= query.offset && emails.length < query.limit) emails.push(email);
      total++;
    }
  };
  for (let at = list.next(needle, -1); at !== -1; at = list.next(needle, at)) {
    takeExtrasBefore(at);
    while (override < overrides.length && overrides[override]! < at) override++;
    // An account changed on top of the shared map is judged on its grants now.
    const held = byGrants === undefined || (overrides[override] === at ? heldBy(list.emails[at]!) : byGrants[grantsOf![at]!] === 1);
    if (!held) continue;
    if (total >= query.offset && emails.length < query.limit) emails.push(list.emails[at]!);
    total++;
  }
  takeExtrasBefore(Number.POSITIVE_INFINITY);
  return { emails, total };
}

/** The grants of one account as the index keeps them, shared by every account that has the same. */
interface Grants {
  readonly stored: readonly string[];
  readonly pinned: readonly string[];
}

/** Distinct grants, numbered: accounts refer to theirs by number. Only grows, shared by an index and those derived from it. */
class GrantsTable {
  readonly all: Grants[] = [];
  private readonly numbers = new Map<string, number>();

  numberOf(email: string, users: UserGrants, pinned: UserGrants): number {
    const stored = users.get(email) ?? NO_NAMES;
    const pins = pinned.get(email) ?? NO_NAMES;
    // Most accounts hold one capability and no pin: the name itself is the key, no text is made.
    // Capability names hold neither `,` nor `|`, so the other keys never meet those.
    const key = pins.length === 0 && stored.length === 1 ? stored[0]! : `${stored.join(',')}|${pins.join(',')}`;
    let number = this.numbers.get(key);
    if (number === undefined) {
      number = this.all.push({ stored, pinned: pins }) - 1;
      this.numbers.set(key, number);
    }
    return number;
  }
}

/** One kind of account of a shared map, in email order, with what a query reads of each. */
class SortedAccounts {
  /** The emails joined by line feeds, and where each starts there; made at the first search. */
  private text: { readonly joined: string; readonly starts: Int32Array } | undefined;
  private numbers: Int32Array | undefined;
  private readonly holders = new WeakMap<CapabilityGraph, Map<string, Uint8Array>>();

  private constructor(
    readonly emails: readonly string[],
    numbers: Int32Array | undefined,
    readonly grants: GrantsTable,
    private readonly users: UserGrants,
    private readonly pinned: UserGrants,
  ) {
    this.numbers = numbers;
  }

  /** `emails`, sorted here, with their grants in `users` and `pinned`. */
  static sorted(emails: string[], users: UserGrants, pinned: UserGrants): SortedAccounts {
    return new SortedAccounts(emails.sort(), undefined, new GrantsTable(), users, pinned);
  }

  /**
   * `earlier` with the accounts of `layer` changed or added: a merge of two sorted lists
   * that reads the grants of the changed accounts only, instead of a sort of them all.
   */
  static derived(earlier: SortedAccounts, layer: ListLayer, users: UserGrants, pinned: UserGrants): SortedAccounts {
    const { overrides, extras, extraAt } = layer;
    const known = earlier.numbers;
    const count = earlier.emails.length + extras.length;
    const emails = new Array<string>(count);
    const numbers = known === undefined ? undefined : new Int32Array(count);
    const numberOf = (email: string): number => earlier.grants.numberOf(email, users, pinned);
    let extra = 0;
    let override = 0;
    let to = 0;
    for (let at = 0; at <= earlier.emails.length; at++) {
      for (; extra < extras.length && extraAt[extra]! <= at; extra++, to++) {
        emails[to] = extras[extra]!;
        if (numbers !== undefined) numbers[to] = numberOf(extras[extra]!);
      }
      if (at === earlier.emails.length) break;
      const email = earlier.emails[at]!;
      while (override < overrides.length && overrides[override]! < at) override++;
      emails[to] = email;
      if (numbers !== undefined) numbers[to] = overrides[override] === at ? numberOf(email) : known![at]!;
      to++;
    }
    return new SortedAccounts(emails, numbers, earlier.grants, users, pinned);
  }

  /** Per account, the number of its grants in `grants`; worked out at the first capability filter. */
  grantNumbers(): Int32Array {
    if (this.numbers !== undefined) return this.numbers;
    const numbers = new Int32Array(this.emails.length);
    for (let at = 0; at < this.emails.length; at++) numbers[at] = this.grants.numberOf(this.emails[at]!, this.users, this.pinned);
    this.numbers = numbers;
    return numbers;
  }

  /** The first account after `after` whose email holds `needle`, or -1. */
  next(needle: string, after: number): number {
    const from = after + 1;
    if (from >= this.emails.length) return -1;
    if (needle === '') return from;
    const { joined, starts } = this.searchable();
    const found = joined.indexOf(needle, starts[from]);
    return found === -1 ? -1 : accountAt(starts, found);
  }

  /** The place of `email` in the list, or `-(insertion place) - 1` when it is not there. */
  placeOf(email: string): number {
    let low = 0;
    let high = this.emails.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = this.emails[middle]!;
      if (found === email) return middle;
      if (found < email) low = middle + 1;
      else high = middle - 1;
    }
    return -low - 1;
  }

  /** Per grants number, 1 when those grants hold `capability` in `graph`; computed once per graph and capability. */
  holding(graph: CapabilityGraph, capability: string): Uint8Array {
    let byCapability = this.holders.get(graph);
    if (byCapability === undefined) this.holders.set(graph, (byCapability = new Map<string, Uint8Array>()));
    let held = byCapability.get(capability);
    if (held === undefined) {
      // The grants of every account of the list are numbered first, so each has its answer.
      this.grantNumbers();
      held = Uint8Array.from(this.grants.all, ({ stored, pinned }) => (graph.closureOf(stored).has(capability) || graph.closureOf(pinned).has(capability) ? 1 : 0));
      byCapability.set(capability, held);
    }
    return held;
  }

  /** One flat string to search: one `indexOf` instead of a look at each email. */
  private searchable(): { readonly joined: string; readonly starts: Int32Array } {
    if (this.text !== undefined) return this.text;
    const starts = new Int32Array(this.emails.length + 1);
    let start = 0;
    for (let at = 0; at < this.emails.length; at++) {
      starts[at] = start;
      start += this.emails[at]!.length + 1;
    }
    starts[this.emails.length] = start;
    this.text = { joined: this.emails.join('\n'), starts };
    return this.text;
  }
}

/** The account whose email covers `offset` of the joined text, from where each starts. */
function accountAt(starts: Int32Array, offset: number): number {
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

interface AccountIndex {
  readonly pinned: UserGrants;
  readonly people: SortedAccounts;
  readonly services: SortedAccounts;
}

const indexes = new WeakMap<UserGrants, AccountIndex>();

/**
 * The accounts of `users` and `pinned`, sorted once per shared map (and pinned block);
 * for a map flattened from layers on an indexed one, carried over from that index.
 */
function accountIndexOf(users: UserGrants, pinned: UserGrants): AccountIndex {
  const cached = indexes.get(users);
  if (cached?.pinned === pinned) return cached;
  const from = flattenedFrom(users);
  const earlier = from === undefined ? undefined : indexes.get(from.base);
  let index: AccountIndex;
  if (from !== undefined && earlier?.pinned === pinned) {
    index = {
      pinned,
      people: SortedAccounts.derived(earlier.people, listLayer(earlier.people, from.changes, false), users, pinned),
      services: SortedAccounts.derived(earlier.services, listLayer(earlier.services, from.changes, true), users, pinned),
    };
  } else {
    const people: string[] = [];
    const services: string[] = [];
    for (const email of users.keys()) (isServiceAccount(email) ? services : people).push(email);
    for (const email of pinned.keys()) if (!users.has(email)) (isServiceAccount(email) ? services : people).push(email);
    index = { pinned, people: SortedAccounts.sorted(people, users, pinned), services: SortedAccounts.sorted(services, users, pinned) };
  }
  indexes.set(users, index);
  return index;
}

/** The accounts changed or added on top of a shared map, as places in its sorted lists. */
interface ListLayer {
  /** Places of shared accounts whose grants changed, ascending. */
  readonly overrides: Int32Array;
  /** Accounts not in the shared map, sorted, and the place each sorts in before. */
  readonly extras: readonly string[];
  readonly extraAt: Int32Array;
}

interface Layer {
  readonly index: AccountIndex;
  readonly people: ListLayer;
  readonly services: ListLayer;
}

const NO_LAYER: ListLayer = { overrides: new Int32Array(0), extras: [], extraAt: new Int32Array(0) };
const layers = new WeakMap<UserGrants, Layer>();

/** Where the accounts changed in `users` (at most about √n) fall in the shared lists; once per policy's grants. */
function layerOf(users: UserGrants, changes: ReadonlyMap<string, readonly string[]>, index: AccountIndex): Layer {
  if (changes.size === 0) return { index, people: NO_LAYER, services: NO_LAYER };
  const cached = layers.get(users);
  if (cached?.index === index) return cached;
  const layer = { index, people: listLayer(index.people, changes, false), services: listLayer(index.services, changes, true) };
  layers.set(users, layer);
  return layer;
}

function listLayer(list: SortedAccounts, changes: ReadonlyMap<string, readonly string[]>, services: boolean): ListLayer {
  const overrides: number[] = [];
  const extras: string[] = [];
  for (const email of changes.keys()) {
    if (isServiceAccount(email) !== services) continue;
    const place = list.placeOf(email);
    if (place >= 0) overrides.push(place);
    else extras.push(email);
  }
  extras.sort();
  return {
    overrides: Int32Array.from(overrides).sort(),
    extras,
    extraAt: Int32Array.from(extras, (email) => -list.placeOf(email) - 1),
  };
}
