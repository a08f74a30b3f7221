import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describe, it, type TestContext } from 'node:test';
import { cli } from './cli-run';
import { capsFileWith } from '../fixtures/temp-folder';
import { CLIENTS_CAPS } from '../fixtures/clients-caps';
import { answerWhen } from '../fixtures/wait-until';
import { hashClientSecret } from '../../src/clients/client';
import type { AuditEntry } from '../../src/audit/audit-log';
import { startExample } from '../support/example-server';

const capsFile = (t: TestContext): string => capsFileWith(t, CLIENTS_CAPS);

interface ListedClient {
  readonly client_id: string;
  readonly account: string;
  readonly name: string;
  readonly created_by: string;
  readonly scope: string | null;
}

describe('nest-capabilities clients', () => {
  it('creates a client whose secret is printed once and stored as a hash, lists it, and revokes it, each in the audit trail', async (t) => {
    const caps = capsFile(t);
    const created = await cli(['clients', 'create', 'bot@service', '--name', 'nightly', '--caps', caps, '--json']);
    assert.equal(created.status, 0, created.err);
    const answer = JSON.parse(created.out) as { client_id: string; client_secret: string; account: string; name: string };
    assert.match(answer.client_secret, /^ncs_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([answer.account, answer.name], ['bot@service', 'nightly']);
    const stored = readFileSync(`${caps}.clients.json`, 'utf8');
    assert.ok(!stored.includes(answer.client_secret.slice(4)) && stored.includes(hashClientSecret(answer.client_secret)));

    const listed = JSON.parse((await cli(['clients', 'list', '--caps', caps, '--json'])).out) as { clients: ListedClient[] };
    assert.deepEqual(listed.clients.map(({ client_id, account, name, created_by, scope }) => ({ client_id, account, name, created_by, scope })), [
      { client_id: answer.client_id, account: 'bot@service', name: 'nightly', created_by: `cli:${userInfo().username}`, scope: null },
    ]);
    const text = await cli(['clients', 'list', '--caps', caps]);
    assert.ok(text.out.startsWith(`${answer.client_id}: bot@service "nightly"`), text.out);

    assert.equal((await cli(['clients', 'revoke', answer.client_id, '--caps', caps])).out, `revoked ${answer.client_id}`);
    assert.equal((await cli(['clients', 'list', '--caps', caps])).out, '');
    const audit = readFileSync(`${caps}.audit.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
    assert.deepEqual(audit.map((entry) => [entry.action, entry.target, entry.outcome]), [
      ['client_create', 'bot@service', 'ok'],
      ['client_revoke', `client:${answer.client_id}`, 'ok'],
    ]);
  });

  it('refuses a person, an unknown account, an unknown client, a bad scope and bad usage, storing nothing', async (t) => {
    const caps = capsFile(t);
    for (const [argv, code] of [
      [['clients', 'create', 'bob@example.com'], 'SERVICE_ACCOUNT_REQUIRED'],
      [['clients', 'create', 'ghost@service'], 'UNKNOWN_ACCOUNT'],
      [['clients', 'create', 'bot@service', '--scope', 'shop:'], 'SCOPE_INVALID'],
      [['clients', 'revoke', 'ncc_nobody'], 'CLIENT_UNKNOWN'],
    ] as const) {
      const run = await cli([...argv, '--caps', caps]);
      assert.equal(run.status, 1, run.out);
      assert.match(run.err, new RegExp(code));
    }
    assert.equal((await cli(['clients', 'list', '--caps', caps, '--json'])).out, '{"clients":[]}');
    assert.equal((await cli(['clients', 'list', '--name', 'x', '--caps', caps])).status, 2);
    assert.equal((await cli(['clients', 'create', '--caps', caps])).status, 2);
    assert.equal((await cli(['clients', 'rename', '--caps', caps])).status, 2);
  });

  it('makes a client the running app grants tokens to, and a scoped one that holds nothing outside its scope', async () => {
    const example = await startExample({ caps: CLIENTS_CAPS });
    try {
      const created = await cli(['clients', 'create', 'bot@service', '--caps', example.capsFile, '--scope', 'shop:paris', '--json']);
      assert.equal(created.status, 0, created.err);
      const { client_id: clientId, client_secret: secret, scope } = JSON.parse(created.out) as { client_id: string; client_secret: string; scope: string };
      assert.equal(scope, 'shop:paris');
      // The app reads the client file again when it changes (within a poll).
      const granted = await answerWhen(
        () => example.client().postForm('/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
        (reply) => reply.status === 200,
        'the app grants a token to the new client',
      );
      const asBot = example.client().withToken(granted.json.access_token as string);
      assert.equal((await asBot.get('/shops/paris/bake')).status, 200);
      assert.equal((await asBot.get('/shops/lyon/bake')).status, 403);
      assert.equal((await asBot.get('/bake?food=rye')).status, 403, 'a client limited to a scope holds nothing globally');
    } finally {
      await example.close();
    }
  });
});
