import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settingsFromEnvironment } from '../../example/environment';

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

  it('keeps the development sign-in off in production unless forced, and the module refuses it forced', () => {
    const settings = settingsFromEnvironment({ NODE_ENV: 'production', AUTH_SECRET: 'k3Jq8vX2mN5pR7tW9yB4cE6gH1jL0oQsUaZdFiKx' });
    assert.equal(settings.auth.devLogin, false);
    assert.equal(settingsFromEnvironment({ NODE_ENV: 'production', AUTH_SECRET: 'x', AUTH_DEV_LOGIN: 'true' }).auth.devLogin, true);
  });

  it('turns the development sign-in off when a provider is configured', () => {
    assert.equal(settingsFromEnvironment({ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' }).auth.devLogin, false);
    assert.equal(settingsFromEnvironment({ GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret', AUTH_DEV_LOGIN: 'true' }).auth.devLogin, true);
  });

  it('refuses values it does not understand', () => {
    assert.throws(() => settingsFromEnvironment({ PORT: 'eighty' }), { message: 'PORT must be a port number, got "eighty"' });
    assert.throws(() => settingsFromEnvironment({ AUTH_DEV_LOGIN: 'yes' }), { message: 'AUTH_DEV_LOGIN must be "true" or "false", got "yes"' });
    assert.throws(() => settingsFromEnvironment({ HTTP_ADAPTER: 'koa' }), { message: 'HTTP_ADAPTER must be "express" or "fastify", got "koa"' });
  });
});
