import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { onFreePort } from './free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createExampleApp } from '../../example/app';
import { HttpClient } from './http-client';

/** The repository's own caps.yaml, as shipped. */
export const REPOSITORY_CAPS = join(__dirname, '..', '..', '..', 'caps.yaml');

/** The `AUTH_SECRET` every example started here runs with: tests sign tokens with its key. */
export const EXAMPLE_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuv';

export type HttpAdapterName = 'express' | 'fastify';

/** The example app, listening on 127.0.0.1 with its own copy of a caps.yaml. */
export interface RunningExample {
  readonly app: INestApplication;
  readonly baseUrl: string;
  readonly capsFile: string;
  client(headers?: Record<string, string>): HttpClient;
  /** A client signed in as `email` through the development sign-in. */
  signedIn(email: string): Promise<HttpClient>;
  close(): Promise<void>;
}

export async function startExample(
  options: { caps?: string; env?: Record<string, string>; adapter?: HttpAdapterName; sharedCapsFile?: string } = {},
): Promise<RunningExample> {
  // A second instance on another's caps file shares it (and its revocation file) and leaves it in place.
  const folder = options.sharedCapsFile === undefined ? mkdtempSync(join(tmpdir(), 'caps-e2e-')) : undefined;
  const capsFile = options.sharedCapsFile ?? join(folder!, 'caps.yaml');
  if (folder !== undefined) writeFileSync(capsFile, options.caps ?? readFileSync(REPOSITORY_CAPS, 'utf8'));
  // The app's BASE_URL holds its port: a port taken before the app listens means another port, another app.
  const { app, baseUrl } = await onFreePort(async (port) => {
    const { app } = await createExampleApp(
      {
        PORT: String(port),
        BASE_URL: `http://127.0.0.1:${port}`,
        AUTH_SECRET: EXAMPLE_SECRET,
        CAPS_FILE: capsFile,
        AUTH_DEV_LOGIN: 'true',
        HTTP_ADAPTER: options.adapter ?? process.env['TEST_HTTP_ADAPTER'] ?? 'express',
        ...options.env,
      },
      { logger: false },
    );
    await app.listen(port, '127.0.0.1').catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    return { app, baseUrl: `http://127.0.0.1:${port}` };
  });
  return {
    app,
    baseUrl,
    capsFile,
    client: (headers = {}) => new HttpClient(baseUrl, headers),
    async signedIn(email: string) {
      const client = new HttpClient(baseUrl);
      const reply = await client.signIn(email);
      if (reply.status !== 302) throw new Error(`sign-in of ${email} answered ${reply.status}: ${reply.text}`);
      return client;
    },
    async close() {
      await app.close();
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Every HTTP platform the end-to-end suites run on. */
export const ADAPTERS: readonly HttpAdapterName[] = ['express', 'fastify'];
