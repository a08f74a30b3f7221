import { SessionRequiredError } from '../errors';
import type { Principal } from './principal';

/**
 * Throws `SESSION_REQUIRED` unless `creator` signed in through a browser session: a
 * bearer credential (user or service token, API key) that could make a credential of
 * its own would renew itself forever once leaked. `rule` says where the credential is
 * made instead, for the message.
 *
 * @example
 * assertCreatedFromSession(principal, 'a token is minted only from a browser session: sign in and open /token');
 */
export function assertCreatedFromSession(creator: Principal, rule: string): void {
  if (creator.via !== 'session') {
    throw new SessionRequiredError(`${rule}, not with a bearer credential: a credential that could make its successor would renew itself forever once leaked`);
  }
}

/**
 * The latest a credential minted by `minter` may expire (unix seconds): a bearer
 * credential's own expiry, so that nothing it mints outlives it; null (no bound beyond
 * the usual lifetime) for a session, or a bearer credential that never expires.
 *
 * @example
 * expiryBoundOf({ email: 'key:deploy', kind: 'key', via: 'token', expiresAt: 1767225600 }); // 1767225600
 */
export function expiryBoundOf(minter: Principal): number | null {
  return minter.via === 'token' ? (minter.expiresAt ?? null) : null;
}
