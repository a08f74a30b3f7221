import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bakeryCaps } from '../fixtures/caps-texts';
import { answerWhen } from '../fixtures/wait-until';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { rawRedis, redisTestPrefix, TEST_REDIS_URL } from '../support/redis-test';
import type { HttpClient, Reply } from '../support/http-client';

const BOT_LINE = '  bot@service: [bake]';

for (const adapter of ADAPTERS) {
  describe(`tokens of deleted service accounts on ${adapter}`, () => {
    let example: RunningExample;
    let admin: HttpClient;

    before(async () => {
      example = await startExample({ adapter });
      admin = await example.signedIn('admin@example.com');
    });
    after(() => example.close());

    const mint = (email = 'bot@service'): Promise<Reply> => admin.get(`/token?user=${encodeURIComponent(email)}`);
    const bake = (token: string): Promise<Reply> => example.client().withToken(token).get('/bake');

    it('answers 404 UNKNOWN_ACCOUNT to a token for a service account that does not exist', async () => {
      const reply = await mint('ghost@service');
      assert.equal(reply.status, 404, reply.text);
      assert.equal(reply.json.code, 'UNKNOWN_ACCOUNT');
      assert.equal(reply.json.message, 'there is no service account ghost@service: add it to the capability file (users, pinned or scopes) first');
      assert.equal(reply.json.service_token, undefined);
    });

    it('refuses the tokens of a deleted account, and does not bring them back when it is re-created', async () => {
      const minted = await mint();
      assert.equal(minted.status, 200, minted.text);
      const old = minted.json.service_token as string;
      assert.equal((await bake(old)).status, 200);

      const text = readFileSync(example.capsFile, 'utf8');
      assert.ok(text.includes(BOT_LINE));
      writeFileSync(example.capsFile, text.replace(`${BOT_LINE}\n`, ''));
      const refused = await answerWhen(() => bake(old), (reply) => reply.status === 401, 'the deleted account’s token is refused');
      assert.equal(refused.json.code, 'TOKEN_REVOKED');
      const whoami = await example.client().withToken(old).get('/whoami');
      assert.notEqual(whoami.json.user, 'bot@service', 'not even the default capabilities');

      writeFileSync(example.capsFile, text);
      const fresh = await answerWhen(mint, (reply) => reply.status === 200, 'the re-created account can have a token again');
      const again = await bake(old);
      assert.equal(again.status, 401, again.text);
      assert.equal(again.json.code, 'TOKEN_REVOKED');
      assert.match(again.json.message as string, /revoked/);
      // iat has whole seconds: a token minted in the second of the cut-off is void too, a later one works.
      await answerWhen(async () => bake(fresh.json.service_token as string).then(async (reply) => (reply.status === 200 ? reply : bake((await mint()).json.service_token as string))), (reply) => reply.status === 200, 'a token minted after the re-creation works');
    });
  });
}

describe('tokens of deleted service accounts with the Redis stores', () => {
  it('records the cut-off in Redis when a pinned service account leaves the caps file', async (t) => {
    const prefix = redisTestPrefix(t);
    const pinned = 'ci@service: [bake]';
    const caps = bakeryCaps({ users: ['admin@example.com: [admin]'], pinned: [pinned] });
    const example = await startExample({ caps, env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } });
    // Closed before the prefix's keys are deleted (after hooks run once the test body is done).
    try {
      const admin = await example.signedIn('admin@example.com');
      const mint = (): Promise<Reply> => admin.get('/token?user=ci@service');
      const bake = (token: string): Promise<Reply> => example.client().withToken(token).get('/bake');
      const minted = await mint();
      assert.equal(minted.status, 200, minted.text);
      const old = minted.json.service_token as string;
      assert.equal((await bake(old)).status, 200);

      writeFileSync(example.capsFile, caps.replace(`  ${pinned}\n`, ''));
      const refused = await answerWhen(() => bake(old), (reply) => reply.status === 401, 'the token of the unpinned account is refused');
      assert.equal(refused.json.code, 'TOKEN_REVOKED');
      const redis = rawRedis(t);
      await answerWhen(() => redis.hget(`${prefix}revoked:accounts`, 'ci@service'), (cutOff) => cutOff !== null, 'the cut-off reaches Redis');

      writeFileSync(example.capsFile, caps);
      await answerWhen(mint, (reply) => reply.status === 200, 'the account is pinned again');
      const again = await bake(old);
      assert.equal(again.status, 401, again.text);
      assert.equal(again.json.code, 'TOKEN_REVOKED');
    } finally {
      await example.close();
    }
  });
});
