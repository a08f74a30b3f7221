import type { CapabilityPolicy } from '../capabilities/capability-policy';
import type { CapabilitySet } from '../capabilities/capability-set';
import { expiryBoundOf } from '../capabilities/credential-renewal';
import { assertCanMintServiceToken } from '../capabilities/grant-rules';
import type { Principal } from '../capabilities/principal';
import type { BearerTokens } from './bearer-tokens';

/** A service token just minted, with what it carries. */
export interface MintedServiceToken {
  readonly token: string;
  /** The service account, canonical. */
  readonly email: string;
  /** The snapshot in the token: the account's effective capabilities when minted, sorted. */
  readonly capabilities: readonly string[];
  /** Unix seconds, or null for a token that never expires. */
  readonly expiresAt: number | null;
  /** The scope the token is limited to; undefined for a token that holds globally. */
  readonly scope?: string | undefined;
}

/**
 * Mints a service token for `email` under `policy`, the one way `GET /token?user=`,
 * the command line and the testing kit all do it: the rules of
 * `assertCanMintServiceToken`, then a token carrying the account's effective set,
 * expiring no later than the bearer credential of `minter` (when a request mints it).
 *
 * @example
 * const minted = mintServiceToken(tokens, store.current(), 'bot@service', { manager: null });
 * fetch(url, { headers: { authorization: `Bearer ${minted.token}` } });
 */
export function mintServiceToken(
  tokens: BearerTokens,
  policy: CapabilityPolicy,
  email: string,
  options: {
    readonly manager: CapabilitySet | null;
    readonly minter?: Principal | undefined;
    readonly ttlSeconds?: number | null | undefined;
    /** A token limited to this scope (the manager's set is then the one at it). */
    readonly scope?: string | undefined;
  },
): MintedServiceToken {
  const capabilities = assertCanMintServiceToken(policy, options.manager, email, options.scope).toArray();
  const notAfter = options.minter === undefined ? null : expiryBoundOf(options.minter);
  const issued = tokens.issueServiceToken(email, capabilities, options.ttlSeconds, notAfter, options.scope);
  return { token: issued.token, email, capabilities, expiresAt: issued.expiresAt, scope: options.scope };
}

/** The JSON answer of `GET /token?user=` (and of `nest-capabilities token --json`); `scope` only for a token limited to one. */
export function serviceTokenAnswer(minted: MintedServiceToken): {
  service_token: string;
  user: string;
  capabilities: readonly string[];
  expires_at: number | null;
  scope?: string;
} {
  const answer = { service_token: minted.token, user: minted.email, capabilities: minted.capabilities, expires_at: minted.expiresAt };
  return minted.scope === undefined ? answer : { ...answer, scope: minted.scope };
}
