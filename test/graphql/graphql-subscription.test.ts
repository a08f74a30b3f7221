import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, Query, Resolver, Subscription } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule, CAPABILITY_STORE, CurrentUser, Public, RequireCapability, type CapabilityStore, type Principal } from '../../src';
import { guardedApolloSubscriptions, guardedMercuriusSubscriptions } from '../../src/graphql';
import { SessionCookie } from '../../src/session/session-cookie';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { waitUntil } from '../fixtures/wait-until';
import { EventChannel } from './event-channel';
import { GraphQlWsClient, type Handshake, type Received } from './graphql-ws-client';
import { listeningApp, type GraphQlAdapter } from './listening-app';

const CAPS =
  'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n  reader@example.com: [read]\n  cook@example.com: [bake]\n';
const SECRET = 'graphql-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const BASE_URL = 'http://127.0.0.1';

@Resolver()
class OvenResolver {
  constructor(private readonly channel: EventChannel) {}

  @Query(() => String)
  @Public()
  ping(): string {
    return 'pong';
  }

  @Subscription(() => String)
  @RequireCapability('bake')
  baked(@Args('oven') oven: string): AsyncIterableIterator<unknown> {
    return this.channel.listen(`baked:${oven}`);
  }

  @Subscription(() => String)
  @Public()
  whoami(@CurrentUser() user: Principal | null): AsyncIterableIterator<unknown> {
    return this.channel.listen(`whoami:${user?.email ?? 'guest'}`);
  }
}


function graphqlModule(adapter: GraphQlAdapter, guarded: boolean) {
  if (adapter === 'express') {
    const subscriptions = guarded ? guardedApolloSubscriptions() : { subscriptions: { 'graphql-ws': true } };
    return GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, ...subscriptions });
  }
  const subscription = guarded ? guardedMercuriusSubscriptions() : { subscription: true };
  return GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, ...subscription });
}

async function start(adapter: GraphQlAdapter, capsFile: string, guarded: boolean): Promise<INestApplication> {
  @Module({
    imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: BASE_URL, capsFile }), graphqlModule(adapter, guarded)],
    providers: [OvenResolver, EventChannel],
  })
  class AppModule {}
  return listeningApp(adapter, AppModule);
}

