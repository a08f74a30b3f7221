import { OAuthError } from '../errors';

/** Failed authentications of one client from one address allowed within the window. */
export const CLIENT_AUTH_FAILURES_ALLOWED = 10;
/** The window failures are counted in, in milliseconds. */
export const CLIENT_AUTH_WINDOW_MS = 60_000;
/** The most (client id, address) pairs remembered; the oldest makes room, so memory stays bounded. */
const MAX_TRACKED = 10_000;

interface Failures {
  count: number;
  readonly since: number;
}

/**
 * Slows down the guessing of client secrets: after `CLIENT_AUTH_FAILURES_ALLOWED`
 * failures of one client id from one address within a minute, that pair is refused
 * with `OAUTH_SLOW_DOWN` (429, `Retry-After`) until the minute is over, a right secret
 * included. At most `MAX_TRACKED` pairs are remembered.
 *
 * @example
 * throttle.assertMayTry(clientId, address);
 * if (!authenticated) throttle.failed(clientId, address);
 */
export class ClientAuthThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    /** The clock, in milliseconds; tests freeze it. */
    private readonly now: () => number = Date.now,
    private readonly capacity = MAX_TRACKED,
  ) {}

  /** Throws `OAUTH_SLOW_DOWN` while the pair has failed too often in the current window. */
  assertMayTry(clientId: string, address: string): void {
    const key = keyOf(clientId, address);
    const found = this.failures.get(key);
    if (found === undefined) return;
    const now = this.now();
    if (now - found.since >= CLIENT_AUTH_WINDOW_MS) {
      this.failures.delete(key);
      return;
    }
    if (found.count < CLIENT_AUTH_FAILURES_ALLOWED) return;
    const retryAfter = Math.max(1, Math.ceil((found.since + CLIENT_AUTH_WINDOW_MS - now) / 1000));
    throw new OAuthError('OAUTH_SLOW_DOWN', `too many failed authentications of this client; try again in ${retryAfter} s`, retryAfter);
  }

  /** Counts one failed authentication of the pair. */
  failed(clientId: string, address: string): void {
    const key = keyOf(clientId, address);
    const now = this.now();
    const found = this.failures.get(key);
    if (found !== undefined && now - found.since < CLIENT_AUTH_WINDOW_MS) {
      found.count += 1;
      return;
    }
    this.failures.delete(key);
    if (this.failures.size >= this.capacity) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(key, { count: 1, since: now });
  }

  /** How many pairs are remembered now. */
  get size(): number {
    return this.failures.size;
  }
}

// A client id may hold any character a form can carry; the address is last and has no line feed.
function keyOf(clientId: string, address: string): string {
  return `${address}\n${clientId.slice(0, 256)}`;
}
