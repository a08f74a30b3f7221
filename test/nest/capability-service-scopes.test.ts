import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log';
import { AuditRecorder } from '../../src/audit/audit-recorder';
import { parseCapsFile } from '../../src/capabilities/caps-file';
import type { Principal } from '../../src/capabilities/principal';
import { CapabilityService } from '../../src/nest/capability.service';
import { MemoryCapabilityStore } from '../../src/stores/memory-capability.store';
import { YamlFileStore } from '../../src/stores/yaml-file.store';
import { tempFolder } from '../fixtures/temp-folder';

const CAPS = `capabilities:
  read: []
  edit: [read]
  owner: [edit]
auto_admin: true
default: [read]
users:
  alice@example.com: [admin]
scopes:
  org:acme:
    bob@example.com: [edit]
  org:acme/doc:7:
    carol@example.com: [owner]
  org:globex/doc:1:
    carol@example.com: [owner]
`;

const user = (email: string, scope?: string): Principal => ({ email, kind: 'user', via: 'session', ...(scope === undefined ? {} : { scope }) });

function service(): { service: CapabilityService; store: MemoryCapabilityStore; log: MemoryAuditLog } {
  const store = new MemoryCapabilityStore(parseCapsFile(CAPS, 'caps.yaml'));
  const log = new MemoryAuditLog();
  return { service: new CapabilityService(store, new AuditRecorder(log)), store, log };
}

describe('CapabilityService.can with a scope', () => {
  const { service: capabilities } = service();

  test('holds a grant at its scope and below, never at a sibling and never globally', () => {
    assert.equal(capabilities.can(user('bob@example.com'), 'edit', 'org:acme'), true);
    assert.equal(capabilities.can(user('bob@example.com'), 'read', 'org:acme/doc:7'), true);
    assert.equal(capabilities.can(user('bob@example.com'), 'edit', 'org:globex'), false);
    assert.equal(capabilities.can(user('bob@example.com'), 'edit'), false);
    assert.equal(capabilities.can(user('carol@example.com'), 'owner', 'org:acme'), false, 'a grant below never holds above');
    assert.equal(capabilities.can(user('alice@example.com'), 'owner', 'org:globex/doc:1'), true, 'a global grant holds everywhere');
    assert.equal(capabilities.can(user('carol@example.com'), 'read'), true, 'the defaults hold globally');
    assert.equal(capabilities.can(null, 'read', 'org:acme'), false);
    assert.equal(capabilities.can(user('bob@example.com'), 'fly', 'org:acme'), false);
  });

  test('holds nothing outside the scope a credential is limited to', () => {
    assert.equal(capabilities.can(user('alice@example.com', 'org:acme'), 'edit', 'org:acme/doc:7'), true);
    assert.equal(capabilities.can(user('alice@example.com', 'org:acme'), 'edit', 'org:globex'), false);
  });

  test('refuses a malformed scope with SCOPE_INVALID', () => {
    for (const scope of ['', 'org:..', 'org:a/', 'org:a%2Fb', 'org', `org:${'x'.repeat(129)}`, 'org:é']) {
      assert.throws(() => capabilities.can(user('bob@example.com'), 'edit', scope), { code: 'SCOPE_INVALID' }, scope);
    }
  });
});

