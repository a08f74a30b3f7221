import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parseCapsFile } from '../../src/capabilities/caps-file';
import { CapsFileError } from '../../src/errors';
import { CapsDocument } from '../../src/stores/caps-document';
import { loadCapsFile } from '../../src/stores/loaded-caps-file';
import { scanScopesBlock } from '../../src/stores/scopes-block';
import { ScopesBlockDocument } from '../../src/stores/scopes-block.document';
import { YamlFileStore } from '../../src/stores/yaml-file.store';
import { SeededRandom } from '../fixtures/seeded-random';
import { tempFolder } from '../fixtures/temp-folder';

const HEAD = `capabilities:
  read: []
  bake: [read]
auto_admin: true
users:
  alice@example.com: [admin]
`;

/** A strict scopes block of `count` shops, each with a baker and a reader, with comments between. */
function bigScopes(count: number): string {
  const lines = ['scopes: # by shop'];
  for (let shop = 0; shop < count; shop++) {
    if (shop % 100 === 0) lines.push(`  # shops from ${shop}`);
    lines.push(`  shop:s${shop}:`, `    baker${shop % 37}@example.com: [bake] # baker`, `    reader${shop % 11}@example.com: [read]`);
  }
  return `${lines.join('\n')}\n`;
}

const plain = (value: object): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('scanScopesBlock', () => {
  test('splits the file around a strict block', () => {
    const block = scanScopesBlock(`${HEAD}scopes:\n  # first\n  shop:a/oven:1:\n    Bob@Example.com: [bake]  # b\n\n  shop:b:\n    eve@example.com: []\nidentities: {}\n`, 1);
    assert.ok(block !== undefined);
    assert.deepEqual(block.leading, ['  # first']);
    assert.deepEqual(block.chunks.map((chunk) => chunk.scope), ['shop:a/oven:1', 'shop:b']);
    assert.deepEqual(block.chunks[0]!.entries[1], { key: 'Bob@Example.com', names: ['bake'], trailer: '  # b' });
    assert.deepEqual(block.after, ['identities: {}', '']);
    assert.equal(block.grantLines, 2);
  });

  test('leaves anything outside the strict form to the yaml library', () => {
    const shapes = [
      'scopes:\n  shop:a: {bob@example.com: [bake]}\n',
      'scopes:\n  shop:a:\n    bob@example.com:\n      - bake\n',
      'scopes:\n  "shop:a":\n    bob@example.com: [bake]\n',
      'scopes:\n  shop:a:\n    bob@example.com: [bake]\n   shop:b:\n    bob@example.com: [bake]\n',
      'scopes:\n  shop:a:\n    bob@example.com: [true]\n',
      'scopes:\n  shop:a:\n\tbob@example.com: [bake]\n',
      'scopes:\n    bob@example.com: [bake]\n',
    ];
    for (const shape of shapes) assert.equal(scanScopesBlock(`${HEAD}${shape}`, 1), undefined, shape);
    assert.equal(scanScopesBlock(`${HEAD}scopes:\n  shop:a:\n    bob@example.com: [bake]\n`), undefined, 'a small block is left to the library');
  });
});

