import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitiesError, CapsFileError, type CapabilitiesErrorCode } from '../../src/errors';
import { parseCapsFile } from '../../src/capabilities/caps-file';
import { CONTRACT_EXAMPLE, thrown } from './fixtures';

/** The lines of a caps.yaml, so that each test shows the line numbers it asserts. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

interface Expected {
  code: CapabilitiesErrorCode;
  message: string;
  line: number | undefined;
  column: number | undefined;
  offender: string | undefined;
}

/** Asserts that parsing `text` throws exactly `expected`, and returns the error. */
function assertRejected(text: string, expected: Expected, file = 'caps.yaml'): CapsFileError {
  const error = thrown(() => parseCapsFile(text, file));
  assert.ok(error instanceof CapsFileError, `a CapsFileError, got ${String(error)}`);
  assert.ok(error instanceof CapabilitiesError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'CapsFileError');
  assert.deepEqual(
    { code: error.code, message: error.message, line: error.line, column: error.column, offender: error.offender, file: error.file },
    { ...expected, file },
  );
  const at = expected.line === undefined ? '' : `:${expected.line}:${expected.column}`;
  assert.equal(`${file}${at}: ${error.detail}`, error.message, 'the message is the file, the position and the detail');
  return error;
}

const GRAPH = ['capabilities:', '  read: []', '  write: [read]'];

describe('parseCapsFile: the CONTRACT example', () => {
  const policy = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml');

  it('reads the graph in definition order, with admin added last', () => {
    assert.deepEqual(policy.graph.names, ['read', 'write', 'moderate', 'user_management', 'admin']);
    assert.equal(policy.graph.autoAdmin, true);
    assert.deepEqual(policy.graph.impliedBy('moderate'), ['read', 'write']);
    assert.deepEqual(policy.graph.impliedBy('admin'), ['read', 'write', 'moderate', 'user_management']);
  });

  it('reads default, guest, users and pinned as written', () => {
    assert.deepEqual(policy.defaults, ['read']);
    assert.deepEqual(policy.guest, []);
    assert.deepEqual([...policy.users], [
      ['alice@example.com', ['admin']],
      ['bob@example.com', ['moderate']],
      ['bot@service', ['write']],
    ]);
    assert.deepEqual([...policy.pinned], [['ops@example.com', ['admin']]]);
  });

  it('grants each user the closure of their grants and the defaults', () => {
    const everything = ['admin', 'moderate', 'read', 'user_management', 'write'];
    assert.deepEqual(policy.effective('alice@example.com').toArray(), everything);
    assert.deepEqual(policy.effective('bob@example.com').toArray(), ['moderate', 'read', 'write']);
    assert.deepEqual(policy.effective('bot@service').toArray(), ['read', 'write']);
    assert.deepEqual(policy.effective('ops@example.com').toArray(), everything);
  });

  it('grants an unlisted user the defaults, and a guest nothing', () => {
    assert.deepEqual(policy.effective('carol@example.com').toArray(), ['read']);
    assert.deepEqual(policy.effective(null).toArray(), []);
  });
});

describe('parseCapsFile: effective sets', () => {
  const policy = parseCapsFile(
    yaml(
      'capabilities:',
      '  read: []',
      '  write: [read]',
      '  comment: [read]',
      '  moderate: [comment]',
      '  deploy: []',
      'default: [comment]',
      'guest: [write]',
      'users:',
      '  carol@example.com: [write]',
      '  dave@example.com: []',
      'pinned:',
      '  carol@example.com: [deploy]',
      '  erin@example.com: [moderate]',
    ),
    'caps.yaml',
  );

  it('grants the closure of users ∪ pinned ∪ default to a stored and pinned user', () => {
    assert.deepEqual(policy.effective('carol@example.com').toArray(), ['comment', 'deploy', 'read', 'write']);
  });

  it('grants the closure of the defaults to a user stored with nothing', () => {
    assert.deepEqual(policy.effective('dave@example.com').toArray(), ['comment', 'read']);
  });

  it('grants the closure of pinned ∪ default to a pinned-only user', () => {
    assert.deepEqual(policy.effective('erin@example.com').toArray(), ['comment', 'moderate', 'read']);
  });

  it('grants a guest the closure of guest, without the defaults', () => {
    assert.deepEqual(policy.effective(null).toArray(), ['read', 'write']);
  });

  it('keeps pinned grants out of the API-managed users', () => {
    assert.deepEqual(policy.stored('carol@example.com'), ['write']);
    assert.deepEqual(policy.pinnedTo('carol@example.com'), ['deploy']);
    assert.equal(policy.users.has('erin@example.com'), false);
  });
});

