import { Inject, Injectable } from '@nestjs/common';
import { accountExists } from '../capabilities/service-accounts';
import { hashClientSecret, secretMatches, type ClientRecord } from '../clients/client';
import { ClientAuthThrottle } from '../clients/client-auth-throttle';
import { CLIENT_STORE, type ClientStore } from '../clients/client-store';
import { grantedCapabilities } from '../clients/granted-scope';
import { OAuthError } from '../errors';
import type { CapabilityStore } from '../stores/capability-store';
import { BearerTokens } from '../tokens/bearer-tokens';
import { AUTH_CONFIG, CAPABILITY_STORE, CLOCK } from './auth.constants';
import type { AuthConfig } from './auth-config';
import { assertStoreFresh } from './capability.guard';

/** The grant type this token endpoint supports (RFC 6749 §4.4). */
export const CLIENT_CREDENTIALS = 'client_credentials';

// Compared against when the client id is unknown, so that an unknown id costs what a known one does.
const NO_SUCH_SECRET_HASH = hashClientSecret('ncs_unknown-client');

/** A token request as the client sent it, read from the form and the Authorization header. */
export interface TokenRequest {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly grantType: string | undefined;
  readonly scope: string | undefined;
  /** Where the request came from: failures are counted per client id and address. */
  readonly address: string;
}

/** RFC 6749 §5.1: the successful answer. */
export interface AccessTokenAnswer {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

/**
 * The client-credentials grant (RFC 6749 §4.4): authenticates the client, judges the
 * grant type and the scope, and issues an RFC 9068 access token for the client's
 * service account. Every refusal is an `OAuthError`; failed authentications are slowed down.
 *
 * @example
 * const answer = grant.grant({ clientId, clientSecret, grantType: 'client_credentials', scope: 'read', address });
 */
@Injectable()
export class ClientCredentialsGrant {
  private readonly throttle: ClientAuthThrottle;

  constructor(
    @Inject(CLIENT_STORE) private readonly clients: ClientStore,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly tokens: BearerTokens,
    @Inject(CLOCK) now: () => number,
  ) {
    this.throttle = new ClientAuthThrottle(now);
  }

  grant(request: TokenRequest): AccessTokenAnswer {
    const client = this.authenticate(request, request.address);
    assertStoreFresh(this.store);
    assertClientCredentialsGrant(request.grantType);
    const policy = this.store.current();
    if (!accountExists(policy, client.account)) throw new OAuthError('OAUTH_INVALID_CLIENT', 'the service account of this client no longer exists');
    this.assertClientNotCutOff(client);
    const capabilities = grantedCapabilities(policy, client, request.scope);
    const ttl = this.config.clientTokenTtlSeconds;
    const issued = this.tokens.issueClientToken(client.account, client.clientId, capabilities, ttl, client.scope);
    return { access_token: issued.token, token_type: 'Bearer', expires_in: ttl, scope: capabilities.join(' ') };
  }

  /**
   * Throws `OAUTH_INVALID_CLIENT` for a client made before every credential of its
   * account was ended (the account deleted, or `revoke_all`): a service account deleted
   * and made again under the same name does not bring its old clients back.
   */
  private assertClientNotCutOff(client: ClientRecord): void {
    if (this.tokens.revocations.isRevoked({ tokenId: client.clientId, email: client.account, issuedAt: client.createdAt })) {
      throw new OAuthError('OAUTH_INVALID_CLIENT', 'every credential of this service account issued before a later time has been ended, this client with them');
    }
  }

  /**
   * The live client whose id and secret `credentials` holds, sent from `address`:
   * `OAUTH_INVALID_CLIENT` (counted against the pair) or `OAUTH_SLOW_DOWN`. The one
   * place a client authenticates: at the token endpoint, and at introspection and revocation.
   */
  authenticate(credentials: { readonly clientId: string; readonly clientSecret: string }, address: string): ClientRecord {
    this.throttle.assertMayTry(credentials.clientId, address);
    const client = this.clients.current().live(credentials.clientId);
    const matches = secretMatches(credentials.clientSecret, client?.hash ?? NO_SUCH_SECRET_HASH);
    if (client === undefined || !matches) {
      this.throttle.failed(credentials.clientId, address);
      throw new OAuthError('OAUTH_INVALID_CLIENT', 'client authentication failed');
    }
    return client;
  }
}

/** Throws `OAUTH_INVALID_REQUEST` without a grant type, `OAUTH_UNSUPPORTED_GRANT_TYPE` for any but `client_credentials`. */
export function assertClientCredentialsGrant(grantType: string | undefined): void {
  if (grantType === undefined || grantType === '') throw new OAuthError('OAUTH_INVALID_REQUEST', 'grant_type is required');
  if (grantType !== CLIENT_CREDENTIALS) throw new OAuthError('OAUTH_UNSUPPORTED_GRANT_TYPE', `this endpoint grants ${CLIENT_CREDENTIALS} only`);
}
