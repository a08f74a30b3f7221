import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

for (const adapter of ADAPTERS) {
  describe(`GET /manage_capabilities/explain on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let lead: HttpClient;
    let bob: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: `${MANAGERS_CAPS}scopes:\n  shop:paris:\n    pat@example.com: [user_management, bake]\n    sam@example.com: [bake]\n` });
      root = await example.signedIn('root@example.com');
      lead = await example.signedIn('lead@example.com');
      bob = await example.signedIn('bob@example.com');
    });
    after(() => example.close());

    it('answers oneself with every way the capability is held, agreeing with the guard', async () => {
      const reply = await bob.get('/manage_capabilities/explain?capability=read');
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json, {
        status: 'ok',
        email: 'bob@example.com',
        capability: 'read',
        scope: null,
        allowed: true,
        because: [
          { source: 'users', scope: null, path: ['write', 'read'] },
          { source: 'default', scope: null, path: ['read'] },
        ],
      });
      const refused = await bob.get('/manage_capabilities/explain?capability=bake');
      assert.deepEqual([refused.json.allowed, refused.json.because], [false, []]);
      assert.equal((await bob.get('/bake')).status, 403, 'the guard says the same');
    });

    it('lets a manager explain anybody, and shows admin as the start of the chain', async () => {
      const reply = await lead.get('/manage_capabilities/explain?email=Root@Example.com&capability=arrest');
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.email, 'root@example.com');
      assert.deepEqual(reply.json.because, [{ source: 'users', scope: null, path: ['admin', 'arrest'] }]);
    });

    it('names the scope a grant sits at, for a manager of that scope only', async () => {
      const pat = await example.signedIn('pat@example.com');
      const reply = await pat.get('/manage_capabilities/explain?email=sam@example.com&capability=read&scope=shop:paris/oven:1');
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json.because, [
        { source: 'default', scope: null, path: ['read'] },
        { source: 'scope', scope: 'shop:paris', path: ['bake', 'read'] },
      ]);
      expectDenial(await pat.get('/manage_capabilities/explain?email=sam@example.com&capability=bake&scope=shop:lyon'), 403, 'CAPABILITY_MISSING');
      expectDenial(await pat.get('/manage_capabilities/explain?email=sam@example.com&capability=bake'), 403, 'CAPABILITY_MISSING');
      const own = await pat.get('/manage_capabilities/explain?capability=bake&scope=shop:lyon');
      assert.deepEqual([own.json.allowed, own.json.because], [false, []]);
    });

    it('refuses another account to a non-manager, a guest, and bad input, by code', async () => {
      expectDenial(await bob.get('/manage_capabilities/explain?email=root@example.com&capability=read'), 403, 'CAPABILITY_MISSING');
      expectDenial(await example.client().get('/manage_capabilities/explain?capability=read'), 401, 'SIGN_IN_REQUIRED');
      expectDenial(await root.get('/manage_capabilities/explain?capability=fly'), 400, 'UNKNOWN_CAPABILITY');
      expectDenial(await root.get('/manage_capabilities/explain'), 400, 'INVALID_CAPABILITY_NAME');
      expectDenial(await root.get('/manage_capabilities/explain?capability=read&scope=shop:..'), 400, 'SCOPE_INVALID');
      expectDenial(await root.get('/manage_capabilities/explain?capability=read&email=not-an-email'), 400, 'INVALID_EMAIL');
    });
  });
}
