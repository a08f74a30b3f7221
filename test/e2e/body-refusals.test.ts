import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Body, Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuthModule, Public } from '../../src';
import type { CapabilitiesErrorCode } from '../../src/errors';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample, type HttpAdapterName, type RunningExample } from '../support/example-server';
import { HttpClient, type Reply } from '../support/http-client';

/** Every route of the module that reads a body, with what it reads. */
const BODY_ROUTES: readonly { readonly path: string; readonly form?: true }[] = [
  { path: '/manage_capabilities/add' },
  { path: '/manage_capabilities/remove' },
  { path: '/manage_capabilities/set' },
  { path: '/manage_capabilities/keys' },
  { path: '/manage_capabilities/keys/revoke' },
  { path: '/token/revoke' },
  { path: '/token/revoke_all' },
  { path: '/login/dev', form: true },
  { path: '/manage_capabilities', form: true },
];

/** One more byte than the example's body limit (16 KiB). */
const OVER_THE_LIMIT = 16 * 1024 + 1;

/** Bodies the parser refuses, with the module's answer to each. */
function refusedBodies(form: boolean): { what: string; type: string; body: string; status: number; code: CapabilitiesErrorCode }[] {
  const type = form ? 'application/x-www-form-urlencoded' : 'application/json';
  return [
    { what: 'a word that is not JSON', type: 'application/json', body: 's', status: 400, code: 'BODY_INVALID' },
    { what: 'a lone space', type: 'application/json', body: ' ', status: 400, code: 'BODY_INVALID' },
    { what: 'a JSON object cut short', type: 'application/json', body: '{"email": "a@example.com"', status: 400, code: 'BODY_INVALID' },
    { what: `a body of ${OVER_THE_LIMIT} bytes`, type, body: form ? `note=${'x'.repeat(OVER_THE_LIMIT)}` : JSON.stringify({ note: 'x'.repeat(OVER_THE_LIMIT) }), status: 413, code: 'BODY_TOO_LARGE' },
    { what: 'a charset other than UTF-8', type: `${type}; charset=latin1`, body: form ? 'email=a%40example.com' : '{"email": "a@example.com"}', status: 415, code: 'MEDIA_TYPE_UNSUPPORTED' },
  ];
}

for (const adapter of ADAPTERS) {
  describe(`bodies the parser refuses on the module's routes, on ${adapter}`, () => {
    let example: RunningExample;
    let lead: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      lead = await example.signedIn('lead@example.com');
    });
    after(() => example.close());

    for (const route of BODY_ROUTES) {
      for (const refused of refusedBodies(route.form === true)) {
        it(`answers ${refused.what} at POST ${route.path} with ${refused.code}, as JSON and as the denial page`, async () => {
          const headers = { 'content-type': refused.type, origin: example.baseUrl };
          const json = await lead.request('POST', route.path, { headers, body: refused.body });
          expectDenial(json, refused.status, refused.code);
          assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
          assert.doesNotMatch(json.text, /Unexpected|FST_ERR|position/, 'the parser says nothing of its own');
          const page = await lead.request('POST', route.path, { headers: { ...headers, accept: 'text/html' }, body: refused.body });
          expectHtmlDenial(page, refused.status, refused.code);
        });
      }
    }

    it('answers a body of another media type, or of none, 400 INVALID_REQUEST on both adapters (Fastify has no parser for some)', async () => {
      const body = JSON.stringify({ email: 'carol@example.com', capability: 'bake' });
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
        expectDenial(await lead.request('POST', '/manage_capabilities/add', { headers: { 'content-type': type }, body }), 400, 'INVALID_REQUEST', type);
      }
      const page = await lead.request('POST', '/manage_capabilities', { headers: { 'content-type': 'application/xml', accept: 'text/html', origin: example.baseUrl }, body: '<add/>' });
      expectHtmlDenial(page, 400, 'INVALID_REQUEST');
      expectDenial(await lead.request('POST', '/token/revoke_all'), 400, 'INVALID_REQUEST');
      assert.deepEqual((await lead.get('/manage_capabilities/list?email=carol@example.com')).json.capabilities, []);
    });
  });
}

