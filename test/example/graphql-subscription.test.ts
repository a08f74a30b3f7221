import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../fixtures/wait-until';
import { GraphQlWsClient, type Handshake, type Received } from '../graphql/graphql-ws-client';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const BAKED = 'subscription { baked }';

function assertDenied(received: Received, code: string, reason: string): void {
  assert.equal(received.errors.length, 1, JSON.stringify(received));
  assert.equal(received.errors[0]!.extensions?.code, code);
  assert.equal(received.errors[0]!.extensions?.reason, reason);
  assert.match(received.errors[0]!.message, /"read"/);
  assert.equal(received.ended, true);
}

for (const adapter of ADAPTERS) {
  describe(`the example app's GraphQL subscription over graphql-ws (${adapter})`, () => {
    let example: RunningExample;
    let url: string;
    let baker: HttpClient;
    const clients: GraphQlWsClient[] = [];

    before(async () => {
      example = await startExample({ adapter });
      url = `${example.baseUrl.replace('http:', 'ws:')}/graphql`;
      baker = example.client().withToken(await (await example.signedIn('baker@example.com')).token());
    });
    after(async () => {
      for (const client of clients) client.close();
      await example?.close();
    });

    async function connect(handshake: Handshake): Promise<GraphQlWsClient> {
      const client = await GraphQlWsClient.connect(url, handshake);
      clients.push(client);
      return client;
    }

    const bearer = (token: string): Handshake => ({ connectionParams: { authorization: `Bearer ${token}` } });

    /** Bakes over HTTP until the subscription has news (it may start listening after the first bakes), or ends. */
    async function bakeUntilHeard(client: GraphQlWsClient, id: string, count: number): Promise<void> {
      await eventually(async () => {
        assert.equal((await baker.get('/bake?food=rye')).status, 200);
        return client.of(id).data.length >= count || client.of(id).ended;
      }, `subscription ${id} hears a bake`);
    }

    it('tells a holder of read of every bake, whichever transport baked it', async () => {
      const client = await connect(bearer(await (await example.signedIn('reader@example.com')).token()));
      const id = client.subscribe(BAKED);
      await bakeUntilHeard(client, id, 1);
      assert.deepEqual(client.of(id).data[0], { baked: 'rye, baked by baker@example.com' });
      assert.deepEqual(client.of(id).errors, []);
    });

    it('refuses a guest, and a session cookie sent from another site, with UNAUTHENTICATED', async () => {
      const guest = await connect({});
      assertDenied(await guest.ended(guest.subscribe(BAKED)), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
      const browser = await example.signedIn('reader@example.com');
      const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const foreign = await connect({ headers: { cookie, origin: 'https://evil.example' } });
      assertDenied(await foreign.ended(foreign.subscribe(BAKED)), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
    });

    it('ends the stream at the next bake once the subscriber\'s token is revoked', async () => {
      const token = await (await example.signedIn('reader@example.com')).token();
      const client = await connect(bearer(token));
      const id = client.subscribe(BAKED);
      await bakeUntilHeard(client, id, 1);
      assert.equal((await example.client().withToken(token).post('/token/revoke', { token })).status, 200);
      await eventually(async () => {
        await baker.get('/bake?food=rye');
        return client.of(id).ended;
      }, 'the stream ends');
      assertDenied(client.of(id), 'UNAUTHENTICATED', 'TOKEN_REVOKED');
    });
  });
}

for (const adapter of ADAPTERS) {
  describe(`the example app's GraphQL subscription under AUTH_DEV_USER (${adapter})`, () => {
    let example: RunningExample;
    let url: string;
    const clients: GraphQlWsClient[] = [];

    before(async () => {
      example = await startExample({ adapter, env: { AUTH_DEV_USER: 'reader@example.com' } });
      url = `${example.baseUrl.replace('http:', 'ws:')}/graphql`;
    });
    after(async () => {
      for (const client of clients) client.close();
      await example?.close();
    });

    async function connect(handshake: Handshake): Promise<GraphQlWsClient> {
      const client = await GraphQlWsClient.connect(url, handshake);
      clients.push(client);
      return client;
    }

    it('acts as the development user for a connection from the app\'s own origin', async () => {
      const baker = example.client().withToken(await (await example.signedIn('baker@example.com')).token());
      const own = await connect({ headers: { origin: new URL(example.baseUrl).origin } });
      const id = own.subscribe(BAKED);
      await eventually(async () => {
        assert.equal((await baker.get('/bake?food=rye')).status, 200);
        return own.of(id).data.length >= 1 || own.of(id).ended;
      }, 'the development user hears a bake');
      assert.deepEqual(own.of(id).errors, []);
      assert.deepEqual(own.of(id).data[0], { baked: 'rye, baked by baker@example.com' });
    });

    it('treats a connection from another site, or one that shows no origin, as a guest (UNAUTHENTICATED)', async () => {
      const foreign = await connect({ headers: { origin: 'https://evil.example' } });
      assertDenied(await foreign.ended(foreign.subscribe(BAKED)), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
      const unmarked = await connect({});
      assertDenied(await unmarked.ended(unmarked.subscribe(BAKED)), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
    });
  });
}