describe('a large scopes block read line by line', () => {
  const text = `${HEAD}${bigScopes(600)}identities:\n  github:1: bob@example.com\n`;

  test('means what the parser reads', () => {
    const loaded = loadCapsFile(text, 'caps.yaml');
    assert.ok(loaded.document instanceof ScopesBlockDocument);
    const parsed = parseCapsFile(text, 'caps.yaml');
    assert.deepEqual(plain(loaded.policy.scopesAsObject()), plain(parsed.scopesAsObject()));
    assert.equal(loaded.policy.scopes.size, 600);
    assert.deepEqual(loaded.policy.stored('alice@example.com'), ['admin']);
    assert.equal(loaded.policy.linkedAccount('github:1'), 'bob@example.com');
    assert.equal(loaded.document.toString(), text, 'printed back byte for byte');
  });

  test('reports a broken line as the parser does, with the file and the line', () => {
    const broken = text.replace('    reader3@example.com: [read]\n', '    reader3@example.com: [fly]\n');
    const line = text.slice(0, text.indexOf('    reader3@example.com: [read]')).split('\n').length;
    assert.throws(() => loadCapsFile(broken, 'caps.yaml'), (error: unknown) => {
      assert.ok(error instanceof CapsFileError);
      assert.equal(error.code, 'CAPS_UNDEFINED');
      assert.equal(error.line, line);
      assert.equal(error.offender, 'fly');
      return true;
    });
    const twice = text.replace('  shop:s5:\n', '  shop:s4:\n');
    assert.throws(() => loadCapsFile(twice, 'caps.yaml'), { code: 'CAPS_SCHEMA' });
  });

  test('edits agree with the whole-document edits, and keep every other line', () => {
    const random = new SeededRandom(17);
    const lines = new ScopesBlockDocument(scanScopesBlock(text)!, CapsDocument.parse(`${HEAD}scopes: # by shop\nidentities:\n  github:1: bob@example.com\n`));
    const whole = CapsDocument.parse(text);
    for (let step = 0; step < 200; step++) {
      const scope = random.below(4) === 0 ? `shop:new${random.below(5)}` : `shop:s${random.below(600)}`;
      const email = `${random.below(2) === 0 ? 'baker' : 'reader'}${random.below(40)}@example.com`;
      const kind = random.below(10);
      if (kind === 0) {
        lines.removeScopeTree(scope);
        whole.removeScopeTree(scope);
      } else {
        const names = kind < 4 ? [] : kind < 7 ? ['bake'] : ['read', 'bake'];
        lines.setScopedGrants(scope, email, names);
        whole.setScopedGrants(scope, email, names);
      }
    }
    const byLines = parseCapsFile(lines.toString(), 'caps.yaml');
    assert.deepEqual(plain(byLines.scopesAsObject()), plain(parseCapsFile(whole.toString(), 'caps.yaml').scopesAsObject()));
    assert.ok(lines.toString().startsWith(`${HEAD}scopes: # by shop\n  # shops from 0\n`));
    assert.ok(lines.toString().endsWith('identities:\n  github:1: bob@example.com\n'));
  });

  test('undoes a change exactly', () => {
    const document = loadCapsFile(text, 'caps.yaml').document;
    const undos = [
      document.setScopedGrants!('shop:s1', 'baker1@example.com', []),
      document.setScopedGrants!('shop:s1', 'reader1@example.com', []),
      document.setScopedGrants!('shop:s2', 'eve@example.com', ['read']),
      document.setScopedGrants!('shop:zz', 'eve@example.com', ['read']),
      document.removeScopeTree!('shop:s100'),
      document.removeAccount!('baker3@example.com', ['github:1']),
      document.setGrants('eve@example.com', ['bake']),
    ];
    assert.notEqual(document.toString(), text);
    for (const undo of undos.reverse()) undo();
    assert.equal(document.toString(), text);
  });
});

describe('the file store on a large scopes block', () => {
  async function open(t: TestContext, text: string): Promise<{ store: YamlFileStore; file: string }> {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, text);
    const store = await YamlFileStore.open(file, { pollIntervalMs: 3_600_000 });
    t.after(() => store.close());
    return { store, file };
  }

  test('writes a scoped change as one line, and every other byte stays', async (t) => {
    const text = `${HEAD}${bigScopes(600)}`;
    const { store, file } = await open(t, text);
    await store.update(() => ({ email: 'baker5@example.com', capabilities: ['read'], scope: 'shop:s5' }));
    assert.equal(readFileSync(file, 'utf8'), text.replace('  shop:s5:\n    baker5@example.com: [bake] # baker', '  shop:s5:\n    baker5@example.com: [read] # baker'));
    await store.update(() => ({ email: 'eve@example.com', capabilities: ['bake'], scope: 'shop:new' }));
    assert.ok(readFileSync(file, 'utf8').endsWith('    reader5@example.com: [read]\n  shop:new:\n    eve@example.com: [bake]\n'));
    const { removed } = await store.dropScope(() => 'shop:s1');
    assert.equal(removed, 2);
    assert.deepEqual(plain(parseCapsFile(readFileSync(file, 'utf8'), file).scopesAsObject()), plain(store.current().scopesAsObject()));
  });

  test('picks up a hand edit written in the strict form', async (t) => {
    const text = `${HEAD}${bigScopes(600)}`;
    const { store, file } = await open(t, text);
    writeFileSync(file, text.replace('  shop:s7:\n', '  shop:s7/oven:1:\n'));
    await store.checkNow();
    assert.equal(store.current().can('baker7@example.com', 'bake', 'shop:s7'), false);
    assert.equal(store.current().can('baker7@example.com', 'bake', 'shop:s7/oven:1'), true);
  });
});
