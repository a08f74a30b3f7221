import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

// The example's caps.yaml: baker -> bake -> read, police -> arrest -> read,
// mafia -> racket + bake, admin -> everything; default [read]; guest [].
for (const adapter of ADAPTERS) {
  describe(`capability matrix of the example app on ${adapter}`, () => {
    let example: RunningExample;
    const as: Record<string, HttpClient> = {};

    before(async () => {
      example = await startExample({ adapter });
      as['guest'] = example.client();
      for (const role of ['baker', 'police', 'mafia', 'admin']) as[role] = await example.signedIn(`${role}@example.com`);
      as['nobody'] = await example.signedIn('someone@else.org');
    });
    after(() => example.close());

    const matrix: [string, string, number][] = [
      ['guest', '/menu', 401],
      ['guest', '/bake', 401],
      ['guest', '/opening-hours', 200],
      ['nobody', '/menu', 200],
      ['nobody', '/bake', 403],
      ['baker', '/bake', 200],
      ['baker', '/arrest', 403],
      ['baker', '/racket', 403],
      ['police', '/arrest', 200],
      ['police', '/bake', 403],
      ['police', '/menu', 200],
      ['mafia', '/racket', 200],
      ['mafia', '/bake', 200],
      ['mafia', '/arrest', 403],
      ['admin', '/bake', 200],
      ['admin', '/arrest', 200],
      ['admin', '/racket', 200],
      ['admin', '/manage_capabilities/all', 200],
      ['baker', '/manage_capabilities/all', 403],
      ['guest', '/manage_capabilities/all', 401],
    ];
    for (const [who, path, status] of matrix) {
      it(`answers ${status} to ${who} on ${path}`, async () => {
        const reply = await as[who]!.get(path);
        assert.equal(reply.status, status, reply.text);
        if (status !== 200) {
          assert.equal(reply.json.code, status === 401 ? 'SIGN_IN_REQUIRED' : 'CAPABILITY_MISSING');
          assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
        }
      });
    }

    it('names the missing capability in a 401 body', async () => {
      const reply = await as['guest']!.get('/bake');
      assert.deepEqual(reply.json, { statusCode: 401, message: 'sign-in required: this route needs capability "bake"', code: 'SIGN_IN_REQUIRED' });
    });

    it('names the missing capability in a 403 body', async () => {
      const reply = await as['baker']!.get('/arrest');
      assert.deepEqual(reply.json, { statusCode: 403, message: 'missing capability "arrest"', code: 'CAPABILITY_MISSING' });
    });

    it('sends a browser that is not signed in to the login page and back', async () => {
      const reply = await as['guest']!.get('/racket', { accept: 'text/html' });
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/login?redirect=%2Fracket');
    });

    it('answers 401, not a redirect, to a script on the same route', async () => {
      const reply = await as['guest']!.get('/racket', { accept: 'application/json' });
      assert.equal(reply.status, 401);
      assert.equal(reply.json.code, 'SIGN_IN_REQUIRED');
    });

    it('lists effective capabilities on /whoami, implications and admin expanded, sorted', async () => {
      assert.deepEqual((await as['mafia']!.get('/whoami')).json, { user: 'mafia@example.com', capabilities: ['bake', 'mafia', 'racket', 'read'], scopes: {} });
      assert.deepEqual((await as['guest']!.get('/whoami')).json, { user: null, capabilities: [], scopes: {} });
      assert.deepEqual((await as['nobody']!.get('/whoami')).json, { user: 'someone@else.org', capabilities: ['read'], scopes: {} });
      const admin = (await as['admin']!.get('/whoami')).json;
      assert.deepEqual(admin.capabilities, ['admin', 'arrest', 'bake', 'baker', 'mafia', 'police', 'racket', 'read', 'user_management']);
    });
  });

  describe(`guest and default capabilities on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({
        adapter,
        caps: 'capabilities:\n  read: []\n  bake: [read]\n  arrest: []\n  racket: []\nauto_admin: true\ndefault: [bake]\nguest: [read]\nusers: {}\n',
      });
    });
    after(() => example.close());

    it('lets a guest use the guest capabilities and nothing more', async () => {
      const guest = example.client();
      assert.equal((await guest.get('/menu')).status, 200);
      expectDenial(await guest.get('/bake'), 401, 'SIGN_IN_REQUIRED');
      assert.deepEqual((await guest.get('/whoami')).json, { user: null, capabilities: ['read'], scopes: {} });
    });

    it('gives every signed-in user the defaults and their implications', async () => {
      const user = await example.signedIn('new@example.com');
      assert.equal((await user.get('/bake')).status, 200);
      expectDenial(await user.get('/arrest'), 403, 'CAPABILITY_MISSING');
      assert.deepEqual((await user.get('/whoami')).json, { user: 'new@example.com', capabilities: ['bake', 'read'], scopes: {} });
    });
  });
}

