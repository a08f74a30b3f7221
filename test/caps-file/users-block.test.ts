import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { CapsFileError } from '../../src/errors';
import { CapsDocument } from '../../src/caps-file/caps-document';
import { loadCapsFile } from '../../src/caps-file/loaded-caps-file';
import { FAST_USERS_THRESHOLD, scanUsersBlock } from '../../src/caps-file/users-block';
import { UsersBlockDocument } from '../../src/caps-file/users-block.document';
import { YamlFileStore } from '../../src/stores/file/yaml-file.store';
import { writersCapsHead } from '../fixtures/caps-texts';
import { tempFolder } from '../fixtures/temp-folder';

const USERS = FAST_USERS_THRESHOLD + 200;

/** A large caps.yaml in the store's own one-line-per-account form, with comments. */
function bigFile(users = USERS, extraUserLine = ''): string {
  const lines = [...writersCapsHead('big file'), 'users:   # email -> capabilities', '  # people'];
  for (let user = 0; user < users; user++) {
    lines.push(`  User${user}@Example.com: [${user % 10 === 0 ? 'moderate, read' : 'write'}]${user % 7 === 0 ? '   # noted' : ''}`);
    if (user === 10) lines.push('', '  # more people');
  }
  if (extraUserLine !== '') lines.push(extraUserLine);
  lines.push('pinned:', '  ops@example.com: [admin]', '# end', '');
  return lines.join('\n');
}

const usersOf = (policy: CapabilityPolicy): [string, readonly string[]][] => [...policy.users];

describe('loading a large users block line by line', () => {
  it('gives exactly the policy the yaml parser gives', () => {
    const text = bigFile();
    const loaded = loadCapsFile(text, 'caps.yaml');
    assert.ok(loaded.document instanceof UsersBlockDocument, 'the fast path was taken');
    const parsed = parseCapsFile(text, 'caps.yaml');
    assert.deepEqual(usersOf(loaded.policy), usersOf(parsed));
    assert.deepEqual([...loaded.policy.pinned], [...parsed.pinned]);
    assert.deepEqual(loaded.policy.defaults, parsed.defaults);
    assert.deepEqual(loaded.policy.graph.names, parsed.graph.names);
    assert.deepEqual(loaded.policy.effective('user10@example.com').toArray(), ['moderate', 'read', 'write']);
  });

  it('leaves a file with a YAML directive to the yaml parser, which reads `on` as a boolean there', () => {
    const text = `%YAML 1.1\n---\n${bigFile(USERS, '  odd@example.com: [on]')}`;
    assert.equal(scanUsersBlock(text), undefined);
    assert.throws(() => parseCapsFile(text, 'caps.yaml'), (expected: unknown) => {
      assert.throws(() => loadCapsFile(text, 'caps.yaml'), { message: (expected as Error).message });
      return true;
    });
  });

  it('leaves small files to the yaml Document', () => {
    assert.ok(loadCapsFile(bigFile(10), 'caps.yaml').document instanceof CapsDocument);
  });

  for (const [what, line] of [
    ['a quoted key', '  "quoted@example.com": [read]'],
    ['a name YAML reads as a boolean', '  odd@example.com: [true]'],
    ['a name YAML reads as a number', '  odd@example.com: [123]'],
    ['a block list', '  odd@example.com:\n    - read'],
    ['an entry indented differently', '   odd@example.com: [read]'],
    ['a name with a colon', '  odd@example.com: [a:b]'],
  ] as const) {
    it(`hands a file with ${what} to the yaml parser, with the same meaning`, () => {
      const text = bigFile(USERS, line);
      assert.equal(scanUsersBlock(text), undefined);
      try {
        const loaded = loadCapsFile(text, 'caps.yaml');
        assert.ok(loaded.document instanceof CapsDocument);
        assert.deepEqual(usersOf(loaded.policy), usersOf(parseCapsFile(text, 'caps.yaml')));
      } catch (error) {
        assert.throws(() => parseCapsFile(text, 'caps.yaml'), { message: (error as Error).message });
      }
    });
  }

  for (const [what, line, code] of [
    ['an undefined capability', '  ghost@example.com: [haunt]', 'CAPS_UNDEFINED'],
    ['a duplicate account in another case', '  USER5@example.com: [read]', 'CAPS_DUPLICATE_USER'],
    ['an invalid email', '  not-an-email: [read]', 'INVALID_EMAIL'],
  ] as const) {
    it(`reports ${what} exactly as the yaml parser does, with its line`, () => {
      const text = bigFile(USERS, line);
      assert.throws(
        () => loadCapsFile(text, 'caps.yaml'),
        (error: unknown) => {
          assert.ok(error instanceof CapsFileError);
          assert.equal(error.code, code);
          assert.throws(() => parseCapsFile(text, 'caps.yaml'), { message: error.message });
          assert.match(error.message, new RegExp(`^caps\\.yaml:${text.split('\n').indexOf(line) + 1}:`));
          return true;
        },
      );
    });
  }

  it('reports a file with a users: line inside a string as the yaml parser does', () => {
    const text = bigFile().replace('guest: []', 'guest: "\nusers:\n  x@example.com: [read]\n"');
    assert.equal(scanUsersBlock(text), undefined);
    assert.throws(() => parseCapsFile(text, 'caps.yaml'), (expected: unknown) => {
      assert.throws(() => loadCapsFile(text, 'caps.yaml'), { message: (expected as Error).message });
      return true;
    });
  });
});

