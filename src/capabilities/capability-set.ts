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
