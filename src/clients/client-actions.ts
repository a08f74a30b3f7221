import { actorName, type AuditActor, type AuditRecorder } from '../audit/audit-recorder';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { assertCreatedFromSession } from '../capabilities/credential-renewal';
import { assertCanEndTokensOf } from '../capabilities/grant-rules';
import { scopeProblem } from '../capabilities/scope';
import { nowSeconds } from '../clock';
import type { ClientRecord } from './client';
import { plannedClient, type ClientRequest } from './client-request';
import type { ClientStore } from './client-store';

/** What creating and revoking clients needs: where clients live, the audit trail, the clock. */
export interface ClientActions {
  readonly store: ClientStore;
  readonly audit: AuditRecorder;
  readonly now: () => number;
}

/**
 * Creates a client for a service account on behalf of `actor` (whose set is `creator`,
 * at the client's scope when it has one; null for an operator) under every rule of
 * `plannedClient`, stores its secret's hash and records it in the audit trail (a refusal
 * too). A principal must have signed in by a session: a bearer credential gets
 * `SESSION_REQUIRED`. Resolves with the secret, which is never shown again.
 *
 * @example
 * const { secret, record } = await createClient(actions, adaSession, policy, adaSet, { account: 'bot@service' });
 */
export function createClient(
  actions: ClientActions,
  actor: AuditActor,
  policy: CapabilityPolicy,
  creator: CapabilitySet | null,
  request: ClientRequest,
): Promise<{ secret: string; record: ClientRecord }> {
  const target = typeof request.account === 'string' ? request.account.toLowerCase().slice(0, 320) : '';
  return actions.audit.record(
    actor,
    'client_create',
    target,
    'create an OAuth client',
    async () => {
      if (typeof actor !== 'string') assertCreatedFromSession(actor, 'an OAuth client is created only from a browser session or the command line (nest-capabilities clients create)');
      const planned = plannedClient(policy, creator, request, actorName(actor), nowSeconds(actions.now));
      await actions.store.create(planned.record);
      return planned;
    },
    ({ record }) => `created client ${record.clientId}${record.name === '' ? '' : ` (${record.name})`}`,
    scopeProblem(request.scope) === undefined ? (request.scope as string) : null,
  );
}

/**
 * Revokes the client `clientId` at once (it authenticates no more, and its tokens are
 * refused from their next use on every instance) and records it in the audit trail.
 * The revoker must hold every capability of the client's account (`revoker` null: an
 * operator). Rejects with `CLIENT_UNKNOWN` or `GRANT_FORBIDDEN`.
 *
 * @example
 * await revokeClient(actions, 'ada@example.com', 'ncc_…', { policy, held: adaSet });
 */
export function revokeClient(
  actions: ClientActions,
  actor: AuditActor,
  clientId: string,
  revoker: { readonly policy: CapabilityPolicy; readonly held: CapabilitySet } | null,
): Promise<ClientRecord> {
  const check = revoker === null ? undefined : (record: ClientRecord) => assertCanEndTokensOf(revoker.policy, revoker.held, record.account);
  return actions.audit.record(actor, 'client_revoke', `client:${clientId.slice(0, 64)}`, 'revoke', () => actions.store.revoke(clientId, check), (record) => `revoked the client of ${record.account}`);
}
