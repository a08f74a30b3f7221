import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuditRecorder } from '../../../src/audit/audit-recorder';
import { MemoryAuditLog } from '../../../src/audit/audit-log';
import type { Principal } from '../../../src/capabilities/principal';
import { CapabilityService } from '../../../src/nest/capability.service';
import type { GrantEdit } from '../../../src/stores/capability-store';
import { redisKeys } from '../../../src/stores/redis/redis-keys';
import type { RedisStores } from '../../../src/stores/redis';
import { capsFileWith } from '../../fixtures/temp-folder';
import { SeededRandom } from '../../fixtures/seeded-random';
import { waitUntil } from '../../fixtures/wait-until';
import { rawRedis, redisTestPrefix } from '../../support/redis-test';
import { TcpProxy } from '../../support/tcp-proxy';
import { add, grant, openInstance, remove, removeAdmin, stopFollowing, TWO_ADMINS_CAPS } from './redis-fixtures';

// What an answer says an account holds must be what Redis holds right after it, even when
// the instance that answers has not yet seen a change made through another one.
describe('Redis stores: every answer judged on the newest state', () => {
  test('a removal that looks like a no-op on an out-of-date copy is written', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(b);
    await a.capabilities.update(grant('dan@example.com', ['write']));
    const answered = await b.capabilities.update(remove('dan@example.com', 'write'));
    assert.deepEqual(answered.stored('dan@example.com'), []);
    assert.equal(await rawRedis(t).hget(redisKeys(prefix).users, 'dan@example.com'), '[]');
  });

  test('a grant that looks like a no-op on an out-of-date copy is written', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await stopFollowing(b);
    await a.capabilities.update(grant('bob@example.com', []));
    const answered = await b.capabilities.update(add('bob@example.com', 'write'));
    assert.deepEqual(answered.stored('bob@example.com'), ['write']);
    assert.equal(await rawRedis(t).hget(redisKeys(prefix).users, 'bob@example.com'), '["write"]');
  });

  test('a refusal that an out-of-date copy would make (LAST_ADMIN) is judged on the store', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await a.capabilities.update(grant('carol@example.com', []));
    await waitUntil(() => b.capabilities.current().adminAccounts().length === 1, 'B sees alice as the only admin');
    await stopFollowing(b);
    await a.capabilities.update(grant('dan@example.com', ['admin']));
    const answered = await b.capabilities.update(removeAdmin('alice@example.com', 'alice@example.com'));
    assert.deepEqual(answered.stored('alice@example.com'), []);
    assert.equal(await rawRedis(t).hget(redisKeys(prefix).users, 'alice@example.com'), '[]');
  });

  test('a manager whose user_management was just removed through another instance manages no more', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    await a.capabilities.update(grant('mia@example.com', ['user_management', 'write']));
    await waitUntil(() => b.capabilities.current().can('mia@example.com', 'user_management'), 'B sees mia as a manager');
    await stopFollowing(b);
    await a.capabilities.update(grant('mia@example.com', ['write']));
    const service = new CapabilityService(b.capabilities, new AuditRecorder(new MemoryAuditLog()));
    const mia: Principal = { email: 'mia@example.com', kind: 'user', via: 'session' };
    await assert.rejects(service.change(mia, 'bob@example.com', { kind: 'add', capability: 'read' }), { code: 'CAPABILITY_MISSING' });
    assert.equal(await rawRedis(t).hget(redisKeys(prefix).users, 'bob@example.com'), '["write"]', 'nothing was written for bob');
  });

  test('thousands of changes, each followed at once by its inverse through the other instance: the store holds what the answers said', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const { stores: a } = await openInstance(t, file, prefix);
    const { stores: b } = await openInstance(t, file, prefix);
    const random = new SeededRandom(22);
    const capabilities = ['read', 'write', 'user_management'];
    const accounts = ['p1@example.com', 'p2@example.com', 'p3@example.com', 'p4@example.com'];
    const expected = new Map<string, readonly string[]>(accounts.map((email) => [email, []]));
    const mismatches: string[] = [];

    // One lane per account, run side by side: within a lane each write waits for the answer before it.
    await Promise.all(
      accounts.map(async (email) => {
        for (let pair = 0; pair < 500; pair++) {
          const [first, second] = random.next() < 0.5 ? [a, b] : [b, a];
          const before = expected.get(email)!;
          const [change, inverse] = changeAndInverse(email, before, random, capabilities);
          for (const [instance, step] of [
            [first, change],
            [second, inverse],
          ] as const) {
            const answered = (await instance.capabilities.update(step.edit)).stored(email);
            if (!sameList(answered, step.after)) mismatches.push(`${email} ${step.what}: answered ${JSON.stringify(answered)}, expected ${JSON.stringify(step.after)}`);
            expected.set(email, step.after);
          }
        }
      }),
    );

    assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} answers differed from the state they were judged on`);
    const stored = await rawRedis(t).hgetall(redisKeys(prefix).users);
    for (const email of accounts) assert.deepEqual(JSON.parse(stored[email] ?? '[]'), expected.get(email), `Redis holds what the last answer for ${email} said`);
    await waitUntil(() => accounts.every((email) => converged(a, email, expected) && converged(b, email, expected)), 'both instances hold the final state');
  });
});

describe('Redis stores: writes during an outage', () => {
  test('cut off from Redis, every write answers STORE_UNAVAILABLE, no-ops and refusals too; bad input keeps its own code', async (t) => {
    const prefix = redisTestPrefix(t);
    const file = capsFileWith(t, TWO_ADMINS_CAPS);
    const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
    const { stores: cut } = await openInstance(t, file, prefix, { url: proxy.url });
    await cut.capabilities.update(grant('carol@example.com', []));
    proxy.cut();
    const writes: [string, GrantEdit][] = [
      ['add what the copy says is held', add('bob@example.com', 'write')],
      ['remove what the copy says is not held', remove('bob@example.com', 'read')],
      ['set the same list', grant('bob@example.com', ['write'])],
      ['a real change', add('bob@example.com', 'user_management')],
      ['a refusal the copy would make (LAST_ADMIN)', removeAdmin('alice@example.com', 'alice@example.com')],
    ];
    for (const [what, edit] of writes) await assert.rejects(cut.capabilities.update(edit), { code: 'STORE_UNAVAILABLE' }, what);
    await assert.rejects(cut.capabilities.update(grant('bob@example.com', ['fly'])), { code: 'UNKNOWN_CAPABILITY' });
    await assert.rejects(cut.capabilities.linkIdentity('github:1001', 'bob@example.com'), { code: 'STORE_UNAVAILABLE' }, 'a link already in place');
  });
});

interface Step {
  readonly what: string;
  readonly edit: GrantEdit;
  readonly after: readonly string[];
}

/** A random change of `email`'s grants (no-ops included) and the change that undoes it. */
function changeAndInverse(email: string, before: readonly string[], random: SeededRandom, capabilities: readonly string[]): [Step, Step] {
  const capability = random.pick(capabilities);
  switch (random.below(3)) {
    case 0: {
      const after = before.includes(capability) ? before : [...before, capability];
      return [
        { what: `add ${capability}`, edit: add(email, capability), after },
        { what: `remove ${capability}`, edit: remove(email, capability), after: after.filter((name) => name !== capability) },
      ];
    }
    case 1: {
      const after = before.filter((name) => name !== capability);
      return [
        { what: `remove ${capability}`, edit: remove(email, capability), after },
        { what: `add ${capability}`, edit: add(email, capability), after: [...after, capability] },
      ];
    }
    default: {
      const list = capabilities.filter(() => random.next() < 0.5);
      return [
        { what: `set ${list.join(',')}`, edit: grant(email, list), after: list },
        { what: `set ${before.join(',')}`, edit: grant(email, before), after: before },
      ];
    }
  }
}

function converged(stores: RedisStores, email: string, expected: ReadonlyMap<string, readonly string[]>): boolean {
  return sameList(stores.capabilities.current().stored(email), expected.get(email)!);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
