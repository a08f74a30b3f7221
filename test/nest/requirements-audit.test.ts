import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Controller, Get, Injectable, Module, UseGuards, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Args, ArgsType, Field, Query, Resolver } from '@nestjs/graphql';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AccessError, AuthModule, CapabilityGuard, ConfigError, Public, RequireCapability } from '../../src';

const CAPS = 'capabilities:\n  read: []\n  write: [read]\nauto_admin: false\ndefault: []\nguest: [read]\nusers: {}\n';
const SECRET = 'audit-secret-0123456789abcdefghijklmnopqrstuvwxyz';

let folder: string;
let capsFile: string;
before(() => {
  folder = mkdtempSync(join(tmpdir(), 'caps-audit-'));
  capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, CAPS);
});
after(() => rmSync(folder, { recursive: true, force: true }));

async function start(parts: {
  controllers?: Type[];
  providers?: Type[];
  imports?: (Type | DynamicModule)[];
  globalPrefix?: string;
  globalGuard?: boolean;
}): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot({ secret: SECRET, baseUrl: 'http://127.0.0.1', capsFile, globalGuard: parts.globalGuard ?? true }), ...(parts.imports ?? [])],
    controllers: parts.controllers ?? [],
    providers: parts.providers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  if (parts.globalPrefix !== undefined) app.setGlobalPrefix(parts.globalPrefix);
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/** Asserts that the start-up is refused with CONFIG_INVALID and a message naming `handler` and `reason`. */
async function assertRefused(parts: Parameters<typeof start>[0], handler: string, reason: RegExp): Promise<void> {
  await assert.rejects(start(parts), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.ok(error.message.includes(handler), error.message);
    assert.match(error.message, reason);
    return true;
  });
}

describe('the start-up audit of every handler', () => {
  it('refuses an undefined capability on a GraphQL resolver', async () => {
    @Resolver()
    class ReportsResolver {
      @Query(() => String)
      @RequireCapability('audit_reports')
      report(): string {
        return 'secret';
      }
    }
    await assertRefused({ providers: [ReportsResolver] }, 'ReportsResolver.report', /"audit_reports"/);
  });

  it('refuses an undefined capability on a WebSocket gateway', async () => {
    @WebSocketGateway()
    @UseGuards(CapabilityGuard)
    class ChatGateway {
      @SubscribeMessage('secret')
      @RequireCapability('chat_admin')
      secret(): string {
        return 'secret';
      }
    }
    await assertRefused({ providers: [ChatGateway] }, 'ChatGateway.secret', /"chat_admin"/);
  });

  it('refuses an undefined capability on a microservice handler', async () => {
    @Controller()
    class OrdersHandler {
      @MessagePattern('orders.list')
      @RequireCapability('orders_admin')
      list(): string[] {
        return [];
      }
    }
    await assertRefused({ controllers: [OrdersHandler] }, 'OrdersHandler.list', /microservice/);
  });

  it('refuses a microservice handler that asks for a defined capability: the guard cannot enforce it', async () => {
    @Controller()
    @RequireCapability('write')
    class EventsHandler {
      @EventPattern('order.created')
      created(): void {}
    }
    await assertRefused({ controllers: [EventsHandler] }, 'EventsHandler.created', /microservice handler/);
  });

  it('refuses @Public() and @RequireCapability on the same handler', async () => {
    @Controller('both')
    class BothController {
      @Get()
      @Public()
      @RequireCapability('write')
      both(): string {
        return 'both';
      }
    }
    await assertRefused({ controllers: [BothController] }, 'BothController.both', /@Public\(\) and @RequireCapability/);
  });

  it('refuses a @Public() class whose handler asks for a capability', async () => {
    @Controller('open')
    @Public()
    class OpenController {
      @Get()
      @RequireCapability('write')
      write(): string {
        return 'written';
      }
    }
    await assertRefused({ controllers: [OpenController] }, 'OpenController.write', /class is @Public\(\)/);
  });

  it('refuses @RequireCapability on a method of a provider that nothing routes to', async () => {
    @Injectable()
    class ReportService {
      @RequireCapability('write')
      erase(): void {}
    }
    await assertRefused({ providers: [ReportService] }, 'ReportService.erase', /not a route, resolver or gateway handler/);
  });

  it('refuses a guarded handler where no guard applies (globalGuard: false)', async () => {
    @Controller('unguarded')
    class UnguardedController {
      @Get()
      @RequireCapability('write')
      get(): string {
        return 'open';
      }
    }
    await assertRefused({ controllers: [UnguardedController], globalGuard: false }, 'UnguardedController.get', /no CapabilityGuard applies/);
  });

  it('refuses a guarded gateway handler without @UseGuards(CapabilityGuard), even with the global guard', async () => {
    @WebSocketGateway()
    class OpenGateway {
      @SubscribeMessage('write')
      @RequireCapability('write')
      write(): string {
        return 'written';
      }
    }
    await assertRefused({ providers: [OpenGateway] }, 'OpenGateway.write', /runs no global guard/);
  });

  it('accepts a guarded gateway handler whose gateway names CapabilityGuard', async () => {
    @WebSocketGateway()
    @UseGuards(CapabilityGuard)
    class GuardedGateway {
      @SubscribeMessage('write')
      @RequireCapability('write')
      write(): string {
        return 'written';
      }
    }
    const app = await start({ providers: [GuardedGateway] });
    await app.close();
  });

  it('accepts a handler that opts out of its class\'s requirement with @Public()', async () => {
    @Controller('mixed')
    @UseGuards(CapabilityGuard)
    @RequireCapability('write')
    class MixedController {
      @Get('health')
      @Public()
      health(): string {
        return 'ok';
      }
    }
    const app = await start({ controllers: [MixedController], globalGuard: false });
    await app.close();
  });
});