function assertDenied(received: Received, code: string, reason: string): void {
  assert.equal(received.errors.length, 1, JSON.stringify(received));
  assert.equal(received.errors[0]!.extensions?.code, code);
  assert.equal(received.errors[0]!.extensions?.reason, reason);
  assert.match(received.errors[0]!.message, /"bake"/);
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`GraphQL subscriptions over graphql-ws behind the capability guard on ${adapter}`, () => {
    let folder: string;
    let app: INestApplication;
    let url: string;
    let tokens: BearerTokens;
    let channel: EventChannel;
    const clients: GraphQlWsClient[] = [];

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'caps-graphql-subscription-'));
      writeFileSync(join(folder, 'caps.yaml'), CAPS);
      app = await start(adapter, join(folder, 'caps.yaml'), true);
      url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1').replace('http:', 'ws:')}/graphql`;
      tokens = app.get(BearerTokens);
      channel = app.get(EventChannel);
    });
    after(async () => {
      for (const client of clients) client.close();
      await app?.close();
      rmSync(folder, { recursive: true, force: true });
    });

    async function connect(handshake: Handshake): Promise<GraphQlWsClient> {
      const client = await GraphQlWsClient.connect(url, handshake);
      clients.push(client);
      return client;
    }

    const bearer = (email: string): Handshake => ({ connectionParams: { authorization: `Bearer ${tokens.issueUserToken(email).token}` } });

    /** Subscribes to an oven's bakes and waits until the resolver listens, so that a publication reaches it. */
    async function listening(client: GraphQlWsClient, oven: string): Promise<string> {
      const id = client.subscribe(`subscription { baked(oven: "${oven}") }`);
      await waitUntil(() => channel.listening(`baked:${oven}`) === 1 || client.of(id).ended, `a subscriber listens on oven ${oven}`);
      return id;
    }

    async function receivesOneEvent(client: GraphQlWsClient, id: string, oven: string): Promise<void> {
      channel.publish(`baked:${oven}`, { baked: 'rye' });
      await client.dataCount(id, 1);
      assert.deepEqual(client.of(id), { data: [{ baked: 'rye' }], errors: [], ended: false });
    }

    it('streams the events to a holder of the capability (connectionParams.authorization)', async () => {
      const client = await connect(bearer('baker@example.com'));
      const id = await listening(client, 'holder');
      await receivesOneEvent(client, id, 'holder');
      channel.publish('baked:holder', { baked: 'spelt' });
      await client.dataCount(id, 2);
      assert.deepEqual(client.of(id).data, [{ baked: 'rye' }, { baked: 'spelt' }]);
    });

    it('refuses a guest with UNAUTHENTICATED and a non-holder with FORBIDDEN, before the resolver runs', async () => {
      const guest = await connect({});
      assertDenied(await guest.ended(guest.subscribe('subscription { baked(oven: "guest") }')), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
      const reader = await connect(bearer('reader@example.com'));
      assertDenied(await reader.ended(reader.subscribe('subscription { baked(oven: "reader") }')), 'FORBIDDEN', 'CAPABILITY_MISSING');
      assert.equal(channel.listening('baked:guest') + channel.listening('baked:reader'), 0);
      assert.deepEqual([guest.of('1').data, reader.of('1').data], [[], []]);
    });

    it('ends the stream at the next event once the token is revoked, and sends no more data', async () => {
      const token = tokens.issueUserToken('baker@example.com').token;
      const client = await connect({ connectionParams: { authorization: `Bearer ${token}` } });
      const id = await listening(client, 'revoked');
      await receivesOneEvent(client, id, 'revoked');
      await tokens.revoke(tokens.verify(token));
      channel.publish('baked:revoked', { baked: 'after the revocation' });
      const received = await client.ended(id);
      assertDenied(received, 'UNAUTHENTICATED', 'TOKEN_REVOKED');
      await waitUntil(() => channel.listening('baked:revoked') === 0, 'the server closes the event source');
      channel.publish('baked:revoked', { baked: 'later still' });
      assert.deepEqual(client.of(id).data, [{ baked: 'rye' }]);
    });

    it('ends the stream at the next event once the capability is removed', async () => {
      const client = await connect(bearer('cook@example.com'));
      const id = await listening(client, 'removed');
      await receivesOneEvent(client, id, 'removed');
      await app.get<CapabilityStore>(CAPABILITY_STORE).update(() => ({ email: 'cook@example.com', capabilities: [] }));
      channel.publish('baked:removed', { baked: 'after the removal' });
      assertDenied(await client.ended(id), 'FORBIDDEN', 'CAPABILITY_MISSING');
      await waitUntil(() => channel.listening('baked:removed') === 0, 'the server closes the event source');
      assert.deepEqual(client.of(id).data, [{ baked: 'rye' }]);
    });

    it("accepts the session cookie of a handshake from the app's own origin, and ends the stream when the session ends", async () => {
      const sessions = app.get(SessionCookie);
      const cookie = (await sessions.issue('baker@example.com', 'dev')).split(';')[0]!;
      const client = await connect({ headers: { cookie, origin: BASE_URL } });
      const id = await listening(client, 'cookie');
      await receivesOneEvent(client, id, 'cookie');
      const session = await sessions.read(cookie);
      assert.ok(session !== null);
      await sessions.end(session);
      channel.publish('baked:cookie', { baked: 'after sign-out' });
      assertDenied(await client.ended(id), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
      assert.deepEqual(client.of(id).data, [{ baked: 'rye' }]);
    });

    it('accepts the session cookie of a same-origin handshake that carries no Origin (Sec-Fetch-Site: same-origin)', async () => {
      const cookie = (await app.get(SessionCookie).issue('baker@example.com', 'dev')).split(';')[0]!;
      const client = await connect({ headers: { cookie, 'sec-fetch-site': 'same-origin' } });
      const id = await listening(client, 'same-site');
      await receivesOneEvent(client, id, 'same-site');
    });

    it('treats a handshake from a foreign origin as a guest, whatever cookie it carries', async () => {
      const cookie = (await app.get(SessionCookie).issue('baker@example.com', 'dev')).split(';')[0]!;
      const foreign = await connect({ headers: { cookie, origin: 'https://evil.example' } });
      assertDenied(await foreign.ended(foreign.subscribe('subscription { baked(oven: "foreign") }')), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
      foreign.subscribe('subscription { whoami }');
      await waitUntil(() => channel.listening('whoami:guest') === 1, 'the public subscription listens as a guest');
      assert.equal(channel.listening('whoami:baker@example.com'), 0);
    });

    it('gives a subscription resolver the principal of the handshake through @CurrentUser', async () => {
      const client = await connect(bearer('reader@example.com'));
      const id = client.subscribe('subscription { whoami }');
      await waitUntil(() => channel.listening('whoami:reader@example.com') === 1, 'the resolver listens for the reader');
      channel.publish('whoami:reader@example.com', { whoami: 'hello reader' });
      await client.dataCount(id, 1);
      assert.deepEqual(client.of(id), { data: [{ whoami: 'hello reader' }], errors: [], ended: false });
    });
  });

  describe(`a guarded GraphQL subscription without the module's subscription setup on ${adapter}`, () => {
    let folder: string;

    before(() => {
      folder = mkdtempSync(join(tmpdir(), 'caps-graphql-subscription-setup-'));
      writeFileSync(join(folder, 'caps.yaml'), CAPS);
    });
    after(() => rmSync(folder, { recursive: true, force: true }));

    it('stops the start-up, naming the handler and the helper to add', async () => {
      await assert.rejects(start(adapter, join(folder, 'caps.yaml'), false), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, /OvenResolver\.baked: a subscription/);
        assert.match(error.message, adapter === 'express' ? /guardedApolloSubscriptions\(\)/ : /guardedMercuriusSubscriptions\(\)/);
        assert.doesNotMatch(error.message, /OvenResolver\.whoami/);
        return true;
      });
    });
  });
}
