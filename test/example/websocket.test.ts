import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

const WAIT_MS = 10_000;

interface Handshake {
  token?: string;
  authorization?: string;
  cookie?: string;
  origin?: string;
}

interface Answer {
  event: string;
  data: unknown;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Sends `event` and waits for the answer named `answer`, or for a denial (`exception`). */
function send(socket: Socket, event: string, data: unknown, answer: string): Promise<Answer> {
  return within(
    new Promise<Answer>((resolve) => {
      socket.once('exception', (payload: unknown) => resolve({ event: 'exception', data: payload }));
      socket.once(answer, (payload: unknown) => resolve({ event: answer, data: payload }));
      socket.emit(event, data);
    }),
    `answer to ${event}`,
  ).finally(() => socket.off('exception').off(answer));
}

function assertDenied(answer: Answer, code: string, why: RegExp): void {
  assert.equal(answer.event, 'exception', JSON.stringify(answer));
  const denial = answer.data as { status: unknown; code: unknown; message: string };
  assert.equal(denial.status, 'error');
  assert.equal(denial.code, code);
  assert.match(denial.message, why);
}

/** Opens a socket.io client to `example` with `handshake`, kept in `sockets` to be closed after. */
async function connectTo(example: RunningExample, sockets: Socket[], handshake: Handshake): Promise<Socket> {
  const extraHeaders: Record<string, string> = {};
  if (handshake.authorization !== undefined) extraHeaders['authorization'] = handshake.authorization;
  if (handshake.cookie !== undefined) extraHeaders['cookie'] = handshake.cookie;
  if (handshake.origin !== undefined) extraHeaders['origin'] = handshake.origin;
  const socket = io(example.baseUrl, { transports: ['websocket'], reconnection: false, extraHeaders, auth: handshake.token === undefined ? {} : { token: handshake.token } });
  sockets.push(socket);
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    }),
    'socket.io connection',
  );
  return socket;
}

