import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CLIENTS_CAPS } from '../fixtures/clients-caps';
import { waitUntil } from '../fixtures/wait-until';
import { codeOf, expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { Reply } from '../support/http-client';
import { TEST_REDIS_URL, deleteKeys } from '../support/redis-test';

/** How long a revocation made through one instance may take to be enforced by another (CONTRACT §5). */
const PROPAGATION_MS = 100;

for (const adapter of ADAPTERS) {
  describe(`OAuth clients in Redis, two instances, on ${adapter}`, () => {
    const prefix = `nest-capabilities-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
    let first: RunningExample;
    let second: RunningExample;

    before(async () => {
      // One BASE_URL for both, as behind a load balancer: a token issued by one is valid on the other.
      const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, BASE_URL: 'https://bakery.example.com' };
      first = await startExample({ adapter, caps: CLIENTS_CAPS, env });
      second = await startExample({ adapter, caps: CLIENTS_CAPS, env });
    });
    after(async () => {
      await second?.close();
      await first?.close();
      await deleteKeys(prefix);
    });

    const grant = (at: RunningExample, clientId: string, secret: string): Promise<Reply> =>
      at.client().postForm('/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });

    it('makes a client on one instance, grants its tokens on the other, and refuses them on the other within 100 ms of its revocation', async () => {
      const root = await first.signedIn('root@example.com');
      const created = await root.post('/manage_capabilities/clients', { account: 'bot@service', name: 'shared' });
      assert.equal(created.status, 200, created.text);
      const clientId = created.json.client_id as string;
      const secret = created.json.client_secret as string;
      const granted = await (async () => {
        let reply = await grant(second, clientId, secret);
        await waitUntil(async () => (reply = await grant(second, clientId, secret)).status === 200, 'the other instance knows the new client');
        return reply;
      })();
      const asBot = second.client().withToken(granted.json.access_token as string);
      assert.equal((await asBot.get('/bake?food=rye')).status, 200);
      assert.equal((await first.client().withToken(granted.json.access_token as string).get('/bake?food=rye')).status, 200);
      const listed = await (await second.signedIn('root@example.com')).get('/manage_capabilities/clients');
      assert.deepEqual((listed.json.clients as { client_id: string }[]).map((client) => client.client_id), [clientId]);

      const revoked = await root.post('/manage_capabilities/clients/revoke', { client_id: clientId });
      assert.equal(revoked.status, 200, revoked.text);
      const start = performance.now();
      while (codeOf(await asBot.get('/bake?food=rye')) !== 'TOKEN_REVOKED') assert.ok(performance.now() - start < 5_000, 'refused in the end');
      const elapsed = performance.now() - start;
      assert.ok(elapsed <= PROPAGATION_MS, `refused by the other instance after ${elapsed.toFixed(1)} ms`);
      expectDenial(await asBot.get('/bake?food=rye'), 401, 'TOKEN_REVOKED');
      assert.equal((await grant(second, clientId, secret)).json.error, 'invalid_client');
      expectDenial(await (await second.signedIn('root@example.com')).post('/manage_capabilities/clients/revoke', { client_id: clientId }), 404, 'CLIENT_UNKNOWN');
    });
  });
}
