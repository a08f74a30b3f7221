import { Injectable } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import type { ClientRecord } from '../clients/client';
import { CapabilityService } from '../nest/capability.service';
import { ClientCredentialsGrant } from '../nest/client-credentials.grant';
import { requireManager, requireSignedIn } from './management-access';
import type { HttpRequest } from './request';
import { addressOf, clientCredentialsIn } from './token-request';

/**
 * Who called an OAuth endpoint of RFC 7662 (introspection) or RFC 7009 (revocation):
 * a principal the guard found (a bearer token, an API key or a session), or an OAuth
 * client that authenticated by `client_secret_basic` or `client_secret_post`.
 */
export type OAuthCaller = { readonly kind: 'principal'; readonly principal: Principal } | { readonly kind: 'client'; readonly client: ClientRecord };

/**
 * The one place that decides who may introspect and revoke tokens by the OAuth
 * endpoints. A request that presents client credentials is judged on them alone (a
 * wrong secret is `OAUTH_INVALID_CLIENT`, 401, counted as at the token endpoint);
 * any other on the principal the guard found.
 *
 * @example const caller = callers.introspector(request, user); // throws 401 or 403
 */
@Injectable()
export class OAuthCallers {
  constructor(
    private readonly capabilities: CapabilityService,
    private readonly grant: ClientCredentialsGrant,
  ) {}

  /** The caller of `POST /token/introspect`: a client, or one holding `user_management`; else `SIGN_IN_REQUIRED` (401) or `CAPABILITY_MISSING` (403). */
  introspector(request: HttpRequest, user: Principal | null): OAuthCaller {
    return this.client(request) ?? { kind: 'principal', principal: requireManager(this.capabilities, user) };
  }

  /** The caller of the form `POST /token/revoke`: a client (for its own tokens), or anyone signed in, who ends only tokens they may end; else 401. */
  revoker(request: HttpRequest, user: Principal | null): OAuthCaller {
    return this.client(request) ?? { kind: 'principal', principal: requireSignedIn(user) };
  }

  private client(request: HttpRequest): OAuthCaller | undefined {
    const credentials = clientCredentialsIn(request);
    return credentials === undefined ? undefined : { kind: 'client', client: this.grant.authenticate(credentials, addressOf(request)) };
  }
}
