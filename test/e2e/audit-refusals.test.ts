import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../../src/stores/redis/redis-keys';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { deleteKeys, TEST_REDIS_URL } from '../support/redis-test';

interface Entry {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
}

const REFUSALS = 60;
const row = (entry: Entry): string => `${entry.outcome} ${entry.action} ${entry.target} by ${entry.actor}`;
const rows = (entries: readonly Entry[]): string[] => entries.map(row);

/** Where each mode keeps the trail and the refusals kept apart: the entries of each, oldest first. */
interface Shelves {
  trail(): Promise<string[]>;
  refusals(): Promise<number>;
}

const fileShelves = (example: RunningExample): Shelves => {
  const lines = (file: string): Entry[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Entry);
  return {
    trail: async () => rows(lines(`${example.capsFile}.audit.jsonl`)),
    refusals: async () => lines(`${example.capsFile}.audit-refused.jsonl`).length,
  };
};

const redisShelves = (redis: Redis, prefix: string): Shelves => {
  const keys = redisKeys(prefix);
  const entries = async (stream: string): Promise<Entry[]> =>
    ((await redis.xrange(stream, '-', '+')) as [string, string[]][]).map(([, fields]) => JSON.parse(fields[fields.indexOf('entry') + 1]!) as Entry);
  return {
    trail: async () => rows(await entries(keys.audit)),
    refusals: async () => (await entries(keys.auditRefused)).length,
  };
};

for (const adapter of ADAPTERS) {
  for (const mode of ['file', 'redis'] as const) {
    describe(`refusals of non-managers kept apart from the audit trail, ${mode} mode, on ${adapter}`, () => {
      const prefix = `nest-capabilities-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
      let example: RunningExample;
      let redis: Redis | undefined;
      let shelves: Shelves;

      before(async () => {
        example = await startExample({ adapter, caps: MANAGERS_CAPS, env: mode === 'redis' ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {} });
        redis = mode === 'redis' ? new Redis(TEST_REDIS_URL) : undefined;
        shelves = redis === undefined ? fileShelves(example) : redisShelves(redis, prefix);
      });
      after(async () => {
        await example?.close();
        redis?.disconnect();
        if (mode === 'redis') await deleteKeys(prefix);
      });

      it('keeps the trail to changes and managers\' refusals, whatever a signed-in user without user_management asks, and shows both', async () => {
        const root = await example.signedIn('root@example.com');
        const lead = await example.signedIn('lead@example.com');
        const bob = await example.signedIn('bob@example.com');
        assert.equal((await root.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'arrest' })).status, 200);
        expectDenial(await lead.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'racket' }), 403, 'GRANT_FORBIDDEN');
        for (let burst = 0; burst < REFUSALS / 20; burst++) {
          const replies = await Promise.all(Array.from({ length: 20 }, () => bob.post('/token/revoke_all', { email: 'root@example.com' })));
          for (const reply of replies) expectDenial(reply, 403, 'CAPABILITY_MISSING');
        }

        assert.deepEqual(await shelves.trail(), ['ok add carol@example.com by root@example.com', 'refused add carol@example.com by lead@example.com']);
        assert.equal(await shelves.refusals(), REFUSALS);
        const shown = (await root.get('/manage_capabilities/audit?limit=1000')).json.entries as Entry[];
        assert.equal(shown.length, REFUSALS + 2);
        assert.deepEqual(rows(shown.slice(-2)), ['refused add carol@example.com by lead@example.com', 'ok add carol@example.com by root@example.com']);
        assert.ok(shown.slice(0, REFUSALS).every((entry) => row(entry) === 'refused revoke_all root@example.com by bob@example.com'));
      });
    });
  }
}