describe('CapabilityService.holders and scopesOf', () => {
  const { service: capabilities } = service();

  test('lists who holds a capability at a scope by any route', () => {
    assert.deepEqual(capabilities.holders('edit', 'org:acme/doc:7'), {
      everyone: false,
      holders: ['alice@example.com', 'bob@example.com', 'carol@example.com'],
    });
    assert.deepEqual(capabilities.holders('owner', 'org:acme/doc:8'), { everyone: false, holders: ['alice@example.com'] });
    assert.equal(capabilities.holders('read', 'org:acme').everyone, true);
  });

  test('answers the fewest scopes an account holds a capability at', () => {
    assert.deepEqual(capabilities.scopesOf('Carol@Example.com', 'owner'), { everywhere: false, scopes: ['org:acme/doc:7', 'org:globex/doc:1'] });
    assert.deepEqual(capabilities.scopesOf('carol@example.com', 'owner', 'org:acme'), { everywhere: false, scopes: ['org:acme/doc:7'] });
    assert.deepEqual(capabilities.scopesOf('bob@example.com', 'edit', 'org:acme/doc:7'), { everywhere: false, scopes: ['org:acme/doc:7'] });
    assert.deepEqual(capabilities.scopesOf('alice@example.com', 'owner'), { everywhere: true, scopes: [] });
  });

  test('refuses an unknown capability, a malformed scope and a malformed email with their codes', () => {
    assert.throws(() => capabilities.holders('fly', 'org:acme'), { code: 'UNKNOWN_CAPABILITY' });
    assert.throws(() => capabilities.holders('edit', 'org:..'), { code: 'SCOPE_INVALID' });
    assert.throws(() => capabilities.scopesOf('bob@example.com', 'fly'), { code: 'UNKNOWN_CAPABILITY' });
    assert.throws(() => capabilities.scopesOf('bob@example.com', 'edit', 'org/acme'), { code: 'SCOPE_INVALID' });
    assert.throws(() => capabilities.scopesOf('not an email', 'edit'), { code: 'INVALID_EMAIL' });
  });
});

describe('CapabilityService.grant and revoke', () => {
  test('grant and revoke at a scope or globally, answering what is stored there', async () => {
    const { service: capabilities, store, log } = service();
    assert.deepEqual(await capabilities.grant('Dave@Example.com', 'owner', 'org:acme/doc:9'), ['owner']);
    assert.deepEqual(await capabilities.grant('dave@example.com', 'read', 'org:acme/doc:9'), ['owner', 'read']);
    assert.equal(capabilities.can(user('dave@example.com'), 'owner', 'org:acme/doc:9'), true);
    assert.equal(capabilities.can(user('dave@example.com'), 'owner'), false);
    assert.deepEqual(await capabilities.grant('dave@example.com', 'edit'), ['edit']);
    assert.deepEqual(await capabilities.revoke('dave@example.com', 'owner', 'org:acme/doc:9'), ['read']);
    assert.deepEqual(store.current().stored('dave@example.com'), ['edit'], 'a scoped revoke leaves the global grant');
    assert.deepEqual(await capabilities.revoke('dave@example.com', 'read', 'org:acme/doc:9'), []);
    assert.equal(store.current().scopes.has('org:acme/doc:9'), false, 'a scope left empty goes');
    assert.deepEqual(await capabilities.revoke('bob@example.com', 'edit', 'org:acme/doc:7'), [], 'a grant above the scope stays');
    assert.equal(capabilities.can(user('bob@example.com'), 'edit', 'org:acme/doc:7'), true);
    assert.deepEqual(await log.recent({ limit: 10 }), [], 'application-side writes are not manager actions');
  });

  test('refuse an unknown capability, a malformed scope or email, writing nothing', async () => {
    const { service: capabilities, store } = service();
    const before = store.current();
    await assert.rejects(capabilities.grant('bob@example.com', 'fly', 'org:acme'), { code: 'UNKNOWN_CAPABILITY' });
    await assert.rejects(capabilities.grant('bob@example.com', 'edit', 'org:acme/'), { code: 'SCOPE_INVALID' });
    await assert.rejects(capabilities.revoke('bob@example.com', 'edit', '..'), { code: 'SCOPE_INVALID' });
    await assert.rejects(capabilities.grant('bob', 'edit'), { code: 'INVALID_EMAIL' });
    assert.equal(store.current(), before);
  });

  test('write the file durably', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, CAPS);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 3_600_000 });
    t.after(() => store.close());
    const capabilities = new CapabilityService(store, new AuditRecorder(new MemoryAuditLog()));
    await capabilities.grant('erin@example.com', 'owner', 'org:acme/doc:10');
    await capabilities.revoke('carol@example.com', 'owner', 'org:globex/doc:1');
    const written = parseCapsFile(readFileSync(file, 'utf8'), file);
    assert.deepEqual(written.storedAt('erin@example.com', 'org:acme/doc:10'), ['owner']);
    assert.equal(written.scopes.has('org:globex/doc:1'), false);
  });
});
