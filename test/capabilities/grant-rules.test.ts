import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilitiesError, GrantError, InvalidInputError } from '../../src/errors';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { assertAdminRemains, assertCanEndTokensOf, assertCanGrant, assertCanRevokeKey, checkedChange, checkedDeletion, planChange } from '../../src/capabilities/grant-rules';
import { CapabilityPolicy } from '../../src/capabilities/capability-policy';
import { CONTRACT_EXAMPLE, EASY_OAUTH, flatGraph, grantsOf, graphOf, policyOf, thrown, unclosedSet } from './fixtures';

function assertForbidden(fn: () => unknown, capability: string, message: string): void {
  const error = thrown(fn);
  assert.ok(error instanceof GrantError, 'a GrantError');
  assert.ok(error instanceof CapabilitiesError);
  assert.equal(error.name, 'GrantError');
  assert.deepEqual({ code: error.code, capability: error.capability, message: error.message }, {
    code: 'GRANT_FORBIDDEN',
    capability,
    message,
  });
}

function assertUnknown(fn: () => unknown, name: string): void {
  const error = thrown(fn);
  assert.ok(error instanceof InvalidInputError, 'an InvalidInputError');
  assert.deepEqual({ code: error.code, message: error.message, field: error.field }, {
    code: 'UNKNOWN_CAPABILITY',
    message: `unknown capability ${JSON.stringify(name)}`,
    field: 'capability',
  });
}

function assertLastAdmin(fn: () => unknown, email: string): void {
  const error = thrown(fn);
  assert.ok(error instanceof GrantError, 'a GrantError');
  assert.deepEqual({ code: error.code, capability: error.capability, message: error.message }, {
    code: 'LAST_ADMIN',
    capability: 'admin',
    message: `refused: ${email} is the last person holding admin`,
  });
}

describe('assertCanGrant', () => {
  const graph = graphOf(EASY_OAUTH, true);
  const policy = policyOf(graph, {
    defaults: ['read'],
    users: { 'alice@example.com': ['admin'], 'mia@example.com': ['moderate', 'user_management'], 'ugo@example.com': ['user_management'] },
  });

  it('lets a manager grant what they hold with all it implies', () => {
    const mia = policy.effective('mia@example.com');
    assert.doesNotThrow(() => assertCanGrant(policy, mia, ['read', 'write', 'moderate', 'user_management']));
  });

  it('refuses a manager who holds write but not read the right to grant write, naming read', () => {
    const writeOnly = unclosedSet(graph, ['write', 'user_management']);
    assertForbidden(
      () => assertCanGrant(policy, writeOnly, ['write']),
      'write',
      'you may not grant or remove "write": it needs "read", which you do not hold',
    );
  });

  it('refuses a capability the manager lacks, naming every missing one sorted', () => {
    const ugo = policy.effective('ugo@example.com');
    assertForbidden(
      () => assertCanGrant(policy, ugo, ['moderate']),
      'moderate',
      'you may not grant or remove "moderate": it needs "moderate", "write", which you do not hold',
    );
  });

  it('refuses a sibling capability to a moderator', () => {
    assertForbidden(
      () => assertCanGrant(policy, policy.effective('mia@example.com'), ['read', 'announce']),
      'announce',
      'you may not grant or remove "announce": it needs "announce", which you do not hold',
    );
  });

  it('refuses admin to anyone who is not an admin', () => {
    assertForbidden(
      () => assertCanGrant(policy, policy.effective('mia@example.com'), ['admin']),
      'admin',
      'you may not grant or remove "admin": it needs "admin", "announce", which you do not hold',
    );
  });

  it('names the first capability that may not be granted', () => {
    assertForbidden(
      () => assertCanGrant(policy, policy.effective('mia@example.com'), ['write', 'announce', 'admin']),
      'announce',
      'you may not grant or remove "announce": it needs "announce", which you do not hold',
    );
  });

  it('lets an admin grant every capability', () => {
    const alice = policy.effective('alice@example.com');
    assert.doesNotThrow(() => assertCanGrant(policy, alice, graph.names));
  });

  it('lets an admin grant every capability of a graph of more than 32 capabilities', () => {
    const big = policyOf(flatGraph(70, true), { users: { 'alice@example.com': ['admin'] } });
    const alice = big.effective('alice@example.com');
    for (const name of big.graph.names) assert.doesNotThrow(() => assertCanGrant(big, alice, [name]), name);
  });

  it('refuses a manager of a large graph only what they lack', () => {
    const big = policyOf(flatGraph(40, false), { users: { 'mia@example.com': ['c31', 'c39'] } });
    const mia = big.effective('mia@example.com');
    assert.doesNotThrow(() => assertCanGrant(big, mia, ['c31', 'c39']));
    assertForbidden(
      () => assertCanGrant(big, mia, ['c32']),
      'c32',
      'you may not grant or remove "c32": it needs "c32", which you do not hold',
    );
  });

  it('lets anybody grant nothing', () => {
    assert.doesNotThrow(() => assertCanGrant(policy, graph.none, []));
  });

  it('rejects an unknown capability with UNKNOWN_CAPABILITY, even for an admin', () => {
    const alice = policy.effective('alice@example.com');
    assertUnknown(() => assertCanGrant(policy, alice, ['read', 'ghost']), 'ghost');
    assertUnknown(() => assertCanGrant(policy, alice, ['constructor']), 'constructor');
  });
});

