import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { checkedDeletion } from '../../src/capabilities/grant-rules';
import { YamlFileStore } from '../../src/stores/file/yaml-file.store';
import { tempFolder } from '../fixtures/temp-folder';

const TEXT = `# Our capabilities
capabilities:
  read: []
  write: [read]
auto_admin: true

users:                 # email -> capabilities
  ada@example.com: [admin]
  # the writers
  bob@example.com: [write]   # Bob writes
  carol@example.com: [read]
  # late additions
  dan@example.com: [write]
pinned:
  ops@example.com: [admin]
identities:
  # hand-made links
  github:1: bob@example.com   # Bob's GitHub
  google:2: carol@example.com
  google:3: bob@example.com
# end of file
`;

/** The deletion the command line makes: every rule but the manager's own. */
const asOperator = (email: string) => (policy: Parameters<typeof checkedDeletion>[0]) => checkedDeletion(policy, null, email);

describe('YamlFileStore.deleteAccount', () => {
  it('removes the user entry and its identity lines, keeping every other line and comment', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    const policy = await store.deleteAccount(asOperator('bob@example.com'));
    assert.equal(policy.users.has('bob@example.com'), false);
    assert.equal(store.current(), policy);
    assert.deepEqual([...policy.identities.keys()], ['google:2']);
    assert.equal(
      readFileSync(file, 'utf8'),
      TEXT.replace('  bob@example.com: [write]   # Bob writes\n', '')
        .replace('  github:1: bob@example.com   # Bob\'s GitHub\n', '')
        .replace('  google:3: bob@example.com\n', '')
        .replaceAll(/(\S) {2,}#/g, '$1 #'),
      'the comment lines above a removed entry stay above the next one',
    );
    assert.deepEqual(parseCapsFile(readFileSync(file, 'utf8'), 'caps.yaml').identitiesOf('bob@example.com'), []);
  });

  it('keeps the comment above the last entry, at the end of its block', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    await store.deleteAccount(asOperator('dan@example.com'));
    const written = readFileSync(file, 'utf8');
    assert.match(written, / {2}carol@example\.com: \[read\]\n {2}# late additions\npinned:/, written);
    assert.equal(parseCapsFile(written, 'caps.yaml').users.size, 3);
  });

  it('refuses what the rules refuse and writes nothing', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT.replace('  ops@example.com: [admin]', '  ops@example.com: [read]'));
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    const before = readFileSync(file, 'utf8');
    await assert.rejects(store.deleteAccount(asOperator('ada@example.com')), { code: 'LAST_ADMIN' });
    await assert.rejects(store.deleteAccount(asOperator('ops@example.com')), { code: 'ACCOUNT_PINNED' });
    await assert.rejects(store.deleteAccount(asOperator('zed@example.com')), { code: 'UNKNOWN_ACCOUNT' });
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.equal(store.writes, 0);
  });

  it('judges a deletion queued with grant edits against the ones before it', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, TEXT);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    const results = await Promise.allSettled([
      store.update(() => ({ email: 'eve@example.com', capabilities: ['write'] })),
      store.deleteAccount(asOperator('eve@example.com')),
      store.deleteAccount(asOperator('eve@example.com')),
      store.update(() => ({ email: 'carol@example.com', capabilities: ['write'] })),
    ]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.equal(((results[2] as PromiseRejectedResult).reason as { code: string }).code, 'UNKNOWN_ACCOUNT');
    const reopened = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    assert.equal(reopened.current().users.has('eve@example.com'), false);
    assert.deepEqual(reopened.current().stored('carol@example.com'), ['write']);
  });

  it('deletes from a large users block read line by line, and keeps editing it line by line', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    const users = Array.from({ length: 1500 }, (_, index) => `  user${index}@example.com: [read]`).join('\n');
    writeFileSync(file, `capabilities:\n  read: []\n  write: [read]\nusers:\n  # everybody\n${users}\nidentities:\n  github:1: user7@example.com\n  github:2: user8@example.com\n`);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => store.close());
    await store.deleteAccount(asOperator('user7@example.com'));
    await store.update(() => ({ email: 'user9@example.com', capabilities: ['write'] }));
    const written = readFileSync(file, 'utf8');
    assert.doesNotMatch(written, /user7@/);
    assert.match(written, /^users:\n {2}# everybody\n {2}user0@example\.com: \[read\]$/m);
    const reopened = await YamlFileStore.open(file, { pollIntervalMs: 60_000 });
    t.after(() => reopened.close());
    assert.equal(reopened.current().users.size, 1499);
    assert.equal(reopened.current().linkedAccount('github:1'), undefined);
    assert.equal(reopened.current().linkedAccount('github:2'), 'user8@example.com');
    assert.deepEqual(reopened.current().stored('user9@example.com'), ['write']);
  });
});
