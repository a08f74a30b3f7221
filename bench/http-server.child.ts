import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { JwtService } from '@nestjs/jwt';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/support/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/api-keys/api-key';
import { apiKeysToJson } from '../src/stores/api-key-json';
import { generateClientId, generateClientSecret } from '../src/clients/client';
import { clientsToJson } from '../src/stores/client-json';
import { BENCH_CAPS, BENCH_SECRET, benchClientRecord, benchKeyRecord, benchModule, type AppName } from './apps';
import type { GraphqlAppName } from './graphql-apps';

/** What the child tells its parent once it listens. */
export interface ChildReady {
  readonly port: number;
  /** For the recipe apps: a token their JwtStrategy accepts. */
  readonly recipeToken?: string;
  /** For our app: an API key carrying what the bench user holds. */
  readonly apiKey?: string;
  /** For our app: an OAuth client of `bench@service`, for the client-credentials grant. */
  readonly client?: { readonly clientId: string; readonly secret: string };
}

// One app under test per process, so the load generator never shares its event loop.
async function main(): Promise<void> {
  const [adapter, name] = process.argv.slice(2) as ['express' | 'fastify', AppName | GraphqlAppName];
  const folder = mkdtempSync(join(tmpdir(), 'caps-bench-'));
  const capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, BENCH_CAPS);
  const apiKey = generateApiKey();
  // The key file as a manager's POST /manage_capabilities/keys would leave it.
  writeFileSync(`${capsFile}.keys.json`, apiKeysToJson([benchKeyRecord(apiKey)]));
  // And the client file as `nest-capabilities clients create bench@service` would leave it.
  const client = { clientId: generateClientId(), secret: generateClientSecret() };
  writeFileSync(`${capsFile}.clients.json`, clientsToJson([benchClientRecord(client.clientId, client.secret)]));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // The GraphQL apps are loaded only when asked for: they pull in a GraphQL driver.
  const module = isGraphqlApp(name) ? (await import('./graphql-apps.js')).graphqlBenchModule(name, adapter, capsFile, baseUrl) : benchModule(name, capsFile, baseUrl);
  const app: INestApplication =
    adapter === 'fastify' ? await NestFactory.create(module, new FastifyAdapter(), { logger: false }) : await NestFactory.create(module, { logger: false });
  await app.listen(port, '127.0.0.1');
  const ready: ChildReady = name.startsWith('recipe')
    ? { port, recipeToken: new JwtService({ secret: BENCH_SECRET }).sign({ sub: '1', username: 'reader', roles: ['moderator'] }, { expiresIn: '1h' }) }
    : { port, apiKey, client };
  process.send?.(ready);
  // CPU time of this process, asked around each measurement: what a request costs the server.
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  process.on('disconnect', () => {
    void app.close().finally(() => {
      rmSync(folder, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

function isGraphqlApp(name: AppName | GraphqlAppName): name is GraphqlAppName {
  return name.startsWith('graphql-');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
