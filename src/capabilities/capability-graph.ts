import { CapabilityGraphError } from '../errors';
import { CapabilitySet } from './capability-set';

/** The capability that implies every other one when `autoAdmin` is on. */
export const ADMIN_CAPABILITY = 'admin';

/** The graph as written: each capability and the capabilities it implies directly. */
export type CapabilityDefinitions = ReadonlyMap<string, readonly string[]>;

/**
 * A validated capability graph with its transitive closure computed once.
 * Each capability's closure is a bit set, so checks never walk the graph.
 *
 * @example
 * const graph = CapabilityGraph.build(new Map([['read', []], ['write', ['read']]]), { autoAdmin: true });
 * graph.closureOf(['write']).has('read'); // true
 */
export class CapabilityGraph {
  /** Names in definition order; `admin` last when auto-added. */
  readonly names: readonly string[];
  readonly autoAdmin: boolean;
  private readonly indexByName: ReadonlyMap<string, number>;
  private readonly direct: readonly (readonly string[])[];
  private readonly words: number;
  private readonly closures: Uint32Array;
  private readonly empty: CapabilitySet;
  // Stored grant lists are never changed once stored (a change stores a new list), so
  // the list object itself identifies its closure.
  private readonly closureByGrant = new WeakMap<readonly string[], CapabilitySet>();
  // Another graph's names -> the index of each here (-1: not defined here), for `translated`.
  private readonly indexFrom = new WeakMap<readonly string[], Int32Array>();

  private constructor(definitions: CapabilityDefinitions, autoAdmin: boolean) {
    const names = [...definitions.keys()].filter((name) => !(autoAdmin && name === ADMIN_CAPABILITY));
    const direct: (readonly string[])[] = names.map((name) => definitions.get(name) ?? []);
    if (autoAdmin) {
      // `admin` implies every other capability, including ones added to the file later.
      direct.push(names.slice());
      names.push(ADMIN_CAPABILITY);
    }
    this.names = names;
    this.autoAdmin = autoAdmin;
    this.direct = direct;
    this.indexByName = new Map(names.map((name, index) => [name, index]));
    this.words = Math.max(1, Math.ceil(names.length / 32));
    this.closures = new Uint32Array(this.words * names.length);
    this.empty = new CapabilitySet(new Uint32Array(this.words), this.names, this.indexByName);
    // Checked on the definitions as written, so an `admin` entry that auto_admin replaces
    // may still not name an undefined capability.
    assertReferencesDefined(definitions, this.indexByName);
    this.computeClosures();
  }

  /**
   * Validates `definitions` and computes the closure. Throws `CAPS_UNDEFINED` for an
   * implication that names no capability and `CAPS_CYCLE` with the cycle's path.
   */
  static build(definitions: CapabilityDefinitions, options: { autoAdmin: boolean }): CapabilityGraph {
    return new CapabilityGraph(definitions, options.autoAdmin);
  }

  /** Whether `name` is a capability of this graph. */
  has(name: string): boolean {
    return this.indexByName.has(name);
  }

  /** The index of `name`, or -1; stable for the life of this graph. */
  indexOf(name: string): number {
    return this.indexByName.get(name) ?? -1;
  }

  /** The capabilities `name` implies directly, as written (admin: every other one). */
  impliedBy(name: string): readonly string[] {
    const index = this.indexByName.get(name);
    return index === undefined ? [] : (this.direct[index] ?? []);
  }

  /** The closure of `names` over implication. Unknown names are ignored. */
  closureOf(names: Iterable<string>): CapabilitySet {
    let bits: Uint32Array | undefined;
    for (const name of names) {
      const index = this.indexByName.get(name);
      if (index === undefined) continue;
      bits ??= new Uint32Array(this.words);
      const offset = index * this.words;
      for (let word = 0; word < this.words; word++) bits[word]! |= this.closures[offset + word]!;
    }
    return bits === undefined ? this.empty : new CapabilitySet(bits, this.names, this.indexByName);
  }

  /**
   * The closure of a stored grant list, computed once per list object: a scoped check
   * reads the closures of a few stored lists without building a set.
   */
  closureOfGrant(names: readonly string[]): CapabilitySet {
    let set = this.closureByGrant.get(names);
    if (set === undefined) {
      set = this.closureOf(names);
      this.closureByGrant.set(names, set);
    }
    return set;
  }

  /**
   * A chain of direct implications from `from` to `to` (`[from]` when they are the same),
   * or undefined when `from` does not imply `to`. Each step goes to a child whose
   * closure holds `to`, so no search is made: the walk is as long as the chain.
   *
   * @example graph.implicationPath('moderate', 'read') // ['moderate', 'read']
   */
  implicationPath(from: string, to: string): string[] | undefined {
    const start = this.indexByName.get(from);
    const target = this.indexByName.get(to);
    if (start === undefined || target === undefined || !this.impliesIndex(start, target)) return undefined;
    const path = [from];
    const children = this.direct;
    for (let node = start; node !== target; ) {
      const direct = children[node]!;
      // Straight to the target when it is a direct child (admin's case), else the first child on a way to it.
      const next = direct.includes(to) ? target : this.indexByName.get(direct.find((child) => this.impliesIndex(this.indexByName.get(child)!, target))!)!;
      path.push(this.names[next]!);
      node = next;
    }
    return path;
  }

