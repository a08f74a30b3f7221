import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';
import { SessionCookie } from '../session/session-cookie';
import { bearerTokenOf } from '../tokens/bearer-header';
import { BearerTokens } from '../tokens/bearer-tokens';

/**
 * Finds who is calling: a bearer token when the request has an Authorization
 * header (a bad one is a `TokenError`, never a fallback to the cookie), else the
 * session cookie, else nobody.
 */
@Injectable()
export class PrincipalResolver {
  constructor(
    @Inject(BearerTokens) private readonly tokens: BearerTokens,
    @Inject(SessionCookie) private readonly sessions: SessionCookie,
  ) {}

  async resolve(headers: IncomingHttpHeaders): Promise<Principal | null> {
    const token = bearerTokenOf(headers.authorization);
    if (token !== undefined) return this.tokens.verify(token).principal;
    const session = await this.sessions.read(headers.cookie);
    return session === null ? null : session.principal;
  }
}
