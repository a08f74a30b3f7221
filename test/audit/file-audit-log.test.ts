import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AuditEntry } from '../../src/audit/audit-log';
import { FileAuditLog } from '../../src/stores/file-audit.log';
import { tempFolder } from '../fixtures/temp-folder';

const entry = (index: number, target = 'bob@example.com'): AuditEntry => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
  actor: 'root@example.com',
  action: 'add',
  target,
  detail: `added cap${index}`,
  outcome: 'ok',
  instance: 'test:1',
});

describe('FileAuditLog', () => {
  it('appends JSON Lines and reads them newest first, filtered and limited', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const log = await FileAuditLog.open(file);
    for (let index = 0; index < 5; index++) await log.append(entry(index, index % 2 === 0 ? 'bob@example.com' : 'carol@example.com'));
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 5);
    assert.deepEqual((await log.recent({ limit: 2 })).map((e) => e.detail), ['added cap4', 'added cap3']);
    assert.deepEqual((await log.recent({ target: 'bob@example.com', limit: 10 })).map((e) => e.detail), ['added cap4', 'added cap2', 'added cap0']);
    assert.deepEqual((await log.recent({ sinceMs: Date.parse(entry(3).at), limit: 10 })).map((e) => e.detail), ['added cap4', 'added cap3']);
  });

  it('rotates to .1 past its size bound and still reads across both files', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const lineBytes = Buffer.byteLength(`${JSON.stringify(entry(0))}\n`);
    const log = await FileAuditLog.open(file, { maxBytes: lineBytes * 3 });
    for (let index = 0; index < 7; index++) await log.append(entry(index));
    assert.ok(statSync(file).size <= lineBytes * 3);
    assert.ok(existsSync(`${file}.1`));
    // .1 holds 3, 4, 5 (the first rotation's 0, 1, 2 were dropped by the second); the file holds 6.
    assert.deepEqual((await log.recent({ limit: 100 })).map((e) => e.detail), ['added cap6', 'added cap5', 'added cap4', 'added cap3']);
  });

  it('skips a line cut short by a crash', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const log = await FileAuditLog.open(file);
    await log.append(entry(1));
    appendFileSync(file, '{"at": "2026-01-0');
    await log.append(entry(2));
    assert.deepEqual((await log.recent({ limit: 10 })).map((e) => e.detail), ['added cap2', 'added cap1']);
  });

  it('loses no entry when many are appended at once', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.audit.jsonl');
    const [first, second] = await Promise.all([FileAuditLog.open(file), FileAuditLog.open(file)]);
    await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).append(entry(index))));
    assert.equal((await first.recent({ limit: 100 })).length, 40);
  });
});
