import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../capabilities/principal';
import { isApiKey } from '../api-keys/api-key';
import { API_KEY_STORE, type ApiKeyStore } from '../api-keys/api-key-store';
import { CLIENT_STORE, type ClientStore } from '../clients/client-store';
import { assertServiceAccountExists } from '../capabilities/service-accounts';
import type { CapabilityStore } from '../stores/capability-store';
import { SessionCookie } from '../session/session-cookie';
import { bearerTokenOf } from '../tokens/bearer-header';
import { BearerTokens, type VerifiedToken } from '../tokens/bearer-tokens';
import { AUTH_CONFIG, CAPABILITY_STORE, CLOCK, TELEMETRY } from './auth.constants';
import type { ModuleTelemetry } from '../telemetry/module-telemetry';
import type { AuthConfig } from './auth-config';
import { devUserPrincipal } from './dev-user';
import { nowSeconds } from '../clock';

/** A bearer credential found live: who it proves, and when it was issued (unix seconds; null when unknown). */
export interface ResolvedCredential {
  readonly principal: Principal;
  readonly issuedAt: number | null;
}

/**
 * Finds who is calling: a bearer token or an API key (`nck_…`) when the request has
 * an Authorization header (a bad one is a `TokenError`, never a fallback to the
 * cookie), else the session cookie, else nobody (or the `devUser`, when set).
 */
@Injectable()
export class PrincipalResolver {
  constructor(
    @Inject(BearerTokens) private readonly tokens: BearerTokens,
    @Inject(SessionCookie) private readonly sessions: SessionCookie,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(CAPABILITY_STORE) private readonly store: CapabilityStore,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(CLOCK) private readonly now: () => number,
    @Inject(TELEMETRY) private readonly telemetry: ModuleTelemetry | null,
    @Inject(CLIENT_STORE) private readonly clients: ClientStore,
  ) {
    this.nobody = config.devUser === null ? null : devUserPrincipal(config.devUser);
  }

  /** Who a request without credentials is: nobody, or the `devUser`. */
  private readonly nobody: Principal | null;

  /**
   * Who sent `headers`. A bearer token or a session cookie opened before is answered
   * synchronously (from memory), so the guard's hot path needs no promise; only a
   * cookie value seen for the first time waits.
   * A bad token throws its `TokenError` synchronously. `fromOwnPages` false (a WebSocket
   * or subscription handshake that does not show it comes from the application's own
   * pages): without a token, the caller is a guest even under `devUser`, by the rule that
   * keeps the session cookie of such a handshake out.
   *
   * @example
   * const found = resolver.identify(request.headers);
   * const principal = found instanceof Promise ? await found : found;
   */
  identify(headers: IncomingHttpHeaders, fromOwnPages = true): Principal | null | Promise<Principal | null> {
    // A token verified before is answered without its header being read again (see verifyKnown).
    const knownToken = headers.authorization === undefined ? undefined : this.tokens.verifyKnown(headers.authorization);
    if (knownToken !== undefined) {
      this.telemetry?.tokens.verified(true);
      return this.tokenPrincipal(knownToken);
    }
    const token = bearerTokenOf(headers.authorization);
    if (token !== undefined) {
      if (isApiKey(token)) return this.keys.current().authenticate(token, nowSeconds(this.now));
      return this.tokenPrincipal(this.verified(token));
    }
    const nobody = fromOwnPages ? this.nobody : null;
    if (headers.cookie === undefined) return nobody;
    // A cookie value opened before is answered from memory, without a promise.
    const knownSession = this.sessions.readKnown(headers.cookie);
    if (knownSession !== undefined) return knownSession === null ? nobody : knownSession.principal;
    return this.sessions.read(headers.cookie).then((session) => (session === null ? nobody : session.principal));
  }

  /**
   * The principal a bearer credential (a token or an API key) proves now, judged as a
   * request carrying it would be, with when it was issued (unix seconds): for
   * introspection. A revoked, expired, foreign or malformed one throws its `TokenError`.
   *
   * @example resolver.credential(token).principal.email; // 'bot@service'
   */
  credential(token: string): ResolvedCredential {
    if (isApiKey(token)) {
      const index = this.keys.current();
      const now = nowSeconds(this.now);
      const principal = index.authenticate(token, now);
      return { principal, issuedAt: index.live(principal.keyName ?? '', now)?.createdAt ?? null };
    }
    const verified = this.verified(token);
    return { principal: this.tokenPrincipal(verified), issuedAt: verified.issuedAt };
  }

  private verified(token: string): VerifiedToken {
    const verified = this.tokens.verify(token);
    this.telemetry?.tokens.verified(false);
    return verified;
  }

  private tokenPrincipal(verified: VerifiedToken): Principal {
    const principal = verified.principal;
    assertServiceAccountExists(this.store.current(), principal);
    // A client token lives no longer than its client: one Map lookup.
    if (principal.clientId !== undefined) this.clients.current().assertLive(principal.clientId);
    return principal;
  }
}
