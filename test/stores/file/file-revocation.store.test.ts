import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CapabilitiesError } from '../../../src/errors';
import { FileRevocationStore, revocationFileFor } from '../../../src/stores/file/file-revocation.store';
import { RevocationList } from '../../../src/tokens/revocation-list';
import { MemoryRevocationStore } from '../../../src/tokens/revocation-store';
import { RecordingLogger } from '../../fixtures/recording-logger';
import { tempFolder } from '../../fixtures/temp-folder';
import { startChild } from '../../fixtures/child-process';
import { waitUntil } from '../../fixtures/wait-until';

const token = (tokenId: string, email = 'bot@service', issuedAt = 1_000): { tokenId: string; email: string; issuedAt: number } => ({ tokenId, email, issuedAt });

describe('RevocationList', () => {
  it('revokes a token by id and an account up to a second, inclusive', () => {
    const list = new RevocationList();
    list.revokeToken('a', 2_000);
    list.revokeAccount('bot@service', 1_500);
    assert.equal(list.isRevoked(token('a', 'x@example.com')), true);
    assert.equal(list.isRevoked(token('b', 'bot@service', 1_500)), true);
    assert.equal(list.isRevoked(token('b', 'bot@service', 1_501)), false);
    assert.equal(list.isRevoked(token('b', 'other@service', 1_000)), false);
  });

  it('never moves an account cutoff backwards', () => {
    const list = new RevocationList();
    list.revokeAccount('bot@service', 2_000);
    list.revokeAccount('bot@service', 1_000);
    assert.equal(list.isRevoked(token('b', 'bot@service', 1_999)), true);
  });

  it('prunes tokens past their expiry, keeps tokens that never expire and account entries', () => {
    const list = new RevocationList();
    list.revokeToken('old', 100);
    list.revokeToken('young', 10_000);
    list.revokeToken('forever', null);
    list.revokeAccount('bot@service', 50);
    assert.equal(list.prune(5_000), true);
    assert.deepEqual(list.snapshot(), { tokens: { young: 10_000, forever: null }, accounts: { 'bot@service': 50 } });
  });
});

describe('MemoryRevocationStore', () => {
  it('tells its subscribers about each revocation', async () => {
    const store = new MemoryRevocationStore();
    let calls = 0;
    store.subscribe(() => calls++);
    await store.revokeToken('a', null);
    await store.revokeAccount('bot@service', 10);
    assert.equal(calls, 2);
    assert.equal(store.isRevoked(token('a')), true);
  });
});

