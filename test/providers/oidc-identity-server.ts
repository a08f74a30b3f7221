import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OidcProviderInstance } from 'oidc-provider';
import { AuthModule, type ProviderOptions } from '../../src';
import { createExampleApp } from '../../example/app';
import { REPOSITORY_CAPS, type HttpAdapterName } from '../support/example-server';
import { HttpClient, type Reply } from '../support/http-client';

/**
 * A real OpenID Connect server that we did not write: panva's oidc-provider, on
 * 127.0.0.1, with a tiny sign-in page of our own in front of it (an email field,
 * "Continue" and "Deny") so that tests and a browser can drive it.
 */
export interface IdentityServer {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Emails whose `email_verified` is false. */
  readonly unverified: Set<string>;
  close(): Promise<void>;
}

/**
 * Starts the server; `redirectUris` are the callback URLs it accepts for its one
 * client, `postLogoutRedirectUris` where it may send a browser back after signing out.
 */
export async function startIdentityServer(
  redirectUris: readonly string[],
  options: { issuerPath?: string; postLogoutRedirectUris?: readonly string[] } = {},
): Promise<IdentityServer> {
  // The package is ESM-only: a dynamic import loads it from this CommonJS file.
  const { default: Provider } = await import('oidc-provider');
  const clientId = 'example-app';
  const clientSecret = randomBytes(24).toString('base64url');
  const unverified = new Set<string>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${options.issuerPath ?? ''}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...redirectUris],
        post_logout_redirect_uris: [...(options.postLogoutRedirectUris ?? [])],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, RefreshToken: 86400, Session: 3600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_context: unknown, interaction: { uid: string }) => `${options.issuerPath ?? ''}/interaction/${interaction.uid}` },
    findAccount: (_context: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: id, email_verified: !unverified.has(id) }),
    }),
    renderError: (context: { type: string; body: string }, output: { error: string }) => {
      context.type = 'text/plain';
      context.body = `identity server error: ${output.error}`;
    },
  });
  const handle = provider.callback();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', issuer).pathname;
    if (path.startsWith(`${options.issuerPath ?? ''}/interaction/`)) {
      interaction(provider, clientId, request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(`interaction failed: ${(error as Error).message}`);
      });
      return;
    }
    handle(request, response);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    unverified,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET: the sign-in page. POST: `email` and `action` (`allow` or `deny`, with an optional `description`). */
