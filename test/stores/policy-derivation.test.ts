import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCapsFile } from '../../src/caps-file/caps-file';
import { InvalidInputError } from '../../src/errors';

const CAPS = `capabilities:
  read: []
  write: [read]
  moderate: [write]
auto_admin: true
default: [read]
users:
  alice@example.com: [admin]
  bob@example.com: [moderate]
pinned:
  ops@example.com: [write]
`;

const base = parseCapsFile(CAPS, 'caps.yaml');

describe('CapabilityPolicy.withUser', () => {
  it('changes one account and iterates like a copied Map with that entry set', () => {
    const next = base.withUser('bob@example.com', ['read']).withUser('carol@example.com', ['write']).withUser('alice@example.com', []);
    const expected = new Map(base.users).set('bob@example.com', ['read']).set('carol@example.com', ['write']).set('alice@example.com', []);
    assert.deepEqual([...next.users], [...expected]);
    assert.deepEqual([...next.users.keys()], ['alice@example.com', 'bob@example.com', 'carol@example.com']);
    assert.equal(next.users.size, 3);
    assert.equal(next.users.has('carol@example.com'), true);
    assert.equal(next.users.has('dave@example.com'), false);
    const seen: string[] = [];
    next.users.forEach((names, email) => seen.push(`${email}=${names.join('+')}`));
    assert.deepEqual(seen, ['alice@example.com=', 'bob@example.com=read', 'carol@example.com=write']);
  });

  it('takes a removal into effect at once, and leaves the policy it came from unchanged', () => {
    assert.equal(base.can('bob@example.com', 'write'), true);
    const next = base.withUser('bob@example.com', ['read']);
    assert.equal(next.can('bob@example.com', 'write'), false);
    assert.deepEqual(next.effective('bob@example.com').toArray(), ['read']);
    assert.equal(base.can('bob@example.com', 'write'), true, 'the old policy keeps its answer');
    assert.deepEqual(base.stored('bob@example.com'), ['moderate']);
    assert.equal(next.pinned, base.pinned);
    assert.equal(next.can('ops@example.com', 'write'), true, 'pinned grants stay');
  });

  it('rejects an undefined capability with UNKNOWN_CAPABILITY and changes nothing', () => {
    assert.throws(
      () => base.withUser('bob@example.com', ['read', 'ghost']),
      (error: unknown) => error instanceof InvalidInputError && error.code === 'UNKNOWN_CAPABILITY' && error.message === 'unknown capability "ghost"',
    );
    assert.throws(() => base.withUser('bob@example.com', ['constructor']), InvalidInputError);
    assert.deepEqual(base.stored('bob@example.com'), ['moderate']);
  });

  it('stays right across many derivations, through every flattening of its layers', () => {
    let policy = base;
    const expected = new Map(base.users);
    for (let step = 0; step < 500; step++) {
      const email = `user${step % 97}@example.com`;
      const names = step % 3 === 0 ? [] : step % 3 === 1 ? ['read'] : ['moderate'];
      policy = policy.withUser(email, names);
      expected.set(email, names);
      if (step % 50 === 0) assert.deepEqual([...policy.users], [...expected], `after step ${step}`);
    }
    assert.deepEqual([...policy.users], [...expected]);
    assert.equal(policy.users.size, expected.size);
    for (const [email, names] of expected) assert.deepEqual(policy.stored(email), names);
    for (const [email, names] of expected) assert.equal(policy.can(email, 'write'), names.includes('moderate') || email === 'alice@example.com', email);
  });
});
