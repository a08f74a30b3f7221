import assert from 'node:assert/strict';
import { existsSync, mkdirSync, realpathSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withFileLock } from '../../../src/stores/file/file-lock';
import { startChild } from '../../fixtures/child-process';
import { tempFolder } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';

const CYCLER = join(__dirname, '..', '..', 'fixtures', 'lock-cycler.child.js');
const ROUNDS = 5;

test('a writer waiting for the lock gets its turn while another process takes it back to back', async (t) => {
  const file = join(tempFolder(t), 'caps.yaml');
  writeFileSync(file, 'capabilities: {}\n');
  const busy = startChild(t, CYCLER, [file]);
  await waitUntil(() => busy.output().includes('cycling'), 'the other process takes the lock again and again');

  for (let round = 1; round <= ROUNDS; round++) {
    const ran = await withFileLock(file, () => Promise.resolve(round), { lockWaitMs: 2_000, lockStaleMs: 10_000 });
    assert.equal(ran, round);
  }

  busy.child.kill('SIGTERM');
  assert.equal(await busy.exit(), 0, busy.errors());
  assert.match(busy.output(), /turns \d+/, 'the other process kept writing meanwhile');
});

test('a claim left by a writer that is gone does not keep the lock from others', async (t) => {
  const file = join(tempFolder(t), 'caps.yaml');
  writeFileSync(file, 'capabilities: {}\n');
  const claim = `${realpathSync(file)}.lock-next`;
  mkdirSync(claim);
  const longAgo = new Date(Date.now() - 60_000);
  utimesSync(claim, longAgo, longAgo);

  assert.equal(await withFileLock(file, () => Promise.resolve('written'), { lockWaitMs: 500, lockStaleMs: 10_000 }), 'written');
  assert.equal(existsSync(claim), false, 'the stale claim is cleared');
});

test('a live claim of another writer comes first: a writer that cannot wait for it is refused with CAPS_STORE_BUSY', async (t) => {
  const file = join(tempFolder(t), 'caps.yaml');
  writeFileSync(file, 'capabilities: {}\n');
  const claim = `${realpathSync(file)}.lock-next`;
  mkdirSync(claim);
  let ran = false;

  await assert.rejects(
    withFileLock(file, () => Promise.resolve((ran = true)), { lockWaitMs: 200, lockStaleMs: 10_000 }),
    (error: unknown) => (error as { code?: string }).code === 'CAPS_STORE_BUSY',
  );
  assert.equal(ran, false);
  assert.equal(existsSync(claim), true, 'the other writer keeps its claim');
});
