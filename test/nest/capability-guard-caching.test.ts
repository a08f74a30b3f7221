import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Reflector } from '@nestjs/core';
import { CapabilityGraph } from '../../src/capabilities/capability-graph';
import { CAPABILITY_STORE } from '../../src/nest/auth.constants';
import { RouteRequirements } from '../../src/nest/route-requirements';
import type { YamlFileStore } from '../../src/stores/file/yaml-file.store';
import { RequireCapability } from '../../src/nest/decorators';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

class Bakery {
  @RequireCapability('bake', 'read')
  bake(this: void): void {}
}

describe('RouteRequirements', () => {
  it('recomputes a route\'s capability indices when the graph changes', () => {
    const requirements = new RouteRequirements(new Reflector());
    const requirement = requirements.of(Bakery.prototype.bake, Bakery);
    assert.equal(requirements.of(Bakery.prototype.bake, Bakery), requirement, 'read from the decorators once');
    const first = CapabilityGraph.build(new Map([['read', []], ['bake', ['read']]]), { autoAdmin: false });
    const second = CapabilityGraph.build(new Map([['arrest', []], ['read', []], ['bake', ['read']]]), { autoAdmin: false });
    assert.deepEqual(requirements.indicesIn(requirement, first), [1, 0]);
    assert.deepEqual(requirements.indicesIn(requirement, second), [2, 1]);
    const withoutBake = CapabilityGraph.build(new Map([['read', []]]), { autoAdmin: false });
    assert.deepEqual(requirements.indicesIn(requirement, withoutBake), [-1, 0], 'a capability gone from the graph is never held');
  });
});

for (const adapter of ADAPTERS) {
  describe(`the guard's caches on ${adapter}`, () => {
    let example: RunningExample;
    let manager: HttpClient;

    before(async () => {
      example = await startExample({ adapter });
      manager = await example.signedIn('admin@example.com');
    });
    after(() => example.close());

    it('applies a removal to a token verified and cached a moment before', async () => {
      const baker = example.client().withToken(await (await example.signedIn('baker@example.com')).token());
      for (let i = 0; i < 3; i++) assert.equal((await baker.get('/bake')).status, 200);
      const removed = await manager.post('/manage_capabilities/remove', { email: 'baker@example.com', capability: 'baker' });
      assert.equal(removed.status, 200, removed.text);
      const denied = await baker.get('/bake');
      assert.equal(denied.status, 403);
      assert.equal(denied.json.message, 'missing capability "bake"');
      assert.equal(denied.json.code, 'CAPABILITY_MISSING');
      assert.equal((await manager.post('/manage_capabilities/add', { email: 'baker@example.com', capability: 'baker' })).status, 200);
      assert.equal((await baker.get('/bake')).status, 200, 'and a grant at once too');
    });

    it('checks routes against a graph edited by hand, whose capabilities moved', async () => {
      const police = example.client().withToken(await (await example.signedIn('police@example.com')).token());
      assert.equal((await police.get('/arrest')).status, 200);
      expectDenial(await police.get('/bake'), 403, 'CAPABILITY_MISSING');
      // New capabilities ahead of the others shift every index, and police now implies bake.
      const text = readFileSync(example.capsFile, 'utf8')
        .replace('capabilities:\n', 'capabilities:\n  aaa: []\n  bbb: [aaa]\n')
        .replace(/police: \[arrest\]/, 'police: [arrest, bake]');
      writeFileSync(example.capsFile, text);
      await example.app.get<YamlFileStore>(CAPABILITY_STORE).checkNow();
      assert.equal((await police.get('/bake')).status, 200);
      assert.equal((await police.get('/arrest')).status, 200);
      expectDenial(await police.get('/racket'), 403, 'CAPABILITY_MISSING');
    });
  });
}
