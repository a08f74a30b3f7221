import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parseCapsFile } from '../../src/capabilities/caps-file';
import { YamlFileStore } from '../../src/stores/yaml-file.store';
import { RecordingLogger } from '../fixtures/recording-logger';
import { tempFolder } from '../fixtures/temp-folder';

const NO_POLL_MS = 3_600_000;

async function openStore(t: TestContext, text: string): Promise<{ store: YamlFileStore; file: string; logger: RecordingLogger }> {
  const file = join(tempFolder(t), 'caps.yaml');
  writeFileSync(file, text);
  const logger = new RecordingLogger();
  const store = await YamlFileStore.open(file, { logger, pollIntervalMs: NO_POLL_MS });
  t.after(() => store.close());
  return { store, file, logger };
}

const HEAD = `# the bakery
capabilities:
  read: []
  bake: [read] # ovens
auto_admin: true
users:
  alice@example.com: [admin] # the owner
`;

const SCOPED = `${HEAD}scopes: # scope -> email -> capabilities
  # Paris first
  shop:paris:
    Bob@Example.com: [bake] # head baker
    carol@example.com: [read]
  shop:paris/oven:2:
    carol@example.com: [bake]
  # then Lyon
  shop:lyon:
    bob@example.com: [read]
identities: {}
`;

describe('YamlFileStore scopes: block', () => {
  test('creates the block at the end when absent, keeping every other line', async (t) => {
    const { store, file } = await openStore(t, HEAD);
    await store.update(() => ({ email: 'bob@example.com', capabilities: ['bake'], scope: 'shop:paris' }));
    await store.update(() => ({ email: 'carol@example.com', capabilities: ['read'], scope: 'shop:paris' }));
    await store.update(() => ({ email: 'carol@example.com', capabilities: ['bake'], scope: 'shop:lyon' }));
    assert.equal(
      readFileSync(file, 'utf8'),
      `${HEAD}scopes:
  shop:paris:
    bob@example.com: [bake]
    carol@example.com: [read]
  shop:lyon:
    carol@example.com: [bake]
`,
    );
    assert.equal(store.writes, 3);
  });

  test('rewrites one list in place, keeping the key as written, comments and order', async (t) => {
    const { store, file } = await openStore(t, SCOPED);
    await store.update(() => ({ email: 'bob@example.com', capabilities: ['bake', 'read'], scope: 'shop:paris' }));
    await store.update(() => ({ email: 'dave@example.com', capabilities: ['read'], scope: 'shop:paris/oven:2' }));
    assert.equal(
      readFileSync(file, 'utf8'),
      SCOPED.replace('Bob@Example.com: [bake]', 'Bob@Example.com: [bake, read]').replace(
        '    carol@example.com: [bake]\n',
        '    carol@example.com: [bake]\n    dave@example.com: [read]\n',
      ),
    );
  });

  test('removes an account left with nothing at a scope, and a scope left empty, comments above moving on', async (t) => {
    const { store, file } = await openStore(t, SCOPED);
    await store.update(() => ({ email: 'carol@example.com', capabilities: [], scope: 'shop:paris' }));
    await store.update(() => ({ email: 'carol@example.com', capabilities: [], scope: 'shop:paris/oven:2' }));
    assert.equal(
      readFileSync(file, 'utf8'),
      `${HEAD}scopes: # scope -> email -> capabilities
  # Paris first
  shop:paris:
    Bob@Example.com: [bake] # head baker
  # then Lyon
  shop:lyon:
    bob@example.com: [read]
identities: {}
`,
    );
    assert.deepEqual(Object.keys(store.current().scopesAsObject()), ['shop:lyon', 'shop:paris']);
  });

  test('drops a scope tree from the file and counts the grants removed', async (t) => {
    const { store, file } = await openStore(t, SCOPED);
    const { removed } = await store.dropScope(() => 'shop:paris');
    assert.equal(removed, 3);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.includes('shop:paris'), false);
    assert.ok(text.includes('  # then Lyon\n  shop:lyon:\n    bob@example.com: [read]\n'), text);
    assert.deepEqual(parseCapsFile(text, file).scopesAsObject(), store.current().scopesAsObject());
    const writes = store.writes;
    assert.equal((await store.dropScope(() => 'shop:paris')).removed, 0);
    assert.equal(store.writes, writes, 'nothing to drop: no write');
  });

  test('deletes an account from users and from every scope', async (t) => {
    const { store, file } = await openStore(t, SCOPED);
    await store.deleteAccount(() => 'carol@example.com');
    const policy = parseCapsFile(readFileSync(file, 'utf8'), file);
    assert.deepEqual(JSON.parse(JSON.stringify(policy.scopesAsObject())), {
      'shop:lyon': { 'bob@example.com': ['read'] },
      'shop:paris': { 'bob@example.com': ['bake'] },
    });
  });

  test('picks up a hand edit of the scopes block, and refuses a broken one with file and line', async (t) => {
    const { store, file, logger } = await openStore(t, SCOPED);
    writeFileSync(file, SCOPED.replace('  shop:lyon:\n    bob@example.com: [read]', '  shop:nice:\n    erin@example.com: [bake]'));
    await store.checkNow();
    assert.equal(store.current().can('erin@example.com', 'bake', 'shop:nice/oven:1'), true);
    assert.equal(store.current().can('bob@example.com', 'read', 'shop:lyon'), false);
    writeFileSync(file, SCOPED.replace('  shop:lyon:', '  shop:..:'));
    await store.checkNow();
    assert.equal(store.current().can('erin@example.com', 'bake', 'shop:nice'), true, 'the last good version stays');
    assert.ok(logger.errors.some((line) => line.includes(`${file}:16:3`) && line.includes('scope id ".."')), logger.errors.join('\n'));
    await assert.rejects(store.update(() => ({ email: 'bob@example.com', capabilities: ['read'], scope: 'shop:paris' })), { code: 'STORE_UNAVAILABLE' });
  });

  test('writes scoped grants next to a large users block written one account a line', async (t) => {
    const users = Array.from({ length: 1500 }, (_, index) => `  user${index}@example.com: [read]`).join('\n');
    const { store, file } = await openStore(t, `${HEAD}${users}\n`);
    await store.update(() => ({ email: 'user7@example.com', capabilities: ['bake'], scope: 'shop:paris' }));
    await store.update(() => ({ email: 'user8@example.com', capabilities: ['bake'] }));
    const policy = parseCapsFile(readFileSync(file, 'utf8'), file);
    assert.deepEqual(policy.storedAt('user7@example.com', 'shop:paris'), ['bake']);
    assert.deepEqual(policy.stored('user8@example.com'), ['bake']);
    assert.deepEqual(store.current().storedAt('user7@example.com', 'shop:paris'), ['bake']);
    assert.equal(policy.users.size, 1501);
  });
});