describe('parseCapsFile: accepted shapes', () => {
  it('stores emails in their canonical form', () => {
    const policy = parseCapsFile(
      yaml(...GRAPH, 'users:', '  Bob@Example.COM: [write]', '  " Carol@Example.com. ": [read]', 'pinned:', '  OPS@Example.COM.: [write]'),
      'caps.yaml',
    );
    assert.deepEqual([...policy.users.keys()], ['bob@example.com', 'carol@example.com']);
    assert.deepEqual([...policy.pinned.keys()], ['ops@example.com']);
    assert.equal(policy.can('bob@example.com', 'write'), true);
    assert.equal(policy.can('ops@example.com', 'write'), true);
  });

  it('accepts a file with only an empty graph', () => {
    const policy = parseCapsFile(yaml('capabilities: {}'), 'caps.yaml');
    assert.deepEqual(policy.graph.names, []);
    assert.equal(policy.graph.autoAdmin, false);
    assert.deepEqual(policy.defaults, []);
    assert.deepEqual(policy.guest, []);
    assert.equal(policy.users.size, 0);
    assert.equal(policy.pinned.size, 0);
  });

  it('reads empty values as empty lists and mappings', () => {
    const policy = parseCapsFile(
      yaml('capabilities:', '  read:', '  write: ~', 'default:', 'guest: ~', 'users:', '  bob@example.com:', 'pinned:'),
      'caps.yaml',
    );
    assert.deepEqual(policy.graph.names, ['read', 'write']);
    assert.deepEqual(policy.graph.impliedBy('write'), []);
    assert.deepEqual(policy.defaults, []);
    assert.deepEqual(policy.guest, []);
    assert.deepEqual([...policy.users], [['bob@example.com', []]]);
    assert.equal(policy.pinned.size, 0);
  });

  it('accepts block lists as well as flow lists', () => {
    const policy = parseCapsFile(
      yaml('capabilities:', '  read: []', '  write:', '    - read', 'default:', '  - write'),
      'caps.yaml',
    );
    assert.deepEqual(policy.graph.impliedBy('write'), ['read']);
    assert.deepEqual(policy.defaults, ['write']);
  });

  it('keeps one copy of a name listed twice', () => {
    const policy = parseCapsFile(yaml(...GRAPH, '  both: [write, read, write]', 'default: [read, read]'), 'caps.yaml');
    assert.deepEqual(policy.graph.impliedBy('both'), ['write', 'read']);
    assert.deepEqual(policy.defaults, ['read']);
  });

  it('accepts the same account in users and in pinned', () => {
    const policy = parseCapsFile(yaml(...GRAPH, 'users:', '  bob@example.com: [read]', 'pinned:', '  Bob@example.com: [write]'), 'caps.yaml');
    assert.deepEqual(policy.stored('bob@example.com'), ['read']);
    assert.deepEqual(policy.pinnedTo('bob@example.com'), ['write']);
  });

  it('treats admin as undefined when auto_admin is false or missing', () => {
    for (const autoAdmin of [[], ['auto_admin: false']]) {
      assertRejected(yaml(...GRAPH, ...autoAdmin, 'users:', '  bob@example.com: [admin]'), {
        code: 'CAPS_UNDEFINED',
        message: `caps.yaml:${5 + autoAdmin.length}:21: user "bob@example.com" refers to undefined capability "admin"`,
        line: 5 + autoAdmin.length,
        column: 21,
        offender: 'admin',
      });
    }
  });

  it('refuses an admin written in the file under auto_admin, at the admin line, whichever comes first', () => {
    const detail =
      'capability "admin" is defined here, but auto_admin: true adds its own "admin" implying every capability; ' +
      'remove this entry, or set auto_admin: false to define admin yourself';
    assertRejected(yaml('capabilities:', '  admin: [read]', '  read: []', '  write: [read]', 'auto_admin: true'), {
      code: 'CAPS_SCHEMA',
      message: `caps.yaml:2:3: ${detail}`,
      line: 2,
      column: 3,
      offender: 'admin',
    });
    assertRejected(yaml('auto_admin: true', 'capabilities:', '  read: []', '  admin: []'), {
      code: 'CAPS_SCHEMA',
      message: `caps.yaml:4:3: ${detail}`,
      line: 4,
      column: 3,
      offender: 'admin',
    });
  });

  it('keeps an admin written in the file as an ordinary capability without auto_admin', () => {
    for (const autoAdmin of [[], ['auto_admin: false']]) {
      const policy = parseCapsFile(yaml('capabilities:', '  admin: [read]', '  read: []', '  write: [read]', ...autoAdmin), 'caps.yaml');
      assert.deepEqual(policy.graph.names, ['admin', 'read', 'write']);
      assert.deepEqual(policy.graph.closureOf(['admin']).toArray(), ['admin', 'read']);
    }
  });

  it('accepts a capability name of 64 characters', () => {
    const name = 'x'.repeat(64);
    assert.equal(parseCapsFile(yaml('capabilities:', `  ${name}: []`), 'caps.yaml').graph.has(name), true);
  });
});

