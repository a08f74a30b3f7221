import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { assertEmail, isServiceAccount } from '../capabilities/email';
import { assertCanMintServiceToken } from '../capabilities/grant-rules';
import { assertScope } from '../capabilities/scope';
import { assertWellFormedText } from '../capabilities/well-formed-text';
import { ClientError, InvalidInputError } from '../errors';
import { generateClientId, generateClientSecret, hashClientSecret, type ClientRecord } from './client';

/** Longest client name kept, in characters. */
export const MAX_CLIENT_NAME_LENGTH = 100;

/** What a request to create a client asks for, before any check. */
export interface ClientRequest {
  readonly account: unknown;
  readonly name?: unknown;
  /** A client limited to this scope path; the creator's set is then the one at it. Undefined: globally. */
  readonly scope?: unknown;
}

/**
 * A new client, its secret and its record, after every rule: the account is a service
 * account (`SERVICE_ACCOUNT_REQUIRED`) of the store now (`UNKNOWN_ACCOUNT`), the
 * creator holds every capability the account holds (at the scope, for a client limited
 * to one; `GRANT_FORBIDDEN`; `creator` null for an operator on the command line), a
 * short well-formed name, a valid scope. Nothing is stored here.
 *
 * @example
 * const { secret, record } = plannedClient(policy, managerSet, { account: 'bot@service' }, 'ada@example.com', now);
 */
export function plannedClient(
  policy: CapabilityPolicy,
  creator: CapabilitySet | null,
  request: ClientRequest,
  createdBy: string,
  nowSeconds: number,
): { secret: string; record: ClientRecord } {
  const account = assertServiceAccount(request.account);
  const scope = request.scope === undefined ? undefined : assertScope(request.scope);
  // The rules of a service token: whoever could mint one for the account may give it a client.
  assertCanMintServiceToken(policy, creator, account, scope);
  const secret = generateClientSecret();
  const record: ClientRecord = {
    clientId: generateClientId(),
    account,
    name: clientName(request.name),
    hash: hashClientSecret(secret),
    createdBy,
    createdAt: nowSeconds,
    revokedAt: null,
    ...(scope === undefined ? {} : { scope }),
  };
  return { secret, record };
}

/** The canonical service account in `value`; `SERVICE_ACCOUNT_REQUIRED` for a person's email. */
export function assertServiceAccount(value: unknown, field = 'account'): string {
  const account = assertEmail(value, field);
  if (!isServiceAccount(account)) {
    throw new ClientError('SERVICE_ACCOUNT_REQUIRED', '', `OAuth clients are only for service accounts (name@service), not ${account}`);
  }
  return account;
}

function clientName(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MAX_CLIENT_NAME_LENGTH) {
    throw new InvalidInputError('INVALID_REQUEST', 'name', `"name" must be text of at most ${MAX_CLIENT_NAME_LENGTH} characters`);
  }
  return assertWellFormedText(value, 'name');
}
