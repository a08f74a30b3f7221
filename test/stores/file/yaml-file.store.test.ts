import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { CapabilityPolicy } from '../../../src/capabilities/capability-policy';
import { parseCapsFile } from '../../../src/caps-file/caps-file';
import { CapabilitiesError, CapsFileError } from '../../../src/errors';
import type { GrantEdit } from '../../../src/stores/capability-store';
import { YamlFileStore, type YamlFileStoreOptions } from '../../../src/stores/file/yaml-file.store';
import { BIG_CAPABILITIES, bigCapsFile, CHANGED_GRANT } from '../../fixtures/big-caps-file';
import { COMMENTED_CAPS, MINIMAL_CAPS } from '../../fixtures/caps-texts';
import { RecordingLogger } from '../../fixtures/recording-logger';
import { SeededRandom } from '../../fixtures/seeded-random';
import { tempFolder } from '../../fixtures/temp-folder';
import { waitUntil } from '../../fixtures/wait-until';
import { killWriterMidWrite } from '../../fixtures/writer-child';

const FAST_POLL_MS = 20;
const NO_POLL_MS = 3_600_000;

async function openStore(
  t: TestContext,
  text: string,
  options: YamlFileStoreOptions = {},
): Promise<{ store: YamlFileStore; file: string; logger: RecordingLogger }> {
  const file = join(tempFolder(t), 'caps.yaml');
  writeFileSync(file, text);
  const logger = new RecordingLogger();
  const store = await YamlFileStore.open(file, { logger, pollIntervalMs: FAST_POLL_MS, ...options });
  t.after(() => store.close());
  return { store, file, logger };
}

const grant =
  (email: string, capabilities: readonly string[]): GrantEdit =>
  () => ({ email, capabilities });

const add =
  (email: string, capability: string): GrantEdit =>
  (policy) => ({ email, capabilities: [...policy.stored(email), capability] });

const remove =
  (email: string, capability: string): GrantEdit =>
  (policy) => ({ email, capabilities: policy.stored(email).filter((name) => name !== capability) });

const usersOf = (policy: CapabilityPolicy): Record<string, readonly string[]> => Object.fromEntries(policy.users);

const usersInFile = (file: string): Record<string, readonly string[]> => usersOf(parseCapsFile(readFileSync(file, 'utf8'), file));

/** A small deterministic generator, so a failure can be replayed. */
describe('YamlFileStore.open', () => {
  test('serves the policy of the file from memory', async (t) => {
    const { store } = await openStore(t, COMMENTED_CAPS);
    assert.deepEqual(store.current().stored('bob@example.com'), ['moderate']);
    assert.ok(store.current().can('bob@example.com', 'write'));
    assert.ok(store.current().can('ops@example.com', 'user_management'));
    assert.equal(store.current(), store.current());
    assert.equal(store.writes, 0);
  });

  test('throws a CapsFileError naming the file and the line of an invalid file', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, 'capabilities:\n  read: []\n  write: [read, publish]\n');
    await assert.rejects(YamlFileStore.open(file), (error: unknown) => {
      assert.ok(error instanceof CapsFileError);
      assert.equal(error.code, 'CAPS_UNDEFINED');
      assert.equal(error.file, file);
      assert.equal(error.line, 3);
      assert.equal(error.offender, 'publish');
      assert.ok(error.message.startsWith(`${file}:3:`), error.message);
      return true;
    });
  });

  test('throws CAPS_FILE_UNREADABLE naming the path of a missing file and how to make one', async (t) => {
    const file = join(tempFolder(t), 'missing.yaml');
    await assert.rejects(YamlFileStore.open(file), (error: unknown) => {
      assert.ok(error instanceof CapabilitiesError);
      assert.equal(error.code, 'CAPS_FILE_UNREADABLE');
      assert.equal(error.message, `the capability file ${file} does not exist; \`npx nest-capabilities init ${file}\` writes a commented starter`);
      return true;
    });
  });

  test('names the working directory a missing relative file was looked for in', async () => {
    await assert.rejects(YamlFileStore.open('no-such-folder/caps.yaml'), {
      code: 'CAPS_FILE_UNREADABLE',
      message:
        `the capability file no-such-folder/caps.yaml does not exist (relative to the working directory ${process.cwd()}); ` +
        '`npx nest-capabilities init no-such-folder/caps.yaml` writes a commented starter',
    });
  });

  test('refuses a poll interval that is not a positive number', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml');
    writeFileSync(file, MINIMAL_CAPS);
    await assert.rejects(YamlFileStore.open(file, { pollIntervalMs: 0 }), { code: 'CONFIG_INVALID' });
  });
});