describe('parseCapsFile: malformed YAML', () => {
  it('rejects a capability defined twice with CAPS_SCHEMA at the second definition', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  read: [read]'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:3:3: capability "read" is defined twice',
      line: 3,
      column: 3,
      offender: 'read',
    });
  });

  it('rejects a top-level key written twice with CAPS_SCHEMA at the second one', () => {
    assertRejected(yaml('capabilities:', '  read: []', 'default: []', 'default: [read]'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:4:1: key "default" appears twice',
      line: 4,
      column: 1,
      offender: 'default',
    });
  });

  it('rejects a stray bracket with CAPS_YAML_SYNTAX at its line and column', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  write: [read]]'), {
      code: 'CAPS_YAML_SYNTAX',
      message: 'caps.yaml:3:16: malformed YAML: Unexpected flow-seq-end token in YAML stream: "]"',
      line: 3,
      column: 16,
      offender: undefined,
    });
  });

  it('rejects a tab used as indentation with CAPS_YAML_SYNTAX at its line', () => {
    assertRejected(yaml('capabilities:', '  read: []', '\twrite: [read]'), {
      code: 'CAPS_YAML_SYNTAX',
      message: 'caps.yaml:3:1: malformed YAML: Tabs are not allowed as indentation',
      line: 3,
      column: 1,
      offender: undefined,
    });
  });

  it('rejects uneven indentation with CAPS_YAML_SYNTAX at its line', () => {
    assertRejected(yaml('capabilities:', '  read: []', '   write: [read]'), {
      code: 'CAPS_YAML_SYNTAX',
      message: 'caps.yaml:3:1: malformed YAML: All mapping items must start at the same column',
      line: 3,
      column: 1,
      offender: undefined,
    });
  });

  it('rejects an unclosed list with CAPS_YAML_SYNTAX where the parser notices it', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  write: [read', 'default: []'), {
      code: 'CAPS_YAML_SYNTAX',
      message: 'caps.yaml:4:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      line: 4,
      column: 1,
      offender: undefined,
    });
  });

  it('rejects several documents in one file with CAPS_YAML_SYNTAX at the second one', () => {
    assertRejected(yaml('---', 'capabilities: {}', '---', 'capabilities: {}'), {
      code: 'CAPS_YAML_SYNTAX',
      message: 'caps.yaml:3:1: malformed YAML: Source contains multiple documents; please use YAML.parseAllDocuments()',
      line: 3,
      column: 1,
      offender: undefined,
    });
  });

  it('names the file as it was given', () => {
    const error = assertRejected(
      yaml('capabilities:', '  read: []', '  write: [read]]'),
      {
        code: 'CAPS_YAML_SYNTAX',
        message: '/etc/app/caps.yaml:3:16: malformed YAML: Unexpected flow-seq-end token in YAML stream: "]"',
        line: 3,
        column: 16,
        offender: undefined,
      },
      '/etc/app/caps.yaml',
    );
    assert.equal(error.file, '/etc/app/caps.yaml');
    assert.equal(error.detail, 'malformed YAML: Unexpected flow-seq-end token in YAML stream: "]"');
  });
});

