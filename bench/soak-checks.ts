/**
 * What the soak checks, apart from how it drives the instances: the manager's writes
 * against the store's state around each of them, and the readers' answers against the
 * states each account could have had when they were asked.
 */

/** The capabilities the manager grants, and the routes the readers ask (each guarded by its name). */
export const SOAK_CAPABILITIES = ['read', 'bake', 'arrest', 'racket'] as const;
export const READ_ROUTES = ['bake', 'arrest', 'racket'] as const;

/** How long after a write is acknowledged every instance must enforce it (CONTRACT §5). */
export const PROPAGATION_BOUND_MS = 100;

/** One management call: `add`, `remove` or `set`, as the routes of the same names take it. */
export type Edit = { readonly kind: 'add' | 'remove'; readonly capability: string } | { readonly kind: 'set'; readonly capabilities: readonly string[] };

/** A list of capabilities as a set, sorted: the store keeps the order of the calls, the checks do not care. */
export function canonical(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = canonical(a);
  const y = canonical(b);
  return x.length === y.length && x.every((name, index) => name === y[index]);
}

/** The account's list after `edit`, as the store should hold it. */
export function applied(edit: Edit, before: readonly string[]): string[] {
  switch (edit.kind) {
    case 'add':
      return canonical([...before, edit.capability]);
    case 'remove':
      return canonical(before.filter((name) => name !== edit.capability));
    case 'set':
      return canonical(edit.capabilities);
  }
}

/** The call that undoes `edit` made on `before`. */
export function inverse(edit: Edit, before: readonly string[]): Edit {
  switch (edit.kind) {
    case 'add':
      return { kind: 'remove', capability: edit.capability };
    case 'remove':
      return { kind: 'add', capability: edit.capability };
    case 'set':
      return { kind: 'set', capabilities: canonical(before) };
  }
}

export function describeEdit(edit: Edit): string {
  return edit.kind === 'set' ? `set [${edit.capabilities.join(', ')}]` : `${edit.kind} ${edit.capability}`;
}

/** One write of the manager, with the store's state for its account read just before and just after it. */
export interface WriteRecord {
  readonly account: string;
  readonly edit: Edit;
  readonly instance: string;
  /** When it was sent and when its answer came (performance.now() of the bench). */
  readonly sentAt: number;
  readonly answeredAt: number;
  /** 0 when no answer came (the connection failed). */
  readonly status: number;
  readonly code: string | undefined;
  /** The answer's list, for a 200. */
  readonly answered: readonly string[] | undefined;
  /** The account's list in the store before the write was sent, and right after its answer. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** Sent to the instance cut from Redis while it was cut. */
  readonly duringCut: boolean;
  /** Sent as soon as the write before it (its inverse) was answered, through another instance. */
  readonly inverseOfPrevious: boolean;
}

export function isNoOp(write: Pick<WriteRecord, 'edit' | 'before'>): boolean {
  return sameSet(applied(write.edit, write.before), write.before);
}

/** A 200 the store does not bear out: its change is missing from the state right after, or its list is not that state. */
export function lostWrite(write: WriteRecord): { effectMissing: boolean; listDiffers: boolean } | undefined {
  if (write.status !== 200) return undefined;
  const effectMissing = !sameSet(write.after, applied(write.edit, write.before));
  const listDiffers = write.answered === undefined || !sameSet(write.answered, write.after);
  return effectMissing || listDiffers ? { effectMissing, listDiffers } : undefined;
}

/** A write answered with anything but 200 whose change reached the store all the same. */
export function refusedButApplied(write: WriteRecord): boolean {
  return write.status !== 200 && !sameSet(write.after, write.before);
}

/** What the instance cut from Redis must answer to every write while cut, a no-op or not. */
export function answeredAsUnavailable(write: WriteRecord): boolean {
  return write.status === 503 && write.code === 'STORE_UNAVAILABLE';
}

export function showWrite(write: WriteRecord): string {
  const answer = write.status === 200 ? `200 [${(write.answered ?? []).join(', ')}]` : `${write.status} ${write.code ?? ''}`.trim();
  return `${describeEdit(write.edit)} for ${write.account} through ${write.instance} → ${answer}; the store: [${write.before.join(', ')}] before, [${write.after.join(', ')}] after`;
}

/**
 * The states one account went through, as a bit set of SOAK_CAPABILITIES each, in the
 * order of the writes (the manager writes one at a time, so that order is the store's):
 * state j may be seen from the moment write j was sent, and no longer once write j+1
 * has been answered for PROPAGATION_BOUND_MS.
 */
export class AccountTimeline {
  private readonly sentAt: number[] = [Number.NEGATIVE_INFINITY];
  private readonly answeredAt: number[] = [Number.NEGATIVE_INFINITY];
  private readonly states: number[];

  constructor(initial: readonly string[]) {
    this.states = [bitsOf(initial)];
  }

  push(sentAt: number, answeredAt: number, state: readonly string[]): void {
    this.sentAt.push(sentAt);
    this.answeredAt.push(answeredAt);
    this.states.push(bitsOf(state));
  }

  /**
   * Whether an answer that said `held` for `route`, asked at `askedAt` and answered at
   * `answeredAt`, shows a state the account no longer had PROPAGATION_BOUND_MS before it
   * was asked (false when it matches any state it may have had meanwhile).
   */
  isLate(route: number, held: boolean, askedAt: number, answeredAt: number): boolean {
    const bit = 1 << route;
    // From the newest state written before the answer came, back to the last one not superseded too long before the question.
    for (let j = lastAtOrBefore(this.sentAt, answeredAt); j >= 0; j--) {
      const supersededAt = this.answeredAt[j + 1];
      if (supersededAt !== undefined && supersededAt + PROPAGATION_BOUND_MS <= askedAt) return true;
      if (((this.states[j]! & bit) !== 0) === held) return false;
    }
    return true;
  }
}

/** The index of a route of READ_ROUTES in SOAK_CAPABILITIES's bits. */
export function routeBit(route: (typeof READ_ROUTES)[number]): number {
  return SOAK_CAPABILITIES.indexOf(route);
}

function bitsOf(list: readonly string[]): number {
  return list.reduce((bits, name) => {
    const index = (SOAK_CAPABILITIES as readonly string[]).indexOf(name);
    return index < 0 ? bits : bits | (1 << index);
  }, 0);
}

/** The largest index whose value is at most `time` (values ascending), or -1. */
function lastAtOrBefore(values: readonly number[], time: number): number {
  let low = 0;
  let high = values.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (values[middle]! <= time) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}
