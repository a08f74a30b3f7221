import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

interface GraphQlError {
  message: string;
  extensions?: { code?: string; reason?: string; stacktrace?: unknown; scope?: string };
}

interface GraphQlReply {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: GraphQlError[];
}

const MENU = '{ menu }';
const BAKE_RYE = 'mutation { bake(food: "rye") }';
const WHOAMI = '{ whoami { user capabilities } }';

async function ask(client: HttpClient, query: string, headers: Record<string, string> = {}): Promise<GraphQlReply> {
  const reply = await client.post('/graphql', { query }, headers);
  return { status: reply.status, ...(reply.json as Omit<GraphQlReply, 'status'>) };
}

/** One GraphQL error with the transport's code, the module's code and a message saying why; no data, no stack. */
function assertDenied(reply: GraphQlReply, code: string, reason: string, why: RegExp): void {
  assert.equal(reply.errors?.length, 1, JSON.stringify(reply));
  const [error] = reply.errors;
  assert.equal(error!.extensions?.code, code);
  assert.equal(error!.extensions?.reason, reason);
  assert.match(error!.message, why);
  assert.equal(error!.extensions?.stacktrace, undefined, 'no stack trace naming the server\'s files');
  assert.ok(reply.data === null || reply.data === undefined, 'no data for the denied field');
}

for (const adapter of ADAPTERS) {
  describe(`the example app's POST /graphql (${adapter})`, () => {
    let example: RunningExample;
    let reader: HttpClient;
    let baker: HttpClient;

    before(async () => {
      example = await startExample({ adapter });
      reader = example.client().withToken(await (await example.signedIn('reader@example.com')).token());
      baker = example.client().withToken(await (await example.signedIn('baker@example.com')).token());
    });
    after(() => example?.close());

    it('denies a guest the menu and the oven with UNAUTHENTICATED (the repository\'s caps.yaml grants guests nothing)', async () => {
      const guest = example.client();
      assertDenied(await ask(guest, MENU), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED', /"read"/);
      assertDenied(await ask(guest, BAKE_RYE), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED', /"bake"/);
    });

    it('answers whoami to anybody, naming the caller and their effective capabilities', async () => {
      assert.deepEqual((await ask(example.client(), WHOAMI)).data, { whoami: { user: null, capabilities: [] } });
      assert.deepEqual((await ask(reader, WHOAMI)).data, { whoami: { user: 'reader@example.com', capabilities: ['read'] } });
      assert.deepEqual((await ask(baker, WHOAMI)).data, { whoami: { user: 'baker@example.com', capabilities: ['bake', 'baker', 'read'] } });
      const { user, capabilities } = (await baker.get('/whoami')).json;
      assert.deepEqual((await ask(baker, WHOAMI)).data, { whoami: { user, capabilities } }, 'the same caller as GET /whoami');
    });

    it('serves the menu of GET /menu to a holder of read, and refuses them the oven with FORBIDDEN', async () => {
      const menu = await ask(reader, MENU);
      assert.equal(menu.status, 200);
      assert.deepEqual(menu.data, { menu: (await reader.get('/menu')).json.items });
      assertDenied(await ask(reader, BAKE_RYE), 'FORBIDDEN', 'CAPABILITY_MISSING', /"bake"/);
    });

    it('bakes for a holder of bake, as the caller', async () => {
      assert.deepEqual((await ask(baker, BAKE_RYE)).data, { bake: 'rye, baked by baker@example.com' });
    });

    it('runs a mutation authenticated by the session cookie from the app\'s own page, refuses it from another site', async () => {
      const browser = await example.signedIn('baker@example.com');
      const own = await ask(browser, BAKE_RYE, { origin: new URL(example.baseUrl).origin, 'sec-fetch-site': 'same-origin' });
      assert.deepEqual(own.data, { bake: 'rye, baked by baker@example.com' });
      assertDenied(await ask(browser, BAKE_RYE, { origin: 'https://evil.example' }), 'FORBIDDEN', 'CROSS_SITE_REQUEST', /cross-site request refused/);
      assertDenied(await ask(browser, BAKE_RYE, { 'sec-fetch-site': 'cross-site' }), 'FORBIDDEN', 'CROSS_SITE_REQUEST', /cross-site request refused/);
    });

    it('refuses a bad bearer token with UNAUTHENTICATED and the token\'s code', async () => {
      assertDenied(await ask(example.client().withToken('not-a-token'), MENU), 'UNAUTHENTICATED', 'TOKEN_INVALID', /invalid bearer token/);
    });
  });
}

/** `mutation { bakeAt(shop: <shop>, food: "rye") }`, the shop written as a GraphQL string. */
function bakeRyeAt(shop: string): string {
  return `mutation { bakeAt(shop: ${JSON.stringify(shop)}, food: "rye") }`;
}

for (const adapter of ADAPTERS) {
  describe(`scoped operations of the example's POST /graphql (${adapter})`, () => {
    let example: RunningExample;
    const as: Record<string, HttpClient> = {};

    before(async () => {
      example = await startExample({ adapter });
      for (const who of ['pierre', 'claire', 'baker']) as[who] = example.client().withToken(await (await example.signedIn(`${who}@example.com`)).token());
    });
    after(() => example?.close());

    it('bakes at the shop where the caller holds bake, and at every shop for a global baker', async () => {
      assert.deepEqual((await ask(as['pierre']!, bakeRyeAt('paris'))).data, { bakeAt: 'rye, baked by pierre@example.com' });
      assert.deepEqual((await ask(as['baker']!, bakeRyeAt('lyon'))).data, { bakeAt: 'rye, baked by baker@example.com' });
      assert.deepEqual((await ask(as['pierre']!, '{ shopMenu(shop: "lyon") }')).data, { shopMenu: ['croissant', 'baguette', 'cannolo'] });
    });

    it('refuses a sibling shop, and a grant below the shop, with FORBIDDEN naming the scope', async () => {
      const sibling = await ask(as['pierre']!, bakeRyeAt('lyon'));
      assertDenied(sibling, 'FORBIDDEN', 'CAPABILITY_MISSING', /"bake" at scope "shop:lyon"/);
      assert.equal(sibling.errors?.[0]?.extensions?.scope, 'shop:lyon');
      assertDenied(await ask(as['claire']!, bakeRyeAt('paris')), 'FORBIDDEN', 'CAPABILITY_MISSING', /"bake" at scope "shop:paris"/);
      assertDenied(await ask(as['pierre']!, BAKE_RYE), 'FORBIDDEN', 'CAPABILITY_MISSING', /missing capability "bake"$/);
    });

    for (const shop of ['..', '.', 'paris/lyon', 'paris%2Flyon', '', 'a'.repeat(129), 'päris', 'shop:paris']) {
      it(`answers BAD_USER_INPUT and no data to the shop ${JSON.stringify(shop.length > 20 ? `${shop.slice(0, 8)}…` : shop)}`, async () => {
        for (const who of ['pierre', 'baker']) {
          const reply = await ask(as[who]!, bakeRyeAt(shop));
          assert.equal(reply.errors?.length, 1, JSON.stringify(reply));
          assert.equal(reply.errors[0]!.extensions?.code, 'BAD_USER_INPUT');
          assert.equal(reply.errors[0]!.extensions?.reason, 'SCOPE_INVALID');
          assert.ok(reply.data === null || reply.data === undefined, 'no data');
        }
      });
    }
  });
}

