/**
 * A publish/subscribe channel for subscription tests that knows its listeners, so a test
 * publishes once a subscription is really listening and sees when the server closed it.
 */
export class EventChannel {
  private readonly listeners = new Map<string, Set<(event: unknown) => void>>();

  /** The events published on `topic` from now on, until the iterator is closed. */
  listen(topic: string): AsyncIterableIterator<unknown> {
    const queued: unknown[] = [];
    let waiting: ((result: IteratorResult<unknown>) => void) | undefined;
    const deliver = (event: unknown): void => {
      if (waiting === undefined) queued.push(event);
      else {
        waiting({ value: event, done: false });
        waiting = undefined;
      }
    };
    const listeners = this.listeners.get(topic) ?? new Set();
    this.listeners.set(topic, listeners.add(deliver));
    const finished: IteratorReturnResult<undefined> = { value: undefined, done: true };
    return {
      next: () => (queued.length > 0 ? Promise.resolve({ value: queued.shift(), done: false }) : new Promise((resolve) => (waiting = resolve))),
      return: () => {
        listeners.delete(deliver);
        waiting?.(finished);
        waiting = undefined;
        return Promise.resolve(finished);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  publish(topic: string, event: unknown): void {
    for (const deliver of this.listeners.get(topic) ?? []) deliver(event);
  }

  listening(topic: string): number {
    return this.listeners.get(topic)?.size ?? 0;
  }
}
