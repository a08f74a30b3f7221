import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startChild } from '../fixtures/child-process';
import { waitUntil } from '../fixtures/wait-until';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const LOCK_HOLDER = join(__dirname, '..', 'fixtures', 'lock-holder.child.js');


for (const adapter of ADAPTERS) {
  describe(`answers of the management API when caps.yaml cannot be written (${adapter})`, () => {
    let example: RunningExample;
    let root: HttpClient;

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      root = await example.signedIn('root@example.com');
    });
    after(() => example.close());

    it('answers 503 CAPS_STORE_BUSY and writes nothing while another process holds the lock past the bound', async (t) => {
      const holder = startChild(t, LOCK_HOLDER, [example.capsFile]);
      await waitUntil(() => holder.output().includes('locked'), 'the other process holds the lock', 30_000);

      const reply = await root.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'bake' });
      assert.equal(reply.status, 503);
      assert.deepEqual(reply.json, {
        statusCode: 503,
        code: 'CAPS_STORE_BUSY',
        message: 'the capability file is being changed by another writer; nothing was changed, try again',
      });
      assert.equal(readFileSync(example.capsFile, 'utf8'), MANAGERS_CAPS);
      holder.child.kill('SIGTERM');
      await holder.exit();
      assert.equal((await root.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'bake' })).status, 200);
    });

    it('answers a broken hand edit with a fixed 503 message that names neither the file nor the parser text', async () => {
      const good = readFileSync(example.capsFile, 'utf8');
      const broken = good.replace('  bake: [read]\n', '  bake: [read\n');
      writeFileSync(example.capsFile, broken);
      const reply = await root.post('/manage_capabilities/add', { email: 'dave@example.com', capability: 'bake' });
      assert.equal(reply.status, 503);
      assert.deepEqual(reply.json, {
        statusCode: 503,
        code: 'STORE_UNAVAILABLE',
        message: 'the capability file on disk is invalid and must be fixed first; nothing was changed',
      });
      assert.ok(!reply.text.includes('caps.yaml') && !reply.text.includes(example.capsFile), reply.text);
      assert.equal(readFileSync(example.capsFile, 'utf8'), broken);
      writeFileSync(example.capsFile, good);
    });
  });
}
