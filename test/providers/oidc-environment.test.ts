import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settingsFromEnvironment } from '../../example/environment';

const BASE = { AUTH_SECRET: 'test-secret-0123456789abcdefghijklmnopqrstuv' };

describe('the example app reads its OpenID Connect provider from the environment', () => {
  it('configures the provider from OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, and turns the development sign-in off', () => {
    const settings = settingsFromEnvironment({ ...BASE, OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'shh' });
    assert.deepEqual(
      settings.auth.providers?.filter((provider) => provider.kind === 'oidc'),
      [{ kind: 'oidc', issuer: 'https://idp.example.com', clientId: 'app', clientSecret: 'shh' }],
    );
    assert.equal(settings.auth.devLogin, false);
  });

  it('names the provider after OIDC_NAME, and leaves the secret out for a public client', () => {
    const settings = settingsFromEnvironment({ ...BASE, OIDC_ISSUER: 'https://gitlab.com', OIDC_CLIENT_ID: 'app', OIDC_NAME: 'gitlab' });
    assert.deepEqual(settings.auth.providers?.filter((provider) => provider.kind === 'oidc'), [{ kind: 'oidc', issuer: 'https://gitlab.com', clientId: 'app', name: 'gitlab' }]);
  });

  it('takes the time limit from PROVIDER_TIMEOUT_SECONDS', () => {
    const settings = settingsFromEnvironment({ ...BASE, OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'app', PROVIDER_TIMEOUT_SECONDS: '3' });
    assert.equal(settings.auth.providers?.find((provider) => provider.kind === 'oidc')?.timeoutSeconds, 3);
  });

  it('configures no OpenID Connect provider without OIDC_ISSUER', () => {
    const settings = settingsFromEnvironment({ ...BASE });
    assert.deepEqual(settings.auth.providers?.filter((provider) => provider.kind === 'oidc') ?? [], []);
    assert.equal(settings.auth.devLogin, true);
  });

  it('refuses OIDC_ISSUER without OIDC_CLIENT_ID', () => {
    assert.throws(() => settingsFromEnvironment({ ...BASE, OIDC_ISSUER: 'https://idp.example.com' }), { message: 'OIDC_ISSUER is set but OIDC_CLIENT_ID is not' });
  });
});