describe('YamlFileStore.update', () => {
  test('a store that has not looked at the file since another process wrote judges its edit on the newest file', async (t) => {
    const { store: first, file } = await openStore(t, COMMENTED_CAPS, { pollIntervalMs: NO_POLL_MS });
    const second = await YamlFileStore.open(file, { logger: new RecordingLogger(), pollIntervalMs: NO_POLL_MS });
    t.after(() => second.close());
    await first.update(grant('dan@example.com', ['write']));
    assert.deepEqual((await second.update(remove('dan@example.com', 'write'))).stored('dan@example.com'), [], 'a removal the old copy would call a no-op');
    assert.deepEqual((await first.update(add('dan@example.com', 'write'))).stored('dan@example.com'), ['write'], 'a grant the old copy would call a no-op');
    assert.deepEqual(usersInFile(file)['dan@example.com'], ['write']);
  });

  test('200 concurrent edits all resolve, equal the same edits applied one by one, and share few writes', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    const emails = ['alice@example.com', 'bob@example.com', 'bot@service', 'eve@example.com'];
    const capabilities = ['read', 'write', 'moderate', 'user_management'];
    const random = new SeededRandom(42);
    const plan = Array.from({ length: 200 }, () => ({
      kind: random.below(2) === 0 ? 'add' : 'remove',
      email: random.pick(emails),
      capability: random.pick(capabilities),
    }));

    const settled = await Promise.allSettled(
      plan.map(({ kind, email, capability }) => store.update(kind === 'add' ? add(email, capability) : remove(email, capability))),
    );

    const expected = new Map(parseCapsFile(COMMENTED_CAPS, file).users);
    for (const { kind, email, capability } of plan) {
      const held = expected.get(email);
      const after = kind === 'add' ? [...new Set([...(held ?? []), capability])] : (held ?? []).filter((name) => name !== capability);
      // An absent user given an empty list stays absent.
      if (held !== undefined || after.length > 0) expected.set(email, after);
    }
    assert.deepEqual(
      settled.filter((outcome) => outcome.status === 'rejected'),
      [],
    );
    assert.deepEqual(usersInFile(file), Object.fromEntries(expected));
    assert.deepEqual(usersOf(store.current()), Object.fromEntries(expected));
    assert.ok(store.writes >= 1 && store.writes <= 10, `${store.writes} writes for 200 edits`);
  });

  test('edits queued while a write is in flight are committed together by the next write', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    const first = store.update(add('eve@example.com', 'read'));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = Array.from({ length: 50 }, (_, index) => store.update(grant(`user${index}@example.com`, ['write'])));
    await Promise.all([first, ...rest]);
    assert.equal(store.writes, 2);
    const users = usersInFile(file);
    assert.deepEqual(users['eve@example.com'], ['read']);
    assert.deepEqual(users['user49@example.com'], ['write']);
  });

  test('each edit of a batch sees the edits queued before it', async (t) => {
    const { store } = await openStore(t, COMMENTED_CAPS);
    const seen: (readonly string[])[] = [];
    const watching =
      (capability: string): GrantEdit =>
      (policy) => {
        seen.push(policy.stored('eve@example.com'));
        return { email: 'eve@example.com', capabilities: [...policy.stored('eve@example.com'), capability] };
      };
    const results = await Promise.all([store.update(watching('read')), store.update(watching('write')), store.update(watching('moderate'))]);
    assert.deepEqual(seen, [[], ['read'], ['read', 'write']]);
    assert.deepEqual(
      results.map((policy) => policy.stored('eve@example.com')),
      [['read'], ['read', 'write'], ['read', 'write', 'moderate']],
    );
    assert.equal(store.writes, 1);
  });

  test('an edit that throws rejects alone; the others of its batch commit', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    const refusal = new Error('refused by the edit');
    const outcomes = await Promise.allSettled([
      store.update(grant('eve@example.com', ['read'])),
      store.update(() => {
        throw refusal;
      }),
      store.update(grant('frank@example.com', ['undefined_capability'])),
      store.update(grant('not an email', ['read'])),
      store.update(grant('grace@example.com', ['write'])),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal((outcomes[1] as PromiseRejectedResult).reason, refusal);
    assert.equal(((outcomes[2] as PromiseRejectedResult).reason as CapabilitiesError).code, 'UNKNOWN_CAPABILITY');
    assert.equal(((outcomes[3] as PromiseRejectedResult).reason as CapabilitiesError).code, 'INVALID_EMAIL');
    assert.equal(store.writes, 1);
    const users = usersInFile(file);
    assert.deepEqual(users['eve@example.com'], ['read']);
    assert.deepEqual(users['grace@example.com'], ['write']);
    assert.equal(users['frank@example.com'], undefined);
  });

  test('a failed write rejects every edit of its batch and changes nothing, in memory or later on disk', async (t) => {
    const folder = tempFolder(t);
    // The file behind the link has a name too long for a temporary name beside it, so writing fails.
    const unwritable = join(folder, `${'c'.repeat(240)}.yaml`);
    const writable = join(folder, 'writable.yaml');
    const link = join(folder, 'caps.yaml');
    writeFileSync(unwritable, COMMENTED_CAPS);
    symlinkSync(unwritable, link);
    const logger = new RecordingLogger();
    const store = await YamlFileStore.open(link, { logger, pollIntervalMs: NO_POLL_MS });
    t.after(() => store.close());
    const before = store.current();
    let notified = 0;
    store.subscribe(() => (notified += 1));

    const outcomes = await Promise.allSettled([store.update(grant('eve@example.com', ['read'])), store.update(add('bob@example.com', 'write'))]);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.equal((outcome.reason as CapabilitiesError).code, 'STORE_UNAVAILABLE');
    }
    assert.equal(store.current(), before);
    assert.equal(notified, 0);
    assert.equal(store.writes, 0);
    assert.equal(readFileSync(unwritable, 'utf8'), COMMENTED_CAPS);

    writeFileSync(writable, COMMENTED_CAPS);
    unlinkSync(link);
    symlinkSync(writable, link);
    await store.update(grant('grace@example.com', ['write']));
    const users = usersInFile(writable);
    assert.deepEqual(users['grace@example.com'], ['write']);
    assert.equal(users['eve@example.com'], undefined, 'the failed batch left nothing in the document');
    assert.deepEqual(users['bob@example.com'], ['moderate']);
    assert.equal(notified, 1);
  });

  test('an edit that changes nothing resolves without writing', async (t) => {
    const { store } = await openStore(t, COMMENTED_CAPS);
    const policy = await store.update(grant('bob@example.com', ['moderate']));
    await store.update(grant('nobody@example.com', []));
    assert.equal(store.writes, 0);
    assert.equal(policy, store.current());
    assert.equal(store.current().users.has('nobody@example.com'), false);
  });
});

