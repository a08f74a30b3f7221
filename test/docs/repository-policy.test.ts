import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../cli/cli-run';

// Compiled to <outDir>/test/docs, so the repository root is three folders up.
const ROOT = resolve(__dirname, '..', '..', '..');

describe("the repository's own policy tests", () => {
  it('hold for the caps.yaml the example app runs on', async () => {
    const run = await cli(['test', join(ROOT, 'caps.test.yaml')]);
    assert.equal(run.status, 0, `${run.out}\n${run.err}`);
    assert.match(run.out, /^\d+ assertions, 0 failed$/);
  });
});
