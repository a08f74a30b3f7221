import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { assertEmail, isServiceAccount } from '../capabilities/email';
import { ConfigError } from '../errors';
import { AUTH_CONFIG } from '../nest/auth.constants';
import type { AuthConfig } from '../nest/auth-config';
import { CapabilityService } from '../nest/capability.service';
import { SessionCookie } from '../session/session-cookie';
import { BearerTokens } from '../tokens/bearer-tokens';
import { mintServiceToken } from '../tokens/service-token';

/** A supertest agent that sends the same credentials with every request. */
export type TestAgent = ReturnType<typeof request.agent>;

/** How `TestAuth.as` authenticates a person. */
export interface AsUserOptions {
  /** `session` (default): the session cookie, as a browser; `token`: a user bearer token, as a script. */
  readonly via?: 'session' | 'token';
}

/** Supertest agents signed in as anybody, made from the app's own session and token providers. */
export interface TestAuth {
  /** A person signed in as `email`: every request carries their session cookie (or their token). */
  as(email: string, options?: AsUserOptions): Promise<TestAgent>;
  /**
   * A bot calling with a service token for `email` (`name@service`), carrying the
   * account's capabilities in the store now, as `GET /token?user=` mints it.
   */
  asService(email: string): Promise<TestAgent>;
  /** Nobody signed in. */
  asGuest(): TestAgent;
  /** A bearer token for `email`: a user token, or a service token for `name@service`. */
  tokenFor(email: string): string;
}

/** The provider name recorded in sessions made by the testing kit. */
export const TEST_PROVIDER = 'test';

/**
 * Authenticated supertest agents for an app that imports `AuthModule`: no browser,
 * no provider, no secret to know. Sessions come from the app's `SessionCookie` and
 * tokens from its `BearerTokens`, so the guard sees exactly what it sees in production.
 *
 * @example
 * const auth = createTestAuth(app);
 * await (await auth.as('bob@example.com')).get('/payroll').expect(403);
 * await (await auth.asService('payroll@service')).get('/payroll').expect(200);
 * await auth.asGuest().get('/payroll').expect(401);
 */
export function createTestAuth(app: INestApplication): TestAuth {
  const sessions = app.get(SessionCookie, { strict: false });
  const tokens = app.get(BearerTokens, { strict: false });
  const capabilities = app.get(CapabilityService, { strict: false });
  const config = app.get<AuthConfig>(AUTH_CONFIG, { strict: false });
  const server = app.getHttpServer() as App;
  // The guard refuses state-changing cookie requests from another origin; a browser on the app sends its own.
  const origin = config.baseUrl.origin;

  // As the command line mints it: any existing service account, with what it holds now.
  const serviceToken = (email: string): string => mintServiceToken(tokens, capabilities.policy(), email, { manager: null }).token;

  return {
    async as(email, options = {}) {
      const canonical = assertEmail(email);
      if (isServiceAccount(canonical)) throw new ConfigError(`${canonical} is a service account, which never signs in: use asService()`);
      const agent = request.agent(server);
      if (options.via === 'token') return agent.set('Authorization', `Bearer ${tokens.issueUserToken(canonical).token}`);
      const setCookie = await sessions.issue(canonical, TEST_PROVIDER);
      return agent.set('Cookie', setCookie.split(';')[0]!).set('Origin', origin);
    },
    async asService(email) {
      const canonical = assertEmail(email);
      if (!isServiceAccount(canonical)) throw new ConfigError(`${canonical} is not a service account (name@service): use as()`);
      return request.agent(server).set('Authorization', `Bearer ${serviceToken(canonical)}`);
    },
    asGuest() {
      return request.agent(server);
    },
    tokenFor(email) {
      const canonical = assertEmail(email);
      return isServiceAccount(canonical) ? serviceToken(canonical) : tokens.issueUserToken(canonical).token;
    },
  };
}