describe('YamlFileStore file format', () => {
  test('keeps comments, blank lines and key order across add, remove and set', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    await store.update(add('alice@example.com', 'user_management'));
    await store.update(remove('bot@service', 'write'));
    await store.update(grant('eve@example.com', ['write', 'read']));
    // Only the three edits and the spacing before comments change (the yaml library prints one space).
    const expected = COMMENTED_CAPS.replace(/(\S) +#/g, '$1 #')
      .replace('  alice@example.com: [admin]', '  alice@example.com: [admin, user_management]')
      .replace('  bot@service: [write]', '  bot@service: []\n  eve@example.com: [write, read]');
    assert.equal(readFileSync(file, 'utf8'), expected);
    assert.deepEqual(usersInFile(file), usersOf(store.current()));
  });

  test('updates a hand-written Bob@Example.com entry in place instead of adding bob@example.com', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    const policy = await store.update(add('bob@example.com', 'user_management'));
    assert.deepEqual(policy.stored('bob@example.com'), ['moderate', 'user_management']);
    let text = readFileSync(file, 'utf8');
    assert.ok(text.includes('  Bob@Example.com: [moderate, user_management] # hand-written with capitals'), text);
    assert.equal(text.toLowerCase().split('bob@example.com').length - 1, 1, 'one entry for bob');

    // An edit that names the account in another case reaches the same entry.
    await store.update(grant(' BOB@example.COM ', ['write']));
    text = readFileSync(file, 'utf8');
    assert.ok(text.includes('  Bob@Example.com: [write] # hand-written with capitals'), text);
    assert.equal(text.toLowerCase().split('bob@example.com').length - 1, 1, 'still one entry for bob');
    assert.deepEqual(usersInFile(file)['bob@example.com'], ['write']);
  });

  test('creates users when the file has none, and fills an empty users entry', async (t) => {
    for (const text of [MINIMAL_CAPS, `${MINIMAL_CAPS}users:   # nobody yet\n`, `${MINIMAL_CAPS}users: {}\n`]) {
      const { store, file } = await openStore(t, text);
      await store.update(grant('eve@example.com', ['read']));
      await store.update(grant('frank@example.com', ['write']));
      const written = readFileSync(file, 'utf8');
      assert.ok(written.startsWith(MINIMAL_CAPS), written);
      assert.ok(written.includes('  eve@example.com: [read]\n  frank@example.com: [write]\n'), written);
      if (text.includes('nobody yet')) assert.ok(written.includes('users: # nobody yet\n'), written);
      assert.deepEqual(usersInFile(file), { 'eve@example.com': ['read'], 'frank@example.com': ['write'] });
    }
  });
});

