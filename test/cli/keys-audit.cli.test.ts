import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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

  it('creates a key limited to a scope with --scope, stored with it and audited there; a malformed scope is refused', async (t) => {
    const caps = capsFile(t);
    const created = await cli(['keys', 'create', 'paris', 'read', '--caps', caps, '--scope', 'shop:paris', '--json']);
    assert.equal(created.status, 0, created.err);
    assert.equal((JSON.parse(created.out) as { scope: string }).scope, 'shop:paris');
    const stored = JSON.parse(readFileSync(`${caps}.keys.json`, 'utf8')) as { keys: { name: string; scope?: string }[] };
    assert.deepEqual(stored.keys.map((key) => [key.name, key.scope]), [['paris', 'shop:paris']]);
    const audit = readFileSync(`${caps}.audit.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
    assert.deepEqual(audit.map((entry) => [entry.action, entry.scope]), [['key_create', 'shop:paris']]);
    const bad = await cli(['keys', 'create', 'lyon', 'read', '--caps', caps, '--scope', 'shop:lyon/']);
    assert.equal(bad.status, 1);
    assert.match(bad.err, /SCOPE_INVALID/);
    assert.equal((await cli(['keys', 'list', '--caps', caps, '--scope', 'shop:paris'])).status, 2);
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

describe('the command line in a terminal', () => {
  // As an older version stored it: nothing refused control characters then.
  const FORGED = 'x\r\u001b[2K2026-01-01T00:00:00.000Z ok      root@example.com add mallory@example.com: added admin\n2026-01-01T00:00:01.000Z ok \u009b2K\u202eevil';
  const SHOWN = 'x\\r\\u001b[2K2026-01-01T00:00:00.000Z ok      root@example.com add mallory@example.com: added admin\\n2026-01-01T00:00:01.000Z ok \\u009b2K\\u202eevil';
  const RAW = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202e]/;

  function storeForged(caps: string): void {
    const key = { name: 'forged', hash: 'h', capabilities: ['read'], expires_at: null, created_by: 'root@example.com', created_at: 1_700_000_000, note: FORGED, revoked_at: null };
    writeFileSync(`${caps}.keys.json`, JSON.stringify({ keys: [key] }));
    const entry = { at: '2026-01-01T00:00:02.000Z', actor: 'root@example.com', action: 'key_create', target: 'key:forged', detail: `created with read; note: ${FORGED}`, outcome: 'ok', instance: 'web\u001b]0;title\u0007-1' };
    writeFileSync(`${caps}.audit.jsonl`, `${JSON.stringify(entry)}\n`);
  }

  it('prints a stored note with control characters as one line, each control character escaped, in "keys list" and "audit"', async (t) => {
    const caps = capsFile(t);
    storeForged(caps);
    const keys = await cli(['keys', 'list', '--caps', caps]);
    assert.equal(keys.status, 0, keys.err);
    assert.equal(keys.out, `forged: read (never expires; by root@example.com) ${SHOWN}`);
    const audit = await cli(['audit', '--caps', caps]);
    assert.equal(audit.status, 0, audit.err);
    assert.equal(audit.out, `2026-01-01T00:00:02.000Z ok      root@example.com key_create key:forged: created with read; note: ${SHOWN} [web\\u001b]0;title\\u0007-1]`);
    for (const out of [keys.out, audit.out]) assert.doesNotMatch(out, RAW);
  });

  it('prints JSON lines that hold no raw control character and read back as stored', async (t) => {
    const caps = capsFile(t);
    storeForged(caps);
    const keys = await cli(['keys', 'list', '--caps', caps, '--json']);
    const audit = await cli(['audit', '--caps', caps, '--json']);
    for (const out of [keys.out, audit.out]) {
      assert.equal(out.split('\n').length, 1, out);
      assert.doesNotMatch(out, RAW);
    }
    assert.equal((JSON.parse(keys.out) as { keys: { note: string }[] }).keys[0]?.note, FORGED);
    assert.equal((JSON.parse(audit.out) as AuditEntry).detail, `created with read; note: ${FORGED}`);
  });

  it('still prints usage, and an account with its effective capabilities, as the lines they are', async (t) => {
    const help = await cli(['keys', '--help']);
    assert.equal(help.status, 0);
    assert.ok(help.out.split('\n').length > 3, help.out);
    assert.doesNotMatch(help.out, /\\n/);
    const root = await cli(['list', 'root@example.com', '--caps', capsFile(t)]);
    assert.equal(root.out, 'root@example.com: admin\n  effective: admin, read, write');
  });
});
