import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Module, UseFilters, UseGuards, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { AuthModule, CAPABILITY_STORE, CapabilitiesWsFilter, CapabilityGuard, CurrentUser, Public, RequireCapability, rememberHandshake, type Principal } from '../../src';
import { SessionCookie } from '../../src/session/session-cookie';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import type { CapabilityStore } from '../../src/stores/capability-store';

const CAPS = 'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n  reader@example.com: [read]\n  cook@example.com: [bake]\n';
const SECRET = 'websocket-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const BASE_URL = 'http://app.example.test';
const WAIT_MS = 10_000;

@WebSocketGateway()
@UseGuards(CapabilityGuard)
@UseFilters(CapabilitiesWsFilter)
class BakeryGateway implements OnGatewayConnection {
  handleConnection(client: object, request?: IncomingMessage): void {
    if (request !== undefined) rememberHandshake(client, request);
  }

  @SubscribeMessage('whoami')
  @Public()
  whoami(@CurrentUser() user: Principal | null): { event: string; data: string | null } {
    return { event: 'whoami', data: user?.email ?? null };
  }

  @SubscribeMessage('bake')
  @RequireCapability('bake')
  bake(@CurrentUser() user: Principal | null): { event: string; data: string } {
    return { event: 'bake', data: `baked by ${user?.email ?? '?'}` };
  }
}

interface Reply {
  event: string;
  data: unknown;
}

/** One connected client of either transport: send an event, get the next answer or denial. */
interface TestClient {
  ask(event: string): Promise<Reply>;
  close(): void;
}

interface Handshake {
  token?: string;
  cookie?: string;
  origin?: string;
  fetchSite?: string;
  /** socket.io only: start with long polling, as its browser client does by default. */
  polling?: boolean;
}

function handshakeHeaders(handshake: Handshake): Record<string, string> {
  const headers: Record<string, string> = {};
  if (handshake.cookie !== undefined) headers['cookie'] = handshake.cookie;
  if (handshake.origin !== undefined) headers['origin'] = handshake.origin;
  if (handshake.fetchSite !== undefined) headers['sec-fetch-site'] = handshake.fetchSite;
  return headers;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function socketIoClient(url: string, handshake: Handshake): Promise<TestClient> {
  const extraHeaders = handshakeHeaders(handshake);
  const transports = handshake.polling === true ? ['polling', 'websocket'] : ['websocket'];
  const socket: Socket = io(url, { transports, reconnection: false, extraHeaders, auth: handshake.token === undefined ? {} : { token: handshake.token } });
  await within(new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); }), 'socket.io connection');
  return {
    ask: (event) =>
      within(
        new Promise<Reply>((resolve) => {
          socket.once('exception', (data: unknown) => resolve({ event: 'exception', data }));
          socket.once(event, (data: unknown) => resolve({ event, data }));
          socket.emit(event, {});
        }),
        `answer to ${event}`,
      ).finally(() => socket.off('exception').off(event)),
    close: () => socket.close(),
  };
}

async function wsClient(url: string, handshake: Handshake): Promise<TestClient> {
  const headers = handshakeHeaders(handshake);
  if (handshake.token !== undefined) headers['authorization'] = `Bearer ${handshake.token}`;
  const socket = new WebSocket(url, { headers });
  await within(new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); }), 'ws connection');
  return {
    ask: (event) =>
      within(
        new Promise<Reply>((resolve) => {
          socket.once('message', (raw) => resolve(JSON.parse((raw as Buffer).toString()) as Reply));
          socket.send(JSON.stringify({ event, data: {} }));
        }),
        `answer to ${event}`,
      ),
    close: () => socket.close(),
  };
}

