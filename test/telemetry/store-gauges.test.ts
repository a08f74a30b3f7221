import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule } from '../../src';
import { CLOCK, createTestAuth } from '../../src/testing';
import { STORE_LAG_METRIC, STORE_STALE_METRIC, STORE_VERSION_METRIC } from '../../src/telemetry/store-gauges';
import { capsFileWith } from '../fixtures/temp-folder';
import { waitUntil } from '../fixtures/wait-until';
import { redisTestPrefix } from '../support/redis-test';
import { TcpProxy } from '../support/tcp-proxy';
import { MetricsUnderTest } from './metric-reading';

const CAPS = `capabilities:
  read: []
  user_management: []
auto_admin: true
default: []
guest: []
users:
  root@example.com: [admin]
`;
const MAX_STALENESS_SECONDS = 5;

async function redisApp(t: TestContext, proxy: TcpProxy, clock: () => number, capsFile = capsFileWith(t, CAPS)): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthModule.forRoot({
        secret: 'gauges-secret-0123456789abcdefghijklmnopqrstuvwxyz',
        baseUrl: 'http://127.0.0.1',
        capsFile,
        redis: { url: proxy.url, prefix: redisTestPrefix(t), maxStalenessSeconds: MAX_STALENESS_SECONDS },
      }),
    ],
  })
    .overrideProvider(CLOCK)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  t.after(() => app.close());
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('the gauges of a shared store on Redis', () => {
  it('show the lag, the version and stale flipping to 1 when Redis is cut past the bound, and back to 0 once caught up', async (t) => {
    const meters = new MetricsUnderTest();
    t.after(() => meters.close());
    const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
    let nowMs = Date.now();
    const app = await redisApp(t, proxy, () => nowMs);
    const only = async (name: string): Promise<number> => {
      const points = await meters.points(name);
      assert.equal(points.length, 1, `one point of ${name}`);
      return points[0]!.value;
    };
    assert.equal(await only(STORE_STALE_METRIC), 0);
    const version = await only(STORE_VERSION_METRIC);
    assert.ok((await only(STORE_LAG_METRIC)) < MAX_STALENESS_SECONDS * 1000);

    const session = await createTestAuth(app).as('root@example.com');
    assert.equal((await session.post('/manage_capabilities/add').send({ email: 'bob@example.com', capability: 'read' })).status, 200);
    assert.equal(await only(STORE_VERSION_METRIC), version + 1, 'a write is a new version of the shared store');

    proxy.cut();
    nowMs += MAX_STALENESS_SECONDS * 1000 + 1;
    assert.equal(await only(STORE_STALE_METRIC), 1);
    assert.ok((await only(STORE_LAG_METRIC)) > MAX_STALENESS_SECONDS * 1000, 'behind by more than the bound');
    const bearer = request(app.getHttpServer() as Server);
    assert.equal((await bearer.get('/manage_capabilities/list').set('Authorization', `Bearer ${createTestAuth(app).tokenFor('root@example.com')}`)).status, 503);

    proxy.restore();
    await waitUntil(async () => (await only(STORE_STALE_METRIC)) === 0, 'the instance caught up', 10_000);
    assert.equal(await only(STORE_LAG_METRIC), 0, 'confirmed at the frozen clock');
    assert.equal(await only(STORE_VERSION_METRIC), version + 1);
  });

  it('observe nothing for a store of this instance alone', async (t) => {
    const meters = new MetricsUnderTest();
    t.after(() => meters.close());
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ secret: 'gauges-secret-0123456789abcdefghijklmnopqrstuvwxyz', baseUrl: 'http://127.0.0.1', capsFile: capsFileWith(t, CAPS) })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    t.after(() => app.close());
    await app.init();
    assert.deepEqual(await meters.points(STORE_STALE_METRIC), []);
    assert.deepEqual(await meters.points(STORE_LAG_METRIC), []);
  });
});
