import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule } from '../../src';
import { CLOCK, createTestAuth } from '../../src/testing';
import { capsFileWith } from '../fixtures/temp-folder';
import { waitUntil } from '../fixtures/wait-until';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, type HttpAdapterName } from '../support/example-server';
import { redisTestPrefix } from '../support/redis-test';
import { TcpProxy } from '../support/tcp-proxy';

const CAPS = `capabilities:
  read: []
  user_management: []
auto_admin: true
default: [read]
guest: []
users:
  root@example.com: [admin]
  bot@service: [read]
`;
const MAX_STALENESS_SECONDS = 5;

/** The module alone on `adapter`, sharing Redis through `proxy`, its clock frozen at `clock()`. */
async function redisApp(t: TestContext, adapter: HttpAdapterName, proxy: TcpProxy, clock: () => number): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthModule.forRoot({
        secret: 'stale-secret-0123456789abcdefghijklmnopqrstuvwxyz',
        baseUrl: 'http://127.0.0.1',
        capsFile: capsFileWith(t, CAPS),
        redis: { url: proxy.url, prefix: redisTestPrefix(t), maxStalenessSeconds: MAX_STALENESS_SECONDS },
      }),
    ],
  })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const app = adapter === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false }) : moduleRef.createNestApplication({ logger: false });
  t.after(() => app.close());
  await app.listen(0, '127.0.0.1');
  return app;
}

for (const adapter of ADAPTERS) {
  describe(`the module's own routes past the staleness bound on ${adapter}`, () => {
    it('refuse to mint, manage or show anything with 503 STORE_UNAVAILABLE, as the guard does, and serve again once caught up', async (t) => {
      const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
      let nowMs = Date.now();
      const app = await redisApp(t, adapter, proxy, () => nowMs);
      const auth = createTestAuth(app);
      const session = await auth.as('root@example.com');
      const bearer = request.agent(app.getHttpServer() as Server).set('Authorization', `Bearer ${auth.tokenFor('root@example.com')}`);
      const decisions: [string, () => request.Test][] = [
        ['a user token minted from a session', () => session.get('/token')],
        ['a service token minted with a bearer token', () => bearer.get('/token?user=bot@service')],
        ['the accounts', () => session.get('/manage_capabilities/all')],
        ["one's own grants", () => session.get('/manage_capabilities/list')],
        ['the API keys', () => bearer.get('/manage_capabilities/keys')],
        ['a new API key', () => session.post('/manage_capabilities/keys').send({ name: 'deploy', capabilities: ['read'] })],
        ['the audit trail', () => bearer.get('/manage_capabilities/audit')],
        ['a grant', () => session.post('/manage_capabilities/add').send({ email: 'bob@example.com', capability: 'read' })],
      ];
      for (const [what, ask] of decisions.slice(0, 5)) assert.equal((await ask()).status, 200, `${what} before the outage`);

      proxy.cut();
      nowMs += MAX_STALENESS_SECONDS * 1000 + 1;
      for (const [what, ask] of decisions) expectDenial(await ask(), 503, 'STORE_UNAVAILABLE', what);
      expectHtmlDenial(await session.get('/manage_capabilities').set('Accept', 'text/html'), 503, 'STORE_UNAVAILABLE', 'the admin page');
      assert.equal((await session.get('/whoami')).status, 200, '/whoami needs no decision and keeps answering');

      proxy.restore();
      await waitUntil(async () => (await session.get('/token')).status === 200, 'the instance caught up and mints again', 10_000);
      assert.equal((await bearer.get('/token?user=bot@service')).status, 200);
    });
  });
}