  /**
   * Whether `from` implies `to` (or is it): one read of the closure computed at build.
   *
   * @example graph.implies('moderate', 'read') // true
   */
  implies(from: string, to: string): boolean {
    const start = this.indexByName.get(from);
    const target = this.indexByName.get(to);
    return start !== undefined && target !== undefined && this.impliesIndex(start, target);
  }

  private impliesIndex(from: number, to: number): boolean {
    return ((this.closures[from * this.words + (to >>> 5)] ?? 0) & (1 << (to & 31))) !== 0;
  }

  /**
   * The names of `set` (of another graph) that this graph also defines, as a set of this
   * graph. The index of each name is looked up once per other graph, not once per set.
   *
   * @example next.graph.translated(current.effective('bob@example.com'))
   */
  translated(set: CapabilitySet): CapabilitySet {
    if (set.sameGraphAs(this.empty)) return set;
    let mapping = this.indexFrom.get(set.graphNames);
    if (mapping === undefined) {
      mapping = Int32Array.from(set.graphNames, (name) => this.indexByName.get(name) ?? -1);
      this.indexFrom.set(set.graphNames, mapping);
    }
    const bits = new Uint32Array(this.words);
    const source = set.bits;
    for (let word = 0; word < source.length; word++) {
      let remaining = source[word]!;
      while (remaining !== 0) {
        const index = mapping[word * 32 + 31 - Math.clz32(remaining & -remaining)] ?? -1;
        remaining &= remaining - 1;
        if (index >= 0) bits[index >>> 5]! |= 1 << (index & 31);
      }
    }
    return new CapabilitySet(bits, this.names, this.indexByName);
  }

  /** The union of several sets of this graph. */
  union(...sets: CapabilitySet[]): CapabilitySet {
    const bits = new Uint32Array(this.words);
    for (const set of sets) {
      for (let word = 0; word < this.words; word++) bits[word]! |= set.bits[word] ?? 0;
    }
    return new CapabilitySet(bits, this.names, this.indexByName);
  }

  /** The capabilities in both `a` and `b`. Both closed means the result is closed too. */
  intersection(a: CapabilitySet, b: CapabilitySet): CapabilitySet {
    const bits = new Uint32Array(this.words);
    for (let word = 0; word < this.words; word++) bits[word] = (a.bits[word] ?? 0) & (b.bits[word] ?? 0);
    return new CapabilitySet(bits, this.names, this.indexByName);
  }

  /** The empty set of this graph. */
  get none(): CapabilitySet {
    return this.empty;
  }

  // Iterative depth-first search in post-order, so that a chain of 10,000 implications
  // does not overflow the stack; each node ORs in its children's finished closures.
  // Locals and child indices resolved once keep the inner loop to typed-array reads.
  private computeClosures(): void {
    const count = this.names.length;
    const words = this.words;
    // A signed view of the same words: `|` yields int32, which then never needs boxing.
    const closures = new Int32Array(this.closures.buffer, this.closures.byteOffset, this.closures.length);
    const childIndices = this.direct.map((children) => Int32Array.from(children, (name) => this.indexByName.get(name)!));
    const state = new Uint8Array(count); // 0 new, 1 on the stack, 2 done
    const stack: number[] = [];
    const childCursor = new Int32Array(count);
    // The added `admin` implies every capability, so its closure is every bit: filled
    // directly instead of ORing ten thousand closures (its children are still walked,
    // so a capability implying admin is still a cycle).
    const admin = this.autoAdmin ? count - 1 : -1;
    for (let root = 0; root < count; root++) {
      if (state[root] === 2) continue;
      stack.push(root);
      state[root] = 1;
      while (stack.length > 0) {
        const node = stack[stack.length - 1]!;
        const children = childIndices[node]!;
        const cursor = childCursor[node]!;
        if (cursor < children.length) {
          childCursor[node] = cursor + 1;
          const child = children[cursor]!;
          if (state[child] === 1) throw cycleError(this.names, stack, child);
          if (state[child] === 0) {
            state[child] = 1;
            stack.push(child);
          }
          continue;
        }
        stack.pop();
        state[node] = 2;
        const offset = node * words;
        closures[offset + (node >>> 5)]! |= 1 << (node & 31);
        if (node === admin) {
          for (let index = 0; index < count; index++) closures[offset + (index >>> 5)]! |= 1 << (index & 31);
          continue;
        }
        for (let c = 0; c < children.length; c++) {
          const childOffset = children[c]! * words;
          for (let word = 0; word < words; word++) closures[offset + word]! |= closures[childOffset + word]!;
        }
      }
    }
  }
}

function assertReferencesDefined(definitions: CapabilityDefinitions, indexByName: ReadonlyMap<string, number>): void {
  for (const [name, children] of definitions) {
    for (const child of children) {
      if (!indexByName.has(child)) {
        throw new CapabilityGraphError(
          'CAPS_UNDEFINED',
          child,
          `capability ${JSON.stringify(name)} implies ${JSON.stringify(child)}, which is not defined`,
          [name, child],
        );
      }
    }
  }
}

function cycleError(names: readonly string[], stack: readonly number[], repeated: number): CapabilityGraphError {
  const path = stack.slice(stack.indexOf(repeated)).concat(repeated).map((index) => names[index]!);
  return new CapabilityGraphError('CAPS_CYCLE', path[0]!, `capability cycle: ${path.join(' -> ')}`, path);
}
