import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { YamlFileStore } from '../../src/stores/file/yaml-file.store';
import { tempFolder } from '../fixtures/temp-folder';

const TEXT = `# Our capabilities
capabilities:
  read: []
  write: [read]

users:
  bob@example.com: [read]   # Bob reads
# links below
`;

describe('YamlFileStore.linkIdentity', () => {
  it('writes the link under identities, keeping comments and key order, and serves it at once', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    const policy = await store.linkIdentity('github:2000001', 'Bob@Example.com');
    assert.equal(policy.linkedAccount('github:2000001'), 'bob@example.com');
    assert.equal(store.current().linkedAccount('github:2000001'), 'bob@example.com');
    const written = readFileSync(file, 'utf8');
    assert.match(written, /^# Our capabilities\n/);
    assert.match(written, /bob@example\.com: \[read\] +# Bob reads/);
    assert.match(written, /\nidentities:\n {2}github:2000001: bob@example\.com\n# links below\n$/, 'the closing comment stays last');
    assert.ok(written.indexOf('users:') < written.indexOf('identities:'), 'new section at the end');

    const reopened = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    assert.equal(reopened.current().linkedAccount('github:2000001'), 'bob@example.com');
  });

  it('keeps the links through later grant edits and hand edits', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    await store.linkIdentity('google:5', 'bob@example.com');
    await store.update(() => ({ email: 'bob@example.com', capabilities: ['write'] }));
    await store.update(() => ({ email: 'zed@example.com', capabilities: ['read'] }));
    assert.equal(store.current().linkedAccount('google:5'), 'bob@example.com');
    const reopened = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    assert.equal(reopened.current().linkedAccount('google:5'), 'bob@example.com');
    assert.deepEqual(reopened.current().stored('zed@example.com'), ['read']);
  });

  it('keeps the links of a file with a large users block, read line by line', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    const users = Array.from({ length: 1500 }, (_, index) => `  user${index}@example.com: [read]`).join('\n');
    writeFileSync(file, `capabilities:\n  read: []\n  write: [read]\nusers:\n${users}\nidentities:\n  github:1: user7@example.com\n`);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    assert.equal(store.current().linkedAccount('github:1'), 'user7@example.com');
    await store.linkIdentity('google:2', 'user8@example.com');
    await store.update(() => ({ email: 'user9@example.com', capabilities: ['write'] }));
    const reopened = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    assert.equal(reopened.current().linkedAccount('github:1'), 'user7@example.com');
    assert.equal(reopened.current().linkedAccount('google:2'), 'user8@example.com');
    assert.deepEqual(reopened.current().stored('user9@example.com'), ['write']);
    assert.equal(reopened.current().users.size, 1500);
  });

  it('refuses an identity linked to another account and writes nothing', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, `${TEXT}identities:\n  github:1: bob@example.com\n`);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    const before = readFileSync(file, 'utf8');
    await assert.rejects(store.linkIdentity('github:1', 'eve@example.com'), { code: 'LOGIN_IDENTITY_LINKED' });
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.equal(store.writes, 0);
  });

  it('serializes links with grant edits queued at the same time, losing none', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    const results = await Promise.allSettled([
      store.update(() => ({ email: 'ada@example.com', capabilities: ['write'] })),
      store.linkIdentity('google:1', 'ada@example.com'),
      store.linkIdentity('google:1', 'eve@example.com'),
      store.update(() => ({ email: 'bob@example.com', capabilities: ['write'] })),
      store.linkIdentity('github:7', 'bob@example.com'),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    const reopened = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    const policy = reopened.current();
    assert.deepEqual(policy.stored('ada@example.com'), ['write']);
    assert.deepEqual(policy.stored('bob@example.com'), ['write']);
    assert.equal(policy.linkedAccount('google:1'), 'ada@example.com');
    assert.equal(policy.linkedAccount('github:7'), 'bob@example.com');
    assert.match(readFileSync(file, 'utf8'), /# Bob reads/);
  });
});