describe('UsersBlockDocument', () => {
  it('rewrites one line, keeping its key as written and its comment, and every other byte', () => {
    const text = bigFile();
    const document = loadCapsFile(text, 'caps.yaml').document;
    document.setGrants('user7@example.com', ['read', 'user_management']);
    const lines = text.split('\n');
    const index = lines.indexOf('  User7@Example.com: [write]   # noted');
    lines[index] = '  User7@Example.com: [read, user_management]   # noted';
    assert.equal(document.toString(), lines.join('\n'));
  });

  it('adds a new account after the last one, quoting what YAML would read otherwise, and undoes in reverse', () => {
    const text = bigFile();
    const document = loadCapsFile(text, 'caps.yaml').document;
    const undoFirst = document.setGrants('new@example.com', ['write']);
    const undoSecond = document.setGrants('a#b@example.com', ['123', 'read']);
    const written = document.toString();
    assert.ok(written.includes(`  User${USERS - 1}@Example.com: [write]\n  new@example.com: [write]\n  "a#b@example.com": ["123", read]\npinned:`), written.slice(-300));
    // Read back as the string "123" (undefined here), not as the number 123 nor a comment.
    assert.throws(() => parseCapsFile(written, 'caps.yaml'), { message: /user "a#b@example\.com" refers to undefined capability "123"$/ });
    undoSecond();
    undoFirst();
    assert.equal(document.toString(), text);
  });
});

describe('YamlFileStore with a large file', () => {
  it('writes concurrent edits in one batch, and the file reads back as the policy in memory', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, bigFile());
    const store = await YamlFileStore.open(file, { pollIntervalMs: 3_600_000 });
    t.after(() => store.close());
    const edits = Array.from({ length: 50 }, (_, index) =>
      store.update((policy) => ({ email: `user${index}@example.com`, capabilities: [...policy.stored(`user${index}@example.com`), 'user_management'] })),
    );
    edits.push(store.update(() => ({ email: 'fresh@example.com', capabilities: ['read'] })));
    await Promise.all(edits);
    assert.ok(store.writes <= 2, `${store.writes} file writes for 51 concurrent edits`);
    const onDisk = parseCapsFile(readFileSync(file, 'utf8'), file);
    assert.deepEqual(usersOf(onDisk), usersOf(store.current()));
    assert.deepEqual(store.current().stored('user3@example.com'), ['write', 'user_management']);
    assert.deepEqual(store.current().stored('fresh@example.com'), ['read']);
    assert.ok(readFileSync(file, 'utf8').includes('  User14@Example.com: [write, user_management]   # noted\n'));
  });
});
