import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from './cli-run';
import { tempFolder } from '../fixtures/temp-folder';
import { redisTestPrefix, TEST_REDIS_URL } from '../support/redis-test';

const CAPS = `capabilities:
  read: []
  bake: [read]
  arrest: []
  user_management: []
auto_admin: true
default: [read]
users:
  alice@example.com: [admin]
  bob@example.com: [bake]
`;

function files(t: import('node:test').TestContext, entries: Record<string, string>): Record<string, string> {
  const folder = tempFolder(t);
  return Object.fromEntries(Object.entries(entries).map(([name, text]) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return [name, path];
  }));
}

describe('nest-capabilities explain', () => {
  it('prints every grant that leads to the capability, exit 0 held or not', async (t) => {
    const { caps } = files(t, { caps: CAPS });
    const held = await cli(['explain', 'Alice@Example.com', 'read', '--caps', caps!]);
    assert.deepEqual(readdirSync(dirname(caps!)), ['caps'], 'explain reads, and creates nothing beside the file');
    assert.equal(held.status, 0);
    assert.equal(held.out, 'alice@example.com holds read\n  users: admin -> read\n  default: read');
    const json = await cli(['explain', 'bob@example.com', 'arrest', '--caps', caps!, '--json']);
    assert.equal(json.status, 0);
    assert.deepEqual(JSON.parse(json.out), { status: 'ok', email: 'bob@example.com', capability: 'arrest', scope: null, allowed: false, because: [] });
  });

  it('refuses an unknown capability and a malformed scope by their codes', async (t) => {
    const { caps } = files(t, { caps: CAPS });
    assert.match((await cli(['explain', 'bob@example.com', 'fly', '--caps', caps!])).err, /UNKNOWN_CAPABILITY/);
    const scoped = await cli(['explain', 'bob@example.com', 'bake', '--scope', 'shop:..', '--caps', caps!]);
    assert.equal(scoped.status, 1);
    assert.match(scoped.err, /SCOPE_INVALID/);
  });
});

describe('nest-capabilities plan', () => {
  it('prints what each account gains and loses, and writes nothing', async (t) => {
    const { caps, next } = files(t, { caps: CAPS, next: CAPS.replace('bob@example.com: [bake]', 'bob@example.com: [arrest]').replace('alice@example.com: [admin]', 'alice@example.com: [read]') });
    const run = await cli(['plan', next!, '--caps', caps!]);
    assert.equal(run.status, 0);
    assert.equal(run.out, 'alice@example.com: loses admin, arrest, bake, user_management\nbob@example.com: gains arrest; loses bake');
    assert.match(run.err, /no person holds admin/);
    const json = await cli(['plan', next!, '--caps', caps!, '--json']);
    assert.deepEqual((JSON.parse(json.out) as { changes: unknown[] }).changes[1], { email: 'bob@example.com', scope: null, gains: ['arrest'], loses: ['bake'] });
    assert.deepEqual(readdirSync(dirname(caps!)).sort(), ['caps', 'next']);
    assert.equal(readFileSync(caps!, 'utf8'), CAPS);
  });

  it('answers an invalid file with exit 3, the file and the line', async (t) => {
    const { caps, next } = files(t, { caps: CAPS, next: CAPS.replace('bob@example.com: [bake]', 'bob@example.com: [fly]') });
    const run = await cli(['plan', next!, '--caps', caps!]);
    assert.equal(run.status, 3);
    assert.match(run.err, /:10:\d+: .*fly/);
  });
});

describe('nest-capabilities test', () => {
  const passing = `caps: caps.yaml
tests:
  - name: bakers bake
    email: bob@example.com
    allow: [bake, read]
    deny: [arrest]
  - name: guests hold nothing
    guest: true
    deny: [read]
`;

  it('exits 0 when every assertion holds', async (t) => {
    const { tests } = files(t, { 'caps.yaml': CAPS, tests: passing });
    const run = await cli(['test', tests!]);
    assert.equal(run.status, 0, run.err);
    assert.equal(run.out, '4 assertions, 0 failed');
  });

  it('exits 4 and names the test, the capability, what was expected and why', async (t) => {
    const { tests } = files(t, { 'caps.yaml': CAPS, tests: passing.replace('deny: [arrest]', 'deny: [arrest, bake]') });
    const run = await cli(['test', tests!]);
    assert.equal(run.status, 4);
    assert.match(run.out, /FAIL .*: "bakers bake": bob@example\.com: expected bake denied, but it is allowed\n {2}users: bake\n5 assertions, 1 failed/);
  });

  it('exits 3 for an invalid test file or a capability the graph lacks, even when another fails', async (t) => {
    const { tests, broken, unknown } = files(t, {
      'caps.yaml': CAPS,
      tests: passing.replace('deny: [arrest]', 'deny: [bake]'),
      broken: 'tests:\n  - name: no one\n    allow: [read]\n',
      unknown: 'caps: caps.yaml\ntests:\n  - name: flying\n    email: bob@example.com\n    allow: [fly]\n',
    });
    const run = await cli(['test', tests!, broken!, unknown!]);
    assert.equal(run.status, 3);
    assert.match(run.err, /broken:2:\d+: test "no one" needs exactly one of "email" and "guest: true" \(POLICY_TEST_INVALID\)/);
    assert.match(run.err, /unknown:5:\d+: unknown capability "fly"/);
  });

  it('reads the caps file of --caps when the test file names none, and a relative caps: from the test file\'s folder', async (t) => {
    const { 'caps.yaml': caps, tests } = files(t, { 'caps.yaml': CAPS, tests: passing.replace('caps: caps.yaml\n', '') });
    assert.equal((await cli(['test', tests!, '--caps', caps!])).status, 0);
    assert.equal((await cli(['test', tests!], { CAPS_FILE: caps! })).status, 0);
  });
});

describe('nest-capabilities plan and explain on a shared store (--redis)', () => {
  it("plans a new file against the accounts kept in Redis, which stay the store's on both sides", async (t) => {
    const next = CAPS.replace('  bake: [read]', '  bake: []').replace('default: [read]', 'default: []').replace('users:\n', 'users:\n  dave@example.com: [bake]\n');
    const { caps, next: nextFile } = files(t, { caps: CAPS, next });
    const shared = ['--caps', caps!, '--redis', TEST_REDIS_URL, '--prefix', redisTestPrefix(t)];
    assert.equal((await cli(['grant', 'carol@example.com', 'bake', ...shared])).status, 0);
    const run = await cli(['plan', nextFile!, ...shared]);
    assert.equal(run.status, 0, run.err);
    // carol is in Redis only, dave in the new file only: the file's users are not read once the store is seeded.
    assert.equal(run.out, 'bob@example.com: loses read\ncarol@example.com: loses read');
    const explained = await cli(['explain', 'carol@example.com', 'bake', '--json', ...shared]);
    assert.deepEqual((JSON.parse(explained.out) as { because: unknown }).because, [{ source: 'users', scope: null, path: ['bake'] }]);
  });
});
