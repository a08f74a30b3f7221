import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigError, LoginError } from '../../src/errors';
import { createOidcProvider } from '../../src/providers/oidc/oidc-sign-in';
import type { ProviderContext } from '../../src/providers/sign-in-provider';
import type { LoginAttempt } from '../../src/session/login-attempt';
import { ADAPTERS } from '../support/example-server';
import { reserveAppUrl, startModuleApp } from './oidc-identity-server';

/** A hand-made identity server: a discovery document of our choosing and a token endpoint that never answers. */
class FakeIssuer {
  private server!: Server;
  base = '';
  document: (base: string) => Record<string, unknown> = (base) => ({ issuer: base });
  readonly hanging: ServerResponse[] = [];

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (request.url === '/.well-known/openid-configuration') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(this.document(this.base)));
        return;
      }
      if (request.url === '/token') {
        request.resume();
        this.hanging.push(response);
        return;
      }
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.hanging.forEach((response) => response.destroy());
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function context(warnings: string[] = []): ProviderContext {
  return { baseUrl: new URL('http://127.0.0.1:3000'), production: false, now: Date.now, warn: (message) => warnings.push(message) };
}

function endpoints(base: string): Record<string, unknown> {
  return {
    issuer: base,
    authorization_endpoint: `${base}/auth`,
    token_endpoint: `${base}/token`,
    jwks_uri: `${base}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
}

describe('OpenID Connect discovery', () => {
  const fake = new FakeIssuer();
  before(() => fake.start());
  after(() => fake.stop());

  it('stops the start when the document names another issuer', async () => {
    fake.document = (base) => ({ ...endpoints(base), issuer: 'https://impostor.example' });
    const provider = createOidcProvider({ kind: 'oidc', issuer: fake.base, clientId: 'app', clientSecret: 's' }, context());
    await assert.rejects(
      provider.prepare!(),
      (error) =>
        error instanceof ConfigError &&
        error.message === `the discovery document of ${fake.base}/ names another issuer ("https://impostor.example"); set the issuer exactly as the provider states it`,
    );
  });

  for (const adapter of ADAPTERS) {
    it(`keeps the application from starting on ${adapter} when the issuer differs`, async () => {
      fake.document = (base) => ({ ...endpoints(base), issuer: `${base}/other` });
      const at = await reserveAppUrl();
      await assert.rejects(
        startModuleApp([{ kind: 'oidc', issuer: fake.base, clientId: 'app', clientSecret: 's' }], at, adapter),
        (error) => error instanceof ConfigError && error.message.includes(`names another issuer ("${fake.base}/other")`),
      );
    });
  }

  it('stops the start when a discovered endpoint is not https', async () => {
    fake.document = (base) => ({ ...endpoints(base), token_endpoint: 'http://tokens.example.com/token' });
    const provider = createOidcProvider({ kind: 'oidc', issuer: fake.base, clientId: 'app', clientSecret: 's' }, context());
    await assert.rejects(provider.prepare!(), (error) => error instanceof ConfigError && error.message === 'the discovered token_endpoint http://tokens.example.com is not https');
  });

  it('builds an authorization URL with state, nonce and an S256 challenge from the discovered endpoint', async () => {
    fake.document = endpoints;
    const provider = createOidcProvider({ kind: 'oidc', name: 'company', issuer: fake.base, clientId: 'app', clientSecret: 's', offlineAccess: true }, context());
    const secrets = provider.secrets();
    const attempt: LoginAttempt = { provider: 'company', state: 'state-1', redirect: '/', ...secrets };
    const url = await provider.authorizationUrl(attempt, 'http://127.0.0.1:3000/auth/company/callback');
    assert.equal(`${url.origin}${url.pathname}`, `${fake.base}/auth`);
    const query = Object.fromEntries(url.searchParams);
    assert.equal(query['client_id'], 'app');
    assert.equal(query['response_type'], 'code');
    assert.equal(query['state'], 'state-1');
    assert.equal(query['nonce'], secrets.nonce);
    assert.equal(query['code_challenge_method'], 'S256');
    assert.notEqual(query['code_challenge'], secrets.codeVerifier);
    assert.equal(query['scope'], 'openid email profile offline_access');
    assert.equal(query['prompt'], 'consent');
    assert.equal(query['redirect_uri'], 'http://127.0.0.1:3000/auth/company/callback');
  });

  it('answers a token endpoint that does not answer in time with LOGIN_PROVIDER_ERROR', async () => {
    fake.document = endpoints;
    const provider = createOidcProvider({ kind: 'oidc', issuer: fake.base, clientId: 'app', clientSecret: 'client-secret-value', timeoutSeconds: 1 }, context());
    const attempt: LoginAttempt = { provider: 'oidc', state: 'state-1', redirect: '/', ...provider.secrets() };
    const callback = new URL(`http://127.0.0.1:3000/auth/oidc/callback?code=the-code&state=state-1&iss=${encodeURIComponent(fake.base)}`);
    await assert.rejects(provider.finish(callback, attempt, 'http://127.0.0.1:3000/auth/oidc/callback'), (error) => {
      assert.ok(error instanceof LoginError);
      assert.equal(error.code, 'LOGIN_PROVIDER_ERROR');
      assert.equal(error.message, `${new URL(fake.base).host} did not answer in time; try again`);
      return true;
    });
    assert.equal(fake.hanging.length, 1, 'the code went to the token endpoint once');
  });

  it('waits for an unreachable issuer instead of failing the start, and says so at sign-in', async () => {
    const closed = await reserveAppUrl();
    const warnings: string[] = [];
    const provider = createOidcProvider({ kind: 'oidc', issuer: closed.baseUrl, clientId: 'app' }, context(warnings));
    await provider.prepare!();
    assert.deepEqual(warnings, [`sign-in provider "oidc": ${closed.baseUrl}/ could not be reached; discovery is retried at the next sign-in`]);
    const attempt: LoginAttempt = { provider: 'oidc', state: 's', redirect: '/', ...provider.secrets() };
    await assert.rejects(
      provider.authorizationUrl(attempt, 'http://127.0.0.1:3000/auth/oidc/callback'),
      (error) => error instanceof LoginError && error.code === 'LOGIN_PROVIDER_ERROR' && error.message === `${closed.baseUrl.slice(7)} could not be reached; try again`,
    );
  });

  it('warns loudly about a plain-http issuer that was explicitly allowed', () => {
    const warnings: string[] = [];
    createOidcProvider({ kind: 'oidc', issuer: 'http://idp.internal.example', clientId: 'app', allowInsecureHttpIssuer: true }, context(warnings));
    assert.deepEqual(warnings, [
      'sign-in provider "oidc": the issuer http://idp.internal.example is plain http (allowInsecureHttpIssuer); codes and tokens cross the network unencrypted',
    ]);
  });

  it('refuses to be configured without a client id or with a plain-http issuer off loopback', () => {
    assert.throws(() => createOidcProvider({ kind: 'oidc', issuer: 'https://idp.example.com', clientId: '' }, context()), ConfigError);
    assert.throws(() => createOidcProvider({ kind: 'oidc', issuer: 'http://idp.example.com', clientId: 'app' }, context()), ConfigError);
  });
});
