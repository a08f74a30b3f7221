import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, Mutation, Query, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule, CurrentUser, Public, RequireCapability, type Principal } from '../../src';
import { SessionCookie } from '../../src/session/session-cookie';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { listeningApp } from './listening-app';

const CAPS = 'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n  reader@example.com: [read]\n';
const SECRET = 'graphql-secret-0123456789abcdefghijklmnopqrstuvwxyz';

@Resolver()
class BakeryResolver {
  @Query(() => String)
  @RequireCapability('read')
  menu(): string {
    return 'bread, buns';
  }

  @Mutation(() => String)
  @RequireCapability('bake')
  bake(@Args('food') food: string): string {
    return `baked ${food}`;
  }

  @Query(() => String, { nullable: true })
  @Public()
  whoami(@CurrentUser() user: Principal | null): string | null {
    return user?.email ?? null;
  }

  @Query(() => String, { nullable: true })
  @Public()
  broken(): string {
    throw new Error('an error of the application');
  }
}

interface GraphQlReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; locations?: unknown[]; extensions?: { code?: string; reason?: string; stacktrace?: string[] } }[];
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`GraphQL operations behind the capability guard on ${adapter}`, () => {
    let folder: string;
    let app: INestApplication;
    let url: string;
    let tokens: BearerTokens;

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'caps-graphql-'));
      const capsFile = join(folder, 'caps.yaml');
      writeFileSync(capsFile, CAPS);
      const graphql =
        adapter === 'express'
          ? // Stack traces in answers: Apollo's default outside production, spelled out so the test does not hang on NODE_ENV.
            GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, includeStacktraceInErrorResponses: true })
          : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true });
      @Module({ imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile }), graphql], providers: [BakeryResolver] })
      class AppModule {}
      app = await listeningApp(adapter, AppModule);
      url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
      tokens = app.get(BearerTokens);
    });
    after(async () => {
      await app?.close();
      rmSync(folder, { recursive: true, force: true });
    });

    async function ask(query: string, as?: string): Promise<GraphQlReply> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as !== undefined) headers['authorization'] = `Bearer ${tokens.issueUserToken(as).token}`;
      const reply = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }), signal: AbortSignal.timeout(15_000) });
      return (await reply.json()) as GraphQlReply;
    }

    function assertDenied(reply: GraphQlReply, code: string, reason: string, capability: string): void {
      assert.equal(reply.errors?.length, 1, JSON.stringify(reply));
      assert.equal(reply.errors[0]!.extensions?.code, code);
      assert.equal(reply.errors[0]!.extensions?.reason, reason);
      assert.match(reply.errors[0]!.message, new RegExp(`"${capability}"`));
      assert.ok(reply.data === null || reply.data === undefined, 'no partial data for the denied field');
      assert.equal(reply.errors[0]!.extensions?.stacktrace, undefined, 'a denial carries no stack trace');
      assert.ok(reply.errors[0]!.path !== undefined && reply.errors[0]!.locations !== undefined, 'placed at the denied field');
    }

    it('answers a query to a holder, denies a guest (UNAUTHENTICATED) and a non-holder (FORBIDDEN)', async () => {
      assert.deepEqual((await ask('{ menu }', 'reader@example.com')).data, { menu: 'bread, buns' });
      assertDenied(await ask('{ menu }'), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED', 'read');
      assertDenied(await ask('{ menu }', 'nobody@example.com'), 'FORBIDDEN', 'CAPABILITY_MISSING', 'read');
    });

    it('runs a mutation for a holder, denies a guest and a non-holder', async () => {
      assert.deepEqual((await ask('mutation { bake(food: "rye") }', 'baker@example.com')).data, { bake: 'baked rye' });
      assertDenied(await ask('mutation { bake(food: "rye") }'), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED', 'bake');
      assertDenied(await ask('mutation { bake(food: "rye") }', 'reader@example.com'), 'FORBIDDEN', 'CAPABILITY_MISSING', 'bake');
    });

    it('gives a public query the principal through @CurrentUser, or null for a guest', async () => {
      assert.deepEqual((await ask('{ whoami }', 'reader@example.com')).data, { whoami: 'reader@example.com' });
      assert.deepEqual((await ask('{ whoami }')).data, { whoami: null });
    });

    it('runs a mutation authenticated by the session cookie from the app\'s own origin, refuses it from another site', async () => {
      const cookie = (await app.get(SessionCookie).issue('baker@example.com', 'dev')).split(';')[0]!;
      const send = async (origin: string): Promise<GraphQlReply> => {
        const headers = { 'content-type': 'application/json', cookie, origin };
        const reply = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: 'mutation { bake(food: "rye") }' }), signal: AbortSignal.timeout(15_000) });
        return (await reply.json()) as GraphQlReply;
      };
      assert.deepEqual((await send('http://127.0.0.1')).data, { bake: 'baked rye' });
      const foreign = await send('https://evil.example');
      assert.equal(foreign.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(foreign));
      assert.equal(foreign.errors?.[0]?.extensions?.reason, 'CROSS_SITE_REQUEST');
      assert.ok(foreign.data === null || foreign.data === undefined);
    });

    it('strips the stack trace from its own denials only, placing them at the field as before', async () => {
      const denied = await ask('query Menu { whoami\n menu }');
      assert.equal(denied.errors?.length, 1, JSON.stringify(denied));
      assert.deepEqual(denied.errors[0]!.path, ['menu']);
      assert.deepEqual(denied.errors[0]!.locations, [{ line: 2, column: 2 }]);
      assert.deepEqual(denied.errors[0]!.extensions, { code: 'UNAUTHENTICATED', reason: 'SIGN_IN_REQUIRED', capability: 'read' });
      const own = await ask('{ broken }');
      assert.equal(own.errors?.[0]?.message, 'an error of the application');
      if (adapter === 'express') assert.ok((own.errors[0].extensions?.stacktrace?.length ?? 0) > 1, 'Apollo still traces the application\'s own errors');
    });

    it('refuses a bad bearer token as UNAUTHENTICATED with the token\'s code', async () => {
      const reply = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ query: '{ menu }' }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await reply.json()) as GraphQlReply;
      assert.equal(body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.equal(body.errors?.[0]?.extensions?.reason, 'TOKEN_INVALID');
    });
  });
}
