import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { ServiceAccountRoster } from '../capabilities/service-accounts';
import type { CapabilityStore } from '../stores/capability-store';
import { BearerTokens } from '../tokens/bearer-tokens';
import { CAPABILITY_STORE } from './auth.constants';

/**
 * Ends the tokens of a service account when the account leaves the store (a hand
 * edit, another instance, an import): a revocation cut-off at that second, through
 * the `RevocationStore`, so that re-creating the account under the same name does not
 * bring its old tokens back. Between the deletion and the cut-off, the account's
 * absence refuses its tokens already.
 */
@Injectable()
export class ServiceAccountCutoffs implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('nest-capabilities');
  private unsubscribe: (() => void) | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    private readonly tokens: BearerTokens,
  ) {}

  onModuleInit(): void {
    const roster = new ServiceAccountRoster(this.store.current());
    this.unsubscribe = this.store.subscribe((policy) => this.cutOff(roster, policy));
  }

  onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    return this.pending;
  }

  private cutOff(roster: ServiceAccountRoster, policy: CapabilityPolicy): void {
    for (const email of roster.observe(policy)) {
      this.pending = this.pending.then(() =>
        this.tokens.revokeAccount(email).then(
          (issuedUpTo) => this.logger.log(`${email} left the capability store: its tokens issued up to ${issuedUpTo} are revoked`),
          (error: unknown) => this.logger.error(`could not revoke the tokens of the deleted account ${email}: ${error instanceof Error ? error.message : String(error)}`),
        ),
      );
    }
  }
}
