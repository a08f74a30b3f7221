import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { bakeryCaps } from '../fixtures/caps-texts';
import { eventually } from '../fixtures/wait-until';
import { expectDenial } from '../support/denial';
import { startExampleProcess } from '../support/example-process';
import { freePort } from '../support/free-port';
import type { HttpClient, Reply } from '../support/http-client';
import { deleteKeys, rawRedis, TEST_REDIS_URL } from '../support/redis-test';
import { TcpProxy } from '../support/tcp-proxy';

const CAPS = bakeryCaps({ users: ['root@example.com: [admin]', 'bob@example.com: [bake]'] });


const is = async (reply: Promise<Reply>, status: number, code?: string): Promise<boolean> => {
  const answer = await reply;
  return answer.status === status && (code === undefined || answer.json.code === code);
};

test('an instance cut off from Redis: writes 503 and never applied, last state served, 503 past the bound, catch-up after', async (t) => {
  const prefix = `nest-capabilities-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  t.after(() => deleteKeys(prefix));
  const proxy = await TcpProxy.start(t, { host: '127.0.0.1', port: 6379 });
  const env = { BASE_URL: `http://127.0.0.1:${await freePort()}`, REDIS_PREFIX: prefix, REDIS_MAX_STALENESS_SECONDS: '5' };
  const direct = await startExampleProcess(CAPS, { ...env, REDIS_URL: TEST_REDIS_URL });
  t.after(() => direct.stop());
  const cutOff = await startExampleProcess(CAPS, { ...env, REDIS_URL: proxy.url });
  t.after(() => cutOff.stop());

  const root = direct.client();
  assert.equal((await root.signIn('root@example.com')).status, 302);
  const rootAtCutOff: HttpClient = cutOff.client();
  for (const [name, value] of root.cookies) rootAtCutOff.cookies.set(name, value);
  const bobToken = await (async () => {
    const bob = direct.client();
    await bob.signIn('bob@example.com');
    return bob.token();
  })();
  const bob = cutOff.client().withToken(bobToken);
  assert.equal((await bob.get('/bake')).status, 200);

  proxy.cut();
  const started = Date.now();
  const refused = await rootAtCutOff.post('/manage_capabilities/add', { email: 'bob@example.com', capability: 'arrest' });
  assert.equal(refused.status, 503);
  assert.equal(refused.json.code, 'STORE_UNAVAILABLE');
  // The write may take the 1 s command timeout; five times that leaves room for a busy machine and
  // still tells a refusal from a write held until Redis is back (the proxy stays cut far longer).
  assert.ok(Date.now() - started < 5_000, `refused at once, not after ${Date.now() - started} ms`);
  for (const [route, capability] of [['add', 'bake'], ['remove', 'arrest']] as const) {
    expectDenial(await rootAtCutOff.post(`/manage_capabilities/${route}`, { email: 'bob@example.com', capability }), 503, 'STORE_UNAVAILABLE', `${route} ${capability}, a no-op on the copy, is not judged on it`);
  }
  assert.equal((await bob.get('/bake')).status, 200, 'the last known state is enforced');

  assert.equal((await root.post('/manage_capabilities/add', { email: 'bob@example.com', capability: 'user_management' })).status, 200);
  await eventually(() => is(bob.get('/bake'), 503, 'STORE_UNAVAILABLE'), 'a guarded route answers 503 past the staleness bound', 20_000);
  assert.equal((await cutOff.client().get('/opening-hours')).status, 200, 'public routes keep working');

  proxy.restore();
  await eventually(() => is(bob.get('/bake'), 200), 'the instance trusts its state again', 20_000);
  assert.equal((await cutOff.client().withToken(bobToken).get('/manage_capabilities/all')).status, 200, 'it caught up with the change made meanwhile');
  expectDenial(await bob.get('/arrest'), 403, 'CAPABILITY_MISSING', 'the write refused during the outage was never applied');
  assert.deepEqual(JSON.parse((await rawRedis(t).hget(`${prefix}users`, 'bob@example.com')) ?? 'null'), ['bake', 'user_management']);
});
