import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';
import { isApiKey } from '../keys/api-key';
import { API_KEY_STORE, type ApiKeyStore } from '../keys/api-key-store';
import { assertServiceAccountExists } from '../capabilities/service-accounts';
import type { CapabilityStore } from '../stores/capability-store';
import { SessionCookie } from '../session/session-cookie';
import { bearerTokenOf } from '../tokens/bearer-header';
import { BearerTokens } from '../tokens/bearer-tokens';
import { CAPABILITY_STORE } from './auth.constants';

/**
 * Finds who is calling: a bearer token or an API key (`nck_…`) when the request has
 * an Authorization header (a bad one is a `TokenError`, never a fallback to the
 * cookie), else the session cookie, else nobody.
 */
@Injectable()
export class PrincipalResolver {
  constructor(
    @Inject(BearerTokens) private readonly tokens: BearerTokens,
    @Inject(SessionCookie) private readonly sessions: SessionCookie,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
  ) {}

  async resolve(headers: IncomingHttpHeaders): Promise<Principal | null> {
    return this.identify(headers);
  }

  /**
   * As `resolve`, but a bearer token or a session cookie opened before is answered
   * synchronously (from memory), so the guard's hot path needs no promise; only a
   * cookie value seen for the first time waits.
   * A bad token throws its `TokenError` synchronously.
   *
   * @example
   * const found = resolver.identify(request.headers);
   * const principal = found instanceof Promise ? await found : found;
   */
  identify(headers: IncomingHttpHeaders): Principal | null | Promise<Principal | null> {
    const token = bearerTokenOf(headers.authorization);
    if (token !== undefined) {
      if (isApiKey(token)) return this.keys.current().authenticate(token, Math.floor(Date.now() / 1000));
      const { principal } = this.tokens.verify(token);
      assertServiceAccountExists(this.store.current(), principal);
      return principal;
    }
    if (headers.cookie === undefined) return null;
    // A cookie value opened before is answered from memory, without a promise.
    const known = this.sessions.readKnown(headers.cookie);
    if (known !== undefined) return known === null ? null : known.principal;
    return this.sessions.read(headers.cookie).then((session) => (session === null ? null : session.principal));
  }
}