for (const adapter of ADAPTERS) {
  describe(`the module's routes under a prefix, on ${adapter}`, () => {
    let example: RunningExample;

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS, env: { AUTH_PREFIX: '/auth' } });
    });
    after(() => example.close());

    it('answers a refused body under the prefix, and leaves the same path without it to the application', async () => {
      const headers = { 'content-type': 'application/json' };
      expectDenial(await example.client().request('POST', '/auth/token/revoke', { headers, body: 's' }), 400, 'BODY_INVALID');
      const elsewhere = await example.client().request('POST', '/token/revoke', { headers, body: 's' });
      assert.equal(elsewhere.status, 400, elsewhere.text);
      assert.equal(elsewhere.json.code === 'BODY_INVALID', false, elsewhere.text);
    });
  });
}

@Controller('orders')
@Public()
class OrdersController {
  @Post()
  create(@Body() body: unknown): unknown {
    return { received: body };
  }
}

@Module({})
class ShopModule {}

/** An application of its own, Nest's default body parsers and limits, the module beside its own route. */
async function shopApp(adapter: HttpAdapterName, capsFile: string): Promise<{ app: INestApplication; client: HttpClient }> {
  const module = { module: ShopModule, imports: [AuthModule.forRoot({ secret: 'shop-secret-0123456789abcdefghijklmnopqrstuvwxyz', baseUrl: 'http://127.0.0.1', capsFile, devLogin: true })], controllers: [OrdersController] };
  const options = { logger: false, abortOnError: false } as const;
  const app = adapter === 'express' ? await NestFactory.create(module, options) : await NestFactory.create(module, new FastifyAdapter(), options);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, client: new HttpClient(`http://127.0.0.1:${port}`) };
}

/** Nest's or Fastify's own answer to a refused body: its status, and none of the module's codes. */
function expectDefaultAnswer(reply: Reply, status: number): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.json.statusCode, status, reply.text);
  assert.ok(!['BODY_INVALID', 'BODY_TOO_LARGE', 'MEDIA_TYPE_UNSUPPORTED'].includes(reply.json.code as string), reply.text);
}

for (const adapter of ADAPTERS) {
  describe(`an application's own routes beside the module, on ${adapter} with Nest's default parsers`, () => {
    let folder: string;
    let shop: Awaited<ReturnType<typeof shopApp>>;

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'caps-shop-'));
      writeFileSync(join(folder, 'caps.yaml'), 'capabilities:\n  read: []\n  user_management: []\nauto_admin: true\nusers:\n  root@example.com: [admin]\n');
      shop = await shopApp(adapter, join(folder, 'caps.yaml'));
    });
    after(async () => {
      await shop.app.close();
      rmSync(folder, { recursive: true, force: true });
    });

    it("keeps the framework's answers to the application's routes", async () => {
      const json = { 'content-type': 'application/json' };
      assert.deepEqual((await shop.client.post('/orders', { bread: 2 })).json, { received: { bread: 2 } });
      const notJson = await shop.client.request('POST', '/orders', { headers: json, body: '{"bread": ' });
      expectDefaultAnswer(notJson, 400);
      // Nest's own limit on Express (100 kB), Fastify's (1 MiB).
      const large = await shop.client.request('POST', '/orders', { headers: json, body: JSON.stringify({ note: 'x'.repeat(adapter === 'express' ? 200_000 : 1_100_000) }) });
      expectDefaultAnswer(large, 413);
      if (adapter === 'express') expectDefaultAnswer(await shop.client.request('POST', '/orders', { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' }), 415);
      expectDefaultAnswer(await shop.client.request('POST', '/nowhere', { headers: json, body: 's' }), 400);
    });

    it('answers the same bodies on its own routes with its codes, here too', async () => {
      const json = { 'content-type': 'application/json' };
      expectDenial(await shop.client.request('POST', '/token/revoke', { headers: json, body: '{"token": ' }), 400, 'BODY_INVALID');
      const large = JSON.stringify({ token: 'x'.repeat(adapter === 'express' ? 200_000 : 1_100_000) });
      expectDenial(await shop.client.request('POST', '/manage_capabilities/add', { headers: json, body: large }), 413, 'BODY_TOO_LARGE');
      expectDenial(await shop.client.request('POST', '/login/dev', { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' }), 415, 'MEDIA_TYPE_UNSUPPORTED');
      expectHtmlDenial(await shop.client.request('POST', '/token/revoke', { headers: { ...json, accept: 'text/html' }, body: 's' }), 400, 'BODY_INVALID');
      // Express routes a path in any letter case, with a trailing slash or without.
      if (adapter === 'express') expectDenial(await shop.client.request('POST', '/Token/Revoke/', { headers: json, body: 's' }), 400, 'BODY_INVALID');
    });
  });
}
