import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Test } from '@nestjs/testing';
import { createExampleApp, ExampleAppModule } from '../../example/app';
import { settingsFromEnvironment } from '../../example/environment';
import { RecordingLogger } from '../fixtures/recording-logger';
import { expectDenial, expectHtmlDenial } from '../support/denial';
import { ADAPTERS, startExample } from '../support/example-server';
import { hiddenFields } from '../support/http-client';

const HTML = { accept: 'text/html' };

for (const adapter of ADAPTERS) {
  describe(`devUser (AUTH_DEV_USER): every request without credentials acts as one user (${adapter})`, () => {
    it('answers a request without credentials as the forced user, signed in through a session', async (t) => {
      const app = await startExample({ adapter, env: { AUTH_DEV_USER: 'Baker@Example.com' } });
      t.after(() => app.close());
      const guest = app.client();
      const whoami = await guest.get('/whoami');
      assert.deepEqual(whoami.json, { user: 'baker@example.com', capabilities: ['bake', 'baker', 'read'], scopes: {} });
      assert.equal((await guest.get('/bake?food=bun')).json.by, 'baker@example.com');
      const arrest = await guest.get('/arrest');
      assert.equal(arrest.status, 403, 'the forced user holds only its own capabilities');
      assert.equal(arrest.json.code, 'CAPABILITY_MISSING');
      // GET /token answers the forced user, as it answers a browser session.
      const token = await guest.get('/token');
      assert.equal(token.status, 200);
      const viaToken = await app.client().withToken(token.json.token as string).get('/whoami');
      assert.equal(viaToken.json.user, 'baker@example.com');
    });

    it('judges a request that brings its own credentials on them', async (t) => {
      const app = await startExample({ adapter, env: { AUTH_DEV_USER: 'baker@example.com' } });
      t.after(() => app.close());
      const police = await app.signedIn('police@example.com');
      assert.equal((await police.get('/whoami')).json.user, 'police@example.com');
      assert.equal((await police.get('/arrest')).status, 200);
      expectDenial(await police.get('/bake'), 403, 'CAPABILITY_MISSING');
      const policeToken = await police.token();
      assert.equal((await app.client().withToken(policeToken).get('/whoami')).json.user, 'police@example.com');
      const forged = await app.client().withToken('not-a-token').get('/bake');
      assert.equal(forged.status, 401, 'a bad token is refused, never replaced by the forced user');
      assert.equal(forged.json.code, 'TOKEN_INVALID');
      const wrongScheme = await app.client({ authorization: 'Basic YWxpY2U6cHc=' }).get('/bake');
      assert.equal(wrongScheme.status, 401);
      assert.equal(wrongScheme.json.code, 'TOKEN_INVALID');
    });

    it('shows a banner on the module\'s HTML pages and the home page', async (t) => {
      const app = await startExample({ adapter, env: { AUTH_DEV_USER: 'baker@example.com' } });
      t.after(() => app.close());
      const guest = app.client();
      for (const path of ['/login/dev', '/token', '/']) {
        const reply = await guest.get(path, HTML);
        assert.equal(reply.status, 200, path);
        assert.match(reply.text, /<p class="warning" id="dev-user-banner" role="alert">.*acts as <strong>baker@example.com<\/strong>/, path);
      }
      const denied = await guest.get('/arrest', HTML);
      expectHtmlDenial(denied, 403, 'CAPABILITY_MISSING');
      assert.match(denied.text, /id="dev-user-banner"/, 'the denial page too');
    });

    it('shows no banner without it', async (t) => {
      const app = await startExample({ adapter });
      t.after(() => app.close());
      const login = await app.client().get('/login/dev', HTML);
      assert.equal(login.status, 200);
      assert.doesNotMatch(login.text, /dev-user-banner/);
      assert.equal((await app.client().get('/whoami')).json.user, null);
    });
  });
}

/** Builds the example app's module from `env` without listening, as `npm start` would. */
function compileExample(env: Record<string, string>): Promise<unknown> {
  return Test.createTestingModule({ imports: [ExampleAppModule.withSettings(settingsFromEnvironment(env))] })
    .setLogger({ log() {}, warn() {}, error() {} })
    .compile();
}

describe('devUser at start-up', () => {
  it('is refused in production, like the development sign-in', async () => {
    const env = {
      NODE_ENV: 'production',
      AUTH_SECRET: 'k3Jq8vX2mN5pR7tW9yB4cE6gH1jL0oQsUaZdFiKx',
      BASE_URL: 'https://bakery.example',
      AUTH_DEV_LOGIN: 'false',
      AUTH_DEV_USER: 'baker@example.com',
      CAPS_FILE: 'caps.yaml',
    };
    await assert.rejects(compileExample(env), {
      code: 'CONFIG_INVALID',
      message: 'devUser (every request acting as one user) cannot be enabled in production (NODE_ENV=production)',
    });
  });

  it('refuses a service account or a malformed email', async () => {
    await assert.rejects(compileExample({ AUTH_DEV_USER: 'bot@service', CAPS_FILE: 'caps.yaml' }), {
      code: 'CONFIG_INVALID',
      message: 'devUser: a service account (@service) never signs in as a person',
    });
    await assert.rejects(compileExample({ AUTH_DEV_USER: 'nobody', CAPS_FILE: 'caps.yaml' }), { code: 'CONFIG_INVALID' });
  });

  it('is announced by a warning at start-up', async (t) => {
    const logger = new RecordingLogger();
    const { app } = await createExampleApp({ AUTH_DEV_USER: 'baker@example.com', CAPS_FILE: 'caps.yaml', AUTH_SECRET: 'test-secret-0123456789abcdefghijklmnopqrstuv' }, { logger });
    t.after(() => app.close());
    await app.init();
    assert.ok(
      logger.warnings.includes('devUser is set: every request without credentials acts as baker@example.com (development only; refused in production)'),
      logger.warnings.join('\n'),
    );
  });
});

for (const adapter of ADAPTERS) {
  describe(`AUTH_PREFIX: the module's routes under a prefix (${adapter})`, () => {
    it('serves the module under /auth and leaves the application\'s routes where they are', async (t) => {
      const app = await startExample({ adapter, env: { AUTH_PREFIX: '/auth' } });
      t.after(() => app.close());
      const client = app.client();
      assert.equal((await client.get('/whoami')).status, 404);
      assert.deepEqual((await client.get('/auth/whoami')).json, { user: null, capabilities: [], scopes: {} });
      const racket = await client.get('/racket', HTML);
      assert.equal(racket.status, 302);
      assert.equal(racket.location, '/auth/login?redirect=%2Fracket');
      const form = await client.get('/auth/login/dev?redirect=%2Fmenu');
      assert.equal(form.status, 200);
      const signedIn = await client.postForm('/auth/login/dev?redirect=%2Fmenu', { ...hiddenFields(form.text), email: 'baker@example.com' });
      assert.equal(signedIn.status, 302);
      assert.equal(signedIn.location, '/menu');
      assert.equal((await client.get('/auth/whoami')).json.user, 'baker@example.com');
      assert.equal((await client.get('/menu')).status, 200);
      const home = await client.get('/', HTML);
      assert.match(home.text, /href="\/auth\/logout"/);
    });
  });
}
