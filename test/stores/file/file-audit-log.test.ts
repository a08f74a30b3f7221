import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AuditEntry } from '../../../src/audit/audit-log';
import { AuditRecorder } from '../../../src/audit/audit-recorder';
import type { Principal } from '../../../src/capabilities/principal';
import { AccessError } from '../../../src/errors';
import { FileAuditLog, refusalsFileFor } from '../../../src/stores/file/file-audit.log';
import { tempFolder } from '../../fixtures/temp-folder';

const START_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

const entry = (index: number, target = 'bob@example.com', atMs = START_MS + index * 1000): AuditEntry => ({
  at: new Date(atMs).toISOString(),
  actor: 'root@example.com',
  action: 'add',
  target,
  detail: `added cap${index}`,
  outcome: 'ok',
  instance: 'test:1',
});

const details = (entries: readonly AuditEntry[]): string[] => entries.map((e) => e.detail);

describe('FileAuditLog', () => {
  const frozen = { now: () => START_MS };

  it('appends JSON Lines and reads them newest first, filtered and limited', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const log = await FileAuditLog.open(file, frozen);
    for (let index = 0; index < 5; index++) await log.append(entry(index, index % 2 === 0 ? 'bob@example.com' : 'carol@example.com'));
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 5);
    assert.deepEqual(details(await log.recent({ limit: 2 })), ['added cap4', 'added cap3']);
    assert.deepEqual(details(await log.recent({ target: 'bob@example.com', limit: 10 })), ['added cap4', 'added cap2', 'added cap0']);
    assert.deepEqual(details(await log.recent({ sinceMs: Date.parse(entry(3).at), limit: 10 })), ['added cap4', 'added cap3']);
  });

  it('keeps the scope of each entry, null for a global change, and reads an entry written without one', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const log = await FileAuditLog.open(file, frozen);
    const audit = new AuditRecorder(log, 'test:1', (message) => assert.fail(message), () => START_MS);
    const bob: Principal = { email: 'bob@example.com', kind: 'user', via: 'session' };
    await audit.record(bob, 'add', 'dan@example.com', 'add bake at shop:paris', () => Promise.resolve(), () => 'added bake', 'shop:paris');
    await audit.record(bob, 'add', 'dan@example.com', 'add bake', () => Promise.resolve(), () => 'added bake');
    await log.append(entry(0, 'dan@example.com', START_MS - 1000));
    const reopened = await FileAuditLog.open(file, frozen);
    assert.deepEqual((await reopened.recent({ limit: 10 })).map((found) => found.scope ?? null), [null, 'shop:paris', null]);
  });

  it("keeps the refusals of outsiders apart, in a file that moves to .1 past its size bound, and reads both shelves as one", async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(0))}\n`);
    const log = await FileAuditLog.open(file, { ...frozen, maxBytes: lineBytes * 3 });
    await log.append(entry(0));
    for (let index = 1; index < 8; index++) await log.append(entry(index), 'outsiders');
    await log.append(entry(8));
    const refused = refusalsFileFor(file);
    assert.equal(refused, join(file, '..', 'caps.yaml.audit-refused.jsonl'));
    assert.ok(statSync(refused).size <= lineBytes * 3);
    assert.ok(existsSync(`${refused}.1`));
    assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as AuditEntry).detail), ['added cap0', 'added cap8']);
    // The refusals' .1 holds 4, 5, 6 (the first rotation's 1, 2, 3 went with the second); their file holds 7.
    assert.deepEqual(details(await log.recent({ limit: 100 })), ['added cap8', 'added cap7', 'added cap6', 'added cap5', 'added cap4', 'added cap0']);
  });

  it('keeps the trail by age: it moves aside once its first entry is older than the retention, and no younger entry is lost', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    let nowMs = START_MS;
    const log = await FileAuditLog.open(file, { retentionDays: 1, now: () => nowMs });
    const at = async (days: number): Promise<void> => {
      nowMs = START_MS + days * DAY_MS;
      await log.append(entry(days * 10, 'bob@example.com', nowMs));
    };
    for (const days of [0, 0.5, 1.2, 1.6]) await at(days);
    assert.deepEqual(details(await log.recent({ limit: 10 })), ['added cap16', 'added cap12', 'added cap5', 'added cap0'], 'the first rotation (at 1.2 days) kept the day before in .1');
    await at(2.3);
    assert.deepEqual(details(await log.recent({ limit: 10 })), ['added cap23', 'added cap16', 'added cap12'], 'the second dropped only entries older than a day');
    await Promise.all(Array.from({ length: 200 }, (_, index) => log.append(entry(index, 'carol@example.com', nowMs))));
    assert.equal((await log.recent({ target: 'bob@example.com', limit: 10 })).length, 3, 'however many entries follow within the retention');
  });

  it('never drops an entry of the trail with a retention of null (the command line)', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    let nowMs = START_MS;
    const log = await FileAuditLog.open(file, { retentionDays: null, now: () => nowMs });
    for (let day = 0; day < 5; day++) {
      nowMs = START_MS + day * 100 * DAY_MS;
      await log.append(entry(day, 'bob@example.com', nowMs));
    }
    assert.equal((await log.recent({ limit: 10 })).length, 5);
    assert.equal(existsSync(`${file}.1`), false);
  });

  it('refuses a retention that is not a positive number of days', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    for (const retentionDays of [0, -1, Number.NaN, 40_000]) {
      await assert.rejects(FileAuditLog.open(file, { retentionDays }), { code: 'CONFIG_INVALID' }, String(retentionDays));
    }
  });

  it('skips a line cut short by a crash', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const log = await FileAuditLog.open(file, frozen);
    await log.append(entry(1));
    appendFileSync(file, '{"at": "2026-01-0');
    await log.append(entry(2));
    assert.deepEqual(details(await log.recent({ limit: 10 })), ['added cap2', 'added cap1']);
  });

  it('loses no entry when many are appended at once', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const [first, second] = await Promise.all([FileAuditLog.open(file, frozen), FileAuditLog.open(file, frozen)]);
    await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).append(entry(index))));
    assert.equal((await first.recent({ limit: 100 })).length, 40);
  });

  it('leaves every earlier entry of the trail readable after 10,000 refusals of outsiders', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const log = await FileAuditLog.open(file, { maxBytes: 256 * 1024 });
    const root: Principal = { email: 'root@example.com', kind: 'user', via: 'session' };
    const mallory: Principal = { email: 'mallory@example.com', kind: 'user', via: 'session' };
    const audit = new AuditRecorder(log, 'test:1', (message) => assert.fail(message), Date.now, (principal) => principal.email === root.email);
    const made = ['admin', 'bake', 'arrest'];
    for (const capability of made) await audit.record(root, 'add', 'mallory@example.com', `add ${capability}`, () => Promise.resolve(), () => `added ${capability}`);
    const refuse = (): Promise<never> => Promise.reject(new AccessError('CAPABILITY_MISSING', 'user_management', 'missing capability "user_management"'));
    for (let burst = 0; burst < 20; burst++) {
      await Promise.all(Array.from({ length: 500 }, () => audit.record(mallory, 'revoke_all', 'root@example.com', 'revoke every token', refuse, () => '').catch(() => undefined)));
    }
    const trail = (await log.recent({ target: 'mallory@example.com', limit: 1000 })).filter((e) => e.outcome === 'ok');
    assert.deepEqual(trail.map((e) => e.detail), ['added arrest', 'added bake', 'added admin']);
    assert.ok(existsSync(`${refusalsFileFor(file)}.1`), 'the refusals did rotate their own file');
    assert.equal((await log.recent({ target: 'root@example.com', limit: 10 }))[0]?.outcome, 'refused', 'the newest refusals are still shown');
  });
});
