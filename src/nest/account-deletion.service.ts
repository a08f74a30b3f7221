import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { checkedDeletion, USER_MANAGEMENT } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { deleteAccount, type DeletedAccount } from '../stores/account-deletion';
import type { CapabilityStore } from '../stores/capability-store';
import { BearerTokens } from '../tokens/bearer-tokens';
import { CAPABILITY_STORE } from './auth.constants';
import { assertAccess } from './access';

/**
 * Deletes accounts on behalf of a manager (offboarding), for the management route and the
 * admin page: the account, its grants and identity links go from the store, then its
 * tokens and sessions end, on every instance sharing the stores.
 *
 * @example
 * await deletions.delete(manager, 'bob@example.com');
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    private readonly audit: AuditRecorder,
    private readonly tokens: BearerTokens,
  ) {}

  /**
   * Deletes `email` for `manager`, judged on the store's newest state by `checkedDeletion`
   * (a manager whose `user_management` was just removed elsewhere manages no more).
   */
  delete(manager: Principal, email: string): Promise<DeletedAccount> {
    const parts = { store: this.store, audit: this.audit, endTokens: (account: string) => this.tokens.revokeAccount(account) };
    return deleteAccount(parts, manager.email, email, (current) => {
      const held = current.effectiveFor(manager);
      assertAccess(manager, { capability: USER_MANAGEMENT, held: held.has(USER_MANAGEMENT) });
      checkedDeletion(current, held, email);
    });
  }
}
