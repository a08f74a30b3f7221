import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createExampleApp } from '../../example/app';
import { settingsFromEnvironment } from '../../example/environment';
import { tempFolder } from '../fixtures/temp-folder';
import { EXAMPLE_SECRET, REPOSITORY_CAPS } from '../support/example-server';

const STRONG = 'k3Jq8vX2mN5pR7tW9yB4cE6gH1jL0oQsUaZdFiKx';

describe('the example app\'s environment', () => {
  it('runs on embedded defaults with nothing set', () => {
    const settings = settingsFromEnvironment({});
    assert.equal(settings.port, 3000);
    assert.equal(settings.auth.baseUrl, 'http://localhost:3000');
    assert.equal(settings.auth.capsFile, 'caps.yaml');
    assert.equal(settings.auth.devLogin, true);
    assert.equal(settings.adapter, 'express');
    assert.ok(settings.auth.secret.length >= 32, 'a random secret');
    assert.ok(settings.notices.some((notice) => notice.startsWith('AUTH_SECRET is not set')));
  });

  it('makes a new random secret each start when none is set', () => {
    assert.notEqual(settingsFromEnvironment({}).auth.secret, settingsFromEnvironment({}).auth.secret);
  });

  it('derives BASE_URL from PORT', () => {
    assert.equal(settingsFromEnvironment({ PORT: '8080' }).auth.baseUrl, 'http://localhost:8080');
  });

  it('requires AUTH_SECRET in production', () => {
    assert.throws(() => settingsFromEnvironment({ NODE_ENV: 'production' }), { message: 'AUTH_SECRET is required when NODE_ENV=production' });
  });

  it('requires BASE_URL in production, naming it, rather than sending browsers to localhost', () => {
    for (const BASE_URL of [undefined, '']) {
      assert.throws(() => settingsFromEnvironment({ NODE_ENV: 'production', AUTH_SECRET: STRONG, ...(BASE_URL === undefined ? {} : { BASE_URL }) }), {
        message: 'BASE_URL is required when NODE_ENV=production: the external URL of the app, e.g. https://app.example.com (redirect URIs and cookies are made from it)',
      });
    }
    assert.equal(settingsFromEnvironment({ NODE_ENV: 'production', AUTH_SECRET: STRONG, BASE_URL: 'https://bakery.example' }).auth.baseUrl, 'https://bakery.example');
  });

  it('keeps the development sign-in off in production unless forced, and the module refuses it forced', () => {
    const production = { NODE_ENV: 'production', BASE_URL: 'https://bakery.example' };
    const settings = settingsFromEnvironment({ ...production, AUTH_SECRET: STRONG });
    assert.equal(settings.auth.devLogin, false);
    assert.equal(settingsFromEnvironment({ ...production, AUTH_SECRET: 'x', AUTH_DEV_LOGIN: 'true' }).auth.devLogin, true);
  });

  it('turns the development sign-in off when a provider is configured', () => {
    assert.equal(settingsFromEnvironment({ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' }).auth.devLogin, false);
    assert.equal(settingsFromEnvironment({ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret', AUTH_DEV_LOGIN: 'true' }).auth.devLogin, true);
  });

  it('refuses values it does not understand', () => {
    assert.throws(() => settingsFromEnvironment({ PORT: 'eighty' }), { message: 'PORT must be a port number, got "eighty"' });
    assert.throws(() => settingsFromEnvironment({ AUTH_DEV_LOGIN: 'yes' }), { message: 'AUTH_DEV_LOGIN must be "true" or "false", got "yes"' });
    assert.throws(() => settingsFromEnvironment({ HTTP_ADAPTER: 'koa' }), { message: 'HTTP_ADAPTER must be "express" or "fastify", got "koa"' });
    assert.throws(() => settingsFromEnvironment({ CLIENT_TOKEN_TTL_SECONDS: '1h' }), { message: 'CLIENT_TOKEN_TTL_SECONDS must be a positive whole number of seconds, got "1h"' });
  });

  it('reads the lifetime of OAuth client tokens from CLIENT_TOKEN_TTL_SECONDS, leaving the module default otherwise', () => {
    assert.equal(settingsFromEnvironment({ CLIENT_TOKEN_TTL_SECONDS: '600' }).auth.clientTokenTtlSeconds, 600);
    assert.equal(settingsFromEnvironment({}).auth.clientTokenTtlSeconds, undefined);
  });
});

describe('the example app\'s start-up log', () => {
  const cases: [string, Record<string, string>, { level: 'log' | 'warn'; message: string }][] = [
    ['the development sign-in', { AUTH_DEV_LOGIN: 'true' }, { level: 'log', message: 'sign-in providers: dev (the development sign-in)' }],
    ['a configured provider', { GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' }, { level: 'log', message: 'sign-in providers: github (GitHub)' }],
    [
      'no provider at all',
      { AUTH_DEV_LOGIN: 'false' },
      {
        level: 'warn',
        message:
          'no sign-in provider is on: nobody can sign in through a browser. Set GOOGLE_CLIENT_ID, GITHUB_CLIENT_ID or OIDC_ISSUER (with its secret), ' +
          'or AUTH_DEV_LOGIN=true outside production',
      },
    ],
  ];
  for (const [what, env, expected] of cases) {
    it(`says which sign-in providers are on, with ${what}`, async (t) => {
      const capsFile = join(tempFolder(t), 'caps.yaml');
      copyFileSync(REPOSITORY_CAPS, capsFile);
      const { app, signIn } = await createExampleApp({ AUTH_SECRET: EXAMPLE_SECRET, CAPS_FILE: capsFile, ...env }, { logger: false });
      await app.close();
      assert.deepEqual(signIn, expected);
    });
  }
});
