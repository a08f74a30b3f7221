import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settingsFromEnvironment } from '../../example/environment';

const BASE = { AUTH_SECRET: 'test-secret-0123456789abcdefghijklmnopqrstuv' };

describe('the example app: Google and GitHub from the environment', () => {
  it('enables Google and GitHub, and turns the development sign-in off', () => {
    const settings = settingsFromEnvironment({
      ...BASE,
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET: 'g-secret',
      GOOGLE_OFFLINE_ACCESS: 'true',
      GITHUB_CLIENT_ID: 'h-id',
      GITHUB_CLIENT_SECRET: 'h-secret',
    });
    assert.equal(settings.auth.devLogin, false);
    assert.deepEqual(settings.auth.providers, [
      { kind: 'google', clientId: 'g-id', clientSecret: 'g-secret', offlineAccess: true },
      { kind: 'github', clientId: 'h-id', clientSecret: 'h-secret' },
    ]);
  });

  it('points GitHub at an Enterprise Server and sets the time-out', () => {
    const settings = settingsFromEnvironment({
      ...BASE,
      GITHUB_CLIENT_ID: 'h-id',
      GITHUB_CLIENT_SECRET: 'h-secret',
      GITHUB_URL: 'https://git.corp.example/',
      GITHUB_API_URL: 'https://git.corp.example/api/v3',
      PROVIDER_TIMEOUT_SECONDS: '3',
    });
    assert.deepEqual(settings.auth.providers, [
      {
        kind: 'github',
        clientId: 'h-id',
        clientSecret: 'h-secret',
        endpoints: {
          authorizationURL: 'https://git.corp.example/login/oauth/authorize',
          tokenURL: 'https://git.corp.example/login/oauth/access_token',
          userProfileURL: 'https://git.corp.example/api/v3/user',
          userEmailURL: 'https://git.corp.example/api/v3/user/emails',
        },
        timeoutSeconds: 3,
      },
    ]);
  });

  it('refuses a client id without its secret, and a bad time-out, naming the variables', () => {
    assert.throws(() => settingsFromEnvironment({ ...BASE, GOOGLE_CLIENT_ID: 'g-id' }), { message: 'GOOGLE_CLIENT_ID is set but neither GOOGLE_CLIENT_SECRET nor GOOGLE_CLIENT_SECRET_FILE is' });
    assert.throws(() => settingsFromEnvironment({ ...BASE, GITHUB_CLIENT_ID: 'h-id' }), { message: 'GITHUB_CLIENT_ID is set but neither GITHUB_CLIENT_SECRET nor GITHUB_CLIENT_SECRET_FILE is' });
    assert.throws(() => settingsFromEnvironment({ ...BASE, GITHUB_CLIENT_ID: 'h', GITHUB_CLIENT_SECRET: 's', PROVIDER_TIMEOUT_SECONDS: 'soon' }), {
      message: 'PROVIDER_TIMEOUT_SECONDS must be a positive number, got "soon"',
    });
  });
});
