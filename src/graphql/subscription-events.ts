import { CapabilitiesError } from '../errors';
import { GraphQlDenial } from './graphql-denial';

/** Checks the subscriber again, against the policy and revocations in force now; throws the module's error to deny. */
export type EventCheck = () => unknown;

/**
 * The checks the guard asked for, by the `info` of the subscribe call it guarded: graphql-js
 * builds one `info` per call, so the wrapped `subscribe` finds exactly its own.
 */
const checksByCall = new WeakMap<object, EventCheck | null>();

interface SubscribeInfo {
  readonly operation?: { readonly operation?: string };
  readonly path?: { readonly prev?: unknown };
}

/** Whether `info` (a resolver's fourth argument) belongs to the root field of a subscription: its `subscribe` call. */
export function isSubscriptionRoot(info: unknown): info is object {
  if (typeof info !== 'object' || info === null) return false;
  const { operation, path } = info as SubscribeInfo;
  return operation?.operation === 'subscription' && path !== undefined && path.prev === undefined;
}

/** Marks a subscribe call as one whose events `checkedEvents` will check (done by the wrapped `subscribe`). */
export function expectEventCheck(info: object): void {
  checksByCall.set(info, null);
}

/**
 * Asks for `check` at every event of this subscribe call; false when the call's `subscribe`
 * was not wrapped to run it (the GraphQL module options lack the module's subscription
 * helper), so the guard can refuse rather than check only once.
 */
export function checkEveryEvent(info: object, check: EventCheck): boolean {
  if (!checksByCall.has(info)) return false;
  checksByCall.set(info, check);
  return true;
}

/** The check the guard asked for on this subscribe call, if any. */
export function eventCheckOf(info: object): EventCheck | undefined {
  const check = checksByCall.get(info);
  checksByCall.delete(info);
  return check ?? undefined;
}

/**
 * The events of `source`, each released only once `check` passes; the first denial closes
 * the source and ends the stream with the denial as a GraphQL error (`UNAUTHENTICATED`,
 * `FORBIDDEN`), so nothing more reaches the subscriber.
 */
export function checkedEvents<T>(source: AsyncIterable<T>, check: EventCheck): AsyncIterableIterator<T> {
  const events = source[Symbol.asyncIterator]();
  const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const close = async (): Promise<void> => {
    try {
      await events.return?.();
    } catch {
      // The denial is what the subscriber must see, not a failure to close the source.
    }
  };
  return {
    async next(): Promise<IteratorResult<T>> {
      const event = await events.next();
      if (event.done === true) return event;
      try {
        await check();
      } catch (error) {
        await close();
        throw error instanceof CapabilitiesError ? new GraphQlDenial(error) : error;
      }
      return event;
    },
    async return(): Promise<IteratorResult<T>> {
      return (await events.return?.()) ?? finished;
    },
    async throw(error: unknown): Promise<IteratorResult<T>> {
      if (events.throw !== undefined) return events.throw(error);
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Whether `value` can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}