describe('parseCapsFile: schema', () => {
  it('rejects an empty file with CAPS_SCHEMA and no position', () => {
    for (const text of ['', '# only a comment\n']) {
      assertRejected(text, {
        code: 'CAPS_SCHEMA',
        message: 'caps.yaml: the file must be a mapping with a "capabilities" key, got nothing',
        line: undefined,
        column: undefined,
        offender: undefined,
      });
    }
  });

  it('rejects a file that is a list or a scalar with CAPS_SCHEMA', () => {
    assertRejected(yaml('- capabilities'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:1:1: the file must be a mapping with a "capabilities" key, got a list',
      line: 1,
      column: 1,
      offender: undefined,
    });
    assertRejected(yaml('just text'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:1:1: the file must be a mapping with a "capabilities" key, got string',
      line: 1,
      column: 1,
      offender: undefined,
    });
  });

  it('rejects a file without "capabilities" with CAPS_SCHEMA', () => {
    assertRejected(yaml('default: []', 'guest: []'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:1:1: missing "capabilities": the capability graph',
      line: 1,
      column: 1,
      offender: undefined,
    });
  });

  it('rejects an unknown top-level key with CAPS_SCHEMA at the key, naming it', () => {
    assertRejected(yaml(...GRAPH, 'user:', '  bob@example.com: [read]'), {
      code: 'CAPS_SCHEMA',
      message:
        'caps.yaml:4:1: unknown key "user" (expected one of capabilities, auto_admin, default, guest, users, pinned, scopes, identities)',
      line: 4,
      column: 1,
      offender: 'user',
    });
  });

  it('rejects a non-string top-level key with CAPS_SCHEMA', () => {
    assertRejected(yaml(...GRAPH, '1: x'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:4:1: unknown key "1" (expected one of capabilities, auto_admin, default, guest, users, pinned, scopes, identities)',
      line: 4,
      column: 1,
      offender: undefined,
    });
  });

  it('rejects "capabilities" that is not a mapping with CAPS_SCHEMA', () => {
    assertRejected(yaml('capabilities: [read, write]'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:1:15: "capabilities" must be a mapping, got a list',
      line: 1,
      column: 15,
      offender: undefined,
    });
    assertRejected(yaml('capabilities: 5'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:1:15: "capabilities" must be a mapping, got number',
      line: 1,
      column: 15,
      offender: undefined,
    });
  });

  it('rejects a capability whose implications are not a list with CAPS_SCHEMA', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  write: read'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:3:10: capability "write" must be a list of capability names, got string',
      line: 3,
      column: 10,
      offender: undefined,
    });
    assertRejected(yaml('capabilities:', '  read: []', '  write: {read: true}'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:3:10: capability "write" must be a list of capability names, got a mapping',
      line: 3,
      column: 10,
      offender: undefined,
    });
  });

  it('rejects an alias with CAPS_SCHEMA, saying that aliases are not supported', () => {
    assertRejected(yaml('capabilities:', '  read: &none []', '  write: *none'), {
      code: 'CAPS_SCHEMA',
      message:
        'caps.yaml:3:10: capability "write" must be a list of capability names, got an alias (anchors and aliases are not supported)',
      line: 3,
      column: 10,
      offender: undefined,
    });
  });

  it('rejects an "auto_admin" that is not a boolean with CAPS_SCHEMA', () => {
    const cases: [string, string, number][] = [
      ['yes', 'string', 13],
      ['1', 'number', 13],
      ['"true"', 'string', 13],
      ['[true]', 'a list', 13],
      ['', 'null', 12],
    ];
    for (const [value, type, column] of cases) {
      assertRejected(yaml(...GRAPH, `auto_admin: ${value}`.trimEnd()), {
        code: 'CAPS_SCHEMA',
        message: `caps.yaml:4:${column}: "auto_admin" must be true or false, got ${type}`,
        line: 4,
        column,
        offender: undefined,
      });
    }
  });

  it('rejects "default" and "guest" that are not lists with CAPS_SCHEMA', () => {
    assertRejected(yaml(...GRAPH, 'default: read'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:4:10: "default" must be a list of capability names, got string',
      line: 4,
      column: 10,
      offender: undefined,
    });
    assertRejected(yaml(...GRAPH, 'guest:', '  read: true'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:5:3: "guest" must be a list of capability names, got a mapping',
      line: 5,
      column: 3,
      offender: undefined,
    });
  });

  it('rejects "users" and "pinned" that are not mappings with CAPS_SCHEMA', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  - bob@example.com'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:5:3: "users" must be a mapping, got a list',
      line: 5,
      column: 3,
      offender: undefined,
    });
    assertRejected(yaml(...GRAPH, 'pinned: ops@example.com'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:4:9: "pinned" must be a mapping, got string',
      line: 4,
      column: 9,
      offender: undefined,
    });
  });

  it('rejects a user whose grants are not a list with CAPS_SCHEMA', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  bob@example.com: write'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:5:20: user "bob@example.com" must be a list of capability names, got string',
      line: 5,
      column: 20,
      offender: undefined,
    });
    assertRejected(yaml(...GRAPH, 'pinned:', '  Ops@Example.com:', '    write: true'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:6:5: user "ops@example.com" must be a list of capability names, got a mapping',
      line: 6,
      column: 5,
      offender: undefined,
    });
  });
});

