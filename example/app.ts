import 'reflect-metadata';
import { Logger, Module, type DynamicModule, type INestApplication, type LoggerService, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { AuthModule } from '../src';
import { BakeryController } from './bakery.controller';
import { BakeryGateway } from './bakery.gateway';
import { BakeryResolver } from './bakery.resolver';
import { BakeryService } from './bakery.service';
import { ShopsController } from './shops.controller';
import { SignInProviders } from '../src/nest/sign-in/sign-in-providers';
import { settingsFromEnvironment, signInReport, type ExampleSettings } from './environment';
import { graphQlModule } from './graphql';
import { HomeController } from './home.controller';
import { serveOpenApi } from './openapi';
import { leaveSocketIoUpgradesToSocketIo } from './socket-io-upgrades';
import { metricsFromEnvironment, type ExampleMetrics } from './metrics';

/** Largest request body the example accepts, in bytes; larger ones get 413. */
const BODY_LIMIT = 16 * 1024;

/** Longest route parameter Fastify passes on, in characters as sent: a scope id of 128, percent-encoded, and room to refuse a longer one. */
const MAX_PARAM_LENGTH = 1024;
/**
 * Largest request head the example reads, in bytes. Above Node's 16 KiB default so
 * that an oversized Authorization header reaches the module and gets its JSON 401
 * (the module reads at most 8 KiB of it) instead of a bare 431 from the parser.
 */
const HEADER_LIMIT = 128 * 1024;

@Module({})
export class ExampleAppModule {
  static withSettings(settings: ExampleSettings): DynamicModule {
    return {
      module: ExampleAppModule,
      imports: [AuthModule.forRoot({ ...settings.auth, prefix: settings.prefix }), graphQlModule(settings.adapter)],
      controllers: [HomeController, BakeryController, ShopsController],
      providers: [BakeryService, BakeryResolver, BakeryGateway],
    };
  }
}

/** The example app, configured from `env`, ready to `listen`, and what its start-up log says about signing in. */
export async function createExampleApp(
  env: NodeJS.ProcessEnv,
  options: { logger?: LoggerService | false } = {},
): Promise<{ app: INestApplication; settings: ExampleSettings; signIn: ReturnType<typeof signInReport> }> {
  const settings = settingsFromEnvironment(env);
  // Before the app: the module takes its instruments from the provider registered when it starts.
  const telemetry = await metricsFromEnvironment(env);
  const withSettings = ExampleAppModule.withSettings(settings);
  const module = telemetry === undefined ? withSettings : { ...withSettings, providers: [...(withSettings.providers ?? []), metricsOwner(telemetry)] };
  const logger = options.logger ?? new Logger();
  let app: INestApplication;
  if (settings.adapter === 'fastify') {
    // Nest's Fastify adapter parses JSON and form bodies itself, within this limit. Fastify
    // refuses a route parameter over 100 characters with its own 414: a scope id may have
    // 128, and one too long is the guard's to refuse (SCOPE_INVALID), as on Express.
    const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT, routerOptions: { maxParamLength: MAX_PARAM_LENGTH } });
    const fastify = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger });
    leaveSocketIoUpgradesToSocketIo(fastify);
    app = fastify;
  } else {
    const express = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger });
    // Nothing tells a stranger which framework answers.
    express.disable('x-powered-by');
    express.useBodyParser('json', { limit: BODY_LIMIT });
    express.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
    app = express;
  }
  // Node reads the limit from the server at each new connection.
  (app.getHttpServer() as { maxHeaderSize?: number }).maxHeaderSize = HEADER_LIMIT;
  app.useWebSocketAdapter(new IoAdapter(app));
  app.enableShutdownHooks();
  const signIn = signInReport(app.get(SignInProviders).all());
  const notices = telemetry === undefined ? settings.notices : [...settings.notices, `metrics for Prometheus at ${telemetry.endpoint}`];
  if (serveOpenApi(app, settings.adapter)) return { app, settings: { ...settings, notices }, signIn };
  return { app, settings: { ...settings, notices: [...notices, '@nestjs/swagger is not installed: no OpenAPI document at /docs-json'] }, signIn };
}

/** Stops serving the metrics when the app closes. */
function metricsOwner(telemetry: ExampleMetrics): Provider {
  return { provide: 'EXAMPLE_METRICS', useFactory: () => ({ onApplicationShutdown: () => telemetry.shutdown() }) };
}