for (const transport of ['socket.io', 'ws'] as const) {
  describe(`WebSocket messages behind the capability guard (${transport})`, () => {
    let folder: string;
    let app: INestApplication;
    let url: string;
    let tokens: BearerTokens;
    const clients: TestClient[] = [];

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'caps-ws-'));
      const capsFile = join(folder, 'caps.yaml');
      writeFileSync(capsFile, CAPS);
      @Module({ imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: BASE_URL, capsFile })], providers: [BakeryGateway] })
      class AppModule {}
      app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
      app.useWebSocketAdapter(transport === 'ws' ? new WsAdapter(app) : new IoAdapter(app));
      await app.listen(0, '127.0.0.1');
      const http = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      url = transport === 'ws' ? http.replace('http:', 'ws:') : http;
      tokens = app.get(BearerTokens);
    });
    after(async () => {
      for (const client of clients) client.close();
      await app?.close();
      rmSync(folder, { recursive: true, force: true });
    });

    async function connect(handshake: Handshake): Promise<TestClient> {
      const client = transport === 'ws' ? await wsClient(url, handshake) : await socketIoClient(url, handshake);
      clients.push(client);
      return client;
    }

    function assertDenied(reply: Reply, code: string): void {
      assert.equal(reply.event, 'exception');
      const data = reply.data as { status?: string; code?: string; message?: string };
      assert.equal(data.status, 'error');
      assert.equal(data.code, code, JSON.stringify(data));
      assert.equal(typeof data.message, 'string');
    }

    it('lets a holder of the capability send the guarded message, with the principal of the handshake token', async () => {
      const client = await connect({ token: tokens.issueUserToken('baker@example.com').token });
      assert.deepEqual(await client.ask('bake'), { event: 'bake', data: 'baked by baker@example.com' });
      assert.deepEqual(await client.ask('whoami'), { event: 'whoami', data: 'baker@example.com' });
    });

    it('refuses a guest with SIGN_IN_REQUIRED and a non-holder with CAPABILITY_MISSING', async () => {
      const guest = await connect({});
      assertDenied(await guest.ask('bake'), 'SIGN_IN_REQUIRED');
      assert.deepEqual(await guest.ask('whoami'), { event: 'whoami', data: null });
      const reader = await connect({ token: tokens.issueUserToken('reader@example.com').token });
      assertDenied(await reader.ask('bake'), 'CAPABILITY_MISSING');
    });

    it('reads the session cookie from the app\'s own origin and ignores it from another site', async () => {
      const cookie = (await app.get(SessionCookie).issue('baker@example.com', 'dev')).split(';')[0]!;
      const own = await connect({ cookie, origin: BASE_URL });
      assert.deepEqual(await own.ask('bake'), { event: 'bake', data: 'baked by baker@example.com' });
      const foreign = await connect({ cookie, origin: 'https://evil.example' });
      assertDenied(await foreign.ask('bake'), 'SIGN_IN_REQUIRED');
      assert.deepEqual(await foreign.ask('whoami'), { event: 'whoami', data: null });
    });

    it('reads the session cookie of a handshake without Origin only when the browser says it is same-origin', async () => {
      // socket.io's browser client starts with a long-polling GET, and a same-origin GET carries no Origin.
      const cookie = (await app.get(SessionCookie).issue('baker@example.com', 'dev')).split(';')[0]!;
      const polling = transport === 'socket.io';
      const own = await connect({ cookie, fetchSite: 'same-origin', polling });
      assert.deepEqual(await own.ask('bake'), { event: 'bake', data: 'baked by baker@example.com' });
      for (const fetchSite of ['cross-site', 'same-site']) {
        const other = await connect({ cookie, fetchSite, polling });
        assertDenied(await other.ask('bake'), 'SIGN_IN_REQUIRED');
      }
      const unmarked = await connect({ cookie, polling });
      assertDenied(await unmarked.ask('bake'), 'SIGN_IN_REQUIRED');
    });

    it('refuses the next message once the handshake token is revoked', async () => {
      const token = tokens.issueUserToken('baker@example.com').token;
      const client = await connect({ token });
      assert.equal((await client.ask('bake')).event, 'bake');
      await tokens.revoke(tokens.verify(token));
      assertDenied(await client.ask('bake'), 'TOKEN_REVOKED');
    });

    it('refuses the next message once the capability is removed', async () => {
      const client = await connect({ token: tokens.issueUserToken('cook@example.com').token });
      assert.equal((await client.ask('bake')).event, 'bake');
      await app.get<CapabilityStore>(CAPABILITY_STORE).update(() => ({ email: 'cook@example.com', capabilities: [] }));
      assertDenied(await client.ask('bake'), 'CAPABILITY_MISSING');
      writeFileSync(join(folder, 'caps.yaml'), CAPS);
    });
  });
}
