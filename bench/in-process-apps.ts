import 'reflect-metadata';
import { Controller, Get, Injectable, Module, UseGuards, type CanActivate, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import inject from 'light-my-request';
import type { RequestListener } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthModule, CapabilityGuard, RequireCapability } from '../src';
import { generateApiKey } from '../src/api-keys/api-key';
import { SessionCookie } from '../src/session/session-cookie';
import { apiKeysToJson } from '../src/stores/api-key-json';
import { BearerTokens } from '../src/tokens/bearer-tokens';
import { BENCH_CAPS, BENCH_SECRET, BENCH_USER, benchKeyRecord } from './apps';
import type { AdapterName } from './http.bench';

/** One request as the in-process bench sends it. */
export interface InProcessRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload?: string;
}

/** Sends a request through the app's own handler, without a socket; resolves with the status. */
export type Send = (request: InProcessRequest) => Promise<{ statusCode: number; payload: string }>;

/** An app of the bench, ready to be asked in this process. */
export interface InProcessApp {
  readonly send: Send;
  /** The bench user's credentials on this app: a bearer token, a session cookie and an API key. */
  readonly credentials: { readonly bearer: string; readonly cookie: string; readonly apiKey: string };
  close(): Promise<void>;
}

/** The bench's caps.yaml with one grant held only at a shop, for the scoped route. */
export const IN_PROCESS_CAPS = `${BENCH_CAPS}scopes:
  shop:s1:
    ${BENCH_USER}: [user_management]
`;

/** The routes, with paths of one length so requests differ only where they must. */
export const IN_PROCESS_PATHS = {
  open: '/items/open',
  allowAll: '/items/pass',
  ours: '/items/ours',
  openAtShop: '/items/open/s1',
  oursAtShop: '/items/shop/s1',
  oursAtShopUnscoped: '/items/glob/s1',
} as const;

const ITEMS = { items: ['croissant', 'baguette', 'cannolo'] };

/** A guard that lets everything through: Nest's guard pipeline alone, the noise floor. */
@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller('items')
class InProcessController {
  @Get('open')
  open(): typeof ITEMS {
    return ITEMS;
  }

  @Get('pass')
  @UseGuards(AllowAllGuard)
  pass(): typeof ITEMS {
    return ITEMS;
  }

  @Get('ours')
  @UseGuards(CapabilityGuard)
  @RequireCapability('read')
  ours(): typeof ITEMS {
    return ITEMS;
  }

  @Get('open/:shop')
  openAtShop(): typeof ITEMS {
    return ITEMS;
  }

  // Held only at the shop: the check answers from the scoped grants, not the global set.
  @Get('shop/:shop')
  @UseGuards(CapabilityGuard)
  @RequireCapability('user_management', { scope: 'shop:{shop}' })
  oursAtShop(): typeof ITEMS {
    return ITEMS;
  }

  // The same route and parameter guarded without a scope: what the scope alone adds is the difference.
  @Get('glob/:shop')
  @UseGuards(CapabilityGuard)
  @RequireCapability('read')
  oursAtShopUnscoped(): typeof ITEMS {
    return ITEMS;
  }
}

@Module({})
class InProcessModule {}

/**
 * The HTTP app of the in-process part on `adapter`, its files in `folder`: our guard on its
 * routes only, not global; `telemetry` false builds it with the module's metrics off;
 * `tokenAlgorithm` signs its tokens (HS256 by default).
 */
export function openHttpApp(adapter: AdapterName, folder: string, telemetry = true, tokenAlgorithm: 'HS256' | 'EdDSA' = 'HS256'): Promise<InProcessApp> {
  const capsFile = preparedCapsFile(folder);
  const auth = AuthModule.forRoot({ ...authOptions(capsFile.path), telemetry, tokenAlgorithm });
  return openApp(adapter, { module: InProcessModule, controllers: [InProcessController], imports: [auth] }, capsFile.apiKey);
}

/** The GraphQL app (Apollo on Express, Mercurius on Fastify) of the GraphQL part, in this process. */
export async function openGraphqlApp(adapter: AdapterName, folder: string): Promise<InProcessApp> {
  const { graphqlBenchModule } = await import('./graphql-apps.js');
  const capsFile = preparedCapsFile(folder);
  return openApp(adapter, graphqlBenchModule('graphql-one-process', adapter, capsFile.path, 'http://127.0.0.1'), capsFile.apiKey);
}

function authOptions(capsFile: string): { secret: string; baseUrl: string; capsFile: string; devLogin: boolean; production: boolean; globalGuard: boolean } {
  return { secret: BENCH_SECRET, baseUrl: 'http://127.0.0.1', capsFile, devLogin: true, production: false, globalGuard: false };
}

/** The caps file and the key file as a manager's POST /manage_capabilities/keys would leave it. */
function preparedCapsFile(folder: string): { path: string; apiKey: string } {
  const path = join(folder, `caps-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, IN_PROCESS_CAPS);
  const apiKey = generateApiKey();
  writeFileSync(`${path}.keys.json`, apiKeysToJson([benchKeyRecord(apiKey)]));
  return { path, apiKey };
}

async function openApp(adapter: AdapterName, module: DynamicModule, apiKey: string): Promise<InProcessApp> {
  let app: INestApplication;
  let send: Send;
  if (adapter === 'fastify') {
    const fastifyApp = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false });
    await fastifyApp.init();
    const instance = fastifyApp.getHttpAdapter().getInstance();
    await instance.ready();
    send = (request) => instance.inject(request);
    app = fastifyApp;
  } else {
    app = await NestFactory.create(module, { logger: false });
    await app.init();
    const listener = app.getHttpAdapter().getInstance() as RequestListener;
    send = (request) => inject(listener, request);
  }
  const bearer = app.get(BearerTokens).issueUserToken(BENCH_USER).token;
  const setCookie = await app.get(SessionCookie).issue(BENCH_USER, 'dev');
  return { send, credentials: { bearer, cookie: setCookie.slice(0, setCookie.indexOf(';')), apiKey }, close: () => app.close() };
}
