import { RevocationLimitError } from '../errors';
import { nowSeconds } from '../clock';

/** How many revoked tokens of one account may be kept while they are live. */
export const MAX_LIVE_REVOCATIONS_PER_ACCOUNT = 100;

/**
 * Bounds the revoked tokens kept per account while they are live, so that a signed-in
 * user minting and revoking tokens in a loop cannot grow the revocation list without
 * end: past the bound, `revoke_all` (one entry per account) ends them all at once.
 * Counted by this process, from its own revocations; an entry leaves the count when
 * its token expires, as it leaves the revocation list.
 *
 * @example
 * const release = quota.reserve('bob@example.com', expiresAt); // throws REVOCATION_LIMIT when full
 * await store.revokeToken(id, expiresAt).catch((error) => { release(); throw error; });
 */
export class RevocationQuota {
  private readonly expiriesByAccount = new Map<string, number[]>();

  constructor(
    private readonly max = MAX_LIVE_REVOCATIONS_PER_ACCOUNT,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Counts one more revoked token of `email`, live until `expiresAt` (unix seconds, null
   * never); throws `REVOCATION_LIMIT` when the account has `max` already. Returns the
   * function that takes the count back, for a revocation that failed.
   */
  reserve(email: string, expiresAt: number | null): () => void {
    const now = nowSeconds(this.now);
    const live = (this.expiriesByAccount.get(email) ?? []).filter((expiry) => expiry >= now);
    if (live.length >= this.max) {
      this.expiriesByAccount.set(email, live);
      throw new RevocationLimitError(
        `${email} has ${this.max} revoked tokens that have not expired yet: end all of its tokens at once with POST /token/revoke_all instead`,
      );
    }
    const expiry = expiresAt ?? Number.POSITIVE_INFINITY;
    live.push(expiry);
    this.expiriesByAccount.set(email, live);
    return () => {
      const index = live.indexOf(expiry);
      if (index >= 0) live.splice(index, 1);
    };
  }
}
