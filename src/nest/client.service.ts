import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { heldWhere } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { assertScope } from '../capabilities/scope';
import type { ClientRecord } from '../clients/client';
import { createClient, revokeClient, type ClientActions } from '../clients/client-actions';
import type { ClientRequest } from '../clients/client-request';
import { CLIENT_STORE, type ClientStore } from '../clients/client-store';
import { CLOCK } from './auth.constants';
import { CapabilityService } from './capability.service';

/**
 * OAuth clients of service accounts, for application code and the module's routes:
 * create (only by whoever holds all the account holds), list, revoke, each written to
 * the audit trail.
 *
 * @example
 * const { secret, record } = await clients.create(manager, { account: 'bot@service', name: 'nightly' });
 */
@Injectable()
export class ClientService {
  private readonly actions: ClientActions;

  constructor(
    @Inject(CLIENT_STORE) private readonly store: ClientStore,
    private readonly capabilities: CapabilityService,
    audit: AuditRecorder,
    @Inject(CLOCK) now: () => number,
  ) {
    this.actions = { store, audit, now };
  }

  /**
   * Creates a client on behalf of `creator`, who must have signed in by a session
   * (`SESSION_REQUIRED` for a bearer credential) and hold everything the account holds
   * (at `request.scope` for a client limited to one); resolves with the secret (shown
   * once) and the record.
   */
  create(creator: Principal, request: ClientRequest): Promise<{ secret: string; record: ClientRecord }> {
    const policy = this.capabilities.policy();
    const scope = request.scope === undefined ? undefined : assertScope(request.scope);
    return createClient(this.actions, creator, policy, heldWhere(policy, creator, scope), request);
  }

  /** The clients not revoked, oldest first. */
  list(): ClientRecord[] {
    return this.store.current().unrevoked();
  }

  /** Revokes the client `clientId` on behalf of `actor`, who must hold all its account holds; rejects `CLIENT_UNKNOWN` or `GRANT_FORBIDDEN`. */
  revoke(actor: Principal, clientId: string): Promise<ClientRecord> {
    return revokeClient(this.actions, actor, clientId, { policy: this.capabilities.policy(), held: this.capabilities.effectiveSet(actor) });
  }
}
