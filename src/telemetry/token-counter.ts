import type { Attributes, Counter, Meter } from '@opentelemetry/api';

/** The metric's name: one count per bearer token the guard accepted, from the cache or verified anew. */
export const TOKENS_VERIFIED_METRIC = 'nest_capabilities.tokens.verified';

const HIT: Attributes = Object.freeze({ cache: 'hit' });
const MISS: Attributes = Object.freeze({ cache: 'miss' });

/**
 * Counts the bearer tokens read by the guard: `cache` `hit` when the token was verified
 * before and answered from memory, `miss` when its signature was checked.
 *
 * @example
 * const tokens = new TokenCounter(moduleMeter());
 * tokens.verified(true);
 */
export class TokenCounter {
  private readonly counter: Counter;

  constructor(meter: Meter) {
    this.counter = meter.createCounter(TOKENS_VERIFIED_METRIC, { description: 'Bearer tokens the guard read, by whether the cache answered', unit: '{token}' });
  }

  verified(fromCache: boolean): void {
    this.counter.add(1, fromCache ? HIT : MISS);
  }
}
