import 'reflect-metadata';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthModule, CAPABILITY_STORE, RequireCapability } from '../../src';
import type { YamlFileStore } from '../../src/stores/file/yaml-file.store';
import { HttpClient } from '../support/http-client';

const CAPS = 'capabilities:\n  read: []\n  user_management: []\nauto_admin: true\ndefault: []\nguest: []\nusers:\n  root@example.com: [admin]\n  bot@service: [read]\n';

@Controller('bakery')
class BakeryController {
  @Get('menu')
  @RequireCapability('read')
  menu(): string {
    return 'bread';
  }
}

describe('the spans of sign-in, token minting, management writes and store reloads', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let folder: string;
  let capsFile: string;
  let app: INestApplication;
  let client: HttpClient;

  before(async () => {
    trace.setGlobalTracerProvider(provider);
    folder = mkdtempSync(join(tmpdir(), 'caps-spans-'));
    capsFile = join(folder, 'caps.yaml');
    writeFileSync(capsFile, CAPS);
    @Module({ imports: [AuthModule.forRoot({ secret: 'spans-secret-0123456789abcdefghijklmnopqrstuvwxyz', baseUrl: 'http://127.0.0.1', capsFile, devLogin: true, production: false })], controllers: [BakeryController] })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    client = new HttpClient((await app.getUrl()).replace('[::1]', '127.0.0.1'));
  });
  after(async () => {
    await app?.close();
    await provider.shutdown();
    trace.disable();
    rmSync(folder, { recursive: true, force: true });
  });

  const names = (): string[] => exporter.getFinishedSpans().map((span) => span.name);

  it('records a sign-in with its provider', async () => {
    exporter.reset();
    assert.equal((await client.signIn('root@example.com')).status, 302);
    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'nest_capabilities.sign_in');
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.attributes['provider'], 'dev');
  });

  it('records the minting of a user token and of a service token', async () => {
    exporter.reset();
    const token = await client.token();
    const bearer = client.withToken(token);
    assert.equal((await bearer.get('/token?user=bot@service')).status, 200);
    const kinds = exporter.getFinishedSpans().filter((span) => span.name === 'nest_capabilities.token.mint').map((span) => span.attributes['token.kind']);
    assert.deepEqual(kinds, ['user', 'service']);
  });

  it('records a management write with its action, and an error code on a refused one, never the account', async () => {
    exporter.reset();
    const added = await client.post('/manage_capabilities/add', { email: 'bob@example.com', capability: 'read' });
    assert.equal(added.status, 200, added.text);
    assert.equal((await client.post('/manage_capabilities/add', { email: 'bob@example.com', capability: 'nonesuch' })).status, 400);
    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'nest_capabilities.manage');
    assert.deepEqual(spans.map((span) => span.attributes['action']), ['add', 'add']);
    assert.equal(spans[0]!.status.code, 0);
    assert.equal(spans[1]!.status.code, 2, 'an error');
    assert.equal(typeof spans[1]!.attributes['error.code'], 'string');
    assert.ok(!JSON.stringify(spans.map((span) => span.attributes)).includes('bob@'), 'no account in the attributes');
  });

  it('records a reload of the capability file after an edit on disk', async () => {
    exporter.reset();
    writeFileSync(capsFile, CAPS.replace('read: []', 'read: []\n  write: [read]'));
    await app.get<symbol, YamlFileStore>(CAPABILITY_STORE).checkNow();
    assert.deepEqual(exporter.getFinishedSpans().filter((span) => span.name === 'nest_capabilities.store.reload').map((span) => span.attributes['store.kind']), ['file']);
  });

  it('records no span for a check', async () => {
    const token = await client.token();
    exporter.reset();
    for (let i = 0; i < 5; i++) assert.equal((await client.withToken(token).get('/bakery/menu')).status, 200);
    assert.equal((await new HttpClient(client.baseUrl).get('/bakery/menu')).status, 401);
    assert.deepEqual(names(), []);
  });
});
