import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parseCapsFile } from '../../../src/caps-file/caps-file';
import { YamlFileStore } from '../../../src/stores/file/yaml-file.store';
import { startChild } from '../../fixtures/child-process';
import { COMMENTED_CAPS } from '../../fixtures/caps-texts';
import { RecordingLogger } from '../../fixtures/recording-logger';
import { tempFolder } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';

const ADDER = join(__dirname, '..', '..', 'fixtures', 'caps-adder.child.js');
const LOCK_HOLDER = join(__dirname, '..', '..', 'fixtures', 'lock-holder.child.js');
const CLI = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const WRITES_PER_PROCESS = 60;

function sharedCapsFile(t: TestContext, text = COMMENTED_CAPS): string {
  const file = join(tempFolder(t), 'caps.yaml');
  writeFileSync(file, text);
  return file;
}

const usersInFile = (file: string): ReadonlyMap<string, readonly string[]> => parseCapsFile(readFileSync(file, 'utf8'), file).users;

/** Runs the real command line as its own process; resolves with its exit status and output. */
function runCli(t: TestContext, args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    t.after(() => clearTimeout(timer));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe('caps.yaml shared by several processes', () => {
  test('two processes adding accounts at the same time lose none of them', async (t) => {
    const file = sharedCapsFile(t);
    const writers = ['left', 'right'].map((tag) => startChild(t, ADDER, [file, tag, String(WRITES_PER_PROCESS)]));
    for (const writer of writers) assert.equal(await writer.exit(), 0, writer.errors());

    const users = usersInFile(file);
    for (const tag of ['left', 'right']) {
      for (let n = 1; n <= WRITES_PER_PROCESS; n++) assert.deepEqual(users.get(`${tag}-${n}@example.com`), ['read'], `${tag}-${n} is in the file`);
    }
    assert.deepEqual(users.get('bob@example.com'), ['moderate'], 'the accounts that were there stay');
    assert.match(readFileSync(file, 'utf8'), /# hand-written with capitals/);
  });

  test('a revoke on the command line while an app writes is not undone', async (t) => {
    const revoked = ['carol', 'dave', 'erin', 'frank', 'grace'].map((name) => `${name}@example.com`);
    const file = sharedCapsFile(t, COMMENTED_CAPS.replace('  # robots\n', `${revoked.map((email) => `  ${email}: [write, moderate]\n`).join('')}  # robots\n`));
    const app = startChild(t, ADDER, [file, 'app', '1000000']);
    await waitUntil(() => app.output().includes('wrote 1\n'), 'the app process writes');
    for (const email of revoked) {
      const run = await runCli(t, ['revoke', email, 'moderate', '--caps', file]);
      assert.equal(run.status, 0, run.stderr);
    }
    assert.equal(app.child.exitCode, null, 'the app was writing all along');
    app.child.kill('SIGTERM');
    await app.exit();
    const reported = app.output().match(/^wrote \d+$/gm)?.length ?? 0;

    const users = usersInFile(file);
    for (const email of revoked) assert.deepEqual(users.get(email), ['write'], `the revoke of ${email} stays`);
    for (let n = 1; n <= reported; n++) assert.deepEqual(users.get(`app-${n}@example.com`), ['read'], `app-${n} is in the file`);
  });

  test('a writer kept from the lock past its bound is refused with CAPS_STORE_BUSY and writes nothing', async (t) => {
    const file = sharedCapsFile(t);
    const holder = startChild(t, LOCK_HOLDER, [file]);
    await waitUntil(() => holder.output().includes('locked'), 'the other process holds the lock');
    const logger = new RecordingLogger();
    const store = await YamlFileStore.open(file, { logger, pollIntervalMs: 60_000, lockWaitMs: 300 });
    t.after(() => store.close());
    const before = store.current();

    await assert.rejects(store.update(() => ({ email: 'eve@example.com', capabilities: ['read'] })), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'CAPS_STORE_BUSY');
      assert.equal((error as Error).message, 'the capability file is being changed by another writer; nothing was changed, try again');
      return true;
    });
    assert.equal(readFileSync(file, 'utf8'), COMMENTED_CAPS);
    assert.equal(store.current(), before);
    assert.equal(store.writes, 0);
    assert.ok(logger.errors.some((line) => line.includes(file)), 'the log names the file');

    const cli = await runCli(t, ['grant', 'eve@example.com', 'read', '--caps', file]);
    assert.equal(cli.status, 1);
    assert.match(cli.stderr, /being changed by another writer/);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED_CAPS);
  });
});
