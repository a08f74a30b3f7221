import 'reflect-metadata';
import { onFreePort } from './free-port';
import { Module, type INestApplication, type LoggerService, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthModule, type AuthModuleOptions } from '../../src';
import { HttpClient, type Reply } from './http-client';
import { FAKE_CLIENTS, type FakeGoogleGitHub } from './fake-google-github';

/** The example app's environment that enables Google and GitHub at the fake provider. */
export function fakeProviderEnvironment(fake: FakeGoogleGitHub, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AUTH_DEV_LOGIN: 'false',
    GOOGLE_CLIENT_ID: FAKE_CLIENTS.google.id,
    GOOGLE_CLIENT_SECRET: FAKE_CLIENTS.google.secret,
    GOOGLE_AUTHORIZATION_URL: fake.googleEndpoints.authorizationURL,
    GOOGLE_TOKEN_URL: fake.googleEndpoints.tokenURL,
    GOOGLE_USERINFO_URL: fake.googleEndpoints.userProfileURL,
    GITHUB_CLIENT_ID: FAKE_CLIENTS.github.id,
    GITHUB_CLIENT_SECRET: FAKE_CLIENTS.github.secret,
    GITHUB_URL: `${fake.url}/github`,
    GITHUB_API_URL: `${fake.url}/github/api`,
    PROVIDER_TIMEOUT_SECONDS: '1',
    ...extra,
  };
}

/** The steps of one sign-in through a redirect provider, each kept for assertions. */
export interface ProviderRoundTrip {
  /** Where `/login/<provider>` sent the browser. */
  readonly authorization: URL;
  /** Where the provider sent the browser back (the callback, with code and state). */
  readonly callback: URL;
}

/** Leaves for the provider and comes back to the callback URL, without following it. */
export async function visitProvider(client: HttpClient, loginPath: string, headers: Record<string, string> = {}): Promise<ProviderRoundTrip> {
  const start = await client.get(loginPath, headers);
  if (start.status !== 302 || start.location === null) throw new Error(`GET ${loginPath} answered ${start.status}: ${start.text}`);
  const authorization = new URL(start.location);
  const atProvider = await fetch(authorization, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const back = atProvider.headers.get('location');
  if (atProvider.status !== 302 || back === null) throw new Error(`the provider answered ${atProvider.status}: ${await atProvider.text()}`);
  return { authorization, callback: new URL(back) };
}

/** A whole sign-in: to the provider, back to the callback; the callback's reply. */
export async function signInThrough(client: HttpClient, provider: string, redirect = '/', headers: Record<string, string> = {}): Promise<Reply> {
  const { callback } = await visitProvider(client, `/login/${provider}?redirect=${encodeURIComponent(redirect)}`);
  return client.get(callback.pathname + callback.search, headers);
}

/** The email `/whoami` reports for this client, or null. */
export async function whoami(client: HttpClient): Promise<string | null> {
  const reply = await client.get('/whoami');
  return reply.json.user as string | null;
}

/** An application of its own around `AuthModule`, listening on 127.0.0.1, for features the example does not show. */
export async function startAuthApp(
  adapter: 'express' | 'fastify',
  auth: (baseUrl: string) => AuthModuleOptions,
  controllers: Type[],
  logger: LoggerService | false = false,
): Promise<{ readonly baseUrl: string; client(): HttpClient; close(): Promise<void> }> {
  // The app's baseUrl holds its port: a port taken before the app listens means another port, another app.
  const { app, baseUrl } = await onFreePort(async (port) => {
    const url = `http://127.0.0.1:${port}`;
    @Module({ imports: [AuthModule.forRoot(auth(url))], controllers })
    class TestAppModule {}
    const created: INestApplication =
      adapter === 'fastify'
        ? await NestFactory.create<NestFastifyApplication>(TestAppModule, new FastifyAdapter(), { logger })
        : await NestFactory.create(TestAppModule, { logger });
    await created.listen(port, '127.0.0.1').catch(async (error: unknown) => {
      await created.close();
      throw error;
    });
    return { app: created, baseUrl: url };
  });
  return { baseUrl, client: () => new HttpClient(baseUrl), close: () => app.close() };
}
