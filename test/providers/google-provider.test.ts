import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors';
import { createGitHubProvider } from '../../src/providers/github/github-sign-in';
import { createGoogleProvider } from '../../src/providers/google/google-sign-in';
import type { ProviderContext } from '../../src/providers/sign-in-provider';

function context(warnings: string[] = []): ProviderContext {
  return { baseUrl: new URL('https://app.example.com'), production: false, now: Date.now, warn: (message) => warnings.push(message) };
}

function configError(message: string, run: () => unknown): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.equal(error.message, message);
    return true;
  });
}

const ATTEMPT = { provider: 'google', state: 'state-123', redirect: '/', codeVerifier: 'v'.repeat(43) };
const REDIRECT_URI = 'https://app.example.com/auth/google/callback';

describe('createGoogleProvider', () => {
  it("starts at Google's endpoint with state, PKCE S256 and the given redirect URI", async () => {
    const provider = createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret' }, context());
    assert.equal(provider.name, 'google');
    assert.equal(provider.label, 'Google');
    const url = await provider.authorizationUrl(ATTEMPT, REDIRECT_URI);
    assert.equal(url.origin + url.pathname, 'https://accounts.google.com/o/oauth2/v2/auth');
    const query = Object.fromEntries(url.searchParams);
    assert.deepEqual(query, {
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile',
      state: 'state-123',
      code_challenge: createHash('sha256').update(ATTEMPT.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      client_id: 'cid',
    });
  });

  it('asks for offline access and consent only when offlineAccess is set', async () => {
    const provider = createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret', offlineAccess: true }, context());
    const url = await provider.authorizationUrl(ATTEMPT, REDIRECT_URI);
    assert.equal(url.searchParams.get('access_type'), 'offline');
    assert.equal(url.searchParams.get('prompt'), 'consent');
  });

  it('makes a fresh PKCE verifier for every attempt', () => {
    const provider = createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret' }, context());
    const first = provider.secrets().codeVerifier;
    assert.match(first ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(provider.secrets().codeVerifier, first);
  });

  it('refuses a plain-http endpoint off loopback, unless allowInsecureHttpEndpoints says so loudly', () => {
    const endpoints = { tokenURL: 'http://idp.internal.example/token' };
    configError('provider "google" tokenURL must be an https URL (http is accepted only on a loopback address), got http://idp.internal.example', () =>
      createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret', endpoints }, context()),
    );
    const warnings: string[] = [];
    const all = { authorizationURL: 'http://idp.internal.example/auth', tokenURL: 'http://idp.internal.example/token', userProfileURL: 'http://idp.internal.example/me' };
    createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret', endpoints: all, allowInsecureHttpEndpoints: true }, context(warnings));
    assert.deepEqual(warnings, ['provider "google" accepts plain-http endpoints: codes and tokens cross the network unencrypted']);
  });

  it('accepts http endpoints on loopback (a local test server), but not a mix of http and https', () => {
    const loopback = { authorizationURL: 'http://127.0.0.1:9/a', tokenURL: 'http://127.0.0.1:9/t', userProfileURL: 'http://localhost:9/u' };
    createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret', endpoints: loopback }, context());
    configError('the endpoints of provider "google" must all be https or all be http', () =>
      createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: 'secret', endpoints: { tokenURL: 'http://127.0.0.1:9/t' } }, context()),
    );
  });

  it('requires a client id and secret, naming the option but never a value', () => {
    configError('provider "google" clientSecret is required', () => createGoogleProvider({ kind: 'google', clientId: 'cid', clientSecret: ' ' }, context()));
    configError('provider "work" clientId is required', () =>
      createGoogleProvider({ kind: 'google', name: 'work', clientId: '', clientSecret: 'top-secret' }, context()),
    );
  });
});

describe('createGitHubProvider', () => {
  it("starts at GitHub's endpoint with state, PKCE S256 and the read:user and user:email scopes", async () => {
    const provider = createGitHubProvider({ kind: 'github', clientId: 'cid', clientSecret: 'secret', scopes: ['repo'] }, context());
    const url = await provider.authorizationUrl({ ...ATTEMPT, provider: 'github' }, 'https://app.example.com/auth/github/callback');
    assert.equal(url.origin + url.pathname, 'https://github.com/login/oauth/authorize');
    assert.equal(url.searchParams.get('scope'), 'read:user,user:email,repo');
    assert.equal(url.searchParams.get('state'), 'state-123');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('code_challenge'), createHash('sha256').update(ATTEMPT.codeVerifier).digest('base64url'));
  });

  it('refuses a non-URL endpoint with the option named', () => {
    configError('provider "github" userEmailURL "not a url" is not a URL', () =>
      createGitHubProvider({ kind: 'github', clientId: 'cid', clientSecret: 'secret', endpoints: { userEmailURL: 'not a url' } }, context()),
    );
  });
});
