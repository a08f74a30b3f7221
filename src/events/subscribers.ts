/**
 * The listeners of one kind of change, told in the order they subscribed. A listener
 * that throws is reported and the others are still told: the change has been made
 * (a revocation is in force, a grant is written), and nobody who listens to it can
 * undo it or keep it from being saved.
 *
 * @example
 * const subscribers = new Subscribers<[CapabilityPolicy]>('capability store', (message) => logger.error(message));
 * const unsubscribe = subscribers.add((policy) => cache.clear());
 * subscribers.notify(policy);
 */
export class Subscribers<Args extends readonly unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>();

  /**
   * `source` names what is listened to in the report of a failed listener; `report` logs it
   * (the console by default, as the stores' default logger does with errors).
   */
  constructor(
    private readonly source: string,
    private readonly report: (message: string) => void = (message) => console.error(message),
  ) {}

  /** Adds `listener`; the function returned removes it. */
  add(listener: (...args: Args) => void): () => void {
    // A wrapper of its own, so the same function subscribed twice unsubscribes once.
    const subscription = (...args: Args): void => listener(...args);
    this.listeners.add(subscription);
    return () => void this.listeners.delete(subscription);
  }

  notify(...args: Args): void {
    // A copy: a listener may unsubscribe, or subscribe another, while being told.
    for (const listener of [...this.listeners]) {
      try {
        listener(...args);
      } catch (error) {
        this.report(`a subscriber of the ${this.source} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
