/**
 * An immutable set of capabilities of one graph, as a bit set: membership is one
 * array read and one mask, whatever the size of the graph.
 */
export class CapabilitySet {
  /** @internal */
  readonly bits: Uint32Array;
  private readonly names: readonly string[];
  private readonly indexByName: ReadonlyMap<string, number>;
  private sortedNames: readonly string[] | undefined;

  /** @internal Built by `CapabilityGraph`; user code gets sets from the graph or the policy. */
  constructor(bits: Uint32Array, names: readonly string[], indexByName: ReadonlyMap<string, number>) {
    this.bits = bits;
    this.names = names;
    this.indexByName = indexByName;
  }

  /** Whether the set holds the capability at `index` in its graph. */
  hasIndex(index: number): boolean {
    return index >= 0 && ((this.bits[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  /** Whether the set holds `capability`. An unknown name is never held. */
  has(capability: string): boolean {
    const index = this.indexByName.get(capability);
    return index !== undefined && this.hasIndex(index);
  }

  /** Whether every capability of `other` (of the same graph) is in this set. */
  covers(other: CapabilitySet): boolean {
    const mine = this.bits;
    const theirs = other.bits;
    for (let word = 0; word < theirs.length; word++) {
      // `&` yields a signed 32-bit number while Uint32Array reads are unsigned, so compare
      // the bits that are wanted and missing with zero rather than the masked word with `wanted`.
      if (((theirs[word] ?? 0) & ~(mine[word] ?? 0)) !== 0) return false;
    }
    return true;
  }

  /** The capabilities of `other` that this set lacks, sorted. */
  missingFrom(other: CapabilitySet): string[] {
    return other.toArray().filter((name) => !this.has(name));
  }

  /** @internal The names of this set's graph, by index; a graph's identity for `CapabilityGraph.translated`. */
  get graphNames(): readonly string[] {
    return this.names;
  }

  /** Whether `other` is a set of the same graph (so their bits can be compared word by word). */
  sameGraphAs(other: CapabilitySet): boolean {
    return this.names === other.names;
  }

  /**
   * The names in the set for which `keep` is true, sorted. Walks the graph's names in
   * sorted order (computed once per graph), so a large result needs no sort of its own.
   */
  namesWhere(keep: (name: string, index: number) => boolean): string[] {
    const result: string[] = [];
    if (this.count() > SORT_AFTER_AT_MOST) {
      for (const index of sortedOrderOf(this.names)) {
        if (this.hasIndex(index) && keep(this.names[index]!, index)) result.push(this.names[index]!);
      }
      return result;
    }
    // A few names: read only the words that hold one, then sort what was kept.
    const bits = this.bits;
    for (let word = 0; word < bits.length; word++) {
      let remaining = bits[word]!;
      while (remaining !== 0) {
        const index = word * 32 + 31 - Math.clz32(remaining & -remaining);
        remaining &= remaining - 1;
        const name = this.names[index];
        if (name !== undefined && keep(name, index)) result.push(name);
      }
    }
    return result.sort();
  }

  private count(): number {
    let total = 0;
    for (let word = 0; word < this.bits.length; word++) {
      let remaining = this.bits[word]!;
      while (remaining !== 0) {
        remaining &= remaining - 1;
        total++;
      }
    }
    return total;
  }

  /** The names in the set, sorted; computed once. */
  toArray(): readonly string[] {
    if (this.sortedNames === undefined) {
      const result: string[] = [];
      for (let index = 0; index < this.names.length; index++) {
        if (this.hasIndex(index)) result.push(this.names[index] as string);
      }
      this.sortedNames = result.sort();
    }
    return this.sortedNames;
  }

  get size(): number {
    return this.toArray().length;
  }
}

/** Above this many names, walking the graph's sorted order beats sorting the names found. */
const SORT_AFTER_AT_MOST = 256;

const sortedOrders = new WeakMap<readonly string[], Int32Array>();

/** The indices of `names` in the order of the names sorted, computed once per graph's names. */
function sortedOrderOf(names: readonly string[]): Int32Array {
  let order = sortedOrders.get(names);
  if (order === undefined) {
    order = Int32Array.from(names.keys()).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    sortedOrders.set(names, order);
  }
  return order;
}
