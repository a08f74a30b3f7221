import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The two HTTP platforms the GraphQL tests run on: Apollo over Express, Mercurius over Fastify. */
export type GraphQlAdapter = 'express' | 'fastify';

/**
 * `appModule` as an application on `adapter`, listening on 127.0.0.1 (a port of its own), its logs
 * silenced and its start-up errors thrown rather than ending the process; one that fails to listen is closed.
 */
export async function listeningApp(adapter: GraphQlAdapter, appModule: Type): Promise<INestApplication> {
  const options = { logger: false, abortOnError: false } as const;
  const app = adapter === 'express' ? await NestFactory.create(appModule, options) : await NestFactory.create(appModule, new FastifyAdapter(), options);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
