/**
 * How long this instance's copy may still be trusted: until `maxStalenessMs` after the
 * last moment it was known to be up to date with Redis. Asked on every guarded
 * request, so it is one comparison with the clock.
 *
 * @example
 * const freshness = new Freshness(30_000);
 * freshness.confirm(Date.now()); // after reading the log to its end
 * freshness.isStale(); // false for 30 s
 */
export class Freshness {
  private trustedUntil: number;

  constructor(
    readonly maxStalenessMs: number,
    /** The clock, in milliseconds. */
    readonly now: () => number = Date.now,
  ) {
    this.trustedUntil = now() + maxStalenessMs;
  }

  /** The copy was up to date with Redis at `atMs` (a time taken before asking Redis). */
  confirm(atMs: number): void {
    this.trustedUntil = Math.max(this.trustedUntil, atMs + this.maxStalenessMs);
  }

  isStale(): boolean {
    return this.now() > this.trustedUntil;
  }

  /** Milliseconds since the copy was last known to be up to date (since it was made, before the first confirmation). */
  lagMs(): number {
    return Math.max(0, this.now() - (this.trustedUntil - this.maxStalenessMs));
  }
}