describe('parseCapsFile: cycles', () => {
  it('rejects a cycle with CAPS_CYCLE, its path and the line of its first capability', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  a: [b]', '  b: [a]'), {
      code: 'CAPS_CYCLE',
      message: 'caps.yaml:3:3: capability cycle: a -> b -> a',
      line: 3,
      column: 3,
      offender: 'a',
    });
  });

  it('rejects a longer cycle reached from outside it, naming only the cycle', () => {
    assertRejected(yaml('capabilities:', '  entry: [x]', '  x: [y]', '  y: [z]', '  z: [x]'), {
      code: 'CAPS_CYCLE',
      message: 'caps.yaml:3:3: capability cycle: x -> y -> z -> x',
      line: 3,
      column: 3,
      offender: 'x',
    });
  });

  it('rejects a capability that implies itself with CAPS_CYCLE', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  a: [a]'), {
      code: 'CAPS_CYCLE',
      message: 'caps.yaml:3:3: capability cycle: a -> a',
      line: 3,
      column: 3,
      offender: 'a',
    });
  });

  it('rejects a capability that implies admin under auto_admin with CAPS_CYCLE', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  write: [read, admin]', 'auto_admin: true'), {
      code: 'CAPS_CYCLE',
      message: 'caps.yaml:3:3: capability cycle: write -> admin -> write',
      line: 3,
      column: 3,
      offender: 'write',
    });
  });
});

describe('parseCapsFile: undefined capabilities', () => {
  it('rejects an implication of an undefined capability at the line of the capability that names it', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  write: [read]', '  moderate: [write, ghost]'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:4:3: capability "moderate" implies "ghost", which is not defined',
      line: 4,
      column: 3,
      offender: 'ghost',
    });
  });

  it('rejects an undefined implication of a written admin without auto_admin, at the admin line', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  admin: [read, ghost]'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:3:3: capability "admin" implies "ghost", which is not defined',
      line: 3,
      column: 3,
      offender: 'ghost',
    });
  });

  it('rejects an undefined capability in "default" at the list item', () => {
    assertRejected(yaml(...GRAPH, 'default: [read, ghost]'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:4:17: "default" refers to undefined capability "ghost"',
      line: 4,
      column: 17,
      offender: 'ghost',
    });
  });

  it('rejects an undefined capability in "guest" at the list item', () => {
    assertRejected(yaml(...GRAPH, 'guest:', '  - read', '  - ghost'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:6:5: "guest" refers to undefined capability "ghost"',
      line: 6,
      column: 5,
      offender: 'ghost',
    });
  });

  it('rejects an undefined capability held by a user at the list item, naming the canonical email', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  alice@example.com: [read]', '  Bob@Example.com: [write, ghost]'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:6:28: user "bob@example.com" refers to undefined capability "ghost"',
      line: 6,
      column: 28,
      offender: 'ghost',
    });
  });

  it('rejects an undefined capability pinned to a user at the list item', () => {
    assertRejected(yaml(...GRAPH, 'pinned:', '  ops@example.com:', '    - write', '    - ghost'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:7:7: user "ops@example.com" refers to undefined capability "ghost"',
      line: 7,
      column: 7,
      offender: 'ghost',
    });
  });
});

