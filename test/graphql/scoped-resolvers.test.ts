import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Module, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, Field, GraphQLModule, ObjectType, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AuthModule, RequireCapability } from '../../src';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { listeningApp, type GraphQlAdapter } from './listening-app';

const CAPS = `capabilities:
  read: []
  bake: [read]
auto_admin: false
default: []
guest: []
users:
  baker@example.com: [bake]
scopes:
  shop:paris:
    pierre@example.com: [bake]
  shop:paris/oven:2:
    claire@example.com: [bake]
`;
const SECRET = 'graphql-secret-0123456789abcdefghijklmnopqrstuvwxyz';

@ObjectType()
class Shop {
  @Field()
  name!: string;
}

/** A scope computed by the application, here from the route parameter as Nest decoded it. */
function shopOfRequest(context: ExecutionContext): string {
  return `shop:${String(context.switchToHttp().getRequest<{ params: Record<string, string> }>().params['shop'])}`;
}

@Resolver(() => Shop)
class ShopResolver {
  @Query(() => Shop)
  shop(@Args('name') name: string): Shop {
    return { name };
  }

  /** A field's own arguments fill its scope. */
  @ResolveField(() => String)
  @RequireCapability('bake', { scope: 'shop:paris/oven:{oven}' })
  fire(@Args('oven') oven: string): string {
    return `oven ${oven} fired`;
  }

  @Query(() => String)
  @RequireCapability('bake', { scope: () => 'shop:paris' })
  parisSpecial(): string {
    return 'macaron';
  }

  @Query(() => String)
  @RequireCapability('bake', { scope: () => 'shop:paris/oops' })
  broken(): string {
    return 'never';
  }
}

@Controller('shops/:shop')
class ShopController {
  @Get('bake')
  @RequireCapability('bake', { scope: shopOfRequest })
  bake(): string {
    return 'baked';
  }
}

interface GraphQlReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; reason?: string; scope?: string } }[];
}

function graphqlModule(adapter: GraphQlAdapter) {
  const enhancers = { fieldResolverEnhancers: ['guards' as const, 'filters' as const] };
  return adapter === 'express'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, ...enhancers })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, ...enhancers });
}

for (const adapter of ['express', 'fastify'] as const) {
  describe(`scoped field resolvers and scopes of a function on ${adapter}`, () => {
    let folder: string;
    let app: INestApplication;
    let base: string;
    const tokenOf: Record<string, string> = {};

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'caps-scoped-graphql-'));
      const capsFile = join(folder, 'caps.yaml');
      writeFileSync(capsFile, CAPS);
      @Module({ imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile }), graphqlModule(adapter)], providers: [ShopResolver], controllers: [ShopController] })
      class AppModule {}
      app = await listeningApp(adapter, AppModule);
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      for (const who of ['pierre', 'claire', 'baker']) tokenOf[who] = app.get(BearerTokens).issueUserToken(`${who}@example.com`).token;
    });
    after(async () => {
      await app?.close();
      rmSync(folder, { recursive: true, force: true });
    });

    async function ask(who: string, query: string): Promise<GraphQlReply> {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenOf[who]!}` },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as GraphQlReply;
    }

    it('fills a field resolver\'s scope from the field\'s arguments: the oven\'s grant, or the shop\'s above it', async () => {
      assert.deepEqual((await ask('claire', '{ shop(name: "paris") { fire(oven: "2") } }')).data, { shop: { fire: 'oven 2 fired' } });
      assert.deepEqual((await ask('pierre', '{ shop(name: "paris") { fire(oven: "9") } }')).data, { shop: { fire: 'oven 9 fired' } });
      const sibling = await ask('claire', '{ shop(name: "paris") { fire(oven: "1") } }');
      assert.equal(sibling.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(sibling));
      assert.equal(sibling.errors[0].extensions?.scope, 'shop:paris/oven:1');
      const invalid = await ask('baker', '{ shop(name: "paris") { fire(oven: "../1") } }');
      assert.equal(invalid.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(invalid));
      assert.equal(invalid.errors[0].extensions?.reason, 'SCOPE_INVALID');
    });

    it('judges at the scope a function gives, and refuses a function\'s malformed scope with BAD_USER_INPUT', async () => {
      assert.deepEqual((await ask('pierre', '{ parisSpecial }')).data, { parisSpecial: 'macaron' });
      assert.equal((await ask('claire', '{ parisSpecial }')).errors?.[0]?.extensions?.code, 'FORBIDDEN');
      const broken = await ask('baker', '{ broken }');
      assert.equal(broken.errors?.[0]?.extensions?.reason, 'SCOPE_INVALID', JSON.stringify(broken));
      assert.ok(broken.data === null || broken.data === undefined);
    });

    it('judges an HTTP route at the scope its function reads from the request, SCOPE_INVALID for a bad one', async () => {
      const get = async (who: string, path: string): Promise<{ status: number; code?: string; scope?: string }> => {
        const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokenOf[who]!}` } });
        return { status: response.status, ...((response.status === 200 ? {} : await response.json()) as { code?: string; scope?: string }) };
      };
      assert.equal((await get('pierre', '/shops/paris/bake')).status, 200);
      const sibling = await get('pierre', '/shops/lyon/bake');
      assert.equal(sibling.status, 403);
      assert.equal(sibling.code, 'CAPABILITY_MISSING');
      assert.equal(sibling.scope, 'shop:lyon');
      const invalid = await get('baker', '/shops/paris%2Flyon/bake');
      assert.equal(invalid.status, 400);
      assert.equal(invalid.code, 'SCOPE_INVALID');
    });
  });
}

