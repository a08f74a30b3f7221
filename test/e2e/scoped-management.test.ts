import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { shopsCaps } from '../fixtures/caps-texts';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const CAPS = shopsCaps({ users: ['root@example.com: [admin]', 'bot@service: []'], moreAtLyon: ['bot@service: [racket]'] });

/** Scopes a request must never reach another scope through, each answered 400 SCOPE_INVALID. */
const MALFORMED_SCOPES = ['shop:paris/..', 'shop:..', 'shop:paris/', 'shop:a%2Fb', '', 'shop:pâris', `shop:${'x'.repeat(129)}`, 'Shop:paris', 'shop'];

for (const adapter of ADAPTERS) {
  describe(`scoped management routes on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let bob: HttpClient;
    let carol: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: CAPS });
      root = await example.signedIn('root@example.com');
      bob = await example.signedIn('bob@example.com');
      carol = await example.signedIn('carol@example.com');
    });
    after(() => example.close());

    const stored = (): ReturnType<typeof parseCapsFile> => parseCapsFile(readFileSync(example.capsFile, 'utf8'), 'caps.yaml');
    const fileText = (): string => readFileSync(example.capsFile, 'utf8');

    it('lists one\'s own grants with every scope', async () => {
      const reply = await bob.get('/manage_capabilities/list');
      assert.deepEqual(reply.json, { status: 'ok', email: 'bob@example.com', capabilities: [], scopes: { 'shop:paris': ['bake', 'user_management'] } });
    });

    it('lists another account at a scope the manager manages, only that scope and below', async () => {
      const reply = await bob.get('/manage_capabilities/list?email=carol@example.com&scope=shop:paris');
      assert.deepEqual(reply.json, { status: 'ok', email: 'carol@example.com', capabilities: [], scopes: { 'shop:paris/oven:2': ['bake'] } });
      const all = await root.get('/manage_capabilities/list?email=bot@service');
      assert.deepEqual(all.json, { status: 'ok', email: 'bot@service', capabilities: [], scopes: { 'shop:lyon': ['racket'] } });
    });

    it('refuses a scoped manager listing others globally or at a sibling', async () => {
      expectDenial(await bob.get('/manage_capabilities/list?email=carol@example.com'), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.get('/manage_capabilities/list?email=lyon@example.com&scope=shop:lyon'), 403, 'CAPABILITY_MISSING');
      expectDenial(await carol.get('/manage_capabilities/list?email=bob@example.com&scope=shop:paris/oven:2'), 403, 'CAPABILITY_MISSING');
    });

    it('answers the grants at a scope and below on /all?scope=, and every scope on /all', async () => {
      const scoped = await bob.get('/manage_capabilities/all?scope=shop:paris');
      assert.deepEqual(scoped.json, {
        status: 'ok',
        scope: 'shop:paris',
        scopes: { 'shop:paris': { 'bob@example.com': ['bake', 'user_management'] }, 'shop:paris/oven:2': { 'carol@example.com': ['bake'] } },
      });
      const everything = await root.get('/manage_capabilities/all');
      assert.deepEqual(Object.keys(everything.json.scopes as object), ['shop:lyon', 'shop:paris', 'shop:paris/oven:2']);
      assert.deepEqual((everything.json.users as Record<string, string[]>)['root@example.com'], ['admin']);
      expectDenial(await bob.get('/manage_capabilities/all'), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.get('/manage_capabilities/all?scope=shop:lyon'), 403, 'CAPABILITY_MISSING');
      expectDenial(await carol.get('/manage_capabilities/all?scope=shop:paris/oven:2'), 403, 'CAPABILITY_MISSING');
      expectDenial(await example.client().get('/manage_capabilities/all?scope=shop:paris'), 401, 'SIGN_IN_REQUIRED');
    });

    it('lets a scoped manager grant, remove and set at their scope and below, written to the scopes block', async () => {
      const added = await bob.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'bake', scope: 'shop:paris/oven:3' });
      assert.equal(added.status, 200, added.text);
      assert.deepEqual(added.json, { status: 'ok', email: 'dan@example.com', capabilities: [], scopes: { 'shop:paris/oven:3': ['bake'] } });
      assert.deepEqual(stored().storedAt('dan@example.com', 'shop:paris/oven:3'), ['bake']);
      assert.deepEqual(stored().stored('dan@example.com'), []);
      const set = await bob.post('/manage_capabilities/set', { email: 'dan@example.com', capabilities: ['read', 'bake'], scope: 'shop:paris' });
      assert.deepEqual(set.json, { status: 'ok', email: 'dan@example.com', capabilities: [], scopes: { 'shop:paris': ['bake', 'read'], 'shop:paris/oven:3': ['bake'] } });
      const removed = await bob.post('/manage_capabilities/remove', { email: 'dan@example.com', capability: 'bake', scope: 'shop:paris/oven:3' });
      // The answer is list's at that scope: only it and below.
      assert.deepEqual(removed.json.scopes, {});
      assert.deepEqual((await bob.get('/manage_capabilities/list?email=dan@example.com&scope=shop:paris')).json.scopes, { 'shop:paris': ['bake', 'read'] });
      assert.deepEqual(stored().storedAt('dan@example.com', 'shop:paris/oven:3'), []);
    });

    it('refuses a scoped manager at a sibling and globally, and writes nothing', async () => {
      const before = fileText();
      expectDenial(await bob.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'bake', scope: 'shop:lyon' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'bake' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.post('/manage_capabilities/set', { email: 'lyon@example.com', capabilities: [], scope: 'shop:lyon' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.post('/manage_capabilities/remove', { email: 'bob@example.com', capability: 'bake', scope: 'shop:paris2' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await carol.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'bake', scope: 'shop:paris/oven:2' }), 403, 'CAPABILITY_MISSING');
      assert.equal(fileText(), before);
    });

    it('refuses granting or removing at a scope what the manager does not hold there', async () => {
      const before = fileText();
      for (const capability of ['arrest', 'admin', 'racket']) {
        const reply = await bob.post('/manage_capabilities/add', { email: 'dan@example.com', capability, scope: 'shop:paris' });
        expectDenial(reply, 403, 'GRANT_FORBIDDEN', capability);
      }
      expectDenial(await bob.post('/manage_capabilities/set', { email: 'dan@example.com', capabilities: ['arrest'], scope: 'shop:paris/oven:9' }), 403, 'GRANT_FORBIDDEN');
      assert.equal(fileText(), before);
    });

    it('lets a global admin remove a scoped admin: the last-admin rule is about global admin', async () => {
      assert.equal((await root.post('/manage_capabilities/add', { email: 'zoe@example.com', capability: 'admin', scope: 'shop:nice' })).status, 200);
      const removed = await root.post('/manage_capabilities/set', { email: 'zoe@example.com', capabilities: [], scope: 'shop:nice' });
      assert.equal(removed.status, 200, removed.text);
      expectDenial(await root.post('/manage_capabilities/remove', { email: 'root@example.com', capability: 'admin' }), 409, 'LAST_ADMIN');
    });

    it('refuses a malformed scope with SCOPE_INVALID, in bodies and queries, and writes nothing', async () => {
      const before = fileText();
      for (const scope of MALFORMED_SCOPES) {
        expectDenial(await root.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'bake', scope }), 400, 'SCOPE_INVALID', scope);
        expectDenial(await root.post('/manage_capabilities/drop_scope', { scope }), 400, 'SCOPE_INVALID', scope);
        const query = encodeURIComponent(scope);
        expectDenial(await root.get(`/manage_capabilities/all?scope=${query}`), 400, 'SCOPE_INVALID', scope);
        expectDenial(await root.get(`/manage_capabilities/holders?capability=bake&scope=${query}`), 400, 'SCOPE_INVALID', scope);
      }
      expectDenial(await root.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'bake', scope: ['shop:paris'] }), 400, 'SCOPE_INVALID');
      expectDenial(await root.get('/manage_capabilities/list?email=bob@example.com&scope=shop:%2E%2E'), 400, 'SCOPE_INVALID');
      expectDenial(await root.get('/manage_capabilities/scopes?capability=bake&under=a/b'), 400, 'SCOPE_INVALID');
      assert.equal(fileText(), before);
    });

    it('answers the holders of a capability at a scope, by any route', async () => {
      const reply = await bob.get('/manage_capabilities/holders?capability=bake&scope=shop:paris/oven:2');
      assert.deepEqual(reply.json, {
        status: 'ok',
        capability: 'bake',
        scope: 'shop:paris/oven:2',
        everyone: false,
        holders: ['bob@example.com', 'carol@example.com', 'dan@example.com', 'root@example.com'],
      });
      const read = await root.get('/manage_capabilities/holders?capability=read&scope=shop:lyon');
      assert.equal(read.json.everyone, true);
      assert.ok((read.json.holders as string[]).includes('lyon@example.com'));
      const global = await root.get('/manage_capabilities/holders?capability=racket');
      assert.deepEqual(global.json, { status: 'ok', capability: 'racket', scope: null, everyone: false, holders: ['root@example.com'] });
    });

    it('refuses holders outside the manager\'s scope, and an unknown capability', async () => {
      expectDenial(await bob.get('/manage_capabilities/holders?capability=bake&scope=shop:lyon'), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.get('/manage_capabilities/holders?capability=bake'), 403, 'CAPABILITY_MISSING');
      expectDenial(await root.get('/manage_capabilities/holders?capability=ghost&scope=shop:paris'), 400, 'UNKNOWN_CAPABILITY');
      expectDenial(await root.get('/manage_capabilities/holders?scope=shop:paris'), 400, 'INVALID_CAPABILITY_NAME');
    });

    it('answers the fewest scopes where an account holds a capability', async () => {
      assert.deepEqual((await bob.get('/manage_capabilities/scopes?capability=bake')).json, {
        status: 'ok',
        email: 'bob@example.com',
        capability: 'bake',
        everywhere: false,
        scopes: ['shop:paris'],
      });
      assert.deepEqual((await bob.get('/manage_capabilities/scopes?email=carol@example.com&capability=bake&under=shop:paris')).json.scopes, ['shop:paris/oven:2']);
      assert.deepEqual((await bob.get('/manage_capabilities/scopes?capability=bake&under=shop:paris/oven:7')).json.scopes, ['shop:paris/oven:7']);
      const everywhere = await root.get('/manage_capabilities/scopes?capability=racket');
      assert.deepEqual([everywhere.json.everywhere, everywhere.json.scopes], [true, []]);
      expectDenial(await bob.get('/manage_capabilities/scopes?email=carol@example.com&capability=bake'), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.get('/manage_capabilities/scopes?email=lyon@example.com&capability=arrest&under=shop:lyon'), 403, 'CAPABILITY_MISSING');
      expectDenial(await carol.get('/manage_capabilities/scopes?email=bob@example.com&capability=bake&under=shop:paris/oven:2'), 403, 'CAPABILITY_MISSING');
      expectDenial(await example.client().get('/manage_capabilities/scopes?capability=bake'), 401, 'SIGN_IN_REQUIRED');
    });

    it('records the scope of each change in the audit log, null for a global one', async () => {
      const entries = (await root.get('/manage_capabilities/audit?email=dan@example.com')).json.entries as { scope: string | null; action: string; outcome: string }[];
      assert.ok(entries.some((entry) => entry.scope === 'shop:paris/oven:3' && entry.action === 'add' && entry.outcome === 'ok'));
      assert.ok(entries.some((entry) => entry.scope === 'shop:lyon' && entry.outcome === 'refused'));
      assert.ok(entries.some((entry) => entry.scope === null && entry.outcome === 'refused'));
    });

    it('mints a service token limited to a scope for a manager there, which holds nothing outside it', async () => {
      const minted = await root.get('/token?user=bot@service&scope=shop:lyon');
      assert.equal(minted.status, 200, minted.text);
      assert.equal(minted.json.scope, 'shop:lyon');
      assert.deepEqual(minted.json.capabilities, ['racket', 'read']);
      const bot = example.client().withToken(minted.json.service_token as string);
      expectDenial(await bot.get('/racket'), 403, 'CAPABILITY_MISSING');
      expectDenial(await bot.get('/menu'), 403, 'CAPABILITY_MISSING');
      const global = example.client().withToken((await root.get('/token?user=bot@service')).json.service_token as string);
      assert.equal((await global.get('/menu')).status, 200);
      const paris = await bob.get('/token?user=bot@service&scope=shop:paris');
      assert.equal(paris.status, 200, paris.text);
      assert.deepEqual([paris.json.scope, paris.json.capabilities], ['shop:paris', ['read']]);
    });

    it('refuses a scoped service token to a manager elsewhere, and a malformed scope', async () => {
      expectDenial(await bob.get('/token?user=bot@service&scope=shop:lyon'), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.get('/token?user=bot@service'), 403, 'CAPABILITY_MISSING');
      expectDenial(await carol.get('/token?user=bot@service&scope=shop:paris/oven:2'), 403, 'CAPABILITY_MISSING');
      expectDenial(await root.get('/token?user=bot@service&scope=shop:..'), 400, 'SCOPE_INVALID');
      expectDenial(await root.get('/token?scope=shop:lyon'), 400, 'INVALID_REQUEST');
    });

    it('creates an API key limited to a scope for a manager there, listed with its scope, holding nothing outside it', async () => {
      const created = await bob.post('/manage_capabilities/keys', { name: 'paris-oven', capabilities: ['bake'], scope: 'shop:paris' });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.json.scope, 'shop:paris');
      const key = example.client().withToken(created.json.key as string);
      expectDenial(await key.get('/bake'), 403, 'CAPABILITY_MISSING');
      const listed = (await root.get('/manage_capabilities/keys')).json.keys as { name: string; scope: string | null }[];
      assert.deepEqual(listed.find((entry) => entry.name === 'paris-oven')?.scope, 'shop:paris');
      const global = await root.post('/manage_capabilities/keys', { name: 'everywhere', capabilities: ['bake'] });
      assert.equal(global.json.scope, undefined);
      assert.equal((await example.client().withToken(global.json.key as string).get('/bake')).status, 200);
    });

    it('refuses a scoped API key outside the minter\'s scope or beyond what they hold there', async () => {
      expectDenial(await bob.post('/manage_capabilities/keys', { name: 'lyon-key', capabilities: ['read'], scope: 'shop:lyon' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.post('/manage_capabilities/keys', { name: 'global-key', capabilities: ['read'] }), 403, 'CAPABILITY_MISSING');
      expectDenial(await bob.post('/manage_capabilities/keys', { name: 'arrest-key', capabilities: ['arrest'], scope: 'shop:paris' }), 403, 'GRANT_FORBIDDEN');
      expectDenial(await root.post('/manage_capabilities/keys', { name: 'bad-scope', capabilities: ['read'], scope: 'shop:a/' }), 400, 'SCOPE_INVALID');
      const names = ((await root.get('/manage_capabilities/keys')).json.keys as { name: string }[]).map((entry) => entry.name);
      assert.deepEqual(names.filter((name) => ['lyon-key', 'global-key', 'arrest-key', 'bad-scope'].includes(name)), []);
    });

    it('drops a scope tree for a manager who holds there all it removes', async () => {
      expectDenial(await bob.post('/manage_capabilities/drop_scope', { scope: 'shop:lyon' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await carol.post('/manage_capabilities/drop_scope', { scope: 'shop:paris/oven:2' }), 403, 'CAPABILITY_MISSING');
      assert.equal((await root.post('/manage_capabilities/add', { email: 'dan@example.com', capability: 'arrest', scope: 'shop:paris/oven:2' })).status, 200);
      const before = fileText();
      expectDenial(await bob.post('/manage_capabilities/drop_scope', { scope: 'shop:paris/oven:2' }), 403, 'GRANT_FORBIDDEN');
      assert.equal(fileText(), before);
      const dropped = await root.post('/manage_capabilities/drop_scope', { scope: 'shop:lyon' });
      assert.deepEqual(dropped.json, { status: 'ok', scope: 'shop:lyon', removed: 2 });
      assert.deepEqual(stored().scopedGrantsOf('lyon@example.com'), []);
      const again = await root.post('/manage_capabilities/drop_scope', { scope: 'shop:lyon' });
      assert.deepEqual(again.json, { status: 'ok', scope: 'shop:lyon', removed: 0 });
      expectDenial(await root.post('/manage_capabilities/drop_scope', {}), 400, 'INVALID_REQUEST');
    });
  });
}
