import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkedLockOptions } from '../../../src/stores/file/file-lock';
import { rewriteUnderLock } from '../../../src/stores/file/locked-rewrite';
import { tempFolder } from '../../fixtures/temp-folder';

const LOCK = checkedLockOptions({});

describe('rewriteUnderLock, the one write path of the file stores', () => {
  test('writes the planned text, then runs written, and resolves with the result', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.revoked.json');
    const steps: string[] = [];
    const result = await rewriteUnderLock(file, LOCK, async () => {
      steps.push('plan');
      return { text: '{"tokens": {}}\n', result: 42, undo: () => steps.push('undo'), written: () => void steps.push(`written: ${readFileSync(file, 'utf8')}`) };
    });
    assert.equal(result, 42);
    assert.deepEqual(steps, ['plan', 'written: {"tokens": {}}\n']);
  });

  test('writes nothing when the plan has no text', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, 'users: {}\n');
    let written = false;
    const result = await rewriteUnderLock(file, LOCK, async () => ({ text: undefined, result: 'unchanged', written: () => void (written = true) }));
    assert.equal(result, 'unchanged');
    assert.equal(written, false);
    assert.equal(readFileSync(file, 'utf8'), 'users: {}\n');
  });

  test('runs undo and not written when the text cannot be written, and leaves the target and the folder as they were', async (t) => {
    const folder = tempFolder(t);
    // A folder where the file should be: the atomic rename over it fails.
    const file = join(folder, 'caps.yaml');
    mkdirSync(file);
    writeFileSync(join(file, 'inside'), 'kept');
    const steps: string[] = [];
    await assert.rejects(
      rewriteUnderLock(file, LOCK, async () => ({ text: 'users: {}\n', result: undefined, undo: () => steps.push('undo'), written: () => void steps.push('written') })),
      (error: NodeJS.ErrnoException) => typeof error.code === 'string',
    );
    assert.deepEqual(steps, ['undo']);
    assert.equal(readFileSync(join(file, 'inside'), 'utf8'), 'kept');
    assert.deepEqual(readdirSync(folder).sort(), ['caps.yaml'], 'no temporary file and no lock left behind');
  });
});
