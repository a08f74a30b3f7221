import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ADAPTERS, startExample } from '../support/example-server';

const DIST = join(__dirname, '..', '..');

interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, { schema: { required?: string[] } }> }>;
  'x-required-capabilities'?: unknown[];
}

for (const adapter of ADAPTERS) {
  describe(`the example app's OpenAPI document at /docs-json (${adapter})`, () => {
    it('marks every guarded operation with the bearer scheme, its 401 and 403, and x-required-capabilities', async (t) => {
      const app = await startExample({ adapter });
      t.after(() => app.close());
      const reply = await app.client().get('/docs-json');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
      const document = reply.json as { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
      assert.deepEqual(document.components.securitySchemes['bearer'], { type: 'http', scheme: 'bearer', description: 'a token from GET /token (or a service token)' });
      const expected: Record<string, string[]> = { '/menu': ['read'], '/bake': ['bake'], '/arrest': ['arrest'], '/racket': ['racket'] };
      for (const [path, capabilities] of Object.entries(expected)) {
        const operation = document.paths[path]?.['get'];
        assert.ok(operation !== undefined, path);
        assert.deepEqual(operation['x-required-capabilities'], capabilities, path);
        assert.ok(operation.security?.some((requirement) => 'bearer' in requirement), `${path} names the bearer scheme`);
        for (const status of ['401', '403']) {
          assert.ok(operation.responses[status] !== undefined, `${path} documents ${status}`);
          assert.deepEqual(operation.responses[status]?.content?.['application/json']?.schema.required, ['statusCode', 'message', 'code']);
        }
        assert.match(operation.responses['403']!.description, new RegExp(`"${capabilities[0]}"`));
      }
      const open = document.paths['/opening-hours']?.['get'];
      assert.ok(open !== undefined);
      assert.equal(open['x-required-capabilities'], undefined, 'a @Public route requires nothing');
      assert.equal(open.security, undefined);
      assert.equal(open.responses['403'], undefined);
    });

    it('states the scope template of a scoped operation in x-required-capabilities, with its 400', async (t) => {
      const app = await startExample({ adapter });
      t.after(() => app.close());
      const document = (await app.client().get('/docs-json')).json as { paths: Record<string, Record<string, Operation>> };
      const expected: Record<string, unknown[]> = {
        '/shops/{shop}/menu': [{ capability: 'read', scope: 'shop:{shop}' }],
        '/shops/{shop}/bake': [{ capability: 'bake', scope: 'shop:{shop}' }],
        '/shops/{shop}/ovens/{oven}/fire': [{ capability: 'bake', scope: 'shop:{shop}/oven:{oven}' }],
      };
      for (const [path, required] of Object.entries(expected)) {
        const operation = document.paths[path]?.['get'];
        assert.ok(operation !== undefined, `${path} in ${Object.keys(document.paths).join(' ')}`);
        assert.deepEqual(operation['x-required-capabilities'], required, path);
        assert.match(operation.responses['403']!.description, /at scope shop:\{shop\}/);
        assert.match(operation.responses['400']!.description, /SCOPE_INVALID/);
      }
    });

    it("documents the module's own routes, under its prefix", async (t) => {
      const app = await startExample({ adapter, env: { AUTH_PREFIX: '/auth' } });
      t.after(() => app.close());
      const document = (await app.client().get('/docs-json')).json as { paths: Record<string, Record<string, Operation>> };
      for (const [path, method] of [
        ['/auth/whoami', 'get'],
        ['/auth/login', 'get'],
        ['/auth/logout', 'post'],
        ['/auth/token', 'get'],
        ['/auth/token/revoke', 'post'],
        ['/auth/manage_capabilities/add', 'post'],
        ['/auth/manage_capabilities/all', 'get'],
        ['/auth/manage_capabilities/drop_scope', 'post'],
        ['/auth/manage_capabilities/holders', 'get'],
        ['/auth/manage_capabilities/scopes', 'get'],
        ['/auth/manage_capabilities/keys', 'post'],
        ['/auth/manage_capabilities/audit', 'get'],
        ['/auth/logout/done', 'get'],
      ] as const) {
        const operation = document.paths[path]?.[method];
        assert.ok(operation !== undefined, `${method} ${path}`);
        assert.ok(operation.tags?.includes('nest-capabilities'), path);
        assert.ok((operation.summary ?? '').length > 0, path);
      }
      const add = document.paths['/auth/manage_capabilities/add']!['post']!;
      assert.ok(add.security?.some((requirement) => 'bearer' in requirement));
      assert.deepEqual(Object.keys(add.responses).sort(), ['200', '400', '401', '403', '409', '413', '415']);
      for (const code of ['BODY_INVALID', 'BODY_TOO_LARGE', 'MEDIA_TYPE_UNSUPPORTED', 'SCOPE_INVALID', 'GRANT_FORBIDDEN']) {
        assert.ok(Object.values(add.responses).some((response) => 'description' in response && response.description.includes(code)), code);
      }

      for (const [path, method] of [['/auth/token', 'get'], ['/auth/manage_capabilities/keys', 'post']] as const) {
        const responses = document.paths[path]![method]!.responses;
        assert.match(responses['403']!.description, /SESSION_REQUIRED/, `${path}: a bearer credential where a session is needed is a 403`);
        assert.doesNotMatch(responses['400']!.description, /SESSION_REQUIRED/, path);
      }
      const deletion = document.paths['/auth/manage_capabilities/delete']?.['post'];
      assert.ok(deletion !== undefined, 'the offboarding route is documented');
      assert.match(deletion.summary ?? '', /^Delete an account/);
      assert.ok(deletion.security?.some((requirement) => 'bearer' in requirement));
      assert.deepEqual(Object.keys(deletion.responses).sort(), ['200', '400', '401', '403', '404', '409', '413', '415']);
      assert.equal(document.paths['/auth/whoami']!['get']!.security, undefined, 'anyone may ask who they are');
      assert.equal(document.paths['/whoami'], undefined);
    });
  });
}

describe('@nestjs/swagger stays optional', () => {
  it('is not loaded by the main entry point', () => {
    const script = `require(${JSON.stringify(join(DIST, 'src', 'index.js'))});
      process.stdout.write(String(Object.keys(require.cache).some((file) => file.includes('@nestjs/swagger'))));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, 'false');
  });

  it('lets the example app start and answer without it', () => {
    // The child cannot resolve @nestjs/swagger, as if it were not installed.
    const script = `const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === '@nestjs/swagger' || request.startsWith('@nestjs/swagger/')) throw Object.assign(new Error('not installed'), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };
      const { startExample } = require(${JSON.stringify(join(DIST, 'test', 'support', 'example-server.js'))});
      (async () => {
        const app = await startExample();
        const menu = await app.client().get('/menu');
        const docs = await app.client().get('/docs-json');
        await app.close();
        process.stdout.write(JSON.stringify([menu.status, docs.status]));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [401, 404], 'the app guards its routes and serves no document');
  });
});
