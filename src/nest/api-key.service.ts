import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-recorder';
import { heldWhere } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import { assertScope } from '../capabilities/scope';
import type { ApiKeyRecord } from '../api-keys/api-key';
import { createApiKey, revokeApiKey, type ApiKeyActions } from '../api-keys/api-key-actions';
import type { ApiKeyRequest } from '../api-keys/api-key-request';
import { API_KEY_STORE, type ApiKeyStore } from '../api-keys/api-key-store';
import { AUTH_CONFIG, CLOCK } from './auth.constants';
import type { AuthConfig } from './auth-config';
import { CapabilityService } from './capability.service';

/**
 * API keys for application code and the module's routes: create (never more than the
 * creator holds), list, revoke, each written to the audit trail.
 *
 * @example
 * const { key } = await apiKeys.create(manager, { name: 'deploy', capabilities: ['write'], note: 'CI' });
 */
@Injectable()
export class ApiKeyService {
  private readonly actions: ApiKeyActions;

  constructor(
    @Inject(API_KEY_STORE) private readonly store: ApiKeyStore,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    private readonly capabilities: CapabilityService,
    audit: AuditRecorder,
    @Inject(CLOCK) now: () => number,
  ) {
    this.actions = { store, audit, rules: config.apiKeys, now };
  }

  /**
   * Creates a key on behalf of `creator`, who must have signed in by a session
   * (`SESSION_REQUIRED` for a bearer credential) and hold all it carries (at
   * `request.scope` for a key limited to a scope); resolves with the key (shown once) and its record.
   */
  create(creator: Principal, request: ApiKeyRequest): Promise<{ key: string; record: ApiKeyRecord }> {
    const policy = this.capabilities.policy();
    const scope = request.scope === undefined ? undefined : assertScope(request.scope);
    return createApiKey(this.actions, creator, policy, heldWhere(policy, creator, scope), request);
  }

  /** The keys not revoked, oldest first. */
  list(): ApiKeyRecord[] {
    return this.store.current().unrevoked();
  }

  /**
   * Revokes the key `name` on behalf of `actor`, who must hold every capability it
   * carries; rejects with `KEY_UNKNOWN` or `GRANT_FORBIDDEN`.
   */
  revoke(actor: Principal, name: string): Promise<ApiKeyRecord> {
    return revokeApiKey(this.actions, actor, name, { policy: this.capabilities.policy(), held: this.capabilities.effectiveSet(actor) });
  }
}
