import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

interface Entry {
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
  outcome: string;
  scope: string | null;
}

for (const adapter of ADAPTERS) {
  describe(`audit log on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let lead: HttpClient;
    let bob: HttpClient;
    const newest = async (query = ''): Promise<Entry[]> => {
      const reply = await root.get(`/manage_capabilities/audit${query}`);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.status, 'ok');
      return reply.json.entries as Entry[];
    };

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      root = await example.signedIn('root@example.com');
      lead = await example.signedIn('lead@example.com');
      bob = await example.signedIn('bob@example.com');
    });
    after(() => example.close());

    it('records a grant with who, when, what and where, newest first', async () => {
      const started = Date.now();
      assert.equal((await lead.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'bake' })).status, 200);
      const [entry] = await newest();
      assert.deepEqual(Object.keys(entry!).sort(), ['action', 'actor', 'at', 'detail', 'outcome', 'scope', 'target']);
      assert.equal(entry!.scope, null);
      assert.equal(entry!.actor, 'lead@example.com');
      assert.equal(entry!.action, 'add');
      assert.equal(entry!.target, 'carol@example.com');
      assert.equal(entry!.outcome, 'ok');
      assert.match(entry!.detail, /^added bake \(on .+:\d+\)$/, 'what changed, and on which instance');
      assert.ok(Date.parse(entry!.at) >= started - 1000 && entry!.at.endsWith('Z'));
    });

    it('records removals and sets', async () => {
      await root.post('/manage_capabilities/set', { email: 'carol@example.com', capabilities: ['write', 'arrest'] });
      await root.post('/manage_capabilities/remove', { email: 'carol@example.com', capability: 'arrest' });
      const [removal, set] = await newest('?email=carol@example.com');
      assert.equal(removal!.action, 'remove');
      assert.match(removal!.detail, /^removed arrest /);
      assert.equal(set!.action, 'set');
      assert.match(set!.detail, /^added arrest, write; removed bake /);
    });

    it('records a refused escalation as refused, with the reason', async () => {
      const refused = await lead.post('/manage_capabilities/add', { email: 'carol@example.com', capability: 'arrest' });
      assert.equal(refused.json.code, 'GRANT_FORBIDDEN');
      const [entry] = await newest();
      assert.equal(entry!.outcome, 'refused');
      assert.equal(entry!.action, 'add');
      assert.match(entry!.detail, /^add arrest: refused, GRANT_FORBIDDEN: /);
    });

    it('records token revocations, account revocations and keys', async () => {
      const token = await bob.token();
      await bob.post('/token/revoke', { token });
      await root.post('/token/revoke_all', { email: 'bob@example.com' });
      await root.post('/manage_capabilities/keys', { name: 'audited', capabilities: ['read'] });
      await root.post('/manage_capabilities/keys/revoke', { name: 'audited' });
      await root.post('/manage_capabilities/keys/revoke', { name: 'audited' });
      const entries = await newest('?limit=5');
      assert.equal(entries.length, 5);
      assert.deepEqual(
        entries.map((entry) => [entry.action, entry.actor, entry.target, entry.outcome]),
        [
          ['key_revoke', 'root@example.com', 'key:audited', 'refused'],
          ['key_revoke', 'root@example.com', 'key:audited', 'ok'],
          ['key_create', 'root@example.com', 'key:audited', 'ok'],
          ['revoke_all', 'root@example.com', 'bob@example.com', 'ok'],
          ['revoke', 'bob@example.com', 'bob@example.com', 'ok'],
        ],
      );
      assert.ok(!JSON.stringify(entries).includes(token), 'never the token itself');
      assert.deepEqual((await newest('?email=key:audited')).map((entry) => entry.action), ['key_revoke', 'key_revoke', 'key_create']);
    });

    it('filters by target email (canonical) and limits', async () => {
      const entries = await newest('?email=Carol@Example.com&limit=2');
      assert.equal(entries.length, 2);
      assert.ok(entries.every((entry) => entry.target === 'carol@example.com'));
    });

    it('keeps the log to managers and refuses bad queries', async () => {
      const dave = await example.signedIn('dave@example.com');
      const denied = await dave.get('/manage_capabilities/audit');
      expectDenial(denied, 403, 'CAPABILITY_MISSING');
      expectDenial(await example.client().get('/manage_capabilities/audit'), 401, 'SIGN_IN_REQUIRED');
      for (const query of ['?limit=0', '?limit=abc', '?limit=100000', '?email=not-an-email', '?since=yesterday']) {
        const reply = await root.get(`/manage_capabilities/audit${query}`);
        assert.equal(reply.status, 400, query);
        assert.ok(['INVALID_REQUEST', 'INVALID_EMAIL'].includes(reply.json.code as string), query);
      }
    });

    it('keeps the trail as JSON Lines next to caps.yaml', () => {
      const lines = readFileSync(`${example.capsFile}.audit.jsonl`, 'utf8').trim().split('\n');
      const last = JSON.parse(lines.at(-1)!) as Entry & { instance: string };
      assert.equal(last.action, 'key_revoke');
      assert.match(last.instance, /:\d+$/);
    });
  });
}

describe('audit and key files', () => {
  let example: RunningExample;

  before(async () => {
    example = await startExample({ caps: MANAGERS_CAPS });
  });
  after(() => example.close());

  it('are created with the mode of the capability file', async () => {
    chmodSync(example.capsFile, 0o600);
    const root = await example.signedIn('root@example.com');
    assert.equal((await root.post('/manage_capabilities/keys', { name: 'mode', capabilities: ['read'] })).status, 200);
    assert.equal(statSync(`${example.capsFile}.keys.json`).mode & 0o777, 0o600);
    assert.equal(statSync(`${example.capsFile}.audit.jsonl`).mode & 0o777, 0o600);
  });
});