describe('planChange', () => {
  const policy = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml').withUsers(
    grantsOf({ 'bob@example.com': ['moderate', 'user_management'], 'dave@example.com': [] }),
  );

  it('adds a capability, reporting it as added', () => {
    assert.deepEqual(planChange(policy, 'bob@example.com', { kind: 'add', capability: 'read' }), {
      capabilities: ['moderate', 'user_management', 'read'],
      added: ['read'],
      removed: [],
    });
  });

  it('adds a capability to an account with no stored grants', () => {
    assert.deepEqual(planChange(policy, 'new@example.com', { kind: 'add', capability: 'write' }), {
      capabilities: ['write'],
      added: ['write'],
      removed: [],
    });
  });

  it('adds nothing when the capability is already stored', () => {
    assert.deepEqual(planChange(policy, 'bob@example.com', { kind: 'add', capability: 'moderate' }), {
      capabilities: ['moderate', 'user_management'],
      added: [],
      removed: [],
    });
  });

  it('adds a capability already held through a pin or an implication, since only stored grants count', () => {
    assert.deepEqual(planChange(policy, 'ops@example.com', { kind: 'add', capability: 'write' }), {
      capabilities: ['write'],
      added: ['write'],
      removed: [],
    });
  });

  it('rejects adding an undefined capability with UNKNOWN_CAPABILITY', () => {
    assertUnknown(() => planChange(policy, 'bob@example.com', { kind: 'add', capability: 'ghost' }), 'ghost');
    assertUnknown(() => planChange(policy, 'bob@example.com', { kind: 'add', capability: '__proto__' }), '__proto__');
  });

  it('removes a capability, reporting it as removed', () => {
    assert.deepEqual(planChange(policy, 'bob@example.com', { kind: 'remove', capability: 'moderate' }), {
      capabilities: ['user_management'],
      added: [],
      removed: ['moderate'],
    });
  });

  it('removes nothing when the capability is not stored', () => {
    assert.deepEqual(planChange(policy, 'bob@example.com', { kind: 'remove', capability: 'write' }), {
      capabilities: ['moderate', 'user_management'],
      added: [],
      removed: [],
    });
  });

  it('removes nothing from a pinned grant, which the API does not store', () => {
    assert.deepEqual(planChange(policy, 'ops@example.com', { kind: 'remove', capability: 'admin' }), {
      capabilities: [],
      added: [],
      removed: [],
    });
  });

  it('rejects removing an undefined capability with UNKNOWN_CAPABILITY', () => {
    assertUnknown(() => planChange(policy, 'bob@example.com', { kind: 'remove', capability: 'ghost' }), 'ghost');
  });

  it('sets the grants, reporting what is added and removed', () => {
    assert.deepEqual(planChange(policy, 'bob@example.com', { kind: 'set', capabilities: ['write', 'user_management', 'read'] }), {
      capabilities: ['write', 'user_management', 'read'],
      added: ['write', 'read'],
      removed: ['moderate'],
    });
  });

  it('sets the grants once each', () => {
    assert.deepEqual(planChange(policy, 'dave@example.com', { kind: 'set', capabilities: ['write', 'read', 'write'] }), {
      capabilities: ['write', 'read'],
      added: ['write', 'read'],
      removed: [],
    });
  });

  it('sets no grants, removing every stored one', () => {
    assert.deepEqual(planChange(policy, 'bob@example.com', { kind: 'set', capabilities: [] }), {
      capabilities: [],
      added: [],
      removed: ['moderate', 'user_management'],
    });
  });

  it('rejects setting an undefined capability with UNKNOWN_CAPABILITY', () => {
    assertUnknown(() => planChange(policy, 'bob@example.com', { kind: 'set', capabilities: ['read', 'ghost'] }), 'ghost');
  });

  it('changes nothing in the policy it plans on', () => {
    const plan = planChange(policy, 'bob@example.com', { kind: 'add', capability: 'read' });
    plan.capabilities.push('admin');
    assert.deepEqual(policy.stored('bob@example.com'), ['moderate', 'user_management']);
  });
});