describe('YamlFileStore hand edits', () => {
  test('picks up a valid hand edit and notifies subscribers', async (t) => {
    const { store, file, logger } = await openStore(t, COMMENTED_CAPS);
    const notified: CapabilityPolicy[] = [];
    store.subscribe((policy) => notified.push(policy));
    writeFileSync(file, COMMENTED_CAPS.replace('  bot@service: [write]', '  bot@service: [write]\n  carol@example.com: [moderate]'));
    await waitUntil(() => store.current().users.has('carol@example.com'), 'the hand edit is in force');
    assert.ok(store.current().can('carol@example.com', 'write'));
    assert.equal(notified.at(-1), store.current());
    assert.ok(logger.logs.some((line) => line.includes(file)), logger.logs.join('\n'));
    assert.deepEqual(logger.errors, []);
  });

  test('leaves a large hand edit that the yaml library would parse whole unparsed, logs it, and keeps the last good state', async (t) => {
    const { store, file, logger } = await openStore(t, COMMENTED_CAPS, { maxWholeParseBytes: 4_096 });
    const good = store.current();
    // Quoted keys are not the one-line form read line by line: the whole file would go through the yaml library.
    const quoted = Array.from({ length: 200 }, (_, n) => `  "person${n}@example.com": [read]\n`).join('');
    const large = COMMENTED_CAPS.replace('  # robots\n', `${quoted}  # robots\n`);
    writeFileSync(file, large);
    await waitUntil(() => logger.errors.length > 0, 'the large edit is logged');
    assert.match(logger.errors[0]!, new RegExp(`^${file}: ${Buffer.byteLength(large)} bytes, not in the one-line-per-account form, is more than the 4096 bytes parsed while serving`));
    assert.equal(store.current(), good);
    await assert.rejects(store.update(grant('eve@example.com', ['read'])), { code: 'STORE_UNAVAILABLE' });
    assert.equal(readFileSync(file, 'utf8'), large);

    // The same accounts one per line are read line by line, whatever the size.
    const lines = Array.from({ length: 1_000 }, (_, n) => `  person${n}@example.com: [read]\n`).join('');
    writeFileSync(file, COMMENTED_CAPS.replace('  # robots\n', `${lines}  # robots\n`));
    await waitUntil(() => store.current().users.has('person999@example.com'), 'the line-by-line edit is in force');
  });

  test('picks up a hand edit of the same size made right after the file was read', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    const sameSize = COMMENTED_CAPS.replace('  bot@service: [write]', '  bot@service: [admin]');
    assert.equal(sameSize.length, COMMENTED_CAPS.length);
    writeFileSync(file, sameSize);
    await waitUntil(() => store.current().can('bot@service', 'user_management'), 'the same-size edit is in force');
  });

  test('does not take its own writes for hand edits', async (t) => {
    const { store, logger } = await openStore(t, COMMENTED_CAPS, { pollIntervalMs: NO_POLL_MS });
    let notified = 0;
    store.subscribe(() => (notified += 1));
    const written = await store.update(grant('eve@example.com', ['read']));
    await store.checkNow();
    assert.equal(notified, 1);
    assert.equal(store.current(), written);
    assert.deepEqual(logger.logs, []);
  });

  test('loads a hand edit made just before a write, so the write keeps it', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS, { pollIntervalMs: NO_POLL_MS });
    writeFileSync(file, COMMENTED_CAPS.replace('  bot@service: [write]', '  bot@service: [write]\n  carol@example.com: [moderate]'));
    const policy = await store.update(grant('eve@example.com', ['read']));
    assert.deepEqual(policy.stored('carol@example.com'), ['moderate']);
    const users = usersInFile(file);
    assert.deepEqual(users['carol@example.com'], ['moderate']);
    assert.deepEqual(users['eve@example.com'], ['read']);
  });

  const brokenEdits = [
    { problem: 'malformed YAML', line: 5, code: 'CAPS_YAML_SYNTAX', text: 'capabilities:\n  read: []\n  write: [read]\n  moderate: [read, write\nusers:\n  bob@example.com: [moderate]\n' },
    { problem: 'a cycle', line: 2, code: 'CAPS_CYCLE', text: 'capabilities:\n  read: [moderate]\n  write: [read]\n  moderate: [read, write]\nusers:\n  bob@example.com: [moderate]\n' },
    { problem: 'an undefined capability', line: 6, code: 'CAPS_UNDEFINED', text: 'capabilities:\n  read: []\n  write: [read]\n  moderate: [read, write]\nusers:\n  bob@example.com: [publish]\n' },
  ] as const;

  for (const broken of brokenEdits) {
    test(`keeps the last good policy through a hand edit with ${broken.problem}, refuses writes, and picks up the fix`, async (t) => {
      const { store, file, logger } = await openStore(t, COMMENTED_CAPS, { pollIntervalMs: NO_POLL_MS });
      const good = store.current();
      writeFileSync(file, broken.text);
      await store.checkNow();
      assert.equal(logger.errors.length, 1);
      assert.ok(logger.errors[0]!.startsWith(`${file}:${broken.line}:`), logger.errors[0]);
      assert.equal(store.current(), good);
      assert.ok(store.current().can('alice@example.com', 'admin'));

      await assert.rejects(store.update(grant('eve@example.com', ['read'])), (error: unknown) => {
        assert.ok(error instanceof CapabilitiesError);
        assert.equal(error.code, 'STORE_UNAVAILABLE');
        // The answer names neither the file nor the parser's text; the log does.
        assert.equal(error.message, 'the capability file on disk is invalid and must be fixed first; nothing was changed');
        assert.equal((error.cause as CapabilitiesError).code, broken.code);
        return true;
      });
      assert.ok(logger.warnings.some((line) => line.includes(`${file}:${broken.line}:`)), logger.warnings.join('\n'));
      assert.equal(readFileSync(file, 'utf8'), broken.text, 'the broken file is not overwritten');
      await store.checkNow();
      assert.equal(logger.errors.length, 1, 'the same broken content is logged once');
      assert.equal(store.current(), good);

      const fixed = broken.text.replace('  read: [moderate]', '  read: []').replace('[read, write\n', '[read, write]\n').replace('[publish]', '[write]');
      writeFileSync(file, fixed);
      await store.checkNow();
      assert.notEqual(store.current(), good, 'the fixed file is in force');
      assert.deepEqual(usersOf(store.current()), usersOf(parseCapsFile(fixed, file)));
      assert.equal(store.current().users.has('alice@example.com'), false);
      await store.update(grant('eve@example.com', ['read']));
      assert.deepEqual(usersInFile(file)['eve@example.com'], ['read']);
    });
  }

  test('keeps the last good policy while the file is missing, and refuses writes', async (t) => {
    const { store, file, logger } = await openStore(t, COMMENTED_CAPS);
    const good = store.current();
    unlinkSync(file);
    await waitUntil(() => logger.errors.length > 0, 'the missing file is logged');
    assert.ok(logger.errors[0]!.includes(file), logger.errors[0]);
    assert.equal(store.current(), good);
    await assert.rejects(store.update(grant('eve@example.com', ['read'])), { code: 'STORE_UNAVAILABLE' });
    assert.deepEqual(readdirSync(join(file, '..')), []);
    writeFileSync(file, COMMENTED_CAPS);
    await waitUntil(() => logger.logs.length > 0, 'the restored file is noticed');
    await store.update(grant('eve@example.com', ['read']));
    assert.deepEqual(usersInFile(file)['eve@example.com'], ['read']);
  });
});