async function interaction(provider: OidcProviderInstance, clientId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (request.method === 'GET') {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!doctype html><title>Identity server</title><h1>Identity server</h1>
<form method="post"><label>Email <input type="text" name="email" id="email"></label>
<input type="hidden" name="action" value="allow"><button type="submit" id="continue">Continue</button></form>`);
    return;
  }
  const form = new URLSearchParams(await bodyOf(request));
  if (form.get('action') === 'deny') {
    const description = form.get('description');
    await provider.interactionFinished(request, response, { error: 'access_denied', ...(description === null ? {} : { error_description: description }) }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = form.get('email') ?? '';
  const grant = new provider.Grant({ accountId, clientId });
  const scope = details.params['scope'];
  grant.addOIDCScope(typeof scope === 'string' ? scope : 'openid');
  const grantId = await grant.save();
  await provider.interactionFinished(request, response, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function signingKey(): Record<string, unknown> {
  // PEM first, then JWK: exporting a fresh key pair straight to JWK can hang on Node 20.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { ...createPrivateKey(privateKey).export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
}

/**
 * Drives a sign-in through the identity server the way a browser would, up to the
 * moment the identity server sends the browser back: returns that callback URL.
 * `loginPath` is where it starts on the app (e.g. `/login/oidc?redirect=/menu`).
 * The identity server's own cookies stay in a separate jar: a browser scopes them
 * by path per interaction, which the tests' simple jar does not.
 */
export async function visitIdentityServer(
  client: HttpClient,
  loginPath: string,
  answer: IdentityAnswer,
): Promise<{ callbackUrl: URL; authorizationUrl: URL }> {
  const start = await client.get(loginPath);
  if (start.status !== 302 || start.location === null) throw new Error(`${loginPath} answered ${start.status}: ${start.text}`);
  const authorizationUrl = new URL(start.location);
  return { callbackUrl: await answerAtIdentityServer(authorizationUrl, answer), authorizationUrl };
}

/** What the person at the identity server does: sign in as `email`, or deny with a description. */
export type IdentityAnswer = { email: string } | { deny: string };

/** From an authorization URL to the callback URL the identity server sends the browser to. */
export async function answerAtIdentityServer(authorizationUrl: URL, answer: IdentityAnswer): Promise<URL> {
  const browser = new HttpClient(authorizationUrl.origin);
  const toInteraction = await browser.get(authorizationUrl.href);
  const interactionUrl = redirectTarget(toInteraction, authorizationUrl);
  const form = 'email' in answer ? { email: answer.email, action: 'allow' } : { action: 'deny', description: answer.deny };
  let reply = await browser.postForm(interactionUrl.href, form);
  let url = redirectTarget(reply, interactionUrl);
  // The identity server resumes the authorization, then sends the browser back to the app.
  for (let hop = 0; hop < 5 && url.origin === authorizationUrl.origin; hop += 1) {
    reply = await browser.get(url.href);
    url = redirectTarget(reply, url);
  }
  return url;
}

function redirectTarget(reply: Reply, base: URL): URL {
  if (reply.status < 300 || reply.status > 399 || reply.location === null) {
    throw new Error(`expected a redirect from the identity server, got ${reply.status}: ${reply.text.slice(0, 300)}`);
  }
  return new URL(reply.location, base);
}

/** The example app on a port chosen beforehand, so the identity server can know its callback URL first. */
export interface OidcExample {
  readonly app: INestApplication;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** A free port on 127.0.0.1 and the app URL it gives. */
export async function reserveAppUrl(): Promise<{ port: number; baseUrl: string }> {
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port: chosen } = probe.address() as AddressInfo;
      probe.close(() => resolve(chosen));
    });
  });
  return { port, baseUrl: `http://127.0.0.1:${port}` };
}

/** Starts the example app signed in through `idp` only (no development sign-in). */
export async function startOidcExample(
  idp: IdentityServer,
  at: { port: number; baseUrl: string },
  options: { adapter: HttpAdapterName; env?: Record<string, string>; caps?: string },
): Promise<OidcExample> {
  const folder = mkdtempSync(join(tmpdir(), 'caps-oidc-'));
  const capsFile = join(folder, 'caps.yaml');
  writeFileSync(capsFile, options.caps ?? readFileSync(REPOSITORY_CAPS, 'utf8'));
  const { app } = await createExampleApp(
    {
      PORT: String(at.port),
      BASE_URL: at.baseUrl,
      AUTH_SECRET: 'test-secret-0123456789abcdefghijklmnopqrstuv',
      CAPS_FILE: capsFile,
      HTTP_ADAPTER: options.adapter,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      ...options.env,
    },
    { logger: false },
  );
  try {
    await app.listen(at.port, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    baseUrl: `http://127.0.0.1:${at.port}`,
    async close() {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A bare application with only `AuthModule`, configured with `providers`, on a reserved URL. */
export async function startModuleApp(
  providers: readonly ProviderOptions[],
  at: { port: number; baseUrl: string },
  adapter: HttpAdapterName,
): Promise<OidcExample> {
  @Module({ imports: [AuthModule.forRoot({ secret: 'test-secret-0123456789abcdefghijklmnopqrstuv', baseUrl: at.baseUrl, capsFile: REPOSITORY_CAPS, providers })] })
  class BareModule {}
  const app =
    adapter === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(BareModule, { logger: false });
  try {
    await app.listen(at.port, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return { app, baseUrl: at.baseUrl, close: () => app.close() };
}
