import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { bakeryCaps } from '../fixtures/caps-texts';
import { eventually } from '../fixtures/wait-until';
import { codeOf } from '../support/denial';
import { startExample, type RunningExample } from '../support/example-server';
import { FakeGoogleGitHub } from '../support/fake-google-github';
import { freePort } from '../support/free-port';
import type { HttpClient, Reply } from '../support/http-client';
import { fakeProviderEnvironment, signInThrough, whoami } from '../support/provider-sign-in';
import { deleteKeys, TEST_REDIS_URL } from '../support/redis-test';

const denial = async (reply: Promise<Reply>): Promise<unknown> => codeOf(await reply);

/** A client of `instance` carrying the cookies of `from`: the same browser, routed elsewhere by a load balancer. */
function sameBrowser(from: HttpClient, instance: RunningExample): HttpClient {
  const client = instance.client();
  for (const [name, value] of from.cookies) client.cookies.set(name, value);
  return client;
}

describe('POST /manage_capabilities/delete with two instances on one Redis', () => {
  const prefix = `nest-capabilities-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  let fake: FakeGoogleGitHub;
  let first: RunningExample;
  let second: RunningExample;

  before(async () => {
    fake = await FakeGoogleGitHub.start();
    const githubIssuer = `${fake.url}/github/login/oauth/authorize`;
    const caps = bakeryCaps({
      users: ['root@example.com: [admin]', 'baker@example.com: [bake]', 'bot@service: [bake]'],
      identities: [`${githubIssuer}#3000001: baker@example.com`],
    });
    // One BASE_URL for both, as behind a load balancer: tokens and cookies are valid on either.
    const env = fakeProviderEnvironment(fake, { AUTH_DEV_LOGIN: 'true', BASE_URL: `http://127.0.0.1:${await freePort()}`, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix });
    first = await startExample({ caps, env });
    second = await startExample({ caps, env });
  });
  after(async () => {
    await second?.close();
    await first?.close();
    await fake?.close();
    await deleteKeys(prefix);
  });

  it('ends on the other instance the account\'s tokens, sessions, service tokens and identity link', async () => {
    const baker = await second.signedIn('baker@example.com');
    const bakerToken = second.client().withToken(await baker.token());
    const rootAtSecond = second.client().withToken(await (await second.signedIn('root@example.com')).token());
    const minted = await rootAtSecond.get('/token?user=bot@service');
    assert.equal(minted.status, 200, minted.text);
    const bot = second.client().withToken(minted.json.service_token as string);
    fake.github = { id: 3000001, login: 'baker', email: null, emails: [{ email: 'baker-at-github@example.org', primary: true, verified: true }] };
    for (const client of [bakerToken, baker, bot]) assert.equal((await client.get('/bake')).status, 200);

    const root = first.client().withToken(await (await first.signedIn('root@example.com')).token());
    for (const email of ['baker@example.com', 'bot@service']) {
      const reply = await root.post('/manage_capabilities/delete', { email });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.deleted, true);
    }

    await eventually(
      async () =>
        (await denial(bakerToken.get('/bake'))) === 'TOKEN_REVOKED' &&
        (await denial(baker.get('/bake'))) === 'SIGN_IN_REQUIRED' &&
        (await denial(sameBrowser(baker, first).get('/bake'))) === 'SIGN_IN_REQUIRED' &&
        (await denial(bot.get('/bake'))) === 'TOKEN_REVOKED',
      'the second instance refuses every credential of the deleted accounts',
    );
    const users = (await rootAtSecond.get('/manage_capabilities/all')).json.users as Record<string, unknown>;
    assert.deepEqual(Object.keys(users).sort(), ['root@example.com']);
    const browser = second.client();
    assert.equal((await signInThrough(browser, 'github')).status, 302);
    assert.equal(await whoami(browser), 'baker-at-github@example.org', 'sign-in through the removed link no longer lands in the old account');
  });
});
