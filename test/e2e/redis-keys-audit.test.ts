import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { waitUntil } from '../fixtures/wait-until';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { TEST_REDIS_URL, deleteKeys } from '../support/redis-test';

for (const adapter of ADAPTERS) {
  describe(`API keys and the audit log in Redis, two instances, on ${adapter}`, () => {
    const prefix = `nest-capabilities-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
    let first: RunningExample;
    let second: RunningExample;

    before(async () => {
      const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
      first = await startExample({ adapter, caps: MANAGERS_CAPS, env });
      second = await startExample({ adapter, caps: MANAGERS_CAPS, env });
    });
    after(async () => {
      await second?.close();
      await first?.close();
      await deleteKeys(prefix);
    });

    it('keeps keys in Redis: made on one instance, used on the other, revoked on both at once', async () => {
      const root = await first.signedIn('root@example.com');
      const created = await root.post('/manage_capabilities/keys', { name: 'shared', capabilities: ['bake'] });
      assert.equal(created.status, 200, created.text);
      const onSecond = second.client().withToken(created.json.key as string);
      await waitUntil(async () => (await onSecond.get('/whoami')).json.user === 'key:shared', 'the second instance knows the key', 2_000);
      assert.equal((await onSecond.get('/bake')).status, 200);

      const taken = await (await second.signedIn('root@example.com')).post('/manage_capabilities/keys', { name: 'shared', capabilities: ['read'] });
      assert.equal(taken.status, 409);
      assert.equal(taken.json.code, 'KEY_EXISTS');

      assert.equal((await root.post('/manage_capabilities/keys/revoke', { name: 'shared' })).status, 200);
      await waitUntil(async () => (await onSecond.get('/bake')).json.code === 'TOKEN_REVOKED', 'the second instance refuses the revoked key', 1_000);
      const unknown = await root.post('/manage_capabilities/keys/revoke', { name: 'shared' });
      assert.equal(unknown.json.code, 'KEY_UNKNOWN');
    });

    it('refuses a manager the revocation of a key carrying more than they hold, on either instance, and the key keeps working', async () => {
      const root = await first.signedIn('root@example.com');
      const created = await root.post('/manage_capabilities/keys', { name: 'root-only', capabilities: ['admin'] });
      assert.equal(created.status, 200, created.text);
      const onFirst = first.client().withToken(created.json.key as string);
      const onSecond = second.client().withToken(created.json.key as string);
      await waitUntil(async () => (await onSecond.get('/whoami')).json.user === 'key:root-only', 'the second instance knows the key', 2_000);
      for (const instance of [first, second]) {
        const lead = await instance.signedIn('lead@example.com');
        expectDenial(await lead.post('/manage_capabilities/keys/revoke', { name: 'root-only' }), 403, 'GRANT_FORBIDDEN');
      }
      for (const client of [onFirst, onSecond]) assert.equal((await client.get('/arrest')).status, 200);
      const audited = (await root.get('/manage_capabilities/audit?email=key:root-only')).json.entries as { actor: string; action: string; outcome: string }[];
      assert.deepEqual(audited.slice(0, 2).map((entry) => [entry.actor, entry.action, entry.outcome]), [
        ['lead@example.com', 'key_revoke', 'refused'],
        ['lead@example.com', 'key_revoke', 'refused'],
      ]);
      assert.equal((await root.post('/manage_capabilities/keys/revoke', { name: 'root-only' })).status, 200);
      await waitUntil(async () => (await onSecond.get('/whoami')).json.code === 'TOKEN_REVOKED', 'the second instance refuses the revoked key', 1_000);
    });

    it('reads the audit trail from the change log, whichever instance made the change', async () => {
      const lead = await first.signedIn('lead@example.com');
      assert.equal((await lead.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'bake' })).status, 200);
      expectDenial(await lead.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'arrest' }), 403, 'GRANT_FORBIDDEN');
      const root = await second.signedIn('root@example.com');
      const reply = await root.get('/manage_capabilities/audit?email=carol@example.com');
      assert.equal(reply.status, 200);
      assert.deepEqual(
        (reply.json.entries as { action: string; actor: string; outcome: string }[]).map((entry) => [entry.action, entry.actor, entry.outcome]),
        [
          ['add', 'lead@example.com', 'refused'],
          ['add', 'lead@example.com', 'ok'],
        ],
      );
      const keys = await root.get('/manage_capabilities/audit?email=key:shared');
      assert.deepEqual(
        (keys.json.entries as { action: string; outcome: string }[]).map((entry) => [entry.action, entry.outcome]),
        [
          ['key_revoke', 'refused'],
          ['key_revoke', 'ok'],
          ['key_create', 'refused'],
          ['key_create', 'ok'],
        ],
      );
    });
  });
}