describe('parseCapsFile: users', () => {
  it('rejects the same user twice after case folding with CAPS_DUPLICATE_USER at the second key', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  bob@example.com: [read]', '  Bob@Example.COM: [write]'), {
      code: 'CAPS_DUPLICATE_USER',
      message: 'caps.yaml:6:3: in "users": "bob@example.com" is listed twice',
      line: 6,
      column: 3,
      offender: 'bob@example.com',
    });
  });

  it('rejects the same pinned user twice after canonicalization with CAPS_DUPLICATE_USER', () => {
    assertRejected(yaml(...GRAPH, 'pinned:', '  ops@example.com: [read]', '  "OPS@example.com.": [write]'), {
      code: 'CAPS_DUPLICATE_USER',
      message: 'caps.yaml:6:3: in "pinned": "ops@example.com" is listed twice',
      line: 6,
      column: 3,
      offender: 'ops@example.com',
    });
  });

  it('rejects a user that is not an email with INVALID_EMAIL at the key', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  not-an-email: [read]'), {
      code: 'INVALID_EMAIL',
      message: 'caps.yaml:5:3: in "users": "not-an-email" is not an email address: it needs one @ between a name and a domain',
      line: 5,
      column: 3,
      offender: 'not-an-email',
    });
  });

  it('rejects a pinned user with an invisible character with INVALID_EMAIL', () => {
    assertRejected(yaml(...GRAPH, 'pinned:', '  "op\\u200bs@example.com": [read]'), {
      code: 'INVALID_EMAIL',
      message: 'caps.yaml:5:3: in "pinned": an email must not contain control or invisible characters',
      line: 5,
      column: 3,
      offender: 'op\u200bs@example.com',
    });
  });

  it('rejects a user with two @ with INVALID_EMAIL', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  "a@b@example.com": [read]'), {
      code: 'INVALID_EMAIL',
      message: 'caps.yaml:5:3: in "users": "a@b@example.com" is not an email address: it needs one @ between a name and a domain',
      line: 5,
      column: 3,
      offender: 'a@b@example.com',
    });
  });

  it('rejects a user key that is not a string with INVALID_EMAIL', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  42: [read]'), {
      code: 'INVALID_EMAIL',
      message: 'caps.yaml:5:3: in "users": an email must be a string',
      line: 5,
      column: 3,
      offender: '42',
    });
  });
});

describe('parseCapsFile: capability names', () => {
  it('rejects __proto__ as a capability with INVALID_CAPABILITY_NAME', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  __proto__: [read]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:3: in "capabilities": invalid capability name "__proto__": use letters, digits and _ . : - only',
      line: 3,
      column: 3,
      offender: '__proto__',
    });
  });

  it('rejects constructor as a capability with INVALID_CAPABILITY_NAME, as a reserved word', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  constructor: [read]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:3: in "capabilities": invalid capability name "constructor": reserved word',
      line: 3,
      column: 3,
      offender: 'constructor',
    });
  });

  it('rejects a reserved word in an implication list at the item', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  write: [read, toString]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:17: capability "write": invalid capability name "toString": reserved word',
      line: 3,
      column: 17,
      offender: 'toString',
    });
  });

  it('rejects __proto__ held by a user at the item', () => {
    assertRejected(yaml(...GRAPH, 'users:', '  bob@example.com: ["__proto__"]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:5:21: user "bob@example.com": invalid capability name "__proto__": use letters, digits and _ . : - only',
      line: 5,
      column: 21,
      offender: '__proto__',
    });
  });

  it('rejects a name with a space in "default" and in "guest"', () => {
    assertRejected(yaml(...GRAPH, 'default: [read, "read all"]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:4:17: "default": invalid capability name "read all": use letters, digits and _ . : - only',
      line: 4,
      column: 17,
      offender: 'read all',
    });
    assertRejected(yaml(...GRAPH, 'guest: [hasOwnProperty]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:4:9: "guest": invalid capability name "hasOwnProperty": reserved word',
      line: 4,
      column: 9,
      offender: 'hasOwnProperty',
    });
  });

  it('rejects a capability name of 65 characters', () => {
    const name = 'x'.repeat(65);
    assertRejected(yaml('capabilities:', `  ${name}: []`), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:2:3: in "capabilities": a capability name must be at most 64 characters',
      line: 2,
      column: 3,
      offender: name,
    });
  });

  it('rejects names that are not strings, describing what they are', () => {
    assertRejected(yaml('capabilities:', '  read: []', '  7: [read]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:3: in "capabilities": a capability name must be a string, got number',
      line: 3,
      column: 3,
      offender: '7',
    });
    assertRejected(yaml('capabilities:', '  read: []', '  write: [read, ~]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:17: capability "write": a capability name must be a string, got null',
      line: 3,
      column: 17,
      offender: 'null',
    });
    assertRejected(yaml('capabilities:', '  read: []', '  write: [true]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:11: capability "write": a capability name must be a string, got boolean',
      line: 3,
      column: 11,
      offender: 'true',
    });
  });

  it('rejects a nested list or mapping as a name, calling each what it is', () => {
    const list = assertRejected(yaml('capabilities:', '  read: []', '  write: [[read]]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:11: capability "write": a capability name must be a string, got a list',
      line: 3,
      column: 11,
      offender: '["read"]',
    });
    assert.equal(list.detail, 'capability "write": a capability name must be a string, got a list');
    assertRejected(yaml('capabilities:', '  read: []', '  write: [{read: 1}]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:3:11: capability "write": a capability name must be a string, got a mapping',
      line: 3,
      column: 11,
      offender: '{"read":1}',
    });
  });
});