describe('YamlFileStore lifecycle', () => {
  test('subscribe returns a function that stops the notifications', async (t) => {
    const { store } = await openStore(t, COMMENTED_CAPS);
    const seen: CapabilityPolicy[] = [];
    const unsubscribe = store.subscribe((policy) => seen.push(policy));
    const first = await store.update(grant('eve@example.com', ['read']));
    unsubscribe();
    await store.update(grant('eve@example.com', ['write']));
    assert.deepEqual(seen, [first]);
  });

  test('close waits for the write in flight, and later updates are refused', async (t) => {
    const { store, file } = await openStore(t, COMMENTED_CAPS);
    const pending = store.update(grant('eve@example.com', ['read']));
    await store.close();
    assert.deepEqual(usersInFile(file)['eve@example.com'], ['read']);
    await pending;
    await assert.rejects(store.update(grant('eve@example.com', ['write'])), { code: 'STORE_UNAVAILABLE' });
    await store.close();
  });
});

describe('YamlFileStore crash safety', () => {
  test('a store process killed while writing a large file leaves the old or a new complete file', async (t) => {
    const folder = tempFolder(t);
    const script = join(__dirname, '..', '..', 'fixtures', 'store-writer.child.js');
    const users = 2_000;
    const original = bigCapsFile(0, users);
    const originalGrant = parseCapsFile(original, 'original').stored('user0@example.com');
    assert.equal(originalGrant.length, BIG_CAPABILITIES.length);
    let killsInsideWrite = 0;
    for (let round = 0; round < 3; round++) {
      const roundFolder = join(folder, `round-${round}`);
      mkdirSync(roundFolder);
      const file = join(roundFolder, 'caps.yaml');
      writeFileSync(file, original);
      const run = await killWriterMidWrite(script, [file], { writesBefore: 1 + round, folder: roundFolder });
      assert.equal(run.signal, 'SIGKILL', `the writer should have been killed, not exited: ${run.stderr}`);
      if (run.killedInsideWrite) killsInsideWrite += 1;

      const text = readFileSync(file, 'utf8');
      const policy = parseCapsFile(text, file);
      assert.equal(policy.users.size, users);
      assert.deepEqual(policy.stored('last@example.com'), [], 'the last user is absent from users');
      assert.deepEqual(policy.pinnedTo('last@example.com'), [BIG_CAPABILITIES[0]], 'pinned, after users, is complete');
      // Version k has users 0..k-1 changed and the others as in the original.
      const changed = [...policy.users.values()].filter((held) => held.length === CHANGED_GRANT.length).length;
      assert.ok(changed >= run.reportedWrites && changed <= run.reportedWrites + 1, `${changed} changed users, ${run.reportedWrites} reported`);
      for (let user = 0; user < users; user++) {
        assert.deepEqual(policy.stored(`user${user}@example.com`), user < changed ? CHANGED_GRANT : originalGrant, `user${user}`);
      }
    }
    assert.ok(killsInsideWrite > 0, 'at least one kill landed inside a write (it left its temporary file)');
  });
});