for (const adapter of ADAPTERS) {
  describe(`the example app's socket.io gateway (${adapter})`, () => {
    let example: RunningExample;
    const sockets: Socket[] = [];

    before(async () => {
      example = await startExample({ adapter });
    });
    after(async () => {
      for (const socket of sockets) socket.close();
      await example?.close();
    });

    const connect = (handshake: Handshake): Promise<Socket> => connectTo(example, sockets, handshake);

    async function sessionCookieOf(email: string): Promise<string> {
      const browser = await example.signedIn(email);
      return [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }

    it('serves the menu and bakes for the holder of a bearer token given at the handshake', async () => {
      const token = await (await example.signedIn('baker@example.com')).token();
      const socket = await connect({ token });
      assert.deepEqual(await send(socket, 'menu', {}, 'menu'), { event: 'menu', data: { items: ['croissant', 'baguette', 'cannolo'] } });
      assert.deepEqual(await send(socket, 'bake', { food: 'rye' }, 'baked'), { event: 'baked', data: { baked: 'rye', by: 'baker@example.com' } });
      const byHeader = await connect({ authorization: `Bearer ${token}` });
      assert.deepEqual((await send(byHeader, 'bake', {}, 'baked')).data, { baked: 'bread', by: 'baker@example.com' });
    });

    it('denies a client without credentials with SIGN_IN_REQUIRED', async () => {
      const socket = await connect({});
      assertDenied(await send(socket, 'menu', {}, 'menu'), 'SIGN_IN_REQUIRED', /"read"/);
      assertDenied(await send(socket, 'bake', { food: 'rye' }, 'baked'), 'SIGN_IN_REQUIRED', /"bake"/);
    });

    it('denies a holder of read the oven with CAPABILITY_MISSING', async () => {
      const socket = await connect({ token: await (await example.signedIn('reader@example.com')).token() });
      assert.equal((await send(socket, 'menu', {}, 'menu')).event, 'menu');
      assertDenied(await send(socket, 'bake', { food: 'rye' }, 'baked'), 'CAPABILITY_MISSING', /"bake"/);
    });

    it('takes the session cookie from the app\'s own origin and ignores it from another site (SIGN_IN_REQUIRED)', async () => {
      const cookie = await sessionCookieOf('baker@example.com');
      const own = await connect({ cookie, origin: new URL(example.baseUrl).origin });
      assert.deepEqual((await send(own, 'bake', { food: 'rye' }, 'baked')).data, { baked: 'rye', by: 'baker@example.com' });
      const foreign = await connect({ cookie, origin: 'https://evil.example' });
      assertDenied(await send(foreign, 'bake', { food: 'rye' }, 'baked'), 'SIGN_IN_REQUIRED', /"bake"/);
    });

    it('refuses a bad token given at the handshake with its token code', async () => {
      const socket = await connect({ token: 'not-a-token' });
      assertDenied(await send(socket, 'menu', {}, 'menu'), 'TOKEN_INVALID', /invalid bearer token/);
    });
  });
}

for (const adapter of ADAPTERS) {
  describe(`the socket.io gateway under AUTH_DEV_USER (${adapter})`, () => {
    let example: RunningExample;
    const sockets: Socket[] = [];

    before(async () => {
      example = await startExample({ adapter, env: { AUTH_DEV_USER: 'baker@example.com' } });
    });
    after(async () => {
      for (const socket of sockets) socket.close();
      await example?.close();
    });

    it('acts as the development user for a handshake from the app\'s own origin', async () => {
      const own = await connectTo(example, sockets, { origin: new URL(example.baseUrl).origin });
      assert.deepEqual((await send(own, 'bake', { food: 'rye' }, 'baked')).data, { baked: 'rye', by: 'baker@example.com' });
    });

    it('treats a handshake from another site as a guest (SIGN_IN_REQUIRED), as it treats the session cookie', async () => {
      const foreign = await connectTo(example, sockets, { origin: 'https://evil.example' });
      assertDenied(await send(foreign, 'bake', { food: 'rye' }, 'baked'), 'SIGN_IN_REQUIRED', /"bake"/);
      assertDenied(await send(foreign, 'menu', {}, 'menu'), 'SIGN_IN_REQUIRED', /"read"/);
      const unmarked = await connectTo(example, sockets, {});
      assertDenied(await send(unmarked, 'bake', { food: 'rye' }, 'baked'), 'SIGN_IN_REQUIRED', /"bake"/);
    });
  });
}

for (const adapter of ADAPTERS) {
  describe(`the socket.io gateway's scoped message bakeAt (${adapter})`, () => {
    let example: RunningExample;
    const sockets: Socket[] = [];
    const as: Record<string, Socket> = {};

    before(async () => {
      example = await startExample({ adapter });
      for (const who of ['pierre', 'claire', 'baker']) {
        as[who] = await connectTo(example, sockets, { token: await (await example.signedIn(`${who}@example.com`)).token() });
      }
    });
    after(async () => {
      for (const socket of sockets) socket.close();
      await example?.close();
    });

    it('bakes at the shop named by the message, as bake answers', async () => {
      assert.deepEqual(await send(as['pierre']!, 'bakeAt', { shop: 'paris', food: 'rye' }, 'baked'), { event: 'baked', data: { baked: 'rye', by: 'pierre@example.com' } });
      assert.deepEqual((await send(as['baker']!, 'bakeAt', { shop: 'lyon', food: 'rye' }, 'baked')).data, { baked: 'rye', by: 'baker@example.com' });
    });

    it('refuses a sibling shop and a grant below the shop with CAPABILITY_MISSING naming the scope', async () => {
      const sibling = await send(as['pierre']!, 'bakeAt', { shop: 'lyon', food: 'rye' }, 'baked');
      assertDenied(sibling, 'CAPABILITY_MISSING', /"bake" at scope "shop:lyon"/);
      assert.equal((sibling.data as { scope?: unknown }).scope, 'shop:lyon');
      assertDenied(await send(as['claire']!, 'bakeAt', { shop: 'paris', food: 'rye' }, 'baked'), 'CAPABILITY_MISSING', /"shop:paris"/);
      assertDenied(await send(as['pierre']!, 'bake', { food: 'rye' }, 'baked'), 'CAPABILITY_MISSING', /"bake"/);
    });

    const invalid: [string, unknown][] = [
      ['..', { shop: '..' }],
      ['a slash', { shop: 'paris/lyon' }],
      ['an encoded slash', { shop: 'paris%2Flyon' }],
      ['an empty shop', { shop: '' }],
      ['a shop too long', { shop: 'a'.repeat(129) }],
      ['a non-ASCII shop', { shop: 'päris' }],
      ['a shop that is not a string', { shop: ['paris'] }],
      ['no shop', { food: 'rye' }],
      ['no body', 'paris'],
    ];
    for (const [what, message] of invalid) {
      it(`answers SCOPE_INVALID to ${what}`, async () => {
        assertDenied(await send(as['baker']!, 'bakeAt', message, 'baked'), 'SCOPE_INVALID', /shop/);
      });
    }
  });
}

