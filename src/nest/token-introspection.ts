import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../capabilities/principal';
import { TokenError } from '../errors';
import type { CapabilityStore } from '../stores/capability-store';
import { BearerTokens } from '../tokens/bearer-tokens';
import { CAPABILITY_STORE } from './auth.constants';
import { PrincipalResolver } from './principal-resolver';

/** An RFC 7662 answer: `{"active": false}`, or the claims of a live credential. */
export type IntrospectionAnswer =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly sub: string;
      /** The capabilities the credential holds now, separated by spaces. */
      readonly scope: string;
      /** A client token's client. */
      readonly client_id?: string;
      readonly exp?: number;
      readonly iat?: number;
      readonly iss: string;
      readonly token_type: 'Bearer';
    };

const INACTIVE: IntrospectionAnswer = { active: false };

/**
 * What RFC 7662 introspection says of a credential: judged as a request carrying it
 * would be (the principal resolver's own path), so a revoked, expired or foreign token,
 * a revoked API key or a deleted service account are all `{"active": false}`, and
 * nothing tells why.
 *
 * @example introspection.of(token); // { active: true, sub: 'bot@service', scope: 'read write', exp, iat, iss, token_type: 'Bearer' }
 */
@Injectable()
export class TokenIntrospection {
  constructor(
    private readonly resolver: PrincipalResolver,
    private readonly tokens: BearerTokens,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
  ) {}

  of(token: string): IntrospectionAnswer {
    let found: { principal: Principal; issuedAt: number | null };
    try {
      found = this.resolver.credential(token);
    } catch (error) {
      if (error instanceof TokenError) return INACTIVE;
      throw error;
    }
    const { principal, issuedAt } = found;
    const expiresAt = principal.expiresAt ?? null;
    return {
      active: true,
      sub: principal.email,
      ...(principal.clientId === undefined ? {} : { client_id: principal.clientId }),
      scope: this.store.current().effectiveFor(principal).toArray().join(' '),
      ...(expiresAt === null ? {} : { exp: expiresAt }),
      ...(issuedAt === null ? {} : { iat: issuedAt }),
      iss: this.tokens.issuer,
      token_type: 'Bearer',
    };
  }
}
