import type { INestApplication } from '@nestjs/common';

/**
 * Serves the OpenAPI document at `/docs-json` (and Swagger UI at `/docs` on Express),
 * when `@nestjs/swagger` is installed; without it the example runs as before.
 * Returns whether it is served.
 */
export function serveOpenApi(app: INestApplication, adapter: 'express' | 'fastify'): boolean {
  let swagger: typeof import('@nestjs/swagger');
  try {
    // Loaded only here, so an application without the optional peer runs unchanged.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, loaded only when present
    swagger = require('@nestjs/swagger') as typeof import('@nestjs/swagger');
  } catch {
    return false;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only once swagger is known to be there
  const { createCapabilitiesDocument } = require('../src/openapi') as typeof import('../src/openapi/index.js');
  const config = new swagger.DocumentBuilder()
    .setTitle('nest-capabilities example')
    .setDescription('The bakery routes, guarded by capabilities, and the sign-in, token and management routes of nest-capabilities.')
    .build();
  // Swagger UI's assets need @fastify/static on Fastify; the document itself is served on both.
  swagger.SwaggerModule.setup('docs', app, () => createCapabilitiesDocument(app, config), {
    ui: adapter === 'express',
    raw: ['json'],
    jsonDocumentUrl: 'docs-json',
  });
  return true;
}
