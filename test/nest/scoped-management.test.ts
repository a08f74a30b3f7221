import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log';
import { AuditRecorder } from '../../src/audit/audit-recorder';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import type { Principal } from '../../src/capabilities/principal';
import { CapabilitiesError } from '../../src/errors';
import { CapabilityService } from '../../src/nest/capability.service';
import { MemoryCapabilityStore } from '../../src/stores/memory/memory-capability.store';
import { EASY_OAUTH, grantsOf, graphOf } from '../capabilities/fixtures';

const user = (email: string): Principal => ({ email, kind: 'user', via: 'session' });
const alice = user('alice@example.com');
const bob = user('bob@example.com');

function start(): { service: CapabilityService; store: MemoryCapabilityStore; log: MemoryAuditLog } {
  const store = new MemoryCapabilityStore(
    new CapabilityPolicy({
      graph: graphOf(EASY_OAUTH, true),
      defaults: [],
      guest: [],
      users: grantsOf({ 'alice@example.com': ['admin'] }),
      pinned: grantsOf({}),
      scopes: new Map([
        ['shop:paris', new Map([['bob@example.com', ['user_management', 'write']]])],
        ['shop:paris/oven:2', new Map([['carol@example.com', ['moderate']]])],
        ['shop:lyon', new Map([['eve@example.com', ['read']]])],
      ]),
    }),
  );
  const log = new MemoryAuditLog();
  return { service: new CapabilityService(store, new AuditRecorder(log)), store, log };
}

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof CapabilitiesError, 'refused with a module error');
  return error.code;
}

describe('scoped management through CapabilityService', () => {
  let parts: ReturnType<typeof start>;
  beforeEach(() => {
    parts = start();
  });

  it('lets a manager of a scope grant there what they hold, and audits the scope', async () => {
    const after = await parts.service.change(bob, 'dan@example.com', { kind: 'add', capability: 'write', scope: 'shop:paris' });
    assert.deepEqual(after, ['write']);
    assert.deepEqual(parts.store.current().storedAt('dan@example.com', 'shop:paris'), ['write']);
    assert.deepEqual(parts.store.current().stored('dan@example.com'), []);
    const [entry] = await parts.log.recent({ limit: 1 });
    assert.deepEqual({ action: entry!.action, target: entry!.target, scope: entry!.scope, outcome: entry!.outcome, detail: entry!.detail }, {
      action: 'add',
      target: 'dan@example.com',
      scope: 'shop:paris',
      outcome: 'ok',
      detail: 'added write',
    });
  });

  it('refuses a manager of a scope at a sibling and globally, writing nothing', async () => {
    const before = parts.store.current();
    assert.equal(await refusal(parts.service.change(bob, 'dan@example.com', { kind: 'add', capability: 'read', scope: 'shop:lyon' })), 'CAPABILITY_MISSING');
    assert.equal(await refusal(parts.service.change(bob, 'dan@example.com', { kind: 'add', capability: 'read' })), 'CAPABILITY_MISSING');
    assert.equal(parts.store.current(), before);
    const entries = await parts.log.recent({ limit: 5 });
    assert.deepEqual(entries.map((entry) => [entry.outcome, entry.scope]), [['refused', null], ['refused', 'shop:lyon']]);
  });

  it('refuses granting at a scope what the manager lacks there', async () => {
    assert.equal(await refusal(parts.service.change(bob, 'dan@example.com', { kind: 'add', capability: 'moderate', scope: 'shop:paris' })), 'GRANT_FORBIDDEN');
    assert.equal(await refusal(parts.service.change(bob, 'carol@example.com', { kind: 'set', capabilities: [], scope: 'shop:paris/oven:2' })), 'GRANT_FORBIDDEN');
    assert.deepEqual(parts.store.current().storedAt('carol@example.com', 'shop:paris/oven:2'), ['moderate']);
  });

  it('refuses an invalid scope with SCOPE_INVALID', async () => {
    assert.equal(await refusal(parts.service.change(alice, 'dan@example.com', { kind: 'add', capability: 'read', scope: 'shop:../x' })), 'SCOPE_INVALID');
    assert.equal(await refusal(parts.service.dropScope(alice, 'shop:paris/')), 'SCOPE_INVALID');
  });

  it('drops a scope tree for a manager holding all it removes, and counts the grants', async () => {
    assert.equal(await refusal(parts.service.dropScope(bob, 'shop:paris')), 'GRANT_FORBIDDEN');
    assert.equal(await refusal(parts.service.dropScope(bob, 'shop:lyon')), 'CAPABILITY_MISSING');
    assert.equal(await parts.service.dropScope(alice, 'shop:paris'), 3);
    assert.deepEqual([...parts.store.current().scopes.keys()], ['shop:lyon']);
    const [entry] = await parts.log.recent({ limit: 1 });
    assert.deepEqual({ action: entry!.action, target: entry!.target, scope: entry!.scope, detail: entry!.detail }, {
      action: 'drop_scope',
      target: 'shop:paris',
      scope: 'shop:paris',
      detail: 'removed 3 grants at shop:paris and below',
    });
    assert.equal(await parts.service.dropScope(alice, 'shop:paris'), 0);
  });
});
