import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitiesError, InvalidInputError } from '../../src/errors';
import { CapabilityGraph } from '../../src/capabilities/capability-graph';
import { assertDefined, CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { CONTRACT_EXAMPLE, EASY_OAUTH, grantsOf, graphOf, policyOf, thrown } from './fixtures';

function unknownCapability(fn: () => unknown, expected: { message: string; field: string }): void {
  const error = thrown(fn);
  assert.ok(error instanceof InvalidInputError, 'an InvalidInputError');
  assert.ok(error instanceof CapabilitiesError);
  assert.equal(error.name, 'InvalidInputError');
  assert.deepEqual({ code: error.code, message: error.message, field: error.field }, { code: 'UNKNOWN_CAPABILITY', ...expected });
}

describe('CapabilityPolicy: effective sets', () => {
  const graph = graphOf(EASY_OAUTH, true);
  const policy = policyOf(graph, {
    defaults: ['read'],
    guest: [],
    users: { 'alice@example.com': ['admin'], 'bob@example.com': ['moderate'], 'carol@example.com': ['announce'] },
    pinned: { 'carol@example.com': ['user_management'], 'ops@example.com': ['write'] },
  });

  it('grants a stored user the closure of their grants and the defaults', () => {
    assert.deepEqual(policy.effective('bob@example.com').toArray(), ['moderate', 'read', 'write']);
    assert.deepEqual(policy.effective('alice@example.com').toArray(), [
      'admin',
      'announce',
      'moderate',
      'read',
      'user_management',
      'write',
    ]);
  });

  it('grants a stored and pinned user the closure of both', () => {
    assert.deepEqual(policy.effective('carol@example.com').toArray(), ['announce', 'read', 'user_management', 'write']);
  });

  it('grants a pinned-only user the closure of the pin and the defaults', () => {
    assert.deepEqual(policy.effective('ops@example.com').toArray(), ['read', 'write']);
  });

  it('grants unknown users the closure of the defaults', () => {
    const withWrite = policyOf(graph, { defaults: ['write'], users: { 'bob@example.com': ['announce'] } });
    assert.deepEqual(withWrite.effective('stranger@example.com').toArray(), ['read', 'write']);
    assert.deepEqual(withWrite.effective('other@example.com').toArray(), ['read', 'write']);
    assert.deepEqual(withWrite.effective('bob@example.com').toArray(), ['announce', 'read', 'write']);
  });

  it('grants a guest the closure of guest, not the defaults', () => {
    const guests = policyOf(graph, { defaults: ['moderate'], guest: ['write'] });
    assert.deepEqual(guests.effective(null).toArray(), ['read', 'write']);
    assert.deepEqual(policy.effective(null).toArray(), []);
  });

  it('grants an unknown user nothing when there are no defaults', () => {
    assert.deepEqual(policyOf(graph).effective('stranger@example.com').toArray(), []);
  });

  it('answers the same set for the same user every time', () => {
    assert.equal(policy.effective('bob@example.com'), policy.effective('bob@example.com'));
    assert.deepEqual(policy.effective('bob@example.com').toArray(), ['moderate', 'read', 'write']);
  });

  it('decides single capabilities through can', () => {
    assert.equal(policy.can('bob@example.com', 'write'), true);
    assert.equal(policy.can('bob@example.com', 'announce'), false);
    assert.equal(policy.can('stranger@example.com', 'read'), true);
    assert.equal(policy.can('stranger@example.com', 'write'), false);
    assert.equal(policy.can(null, 'read'), false);
    assert.equal(policy.can('alice@example.com', 'ghost'), false);
    assert.equal(policy.can('alice@example.com', 'constructor'), false);
  });

  it('keeps a user with a name like an Object.prototype member apart from the others', () => {
    const odd = policyOf(graph, { defaults: ['read'], users: { constructor: ['write'], ['__proto__']: ['moderate'] } });
    assert.deepEqual(odd.effective('constructor').toArray(), ['read', 'write']);
    assert.deepEqual(odd.effective('__proto__').toArray(), ['moderate', 'read', 'write']);
    assert.deepEqual(odd.effective('toString').toArray(), ['read']);
  });
});

describe('CapabilityPolicy: grants as written', () => {
  const policy = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml');

  it('returns stored grants through stored, and [] for anyone else', () => {
    assert.deepEqual(policy.stored('bob@example.com'), ['moderate']);
    assert.deepEqual(policy.stored('ops@example.com'), []);
    assert.deepEqual(policy.stored('stranger@example.com'), []);
  });

  it('returns pinned grants through pinnedTo, and [] for anyone else', () => {
    assert.deepEqual(policy.pinnedTo('ops@example.com'), ['admin']);
    assert.deepEqual(policy.pinnedTo('alice@example.com'), []);
  });
});

describe('CapabilityPolicy: withUsers', () => {
  const base = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml');

  it('replaces the API-managed grants and keeps everything else', () => {
    const next = base.withUsers(grantsOf({ 'bob@example.com': ['write'], 'dave@example.com': ['user_management'] }));
    assert.equal(next.graph, base.graph);
    assert.deepEqual(next.defaults, ['read']);
    assert.deepEqual(next.guest, []);
    assert.equal(next.pinned, base.pinned);
    assert.deepEqual([...next.users.keys()], ['bob@example.com', 'dave@example.com']);
    assert.deepEqual(next.effective('bob@example.com').toArray(), ['read', 'write']);
    assert.deepEqual(next.effective('dave@example.com').toArray(), ['read', 'user_management']);
    assert.deepEqual(next.effective('alice@example.com').toArray(), ['read']);
    assert.equal(next.can('ops@example.com', 'admin'), true);
  });

  it('leaves the original policy and its answers unchanged', () => {
    const before = base.effective('bob@example.com');
    const next = base.withUsers(grantsOf({ 'bob@example.com': ['write'] }));
    assert.deepEqual(next.effective('bob@example.com').toArray(), ['read', 'write']);
    assert.equal(base.effective('bob@example.com'), before);
    assert.deepEqual(base.effective('bob@example.com').toArray(), ['moderate', 'read', 'write']);
    assert.deepEqual(base.stored('bob@example.com'), ['moderate']);
  });

  it('returns an instance of the policy class', () => {
    assert.ok(base.withUsers(new Map()) instanceof CapabilityPolicy);
  });

  it('rejects an undefined capability with UNKNOWN_CAPABILITY naming it and the account', () => {
    unknownCapability(() => base.withUsers(grantsOf({ 'bob@example.com': ['read', 'ghost'] })), {
      message: 'unknown capability "ghost"',
      field: 'capabilities of bob@example.com',
    });
  });

  it('rejects a name inherited by every object with UNKNOWN_CAPABILITY', () => {
    unknownCapability(() => base.withUsers(grantsOf({ 'bob@example.com': ['constructor'] })), {
      message: 'unknown capability "constructor"',
      field: 'capabilities of bob@example.com',
    });
  });
});

describe('CapabilityPolicy: withoutAccount', () => {
  const base = new CapabilityPolicy({
    ...parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml'),
    identities: new Map([
      ['https://github.com#1', 'bob@example.com'],
      ['https://accounts.google.com#2', 'alice@example.com'],
      ['github:3', 'bob@example.com'],
    ]),
  });

  it('drops the account\'s grants and every identity link to it, and keeps everything else', () => {
    const next = base.withoutAccount('bob@example.com');
    assert.deepEqual([...next.users.keys()], ['alice@example.com', 'bot@service']);
    assert.deepEqual([...next.identities], [['https://accounts.google.com#2', 'alice@example.com']]);
    assert.equal(next.linkedAccount('github:3'), undefined);
    assert.deepEqual(next.effective('bob@example.com').toArray(), ['read'], 'what any signed-in user holds');
    assert.equal(next.graph, base.graph);
    assert.equal(next.pinned, base.pinned);
    assert.deepEqual(base.identitiesOf('bob@example.com'), ['https://github.com#1', 'github:3'], 'the original is unchanged');
    assert.deepEqual(base.stored('bob@example.com'), ['moderate']);
  });

  it('leaves pinned grants to the file', () => {
    const next = base.withoutAccount('ops@example.com');
    assert.equal(next, base, 'nothing stored or linked: the same policy');
    assert.equal(next.can('ops@example.com', 'admin'), true);
  });

  it('drops the links of an account with nothing stored', () => {
    const next = base.withUsers(new Map()).withoutAccount('alice@example.com');
    assert.deepEqual(next.identitiesOf('alice@example.com'), []);
    assert.equal(next.identities.size, 2);
  });
});

describe('assertDefined', () => {
  const graph = graphOf(EASY_OAUTH);

  it('accepts a capability of the graph', () => {
    assert.doesNotThrow(() => assertDefined(graph, 'moderate'));
  });

  it('throws UNKNOWN_CAPABILITY with the field it is given, or "capability"', () => {
    unknownCapability(() => assertDefined(graph, 'ghost'), { message: 'unknown capability "ghost"', field: 'capability' });
    unknownCapability(() => assertDefined(graph, 'admin', 'capabilities'), {
      message: 'unknown capability "admin"',
      field: 'capabilities',
    });
  });
});

describe('CapabilityPolicy: adminAccounts', () => {
  it('lists the stored and pinned admins, sorted and once each', () => {
    const policy = policyOf(graphOf(EASY_OAUTH, true), {
      defaults: ['read'],
      users: { 'zed@example.com': ['admin'], 'bob@example.com': ['moderate'], 'amy@example.com': ['read', 'admin'] },
      pinned: { 'ops@example.com': ['admin'], 'zed@example.com': ['admin'], 'bot@service': ['write'] },
    });
    assert.deepEqual(policy.adminAccounts(), ['amy@example.com', 'ops@example.com', 'zed@example.com']);
  });

  it('lists the admins of the CONTRACT example', () => {
    assert.deepEqual(parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml').adminAccounts(), ['alice@example.com', 'ops@example.com']);
  });

  it('lists nobody when the graph has no admin', () => {
    const policy = policyOf(graphOf(EASY_OAUTH, false), { users: { 'bob@example.com': ['moderate'] } });
    assert.deepEqual(policy.adminAccounts(), []);
  });

  it('does not count admin granted to everybody by default as an account', () => {
    const policy = policyOf(graphOf(EASY_OAUTH, true), { defaults: ['admin'], users: { 'bob@example.com': ['read'] } });
    assert.deepEqual(policy.adminAccounts(), []);
  });

  it('counts an account that holds admin through another capability when admin is ordinary', () => {
    const graph = graphOf({ read: [], admin: ['read'], owner: ['admin'] }, false);
    const policy = policyOf(graph, { users: { 'olga@example.com': ['owner'], 'bob@example.com': ['read'] } });
    assert.deepEqual(policy.adminAccounts(), ['olga@example.com']);
  });
});

describe('CapabilityPolicy: graphAsObject', () => {
  it('includes admin, implying every other capability, when auto_admin is on', () => {
    const graph = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml').graphAsObject();
    assert.deepEqual(Object.entries(graph), [
      ['read', []],
      ['write', ['read']],
      ['moderate', ['read', 'write']],
      ['user_management', []],
      ['admin', ['read', 'write', 'moderate', 'user_management']],
    ]);
  });

  it('has no admin when auto_admin is off and the file defines none', () => {
    const graph = policyOf(graphOf(EASY_OAUTH, false)).graphAsObject();
    assert.deepEqual(Object.keys(graph), ['read', 'write', 'moderate', 'announce', 'user_management']);
    assert.equal(Object.hasOwn(graph, 'admin'), false);
  });

  it('serializes to the JSON of the management API', () => {
    const graph = policyOf(graphOf({ read: [], write: ['read'] }, true)).graphAsObject();
    assert.equal(JSON.stringify(graph), '{"read":[],"write":["read"],"admin":["read","write"]}');
  });

  it('returns copies that do not change the graph', () => {
    const policy = policyOf(graphOf(EASY_OAUTH, true));
    const graph = policy.graphAsObject();
    graph['write']!.push('moderate');
    graph['admin']!.length = 0;
    assert.deepEqual(policy.graph.impliedBy('write'), ['read']);
    assert.equal(policy.graph.impliedBy('admin').length, 5);
    assert.deepEqual(policy.graphAsObject()['write'], ['read']);
  });

  it('returns an object without a prototype, so that no name reaches Object.prototype', () => {
    // The core graph does not check names; the parser does. Even so the display object stays safe.
    const graph = CapabilityGraph.build(
      new Map<string, readonly string[]>([
        ['__proto__', []],
        ['constructor', ['__proto__']],
        ['polluted', []],
      ]),
      { autoAdmin: false },
    );
    const result = policyOf(graph).graphAsObject();
    assert.equal(Object.getPrototypeOf(result), null);
    assert.deepEqual(Object.keys(result), ['__proto__', 'constructor', 'polluted']);
    assert.deepEqual(result['__proto__'], []);
    assert.deepEqual(result['constructor'], ['__proto__']);
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(JSON.stringify(result), '{"__proto__":[],"constructor":["__proto__"],"polluted":[]}');
  });
});

describe('CapabilityPolicy: usersAsObject', () => {
  it('lists the API-managed grants sorted by email, without pinned ones', () => {
    const users = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml').withUsers(
      grantsOf({ 'zed@example.com': ['read'], 'bob@example.com': ['moderate'], 'amy@example.com': [] }),
    ).usersAsObject();
    assert.deepEqual(Object.entries(users), [
      ['amy@example.com', []],
      ['bob@example.com', ['moderate']],
      ['zed@example.com', ['read']],
    ]);
    assert.equal(Object.hasOwn(users, 'ops@example.com'), false);
  });

  it('lists the users of the CONTRACT example as written', () => {
    assert.equal(
      JSON.stringify(parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml').usersAsObject()),
      '{"alice@example.com":["admin"],"bob@example.com":["moderate"],"bot@service":["write"]}',
    );
  });

  it('returns copies that do not change the stored grants', () => {
    const policy = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml');
    policy.usersAsObject()['bob@example.com']!.push('admin');
    assert.deepEqual(policy.stored('bob@example.com'), ['moderate']);
  });

  it('returns an object without a prototype, so that no email reaches Object.prototype', () => {
    const policy = policyOf(graphOf(EASY_OAUTH), { users: { ['__proto__']: ['read'], constructor: ['write'], polluted: ['read'] } });
    const users = policy.usersAsObject();
    assert.equal(Object.getPrototypeOf(users), null);
    assert.deepEqual(Object.keys(users), ['__proto__', 'constructor', 'polluted']);
    assert.deepEqual(users['__proto__'], ['read']);
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    assert.equal(JSON.stringify(users), '{"__proto__":["read"],"constructor":["write"],"polluted":["read"]}');
  });
});
