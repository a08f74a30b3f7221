import { credentialTail } from './credential-tail';

/**
 * A bounded map of tokens already verified, so a script calling in a loop pays for
 * the HMAC once. An entry is served only to the very token it was made for, never
 * past that token's expiry; the oldest entry makes room for a new one.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { token: string; value: T; expiresAtMs: number }>();

  constructor(
    /** The clock, in milliseconds, that expires entries. */
    private readonly now: () => number = Date.now,
    private readonly capacity = 10_000,
  ) {}

  get(token: string): T | undefined {
    const key = credentialTail(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers `value` until `expiresAt` (unix seconds; null never expires). */
  set(token: string, value: T, expiresAt: number | null): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(credentialTail(token), { token, value, expiresAtMs: expiresAt === null ? Number.POSITIVE_INFINITY : expiresAt * 1000 });
  }
}
