/**
 * A clock in milliseconds since the epoch, like `Date.now`: the module's `CLOCK`, which
 * decides every expiry and which a test freezes instead of sleeping.
 */
export type Clock = () => number;

/**
 * The time of `clock` in whole Unix seconds, as tokens, sessions, API keys and
 * revocations carry it.
 *
 * @example
 * nowSeconds(() => 1767268800999); // 1767268800
 */
export function nowSeconds(clock: Clock = Date.now): number {
  return Math.floor(clock() / 1000);
}
