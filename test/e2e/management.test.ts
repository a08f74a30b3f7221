import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { bakeryCaps } from '../fixtures/caps-texts';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const CAPS = bakeryCaps({
  comment: 'managed by the tests',
  moreCapabilities: ['write: [read]', 'moderate: [write]'],
  users: ['root@example.com: [admin]', 'lead@example.com: [user_management, write]', 'bob@example.com: [write]'],
  pinned: ['ops@example.com: [admin]'],
});

for (const adapter of ADAPTERS) {
  describe(`management routes on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let lead: HttpClient;
    let bob: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: CAPS });
      root = await example.signedIn('root@example.com');
      lead = await example.signedIn('lead@example.com');
      bob = await example.signedIn('Bob@Example.com');
    });
    after(() => example.close());

    const stored = (): ReturnType<typeof parseCapsFile> => parseCapsFile(readFileSync(example.capsFile, 'utf8'), 'caps.yaml');

    it('lists the caller\'s own stored capabilities without user_management', async () => {
      const reply = await bob.get('/manage_capabilities/list');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { status: 'ok', email: 'bob@example.com', capabilities: ['write'], scopes: {} });
    });

    it('refuses to list another account without user_management', async () => {
      const other = await bob.get('/manage_capabilities/list?email=root@example.com');
      assert.equal(other.status, 403);
      assert.equal(other.json.code, 'CAPABILITY_MISSING');
      const guest = await example.client().get('/manage_capabilities/list');
      assert.equal(guest.status, 401);
      assert.equal(guest.json.code, 'SIGN_IN_REQUIRED');
    });

    it('lists anybody for a manager, by canonical email', async () => {
      const reply = await lead.get('/manage_capabilities/list?email=BOB@example.COM');
      assert.deepEqual(reply.json, { status: 'ok', email: 'bob@example.com', capabilities: ['write'], scopes: {} });
    });

    it('shows every user and the graph, with admin, on /all', async () => {
      const reply = await root.get('/manage_capabilities/all');
      assert.equal(reply.status, 200);
      assert.equal(reply.json.status, 'ok');
      const { users, graph } = reply.json as { users: Record<string, string[]>; graph: Record<string, string[]> };
      assert.deepEqual(users['bob@example.com'], ['write']);
      assert.deepEqual(graph['moderate'], ['write']);
      assert.deepEqual(graph['admin']!.sort(), ['arrest', 'bake', 'moderate', 'racket', 'read', 'user_management', 'write']);
    });

    describe('changes', () => {
      beforeEach(async () => {
        const reset = await root.post('/manage_capabilities/set', { email: 'carol@example.com', capabilities: [] });
        assert.equal(reset.status, 200, reset.text);
      });

      it('adds a capability, persists it, and it takes effect at once', async () => {
        const carol = await example.signedIn('carol@example.com');
        expectDenial(await carol.get('/bake'), 403, 'CAPABILITY_MISSING');
        const reply = await root.post('/manage_capabilities/add', { email: 'Carol@Example.com', capability: 'bake' });
        assert.deepEqual(reply.json, { status: 'ok', email: 'carol@example.com', capabilities: ['bake'], scopes: {} });
        assert.equal((await carol.get('/bake')).status, 200);
        assert.deepEqual(stored().stored('carol@example.com'), ['bake']);
      });

      it('removes a capability and access ends at once, even for a bearer token', async () => {
        await root.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'bake' });
        const carol = await example.signedIn('carol@example.com');
        const script = example.client().withToken(await carol.token());
        assert.equal((await script.get('/bake')).status, 200);
        const reply = await root.post('/manage_capabilities/remove', { email: 'carol@example.com', capability: 'bake' });
        assert.deepEqual(reply.json.capabilities, []);
        expectDenial(await script.get('/bake'), 403, 'CAPABILITY_MISSING');
      });

      it('sets the whole list', async () => {
        const reply = await root.post('/manage_capabilities/set', { email: 'carol@example.com', capabilities: ['arrest', 'bake'] });
        assert.deepEqual(reply.json, { status: 'ok', email: 'carol@example.com', capabilities: ['arrest', 'bake'], scopes: {} });
      });

      it('grants service accounts like anybody else', async () => {
        const reply = await root.post('/manage_capabilities/set', { email: 'bot@service', capabilities: ['bake'] });
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.json.capabilities, ['bake']);
      });

      it('keeps the file\'s comments', async () => {
        await root.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'read' });
        assert.match(readFileSync(example.capsFile, 'utf8'), /^# managed by the tests/);
      });
    });

    describe('escalation', () => {
      it('lets a manager grant what they hold', async () => {
        const reply = await lead.post('/manage_capabilities/add', { email: 'dave@example.com', capability: 'write' });
        assert.equal(reply.status, 200, reply.text);
      });

      for (const capability of ['moderate', 'admin', 'bake']) {
        it(`refuses a manager granting ${capability}, which they do not hold, and writes nothing`, async () => {
          const before = readFileSync(example.capsFile, 'utf8');
          const reply = await lead.post('/manage_capabilities/add', { email: 'dave@example.com', capability });
          expectDenial(reply, 403, 'GRANT_FORBIDDEN');
          assert.match(reply.json.message as string, new RegExp(`"${capability}"`));
          assert.equal(readFileSync(example.capsFile, 'utf8'), before);
        });
      }

      it('refuses removing a capability the manager does not hold', async () => {
        const reply = await lead.post('/manage_capabilities/remove', { email: 'root@example.com', capability: 'admin' });
        expectDenial(reply, 403, 'GRANT_FORBIDDEN');
      });

      it('judges set on everything it adds and removes', async () => {
        await root.post('/manage_capabilities/set', { email: 'erin@example.com', capabilities: ['bake', 'write'] });
        const removing = await lead.post('/manage_capabilities/set', { email: 'erin@example.com', capabilities: ['write'] });
        expectDenial(removing, 403, 'GRANT_FORBIDDEN', 'removing bake, which lead lacks');
        const adding = await lead.post('/manage_capabilities/set', { email: 'erin@example.com', capabilities: ['bake', 'write', 'moderate'] });
        expectDenial(adding, 403, 'GRANT_FORBIDDEN', 'adding moderate, which lead lacks');
        const keeping = await lead.post('/manage_capabilities/set', { email: 'erin@example.com', capabilities: ['bake', 'write', 'read'] });
        assert.equal(keeping.status, 200, 'adding read, which lead holds; bake is kept, not touched');
      });

      it('refuses a user without user_management', async () => {
        const reply = await bob.post('/manage_capabilities/add', { email: 'bob@example.com', capability: 'moderate' });
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.json, { statusCode: 403, message: 'missing capability "user_management"', code: 'CAPABILITY_MISSING' });
      });

      it('lets the last admin in users step down while a pinned admin remains', async () => {
        const reply = await root.post('/manage_capabilities/remove', { email: 'root@example.com', capability: 'admin' });
        assert.equal(reply.status, 200, reply.text);
        const ops = await example.signedIn('ops@example.com');
        const restored = await ops.post('/manage_capabilities/add', { email: 'root@example.com', capability: 'admin' });
        assert.equal(restored.status, 200, restored.text);
      });

      it('never changes pinned grants', async () => {
        const reply = await root.post('/manage_capabilities/remove', { email: 'ops@example.com', capability: 'admin' });
        assert.equal(reply.status, 200);
        const ops = await example.signedIn('ops@example.com');
        assert.ok(((await ops.get('/whoami')).json.capabilities as string[]).includes('admin'));
      });
    });

    describe('bad bodies', () => {
      const bad: [string, string, unknown, number][] = [
        ['an unknown capability', '/manage_capabilities/add', { email: 'x@example.com', capability: 'fly' }, 400],
        ['a capability that is not a string', '/manage_capabilities/add', { email: 'x@example.com', capability: ['read'] }, 400],
        ['a missing email', '/manage_capabilities/add', { capability: 'read' }, 400],
        ['an invalid email', '/manage_capabilities/add', { email: 'not-an-email', capability: 'read' }, 400],
        ['an email with a zero-width space', '/manage_capabilities/add', { email: 'a\u200b@example.com', capability: 'read' }, 400],
        ['an extra field', '/manage_capabilities/add', { email: 'x@example.com', capability: 'read', admin: true }, 400],
        ['a __proto__ field', '/manage_capabilities/add', JSON.parse('{"email":"x@example.com","capability":"read","__proto__":{"polluted":1}}'), 400],
        ['a __proto__ capability', '/manage_capabilities/add', { email: 'x@example.com', capability: '__proto__' }, 400],
        ['a list that is not a list', '/manage_capabilities/set', { email: 'x@example.com', capabilities: 'read' }, 400],
        ['an unknown capability in a list', '/manage_capabilities/set', { email: 'x@example.com', capabilities: ['read', 'fly'] }, 400],
        ['an array body', '/manage_capabilities/add', [], 400],
        ['a control character in a name', '/manage_capabilities/add', { email: 'x@example.com', capability: 're\nad' }, 400],
      ];
      for (const [what, path, body, status] of bad) {
        it(`answers ${status} to ${what} and writes nothing`, async () => {
          const before = readFileSync(example.capsFile, 'utf8');
          const reply = await root.post(path, body);
          assert.equal(reply.status, status, reply.text);
          assert.equal(readFileSync(example.capsFile, 'utf8'), before);
          assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
        });
      }

      it('answers 400 to a body that is not JSON', async () => {
        const reply = await root.postForm('/manage_capabilities/add', { email: 'x@example.com', capability: 'read' });
        assert.equal(reply.status, 400);
      });

      it('answers 400 to malformed JSON', async () => {
        const reply = await root.request('POST', '/manage_capabilities/add', { headers: { 'content-type': 'application/json' }, body: '{"email":' });
        assert.equal(reply.status, 400);
      });

      it('answers 413 to a body over the limit', async () => {
        const reply = await root.post('/manage_capabilities/add', { email: 'x@example.com', capability: 'read', padding: 'x'.repeat(64 * 1024) });
        assert.equal(reply.status, 413);
      });
    });

    describe('cross-site requests', () => {
      it('refuses a cookie-authenticated POST from another origin', async () => {
        const reply = await root.post('/manage_capabilities/add', { email: 'x@example.com', capability: 'read' }, { origin: 'https://evil.example' });
        assert.equal(reply.status, 403);
        assert.equal(reply.json.code, 'CROSS_SITE_REQUEST');
      });

      it('refuses one a browser marks cross-site', async () => {
        const reply = await root.post('/manage_capabilities/add', { email: 'x@example.com', capability: 'read' }, { 'sec-fetch-site': 'cross-site' });
        expectDenial(reply, 403, 'CROSS_SITE_REQUEST');
      });

      it('accepts one from the application\'s own origin', async () => {
        const reply = await root.post('/manage_capabilities/add', { email: 'x@example.com', capability: 'read' }, { origin: example.baseUrl, 'sec-fetch-site': 'same-origin' });
        assert.equal(reply.status, 200, reply.text);
      });

      it('does not apply to bearer tokens, which a browser never sends by itself', async () => {
        const script = example.client().withToken(await root.token());
        const reply = await script.post('/manage_capabilities/add', { email: 'y@example.com', capability: 'read' }, { origin: 'https://elsewhere.example' });
        assert.equal(reply.status, 200, reply.text);
      });
    });
  });

  describe(`the last admin on ${adapter}`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter, caps: CAPS.replace(/pinned:\n.*\n/, '') });
    });
    after(() => example.close());

    it('refuses removing admin from the last account that holds it (409)', async () => {
      const root = await example.signedIn('root@example.com');
      const reply = await root.post('/manage_capabilities/remove', { email: 'root@example.com', capability: 'admin' });
      assert.equal(reply.status, 409, reply.text);
      const set = await root.post('/manage_capabilities/set', { email: 'root@example.com', capabilities: ['read'] });
      assert.equal(set.status, 409);
      assert.ok(((await root.get('/whoami')).json.capabilities as string[]).includes('admin'));
    });
  });
}

