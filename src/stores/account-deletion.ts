import type { AuditRecorder } from '../audit/audit-recorder';
import { accountCutOffDetail, deletionDetail } from '../audit/change-detail';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { CapabilitiesError, InvalidInputError, StoreUnavailableError } from '../errors';
import type { CapabilityStore } from './capability-store';

/** What an account's deletion removed, and where its tokens were cut off. */
export interface DeletedAccount {
  readonly email: string;
  /** The grants it held under `users`, sorted. */
  readonly grants: readonly string[];
  /** The identity links that signed in to it. */
  readonly identities: readonly string[];
  /** Every token and session of the account issued at or before this unix second is revoked. */
  readonly revokedIssuedUpTo: number;
}

/** What a deletion writes to: the capability store, the audit trail, and the way to end an account's tokens. */
export interface DeletionParts {
  readonly store: CapabilityStore;
  readonly audit: AuditRecorder;
  /** Revokes every token and session of an account issued up to now, as `revoke_all` does; resolves with that second. */
  readonly endTokens: (email: string) => Promise<number>;
}

/**
 * Offboarding: deletes the account `email` from the store on behalf of `actor` (its
 * grants and identity links, through `store.deleteAccount`, judged by `judge` on the
 * store's newest state), then ends every token and session issued to it so far. Each
 * step goes to the audit trail: `delete`, then `revoke_all`. The tokens end second, so
 * that nothing issued before the account was gone survives; should that step fail, the
 * account is gone (its tokens grant no more than any signed-in user holds, a service
 * account's none) and the answer is `STORE_UNAVAILABLE`, saying to finish with `revoke_all`.
 *
 * @example
 * await deleteAccount({ store, audit, endTokens: (email) => tokens.revokeAccount(email) }, 'ada@example.com', 'bob@example.com', (policy) => checkedDeletion(policy, null, 'bob@example.com'));
 */
export async function deleteAccount(parts: DeletionParts, actor: string, email: string, judge: (policy: CapabilityPolicy) => void): Promise<DeletedAccount> {
  const { store, audit, endTokens } = parts;
  const remove = store.deleteAccount?.bind(store);
  if (remove === undefined) throw new InvalidInputError('INVALID_REQUEST', 'email', 'deleting accounts is not available with this capability store');
  let grants: readonly string[] = [];
  let identities: readonly string[] = [];
  await audit.record(
    actor,
    'delete',
    email,
    'delete the account',
    () =>
      remove((policy) => {
        judge(policy);
        grants = [...policy.stored(email)].sort();
        identities = policy.identitiesOf(email);
        return email;
      }),
    () => deletionDetail(grants, identities),
  );
  let revokedIssuedUpTo: number;
  try {
    revokedIssuedUpTo = await audit.record(actor, 'revoke_all', email, 'revoke every token', () => endTokens(email), accountCutOffDetail);
  } catch (error) {
    const reason = error instanceof CapabilitiesError ? ` (${error.code}: ${error.message})` : '';
    throw new StoreUnavailableError(`${email} is deleted, but its tokens and sessions could not be ended yet${reason}; end them with revoke_all`, { cause: error });
  }
  return { email, grants, identities, revokedIssuedUpTo };
}
