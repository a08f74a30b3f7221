import { actorName, type AuditActor, type AuditRecorder } from '../audit/audit-recorder';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { assertCreatedFromSession } from '../capabilities/credential-renewal';
import type { CapabilitySet } from '../capabilities/capability-set';
import { assertCanRevokeKey } from '../capabilities/grant-rules';
import { scopeProblem } from '../capabilities/scope';
import type { ApiKeyRecord } from './api-key';
import { plannedApiKey, type ApiKeyPolicy, type ApiKeyRequest } from './api-key-request';
import type { ApiKeyStore } from './api-key-store';
import { nowSeconds } from '../clock';

/** What creating and revoking keys needs: where keys live, the audit trail, the rules, the clock. */
export interface ApiKeyActions {
  readonly store: ApiKeyStore;
  readonly audit: AuditRecorder;
  readonly rules: ApiKeyPolicy;
  readonly now: () => number;
}

/**
 * Creates a key for `actor` (whose effective set is `creator`, null for an operator)
 * under every rule of `plannedApiKey`, stores its hash and records it in the audit
 * trail (a refusal too). A principal must have signed in by a session: a bearer
 * credential gets `SESSION_REQUIRED`. Resolves with the key, which is never shown again.
 *
 * @example
 * const { key } = await createApiKey(actions, adaSession, policy, adaSet, { name: 'deploy', capabilities: ['write'] });
 */
export function createApiKey(
  actions: ApiKeyActions,
  actor: AuditActor,
  policy: CapabilityPolicy,
  creator: CapabilitySet | null,
  request: ApiKeyRequest,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const requested = `create with ${request.capabilities.join(', ') || '(nothing)'}`;
  return actions.audit.record(
    actor,
    'key_create',
    `key:${String(request.name).slice(0, 64)}`,
    requested,
    async () => {
      if (typeof actor !== 'string') assertCreatedFromSession(actor, 'an API key is created only from a browser session or the command line (nest-capabilities keys create)');
      const planned = plannedApiKey(policy, creator, request, actions.rules, actorName(actor), nowSeconds(actions.now));
      await actions.store.create(planned.record);
      return planned;
    },
    ({ record }) => `created with ${record.capabilities.join(', ')}; ${expiryText(record.expiresAt)}${record.note === '' ? '' : `; note: ${record.note}`}`,
    // Only a scope the request may use names where the key holds; a malformed one is refused before anything is written.
    scopeProblem(request.scope) === undefined ? (request.scope as string) : null,
  );
}

/**
 * Revokes the key `name` at once (every instance sharing the store refuses it from its
 * next use) and records it in the audit trail (a refusal too). The revoker must hold
 * every capability the key carries, as for ending an account's tokens: `revoker` is
 * their effective set under `policy`, or null for an operator on the command line.
 * Rejects with `KEY_UNKNOWN` or `GRANT_FORBIDDEN`.
 *
 * @example
 * await revokeApiKey(actions, 'ada@example.com', 'deploy', { policy, held: adaSet });
 */
export function revokeApiKey(
  actions: ApiKeyActions,
  actor: AuditActor,
  name: string,
  revoker: { readonly policy: CapabilityPolicy; readonly held: CapabilitySet } | null,
): Promise<ApiKeyRecord> {
  const check = revoker === null ? undefined : (record: ApiKeyRecord) => assertCanRevokeKey(revoker.policy, revoker.held, record.capabilities);
  return actions.audit.record(actor, 'key_revoke', `key:${name}`, 'revoke', () => actions.store.revoke(name, check), () => 'revoked');
}

function expiryText(expiresAt: number | null): string {
  return expiresAt === null ? 'never expires' : `expires ${new Date(expiresAt * 1000).toISOString()}`;
}
