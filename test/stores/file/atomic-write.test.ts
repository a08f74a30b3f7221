import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCapsFile } from '../../../src/caps-file/caps-file';
import { writeFileAtomic } from '../../../src/stores/file/atomic-write';
import { bigCapsFile, claimedVersion } from '../../fixtures/big-caps-file';
import { tempFolder } from '../../fixtures/temp-folder';
import { killWriterMidWrite } from '../../fixtures/writer-child';

// The tests run as root, so a file can be given to a user and group that are not the process's.
const OTHER_UID = 4321;
const OTHER_GID = 5432;

const temporaryFiles = (folder: string): string[] => readdirSync(folder).filter((name) => name.endsWith('.tmp'));

describe('writeFileAtomic', () => {
  test('replaces the content and leaves no temporary file', async (t) => {
    const folder = tempFolder(t);
    const file = join(folder, 'caps.yaml');
    writeFileSync(file, 'old\n');
    await writeFileAtomic(file, 'new\n');
    assert.equal(readFileSync(file, 'utf8'), 'new\n');
    assert.deepEqual(temporaryFiles(folder), []);
  });

  test('creates the file when it does not exist yet', async (t) => {
    const folder = tempFolder(t);
    const file = join(folder, 'caps.yaml');
    await writeFileAtomic(file, 'first\n');
    assert.equal(readFileSync(file, 'utf8'), 'first\n');
    assert.deepEqual(readdirSync(folder), ['caps.yaml']);
  });

  test("keeps the original file's mode", async (t) => {
    const folder = tempFolder(t);
    const file = join(folder, 'caps.yaml');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o640);
    await writeFileAtomic(file, 'new\n');
    assert.equal(statSync(file).mode & 0o777, 0o640);
    chmodSync(file, 0o604);
    await writeFileAtomic(file, 'newer\n');
    assert.equal(statSync(file).mode & 0o777, 0o604);
  });

  test("keeps the owner and group of a file that belongs to another user", async (t) => {
    const folder = tempFolder(t);
    const file = join(folder, 'caps.yaml');
    writeFileSync(file, 'old\n');
    chownSync(file, OTHER_UID, OTHER_GID);
    chmodSync(file, 0o600);
    await writeFileAtomic(file, 'new\n');
    const stats = statSync(file);
    assert.deepEqual([stats.uid, stats.gid, stats.mode & 0o7777], [OTHER_UID, OTHER_GID, 0o600]);
    assert.equal(readFileSync(file, 'utf8'), 'new\n');
  });

  test('creates a new file with the owner, group and mode of the file it is created like', async (t) => {
    const folder = tempFolder(t);
    const caps = join(folder, 'caps.yaml');
    writeFileSync(caps, 'capabilities: {}\n');
    chownSync(caps, OTHER_UID, OTHER_GID);
    chmodSync(caps, 0o600);
    const sidecar = join(folder, 'caps.yaml.revoked.json');
    await writeFileAtomic(sidecar, '{}\n', { createLike: caps });
    const stats = statSync(sidecar);
    assert.deepEqual([stats.uid, stats.gid, stats.mode & 0o7777], [OTHER_UID, OTHER_GID, 0o600]);
  });

  test('replaces the target of a symbolic link and keeps the link', async (t) => {
    const folder = tempFolder(t);
    const real = join(folder, 'real.yaml');
    const link = join(folder, 'caps.yaml');
    writeFileSync(real, 'old\n');
    symlinkSync('real.yaml', link);
    await writeFileAtomic(link, 'new\n');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readlinkSync(link), 'real.yaml');
    assert.equal(readFileSync(real, 'utf8'), 'new\n');
  });

  test('rejects and removes its temporary file when the rename fails', async (t) => {
    const folder = tempFolder(t);
    const target = join(folder, 'caps.yaml');
    // A non-empty folder cannot be replaced by a file, whoever runs the test.
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await assert.rejects(writeFileAtomic(target, 'new\n'), (error: NodeJS.ErrnoException) => {
      assert.ok(['EISDIR', 'ENOTEMPTY', 'EEXIST', 'EPERM'].includes(error.code ?? ''), `unexpected ${error.code}`);
      return true;
    });
    assert.deepEqual(temporaryFiles(folder), []);
    assert.ok(statSync(target).isDirectory());
  });

  test('rejects and leaves the target untouched when the temporary file cannot be created', async (t) => {
    const folder = tempFolder(t);
    // The temporary name adds a dot, the process id and a random suffix: too long for the file system.
    const file = join(folder, `${'c'.repeat(240)}.yaml`);
    writeFileSync(file, 'old\n');
    await assert.rejects(writeFileAtomic(file, 'new\n'), { code: 'ENAMETOOLONG' });
    assert.equal(readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(temporaryFiles(folder), []);
  });

  test('a process killed while writing large files leaves the old or a new complete file', async (t) => {
    const folder = tempFolder(t);
    const script = join(__dirname, '..', '..', 'fixtures', 'atomic-writer.child.js');
    const users = 2_000;
    let killsInsideWrite = 0;
    for (let round = 0; round < 4; round++) {
      const roundFolder = join(folder, `round-${round}`);
      mkdirSync(roundFolder);
      const file = join(roundFolder, 'caps.yaml');
      writeFileSync(file, bigCapsFile(0, users));
      const run = await killWriterMidWrite(script, [file, String(users)], { writesBefore: 1 + round, folder: roundFolder });
      assert.equal(run.signal, 'SIGKILL', `the writer should have been killed, not exited: ${run.stderr}`);
      if (run.killedInsideWrite) killsInsideWrite += 1;

      const text = readFileSync(file, 'utf8');
      const version = claimedVersion(text);
      assert.ok(version !== undefined, 'the file names its version');
      assert.ok(version >= run.reportedWrites, `version ${version} is at least the last reported write ${run.reportedWrites}`);
      assert.ok(version <= run.reportedWrites + 1, `version ${version} is at most one write after the last reported`);
      assert.equal(text, bigCapsFile(version, users), 'the file is one complete version');
      assert.equal(parseCapsFile(text, file).users.size, users);
    }
    assert.ok(killsInsideWrite > 0, 'at least one kill landed inside a write (it left its temporary file)');
  });
});
