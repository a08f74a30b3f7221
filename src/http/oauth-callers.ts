import { Injectable } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { CapabilityService } from '../nest/capability.service';
import { requireManager, requireSignedIn } from './management-access';
import type { HttpRequest } from './request';

/**
 * Who called an OAuth endpoint of RFC 7662 (introspection) or RFC 7009 (revocation):
 * for now a principal the guard found (a bearer token, an API key or a session).
 * Client authentication (`client_secret_basic`, `client_secret_post`) adds a kind here.
 */
export interface OAuthCaller {
  readonly kind: 'principal';
  readonly principal: Principal;
}

/**
 * The one place that decides who may introspect and revoke tokens by the OAuth
 * endpoints, so another way to authenticate (an OAuth client) is added here alone.
 *
 * @example const caller = callers.introspector(request, user); // throws 401 or 403
 */
@Injectable()
export class OAuthCallers {
  constructor(private readonly capabilities: CapabilityService) {}

  /** The caller of `POST /token/introspect`: one holding `user_management`; else `SIGN_IN_REQUIRED` (401) or `CAPABILITY_MISSING` (403). */
  introspector(_request: HttpRequest, user: Principal | null): OAuthCaller {
    return { kind: 'principal', principal: requireManager(this.capabilities, user) };
  }

  /** The caller of the form `POST /token/revoke`: anyone signed in, who ends only tokens they may end; else `SIGN_IN_REQUIRED` (401). */
  revoker(_request: HttpRequest, user: Principal | null): OAuthCaller {
    return { kind: 'principal', principal: requireSignedIn(user) };
  }
}