describe('assertAdminRemains', () => {
  const graph = graphOf(EASY_OAUTH, true);
  const OWNERS = { read: [], admin: ['read'], owner: ['admin'] };

  it('throws LAST_ADMIN when the last admin would lose admin', () => {
    const policy = policyOf(graph, { users: { 'alice@example.com': ['admin'], 'bob@example.com': ['moderate'] } });
    assertLastAdmin(() => assertAdminRemains(policy, 'alice@example.com', ['moderate']), 'alice@example.com');
    assertLastAdmin(() => assertAdminRemains(policy, 'alice@example.com', []), 'alice@example.com');
  });

  it('accepts a change that keeps admin with the account', () => {
    const policy = policyOf(graph, { users: { 'alice@example.com': ['admin'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'alice@example.com', ['read', 'admin']));
  });

  it('accepts removing admin when another stored admin remains', () => {
    const policy = policyOf(graph, { users: { 'alice@example.com': ['admin'], 'bob@example.com': ['admin'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'alice@example.com', []));
  });

  it('accepts removing the last stored admin when a pinned admin remains', () => {
    const policy = parseCapsFile(CONTRACT_EXAMPLE, 'caps.yaml');
    const plan = planChange(policy, 'alice@example.com', { kind: 'remove', capability: 'admin' });
    assert.deepEqual(plan.capabilities, []);
    assert.doesNotThrow(() => assertAdminRemains(policy, 'alice@example.com', plan.capabilities));
  });

  it('accepts removing a stored admin grant that the account also holds by a pin', () => {
    const policy = policyOf(graph, { users: { 'alice@example.com': ['admin'] }, pinned: { 'alice@example.com': ['admin'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'alice@example.com', []));
  });

  it('throws LAST_ADMIN for the same change once the pinned admin is gone from the file', () => {
    const withoutPin = parseCapsFile(CONTRACT_EXAMPLE.replace(/pinned:[^]*$/u, ''), 'caps.yaml');
    assert.deepEqual(withoutPin.adminAccounts(), ['alice@example.com']);
    const plan = planChange(withoutPin, 'alice@example.com', { kind: 'remove', capability: 'admin' });
    assertLastAdmin(() => assertAdminRemains(withoutPin, 'alice@example.com', plan.capabilities), 'alice@example.com');
  });

  it('accepts any change to an account that holds no admin', () => {
    const policy = policyOf(graph, { users: { 'bob@example.com': ['moderate'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'bob@example.com', []));
    assert.doesNotThrow(() => assertAdminRemains(policy, 'stranger@example.com', []));
  });

  it('accepts any change when the graph has no admin', () => {
    const policy = policyOf(graphOf(EASY_OAUTH, false), { users: { 'bob@example.com': ['moderate'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'bob@example.com', []));
  });

  it('does not count a service account holding admin: the last person holding admin keeps it', () => {
    const policy = policyOf(graph, { users: { 'alice@example.com': ['admin'], 'bot@service': ['admin'] }, pinned: { 'ci@service': ['admin'] } });
    assertLastAdmin(() => assertAdminRemains(policy, 'alice@example.com', []), 'alice@example.com');
    assertLastAdmin(() => checkedChange(policy, policy.effective('alice@example.com'), 'alice@example.com', { kind: 'set', capabilities: ['read'] }), 'alice@example.com');
  });

  it('lets a service account lose admin whoever else holds it', () => {
    const policy = policyOf(graph, { users: { 'bot@service': ['admin'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'bot@service', []));
  });

  it('throws LAST_ADMIN when the last account holding admin through another capability loses it', () => {
    const policy = policyOf(graphOf(OWNERS, false), { users: { 'olga@example.com': ['owner'], 'bob@example.com': ['read'] } });
    assertLastAdmin(() => assertAdminRemains(policy, 'olga@example.com', ['read']), 'olga@example.com');
    assert.doesNotThrow(() => assertAdminRemains(policy, 'olga@example.com', ['admin']));
  });

  it('accepts removing a direct admin grant when another account holds admin through another capability', () => {
    const policy = policyOf(graphOf(OWNERS, false), { users: { 'olga@example.com': ['owner'], 'alice@example.com': ['admin'] } });
    assert.doesNotThrow(() => assertAdminRemains(policy, 'alice@example.com', []));
  });
});

describe('checkedChange', () => {
  const policy = parseCapsFile(CONTRACT_EXAMPLE.replace(/pinned:[^]*$/u, ''), 'caps.yaml').withUsers(
    grantsOf({ 'alice@example.com': ['admin'], 'mia@example.com': ['moderate', 'user_management'], 'bob@example.com': ['write'] }),
  );
  const alice = policy.effective('alice@example.com');
  const mia = policy.effective('mia@example.com');

  it('returns the account and its new grants for a permitted change', () => {
    assert.deepEqual(checkedChange(policy, mia, 'bob@example.com', { kind: 'add', capability: 'moderate' }), {
      email: 'bob@example.com',
      capabilities: ['write', 'moderate'],
      scope: null,
    });
    assert.deepEqual(checkedChange(policy, alice, 'bob@example.com', { kind: 'set', capabilities: ['read'] }), {
      email: 'bob@example.com',
      capabilities: ['read'],
      scope: null,
    });
  });

  it('rejects an unknown capability with UNKNOWN_CAPABILITY before judging the manager', () => {
    assertUnknown(() => checkedChange(policy, policy.graph.none, 'bob@example.com', { kind: 'add', capability: 'ghost' }), 'ghost');
  });

  it('rejects granting what the manager lacks with GRANT_FORBIDDEN', () => {
    assertForbidden(
      () => checkedChange(policy, mia, 'bob@example.com', { kind: 'add', capability: 'admin' }),
      'admin',
      'you may not grant or remove "admin": it needs "admin", which you do not hold',
    );
  });

  it('rejects removing what the manager lacks with GRANT_FORBIDDEN', () => {
    const twoAdmins = policy.withUser('zoe@example.com', ['admin']);
    assertForbidden(
      () => checkedChange(twoAdmins, mia, 'alice@example.com', { kind: 'set', capabilities: ['read'] }),
      'admin',
      'you may not grant or remove "admin": it needs "admin", which you do not hold',
    );
  });

  it('answers LAST_ADMIN rather than GRANT_FORBIDDEN when a change breaks both rules', () => {
    // Two admins removing each other at once: the second, judged again after losing admin, gets the conflict.
    assertLastAdmin(() => checkedChange(policy, mia, 'alice@example.com', { kind: 'set', capabilities: ['read'] }), 'alice@example.com');
  });

  it('rejects a manager removing admin from the last admin, themselves included, with LAST_ADMIN', () => {
    assertLastAdmin(
      () => checkedChange(policy, alice, 'alice@example.com', { kind: 'remove', capability: 'admin' }),
      'alice@example.com',
    );
  });

  it('lets an offline operator (no manager) change anything but the last admin', () => {
    assert.deepEqual(checkedChange(policy, null, 'bob@example.com', { kind: 'add', capability: 'admin' }), {
      email: 'bob@example.com',
      capabilities: ['write', 'admin'],
      scope: null,
    });
    assertUnknown(() => checkedChange(policy, null, 'bob@example.com', { kind: 'remove', capability: 'ghost' }), 'ghost');
    assertLastAdmin(() => checkedChange(policy, null, 'alice@example.com', { kind: 'set', capabilities: [] }), 'alice@example.com');
  });
});

describe('assertCanEndTokensOf', () => {
  const graph = graphOf(EASY_OAUTH, true);
  const policy = policyOf(graph, {
    defaults: ['read'],
    users: { 'alice@example.com': ['admin'], 'mia@example.com': ['moderate', 'user_management'], 'bob@example.com': ['write'], 'bot@service': ['moderate'] },
  });
  const mia = policy.effective('mia@example.com');

  it('lets a manager end the tokens of an account whose capabilities they all hold', () => {
    for (const email of ['bob@example.com', 'bot@service', 'stranger@example.com']) assert.doesNotThrow(() => assertCanEndTokensOf(policy, mia, email), email);
  });

  it('refuses a manager the tokens of an account holding more, with GRANT_FORBIDDEN', () => {
    const error = thrown(() => assertCanEndTokensOf(policy, mia, 'alice@example.com'));
    assert.ok(error instanceof GrantError);
    assert.equal(error.code, 'GRANT_FORBIDDEN');
    assert.equal(error.capability, 'admin');
    assert.match(error.message, /^you may not end the tokens of alice@example\.com, who holds "admin", .*which you do not hold$/);
  });
});

describe('assertCanRevokeKey', () => {
  const graph = graphOf(EASY_OAUTH, true);
  const policy = policyOf(graph, { users: { 'mia@example.com': ['moderate', 'user_management'] } });
  const mia = policy.effective('mia@example.com');

  it('lets a manager revoke a key whose capabilities, closed over the graph, they all hold', () => {
    for (const capabilities of [['moderate'], ['read', 'write'], ['user_management'], ['write', 'gone_from_the_graph']]) {
      assert.doesNotThrow(() => assertCanRevokeKey(policy, mia, capabilities), capabilities.join());
    }
  });

  it('refuses a manager a key carrying more than they hold, or admin, with GRANT_FORBIDDEN naming what they lack', () => {
    assertForbidden(() => assertCanRevokeKey(policy, mia, ['read', 'announce']), 'announce', 'you may not revoke an API key carrying "announce", which you do not hold');
    const error = thrown(() => assertCanRevokeKey(policy, mia, ['admin']));
    assert.ok(error instanceof GrantError);
    assert.equal(error.code, 'GRANT_FORBIDDEN');
    assert.match(error.message, /^you may not revoke an API key carrying "admin", "announce", which you do not hold$/);
  });
});

describe('checkedDeletion', () => {
  const graph = graphOf(EASY_OAUTH, true);
  const policy = new CapabilityPolicy({
    ...policyOf(graph, {
      defaults: ['read'],
      users: {
        'alice@example.com': ['admin'],
        'ada@example.com': ['admin'],
        'mia@example.com': ['moderate', 'user_management'],
        'bob@example.com': ['write'],
        'bot@service': ['announce'],
      },
      pinned: { 'ops@example.com': ['user_management'] },
    }),
    identities: new Map([
      ['https://github.com#7', 'bob@example.com'],
      ['https://github.com#8', 'linked@example.com'],
    ]),
  });
  const mia = policy.effective('mia@example.com');
  const alice = policy.effective('alice@example.com');

  it('lets a manager delete an account whose grants they all hold, one only linked, and oneself', () => {
    assert.equal(checkedDeletion(policy, mia, 'bob@example.com'), 'bob@example.com');
    assert.equal(checkedDeletion(policy, mia, 'linked@example.com'), 'linked@example.com');
    assert.equal(checkedDeletion(policy, mia, 'mia@example.com'), 'mia@example.com');
    assert.equal(checkedDeletion(policy, alice, 'alice@example.com'), 'alice@example.com', 'ada still holds admin');
  });

  it('judges it as the removal of everything the account holds: GRANT_FORBIDDEN naming what the manager lacks', () => {
    assertForbidden(
      () => checkedDeletion(policy, mia, 'bot@service'),
      'announce',
      'you may not grant or remove "announce": it needs "announce", which you do not hold',
    );
    assertForbidden(
      () => checkedDeletion(policy, mia, 'ada@example.com'),
      'admin',
      'you may not grant or remove "admin": it needs "admin", "announce", which you do not hold',
    );
  });

  it('keeps the last person holding admin, whoever asks, with LAST_ADMIN', () => {
    const lone = policy.withoutAccount('ada@example.com');
    assertLastAdmin(() => checkedDeletion(lone, lone.effective('alice@example.com'), 'alice@example.com'), 'alice@example.com');
    assertLastAdmin(() => checkedDeletion(lone, null, 'alice@example.com'), 'alice@example.com');
  });

  it('refuses an account pinned in the file with ACCOUNT_PINNED, even to the operator', () => {
    for (const manager of [alice, null]) {
      const error = thrown(() => checkedDeletion(policy, manager, 'ops@example.com'));
      assert.ok(error instanceof GrantError);
      assert.deepEqual({ code: error.code, capability: error.capability, message: error.message }, {
        code: 'ACCOUNT_PINNED',
        capability: 'user_management',
        message: 'ops@example.com is pinned in the capability file: only an edit of its "pinned" block removes it (the API never changes pinned grants)',
      });
    }
  });

  it('refuses an account with nothing stored or linked with UNKNOWN_ACCOUNT', () => {
    const error = thrown(() => checkedDeletion(policy, alice, 'stranger@example.com'));
    assert.ok(error instanceof InvalidInputError);
    assert.deepEqual({ code: error.code, field: error.field, message: error.message }, {
      code: 'UNKNOWN_ACCOUNT',
      field: 'email',
      message: 'there is no account stranger@example.com: nothing is stored or linked for it',
    });
  });

  it('needs what ending the account\'s tokens needs: a key manager lacking the default capability is refused', () => {
    const keyManager = unclosedSet(graph, ['user_management', 'write']);
    const error = thrown(() => checkedDeletion(policy, keyManager, 'linked@example.com'));
    assert.ok(error instanceof GrantError);
    assert.equal(error.code, 'GRANT_FORBIDDEN');
    assert.match(error.message, /^you may not end the tokens of linked@example\.com, who holds "read"/);
  });
});
