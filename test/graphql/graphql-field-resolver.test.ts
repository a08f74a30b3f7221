import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Module, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, ObjectType, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule, RequireCapability } from '../../src';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { listeningApp, type GraphQlAdapter } from './listening-app';

const CAPS = 'capabilities:\n  read: []\n  bake: [read]\nauto_admin: false\ndefault: []\nguest: []\nusers:\n  baker@example.com: [bake]\n  reader@example.com: [read]\n';
const SECRET = 'graphql-secret-0123456789abcdefghijklmnopqrstuvwxyz';

@ObjectType()
class Recipe {
  @Field()
  name!: string;
}

@Resolver(() => Recipe)
class RecipeResolver {
  @Query(() => Recipe)
  recipe(): Recipe {
    return { name: 'rye' };
  }

  @ResolveField(() => String, { nullable: true })
  @RequireCapability('bake')
  secret(): string {
    return 'a pinch of salt';
  }
}

interface GraphQlReply {
  data?: { recipe?: { name?: string; secret?: string | null } | null } | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string } }[];
}


function graphqlModule(adapter: GraphQlAdapter, guardFields: boolean) {
  const enhancers = guardFields ? { fieldResolverEnhancers: ['guards' as const, 'filters' as const] } : {};
  return adapter === 'express'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, ...enhancers })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, ...enhancers });
}

async function start(adapter: GraphQlAdapter, capsFile: string, guardFields: boolean): Promise<INestApplication> {
  @Module({ imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile }), graphqlModule(adapter, guardFields)], providers: [RecipeResolver] })
  class AppModule {}
  return listeningApp(adapter, AppModule);
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`a guarded GraphQL field resolver on ${adapter}`, () => {
    let folder: string;
    let capsFile: string;

    before(() => {
      folder = mkdtempSync(join(tmpdir(), 'caps-graphql-field-'));
      capsFile = join(folder, 'caps.yaml');
      writeFileSync(capsFile, CAPS);
    });
    after(() => rmSync(folder, { recursive: true, force: true }));

    it("stops the start-up, naming the handler, when guards do not run on field resolvers", async () => {
      await assert.rejects(start(adapter, capsFile, false), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, /RecipeResolver\.secret/);
        assert.match(error.message, /fieldResolverEnhancers/);
        return true;
      });
    });

    describe("with fieldResolverEnhancers: ['guards', 'filters']", () => {
      let app: INestApplication;
      let url: string;
      let tokens: BearerTokens;

      before(async () => {
        app = await start(adapter, capsFile, true);
        url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
        tokens = app.get(BearerTokens);
      });
      after(async () => {
        await app?.close();
      });

      async function ask(as?: string): Promise<GraphQlReply> {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (as !== undefined) headers['authorization'] = `Bearer ${tokens.issueUserToken(as).token}`;
        const reply = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ recipe { name secret } }' }), signal: AbortSignal.timeout(15_000) });
        return (await reply.json()) as GraphQlReply;
      }

      function assertDenied(reply: GraphQlReply, code: string, reason: string): void {
        assert.equal(reply.errors?.length, 1, JSON.stringify(reply));
        assert.equal(reply.errors[0]!.extensions?.code, code);
        assert.equal(reply.errors[0]!.extensions?.reason, reason);
        assert.equal(reply.data?.recipe?.secret ?? null, null, 'no data for the denied field');
        assert.doesNotMatch(JSON.stringify(reply), /pinch of salt/);
      }

      it('answers the field to a holder', async () => {
        assert.deepEqual(await ask('baker@example.com'), { data: { recipe: { name: 'rye', secret: 'a pinch of salt' } } });
      });

      it('denies it to a guest (UNAUTHENTICATED) and a non-holder (FORBIDDEN)', async () => {
        assertDenied(await ask(), 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED');
        assertDenied(await ask('reader@example.com'), 'FORBIDDEN', 'CAPABILITY_MISSING');
      });
    });
  });
}