describe('FileRevocationStore', () => {
  it('writes a revocation and tells every other subscriber even when one subscriber throws', async (t) => {
    const file = revocationFileFor(join(tempFolder(t), 'caps.yaml'));
    const logger = new RecordingLogger();
    const store = await FileRevocationStore.open(file, { logger, pollIntervalMs: 60_000 });
    t.after(() => store.close());
    let told = 0;
    store.subscribe(() => {
      throw new Error('a cache that could not be cleared');
    });
    store.subscribe(() => told++);

    await store.revokeToken('leaked', null);

    assert.equal(told, 1);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { tokens: { leaked: null }, accounts: {} });
    assert.ok(logger.errors.some((line) => line.includes('a cache that could not be cleared')), 'the failure is logged');
  });

  it('keeps revocations in caps.yaml.revoked.json, found again after a restart', async (t) => {
    const file = revocationFileFor(join(tempFolder(t), 'caps.yaml'));
    assert.match(file, /caps\.yaml\.revoked\.json$/);
    const first = await FileRevocationStore.open(file);
    await first.revokeToken('a', Math.floor(Date.now() / 1000) + 60);
    await first.revokeAccount('bot@service', 1_000);
    await first.close();
    const second = await FileRevocationStore.open(file);
    t.after(() => second.close());
    assert.equal(second.isRevoked(token('a', 'x@example.com')), true);
    assert.equal(second.isRevoked(token('b', 'bot@service', 900)), true);
    assert.equal(second.isRevoked(token('b', 'x@example.com')), false);
  });

  it('lets two instances on one file see each other’s revocations', async (t) => {
    const file = join(tempFolder(t), 'caps.yaml.revoked.json');
    const one = await FileRevocationStore.open(file, { pollIntervalMs: 50 });
    const two = await FileRevocationStore.open(file, { pollIntervalMs: 50 });
    t.after(async () => {
      await one.close();
      await two.close();
    });
    let heard = 0;
    two.subscribe(() => heard++);
    await one.revokeToken('from-one', null);
    await waitUntil(() => two.isRevoked(token('from-one')), 'the second instance sees the revocation');
    assert.ok(heard >= 1, 'subscribers hear about revocations from elsewhere');
    await two.revokeAccount('bot@service', 5_000);
    await waitUntil(() => one.isRevoked(token('x', 'bot@service', 4_000)), 'the first instance sees the account revocation');
    const stored: unknown = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(stored, { tokens: { 'from-one': null }, accounts: { 'bot@service': 5_000 } }, 'the second write kept the first');
  });

  it('prunes expired entries when it writes', async (t) => {
    const file = join(tempFolder(t), 'revoked.json');
    let nowMs = 1_000_000;
    const store = await FileRevocationStore.open(file, { now: () => nowMs });
    t.after(() => store.close());
    await store.revokeToken('short', 1_010);
    nowMs = 1_020_000;
    await store.revokeToken('later', 5_000);
    assert.deepEqual(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { tokens: object }).tokens), ['later']);
  });

  it('refuses to start on a broken file, naming it', async (t) => {
    const file = join(tempFolder(t), 'revoked.json');
    writeFileSync(file, '{"tokens": [');
    await assert.rejects(FileRevocationStore.open(file), (error: unknown) => {
      assert.ok(error instanceof CapabilitiesError);
      assert.equal(error.code, 'CAPS_FILE_UNREADABLE');
      assert.match(error.message, /^cannot use the revocation file .*revoked\.json: /);
      return true;
    });
    writeFileSync(file, '{"tokens": {"a": "soon"}, "accounts": {}}');
    await assert.rejects(FileRevocationStore.open(file), /expected \{"tokens"/);
  });

  it('keeps what it knows and logs once when the file is broken later', async (t) => {
    const file = join(tempFolder(t), 'revoked.json');
    const logger = new RecordingLogger();
    const store = await FileRevocationStore.open(file, { pollIntervalMs: 30, logger });
    t.after(() => store.close());
    await store.revokeToken('a', null);
    writeFileSync(file, 'garbage');
    await waitUntil(() => logger.errors.length > 0, 'the broken file is reported');
    assert.equal(store.isRevoked(token('a')), true);
    assert.match(logger.errors[0] ?? '', /revocations already known stay in force/);
  });

  it('refuses revocations once closed', async (t) => {
    const store = await FileRevocationStore.open(join(tempFolder(t), 'revoked.json'));
    await store.close();
    await assert.rejects(store.revokeToken('a', null), { code: 'STORE_UNAVAILABLE' });
  });
});

describe('FileRevocationStore shared by several processes', () => {
  const REVOKER = join(__dirname, '..', '..', 'fixtures', 'revoker.child.js');
  const ROUNDS = 5;

  it('keeps every revocation of two processes revoking at the same moment, on both and after a restart', async (t) => {
    const file = revocationFileFor(join(tempFolder(t), 'caps.yaml'));
    // A pair of processes per round, each revoking once: a revocation lost in one round is not written again by a later one.
    const pairs = Array.from({ length: ROUNDS }, () => [0, 1].map(() => startChild(t, REVOKER, [file], { stdin: true })));
    await waitUntil(() => pairs.flat().every((revoker) => revoker.output().includes('ready')), 'every process is ready', 60_000);
    const all: string[] = [];
    for (const [round, pair] of pairs.entries()) {
      const ids = pair.map((_, index) => `r${round}-p${index}`);
      all.push(...ids);
      pair.forEach((revoker, index) => revoker.child.stdin!.write(`revoke ${ids[index]}\ncheck ${ids.join(',')}\n`));
      for (const revoker of pair) {
        assert.equal(await revoker.exit(), 0, revoker.errors());
        assert.match(revoker.output(), /sees 2\n$/, `each process of round ${round} holds both revocations`);
      }
    }

    const restarted = await FileRevocationStore.open(file, { pollIntervalMs: 3_600_000 });
    t.after(() => restarted.close());
    for (const tokenId of all) assert.equal(restarted.isRevoked(token(tokenId)), true, `${tokenId} is revoked after a restart`);
  });
});
