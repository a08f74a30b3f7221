import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Test } from '@nestjs/testing';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AuthModule } from '../../src';
import { redisKeys } from '../../src/stores/redis/redis-keys';
import { capsFileWith } from '../fixtures/temp-folder';
import { waitUntil } from '../fixtures/wait-until';
import { rawRedis, redisTestPrefix, TEST_REDIS_URL } from '../support/redis-test';

const CAPS = 'capabilities:\n  read: []\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  ada@example.com: [read]\n';

describe('a full reload of the shared store', () => {
  it('is recorded as a span nest_capabilities.store.reload of store.kind redis', async (t) => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    t.after(async () => {
      await provider.shutdown();
      trace.disable();
    });
    const prefix = redisTestPrefix(t);
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ secret: 'reload-secret-0123456789abcdefghijklmnopqrstuvwxyz', baseUrl: 'http://127.0.0.1', capsFile: capsFileWith(t, CAPS), redis: { url: TEST_REDIS_URL, prefix } })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    t.after(() => app.close());
    await app.init();
    const reloads = (): number => exporter.getFinishedSpans().filter((span) => span.name === 'nest_capabilities.store.reload').length;
    assert.equal(reloads(), 0);
    // A version the log holds no entry for: the instance can only catch up by reading everything again.
    await rawRedis(t).incr(redisKeys(prefix).version);
    await waitUntil(() => reloads() > 0, 'the instance reloaded the shared state', 10_000);
    assert.equal(exporter.getFinishedSpans().find((span) => span.name === 'nest_capabilities.store.reload')!.attributes['store.kind'], 'redis');
  });
});