describe('parseCapsFile: scopes', () => {
  // The display objects have no prototype; compare them as the JSON they become.
  const plain = (value: object): unknown => JSON.parse(JSON.stringify(value)) as unknown;
  const ADMIN_GRAPH = ['capabilities:', '  read: []', '  write: [read]', 'auto_admin: true'];

  it('reads scope -> email -> capabilities, emails canonical, holding at the scope and below only', () => {
    const policy = parseCapsFile(
      yaml(
        ...ADMIN_GRAPH,
        'users:',
        '  alice@example.com: [admin]',
        'scopes:',
        '  shop:paris:',
        '    Bob@Example.com: [write]',
        '  shop:paris/oven:2:',
        '    carol@example.com: [read]',
        '  shop:lyon:',
        '    bot@service: [admin]',
      ),
      'caps.yaml',
    );
    assert.deepEqual(plain(policy.scopesAsObject()), {
      'shop:lyon': { 'bot@service': ['admin'] },
      'shop:paris': { 'bob@example.com': ['write'] },
      'shop:paris/oven:2': { 'carol@example.com': ['read'] },
    });
    assert.equal(policy.can('bob@example.com', 'write', 'shop:paris/oven:2'), true);
    assert.equal(policy.can('bob@example.com', 'write', 'shop:lyon'), false);
    assert.equal(policy.can('bob@example.com', 'write'), false, 'a scoped grant never holds globally');
    assert.equal(policy.can('bot@service', 'write', 'shop:lyon'), true, 'admin at a scope is everything there');
    assert.equal(policy.users.has('bob@example.com'), false);
  });

  it('reads an empty or missing block as no scoped grant, and drops accounts and scopes that grant nothing', () => {
    assert.equal(parseCapsFile(yaml(...GRAPH), 'caps.yaml').scopes.size, 0);
    assert.equal(parseCapsFile(yaml(...GRAPH, 'scopes:'), 'caps.yaml').scopes.size, 0);
    const policy = parseCapsFile(
      yaml(...GRAPH, 'scopes:', '  shop:a:', '  shop:b:', '    bob@example.com: []', '  shop:c:', '    bob@example.com: []', '    eve@example.com: [read]'),
      'caps.yaml',
    );
    assert.deepEqual(plain(policy.scopesAsObject()), { 'shop:c': { 'eve@example.com': ['read'] } });
  });

  it('rejects a malformed scope with SCOPE_INVALID at its key', () => {
    const cases: [string, string][] = [
      ['shop', 'scope segment "shop" must be written type:id'],
      ['"shop:.."', 'scope id ".." must be 1 to 128 of A-Z a-z 0-9 . _ ~ - and not . or ..'],
      ['Shop:paris', 'scope type "Shop" must be a lower-case letter then up to 31 of a-z 0-9 _ -'],
      ['"shop:paris/"', 'scope segment "" must be written type:id'],
      ['a:1/b:2/c:3/d:4/e:5/f:6/g:7/h:8/i:9', 'a scope has at most 8 segments'],
    ];
    for (const [key, problem] of cases) {
      const offender = key.replace(/^"|"$/g, '');
      assertRejected(yaml(...GRAPH, 'users:', '  bob@example.com: [read]', 'scopes:', `  ${key}:`, '    bob@example.com: [read]'), {
        code: 'SCOPE_INVALID',
        message: `caps.yaml:7:3: in "scopes": ${problem}`,
        line: 7,
        column: 3,
        offender,
      });
    }
  });

  it('rejects a scope key that is not a string with SCOPE_INVALID', () => {
    assertRejected(yaml(...GRAPH, 'scopes:', '  42:', '    bob@example.com: [read]'), {
      code: 'SCOPE_INVALID',
      message: 'caps.yaml:5:3: in "scopes": a scope must be a string',
      line: 5,
      column: 3,
      offender: '42',
    });
  });

  it('rejects an invalid email at a scope with INVALID_EMAIL at the key', () => {
    assertRejected(yaml(...GRAPH, 'scopes:', '  shop:paris:', '    not-an-email: [read]'), {
      code: 'INVALID_EMAIL',
      message: 'caps.yaml:6:5: in scope "shop:paris": "not-an-email" is not an email address: it needs one @ between a name and a domain',
      line: 6,
      column: 5,
      offender: 'not-an-email',
    });
  });

  it('rejects an undefined capability at a scope with CAPS_UNDEFINED at the name', () => {
    assertRejected(yaml(...GRAPH, 'scopes:', '  shop:paris:', '    bob@example.com: [read]', '  shop:lyon:', '    bob@example.com: [read, bake]'), {
      code: 'CAPS_UNDEFINED',
      message: 'caps.yaml:8:29: user "bob@example.com" at "shop:lyon" refers to undefined capability "bake"',
      line: 8,
      column: 29,
      offender: 'bake',
    });
  });

  it('rejects an ill-formed capability name at a scope with INVALID_CAPABILITY_NAME', () => {
    const error = assertRejected(yaml(...GRAPH, 'scopes:', '  shop:paris:', '    bob@example.com: [42]'), {
      code: 'INVALID_CAPABILITY_NAME',
      message: 'caps.yaml:6:23: user "bob@example.com" at "shop:paris": a capability name must be a string, got number',
      line: 6,
      column: 23,
      offender: '42',
    });
    assert.equal(error.file, 'caps.yaml');
  });

  it('rejects the same account twice at one scope with CAPS_DUPLICATE_USER, and the same scope twice with CAPS_SCHEMA', () => {
    assertRejected(yaml(...GRAPH, 'scopes:', '  shop:paris:', '    bob@example.com: [read]', '    BOB@example.com: [write]'), {
      code: 'CAPS_DUPLICATE_USER',
      message: 'caps.yaml:7:5: in scope "shop:paris": "bob@example.com" is listed twice',
      line: 7,
      column: 5,
      offender: 'bob@example.com',
    });
    assertRejected(yaml(...GRAPH, 'scopes:', '  shop:paris:', '    bob@example.com: [read]', '  shop:paris:', '    eve@example.com: [read]'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:7:3: in "scopes": "shop:paris" is listed twice',
      line: 7,
      column: 3,
      offender: 'shop:paris',
    });
  });

  it('rejects a scopes block or a scope that is not a mapping with CAPS_SCHEMA', () => {
    assertRejected(yaml(...GRAPH, 'scopes: [shop:paris]'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:4:9: "scopes" must be a mapping, got a list',
      line: 4,
      column: 9,
      offender: undefined,
    });
    assertRejected(yaml(...GRAPH, 'scopes:', '  shop:paris: [read]'), {
      code: 'CAPS_SCHEMA',
      message: 'caps.yaml:5:15: scope "shop:paris" must be a mapping, got a list',
      line: 5,
      column: 15,
      offender: undefined,
    });
  });
});
