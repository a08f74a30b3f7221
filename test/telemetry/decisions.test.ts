import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Module, UseFilters, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import WebSocket from 'ws';
import { AuthModule, CapabilitiesWsFilter, CapabilityGuard, RequireCapability, rememberHandshake } from '../../src';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { DECISIONS_METRIC } from '../../src/telemetry/decision-counter';
import { TOKENS_VERIFIED_METRIC } from '../../src/telemetry/token-counter';
import { MetricsUnderTest } from './metric-reading';

const CAPS = 'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n  reader@example.com: [read]\n';
const SECRET = 'telemetry-secret-0123456789abcdefghijklmnopqrstuvwxyz';

@Controller('bakery')
class BakeryController {
  @Get('bake')
  @RequireCapability('bake')
  bake(): string {
    return 'baked';
  }
}

@Resolver()
class BakeryResolver {
  @Query(() => String)
  @RequireCapability('bake')
  oven(): string {
    return 'hot';
  }
}

@WebSocketGateway()
@UseGuards(CapabilityGuard)
@UseFilters(CapabilitiesWsFilter)
class BakeryGateway implements OnGatewayConnection {
  handleConnection(client: object, request?: IncomingMessage): void {
    if (request !== undefined) rememberHandshake(client, request);
  }

  @SubscribeMessage('bake')
  @RequireCapability('bake')
  bake(): { event: string; data: string } {
    return { event: 'bake', data: 'baked' };
  }
}

const allowed = (transport: string): Record<string, string> => ({ outcome: 'allow', code: 'OK', transport, capability: 'bake' });
const denied = (transport: string, code: string): Record<string, string> => ({ outcome: 'deny', code, transport, capability: 'bake' });

describe('the guard counts its decisions in nest_capabilities.decisions, and the tokens it reads', () => {
  let folder: string;
  let meters: MetricsUnderTest;
  let app: INestApplication;
  let origin: string;
  let baker: string;
  let reader: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'caps-telemetry-'));
    const capsFile = join(folder, 'caps.yaml');
    writeFileSync(capsFile, CAPS);
    // Registered before the app is created, as the README asks of an application.
    meters = new MetricsUnderTest();
    @Module({
      imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile }), GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true })],
      controllers: [BakeryController],
      providers: [BakeryResolver, BakeryGateway],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const tokens = app.get(BearerTokens);
    baker = tokens.issueUserToken('baker@example.com').token;
    reader = tokens.issueUserToken('reader@example.com').token;
  });
  after(async () => {
    await app?.close();
    await meters?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const get = (token?: string): Promise<Response> =>
    fetch(`${origin}/bakery/bake`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  const query = (token: string): Promise<Response> =>
    fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ oven }' }),
      signal: AbortSignal.timeout(10_000),
    });

  it('counts an allowed and a refused HTTP request, with the refusal code and the capability', async () => {
    const before = { allow: await meters.valueOf(DECISIONS_METRIC, allowed('http')), missing: await meters.valueOf(DECISIONS_METRIC, denied('http', 'CAPABILITY_MISSING')) };
    assert.equal((await get(baker)).status, 200);
    assert.equal((await get(baker)).status, 200);
    assert.equal((await get(reader)).status, 403);
    assert.equal((await get()).status, 401);
    assert.equal((await get('not-a-token')).status, 401);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, allowed('http')), before.allow + 2);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, denied('http', 'CAPABILITY_MISSING')), before.missing + 1);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, denied('http', 'SIGN_IN_REQUIRED')), 1);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, denied('http', 'TOKEN_INVALID')), 1);
  });

  it('counts GraphQL operations under transport graphql', async () => {
    assert.deepEqual(await (await query(baker)).json(), { data: { oven: 'hot' } });
    await query(reader);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, allowed('graphql')), 1);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, denied('graphql', 'CAPABILITY_MISSING')), 1);
  });

  it('counts WebSocket messages under transport ws', async () => {
    for (const [token, answer] of [
      [baker, 'bake'],
      [reader, 'exception'],
    ] as const) {
      const socket = new WebSocket(origin.replace('http:', 'ws:'), { headers: { authorization: `Bearer ${token}` } });
      await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
      const reply = await new Promise<{ event: string }>((resolve) => {
        socket.once('message', (raw) => resolve(JSON.parse((raw as Buffer).toString()) as { event: string }));
        socket.send(JSON.stringify({ event: 'bake', data: {} }));
      });
      socket.close();
      assert.equal(reply.event, answer);
    }
    assert.equal(await meters.valueOf(DECISIONS_METRIC, allowed('ws')), 1);
    assert.equal(await meters.valueOf(DECISIONS_METRIC, denied('ws', 'CAPABILITY_MISSING')), 1);
  });

  it('counts a token verified anew as a cache miss, and the same token again as a hit', async () => {
    const fresh = app.get(BearerTokens).issueUserToken('baker@example.com').token;
    const misses = await meters.valueOf(TOKENS_VERIFIED_METRIC, { cache: 'miss' });
    const hits = await meters.valueOf(TOKENS_VERIFIED_METRIC, { cache: 'hit' });
    assert.equal((await get(fresh)).status, 200);
    assert.equal(await meters.valueOf(TOKENS_VERIFIED_METRIC, { cache: 'miss' }), misses + 1);
    assert.equal((await get(fresh)).status, 200);
    assert.equal((await get(fresh)).status, 200);
    assert.equal(await meters.valueOf(TOKENS_VERIFIED_METRIC, { cache: 'hit' }), hits + 2);
    assert.equal(await meters.valueOf(TOKENS_VERIFIED_METRIC, { cache: 'miss' }), misses + 1);
  });
});

describe('with telemetry: false', () => {
  it('counts nothing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'caps-telemetry-off-'));
    const meters = new MetricsUnderTest();
    let app: INestApplication | undefined;
    try {
      const capsFile = join(folder, 'caps.yaml');
      writeFileSync(capsFile, CAPS);
      @Module({ imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile, telemetry: false })], controllers: [BakeryController] })
      class AppModule {}
      app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
      await app.listen(0, '127.0.0.1');
      const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/bakery/bake`;
      const token = app.get(BearerTokens).issueUserToken('baker@example.com').token;
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.equal((await fetch(url)).status, 401);
      assert.deepEqual(await meters.points(DECISIONS_METRIC), []);
      assert.deepEqual(await meters.points(TOKENS_VERIFIED_METRIC), []);
    } finally {
      await app?.close();
      await meters.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
