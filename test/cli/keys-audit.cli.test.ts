import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describe, it, type TestContext } from 'node:test';
import { cli } from './cli-run';
import { capsFileWith } from '../fixtures/temp-folder';
import type { AuditEntry } from '../../src/audit/audit-log';

const CAPS = `capabilities:
  read: []
  write: [read]
auto_admin: true
users:
  root@example.com: [admin]
`;

const capsFile = (t: TestContext): string => capsFileWith(t, CAPS);

describe('nest-capabilities keys', () => {
  it('creates a key printed once and stored as a hash, lists it, and revokes it', async (t) => {
    const caps = capsFile(t);
    const created = await cli(['keys', 'create', 'deploy', 'write', '--caps', caps, '--ttl', '30d', '--note', 'CI']);
    assert.equal(created.status, 0, created.err);
    assert.match(created.out, /^nck_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(`${caps}.keys.json`, 'utf8');
    assert.ok(!stored.includes(created.out));
    assert.ok(stored.includes(createHash('sha256').update(created.out).digest('base64url')));

    const listed = await cli(['keys', 'list', '--caps', caps, '--json']);
    const [key] = (JSON.parse(listed.out) as { keys: { name: string; capabilities: string[]; note: string; expires_at: number }[] }).keys;
    assert.ok(key !== undefined, listed.out);
    assert.equal(key.name, 'deploy');
    assert.deepEqual(key.capabilities, ['write']);
    assert.equal(key.note, 'CI');
    assert.ok(Math.abs(key.expires_at - (Math.floor(Date.now() / 1000) + 30 * 86400)) <= 5);

    assert.equal((await cli(['keys', 'revoke', 'deploy', '--caps', caps])).status, 0);
    assert.equal((await cli(['keys', 'list', '--caps', caps])).out, '');
  });

  it('refuses an unknown capability, a taken name and an unknown key with exit status 1, storing nothing', async (t) => {
    const caps = capsFile(t);
    const unknown = await cli(['keys', 'create', 'x', 'fly', '--caps', caps]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.err, /unknown capability "fly"/);
    assert.equal((await cli(['keys', 'create', 'x', 'read', '--caps', caps])).status, 0);
    const stored = readFileSync(`${caps}.keys.json`, 'utf8');
    const taken = await cli(['keys', 'create', 'x', 'read', '--caps', caps]);
    assert.equal(taken.status, 1);
    assert.match(taken.err, /a live API key named "x" exists/);
    assert.equal(readFileSync(`${caps}.keys.json`, 'utf8'), stored);
    assert.equal((await cli(['keys', 'revoke', 'nope', '--caps', caps])).status, 1);
    assert.equal((await cli(['keys', 'create', 'x', '--caps', caps])).status, 2);
    assert.equal((await cli(['keys', 'rotate', '--caps', caps])).status, 2);
  });

  it('refuses a note or name that is not well-formed text with exit status 1 and INPUT_INVALID, storing nothing', async (t) => {
    const caps = capsFile(t);
    for (const args of [
      ['forged', 'read', '--note', 'x\r\u001b[2Kfake\nline'],
      ['cut', 'read', '--note', 'deploy \ud83d'],
      ['esc\u001b', 'read'],
    ]) {
      const run = await cli(['keys', 'create', ...args, '--caps', caps]);
      assert.equal(run.status, 1, JSON.stringify(args));
      assert.match(run.err, /must be well-formed text: .*\(INPUT_INVALID\)$/, JSON.stringify(args));
    }
    assert.equal((await cli(['keys', 'list', '--caps', caps])).out, '');
  });
});

describe('nest-capabilities audit', () => {
  it('prints the changes made on the command line as cli:<os user>, newest first', async (t) => {
    const caps = capsFile(t);
    assert.equal((await cli(['grant', 'bob@example.com', 'write', '--caps', caps])).status, 0);
    assert.equal((await cli(['revoke', 'root@example.com', 'admin', '--caps', caps])).status, 1, 'the last admin stays');
    assert.equal((await cli(['keys', 'create', 'ci', 'read', '--caps', caps])).status, 0);
    const run = await cli(['audit', '--caps', caps, '--json']);
    const entries = run.out.split('\n').map((line) => JSON.parse(line) as AuditEntry);
    const actor = `cli:${userInfo().username}`;
    assert.deepEqual(
      entries.map((entry) => [entry.actor, entry.action, entry.target, entry.outcome]),
      [
        [actor, 'key_create', 'key:ci', 'ok'],
        [actor, 'remove', 'root@example.com', 'refused'],
        [actor, 'add', 'bob@example.com', 'ok'],
      ],
    );
    assert.match(entries[1]!.detail, /LAST_ADMIN/);
    const text = await cli(['audit', '--caps', caps, '--email', 'bob@example.com']);
    assert.match(text.out, /^\S+Z ok +cli:\S+ add bob@example.com: added write \[.+:\d+\]$/);
    assert.equal((await cli(['audit', '--caps', caps, '--limit', '0'])).status, 2);
  });
});