describe('the guard on a context it does not know', () => {
  it('denies a handler that needs a capability with CONTEXT_UNSUPPORTED, and lets a public one through', async () => {
    class Handlers {
      @RequireCapability('read')
      guarded(this: void): string {
        return 'secret';
      }

      open(this: void): string {
        return 'open';
      }
    }
    const app = await start({});
    try {
      const guard = app.get(CapabilityGuard);
      const rpc = (handler: () => string): ExecutionContextHost => {
        const context = new ExecutionContextHost([{ data: 1 }, {}], Handlers, handler);
        context.setType('rpc');
        return context;
      };
      assert.throws(() => guard.canActivate(rpc(Handlers.prototype.guarded)), (error: unknown) => {
        assert.ok(error instanceof AccessError);
        assert.equal(error.code, 'CONTEXT_UNSUPPORTED');
        assert.equal(error.capability, 'read');
        return true;
      });
      assert.equal(guard.canActivate(rpc(Handlers.prototype.open)), true);
    } finally {
      await app.close();
    }
  });
});

describe('the start-up audit of scope placeholders', () => {
  it('accepts a placeholder that is a parameter of the controller\'s or the method\'s path', async () => {
    @Controller('shops/:shop')
    class ShopsController {
      @Get('ovens/:oven')
      @RequireCapability('write', { scope: 'shop:{shop}/oven:{oven}' })
      oven(): string {
        return 'ok';
      }
    }
    await (await start({ controllers: [ShopsController] })).close();
  });

  it('refuses a placeholder that is not a route parameter, naming the handler and the placeholder', async () => {
    @Controller('shops/:shop')
    class StoresController {
      @Get('bake')
      @RequireCapability('write', { scope: 'shop:{store}' })
      bake(): string {
        return 'ok';
      }
    }
    await assertRefused({ controllers: [StoresController] }, 'StoresController.bake', /\{store\} of scope "shop:\{store\}" is not a route parameter of "\/shops\/:shop\/bake"/);
  });

  it('refuses a placeholder missing from one of the paths a handler answers at', async () => {
    @Controller()
    class TwoPathsController {
      @Get(['shops/:shop/bake', 'bake'])
      @RequireCapability('write', { scope: 'shop:{shop}' })
      bake(): string {
        return 'ok';
      }
    }
    await assertRefused({ controllers: [TwoPathsController] }, 'TwoPathsController.bake', /"\/bake"/);
  });

  it('refuses a class requirement whose placeholder one of its routes cannot fill', async () => {
    @Controller('shops')
    @RequireCapability('read', { scope: 'shop:{shop}' })
    class ClassScopeController {
      @Get(':shop/menu')
      menu(): string {
        return 'ok';
      }

      @Get('all')
      all(): string {
        return 'ok';
      }
    }
    await assertRefused({ controllers: [ClassScopeController] }, 'ClassScopeController.all', /\{shop\}/);
  });

  it('reads the parameters of the global prefix and of a RouterModule path', async () => {
    @Controller('bake')
    class PrefixedController {
      @Get()
      @RequireCapability('write', { scope: 'org:{org}/shop:{shop}' })
      bake(): string {
        return 'ok';
      }
    }
    @Module({ controllers: [PrefixedController] })
    class ShopModule {}
    const imports = [ShopModule, RouterModule.register([{ path: 'shops/:shop', module: ShopModule }])];
    await (await start({ imports, globalPrefix: 'orgs/:org' })).close();
    await assertRefused({ imports }, 'PrefixedController.bake', /\{org\}/);
  });

  it('refuses a resolver placeholder that is not one of its @Args, accepts one that is', async () => {
    @Resolver()
    class MenuResolver {
      @Query(() => String)
      @RequireCapability('read', { scope: 'shop:{shop}' })
      menu(@Args('store') store: string): string {
        return store;
      }
    }
    await assertRefused({ providers: [MenuResolver] }, 'MenuResolver.menu', /\{shop\} of scope "shop:\{shop\}" is not an @Args\(\) argument/);

    @Resolver()
    class ShopMenuResolver {
      @Query(() => String)
      @RequireCapability('read', { scope: 'shop:{shop}' })
      shopMenu(@Args('shop') shop: string): string {
        return shop;
      }
    }
    await (await start({ providers: [ShopMenuResolver] })).close();
  });

  it('accepts any placeholder on a resolver that takes its arguments as one object, and on a gateway', async () => {
    @ArgsType()
    class ShopArgs {
      @Field()
      shop!: string;
    }
    @Resolver()
    class WholeArgsResolver {
      @Query(() => String)
      @RequireCapability('read', { scope: 'shop:{shop}' })
      menu(@Args() args: ShopArgs): string {
        return args.shop;
      }
    }
    @WebSocketGateway()
    @UseGuards(CapabilityGuard)
    class ShopGateway {
      @SubscribeMessage('bake')
      @RequireCapability('write', { scope: 'shop:{shop}' })
      bake(@MessageBody('food') food: unknown): unknown {
        return food;
      }
    }
    await (await start({ providers: [WholeArgsResolver, ShopGateway] })).close();
  });

  it('accepts a scope given as a function of the context', async () => {
    @Controller()
    class FunctionScopeController {
      @Get('here')
      @RequireCapability('read', { scope: () => 'shop:paris' })
      here(): string {
        return 'ok';
      }
    }
    await (await start({ controllers: [FunctionScopeController] })).close();
  });
});

