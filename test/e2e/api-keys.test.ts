import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MANAGERS_CAPS } from '../fixtures/managers-caps';
import { waitUntil } from '../fixtures/wait-until';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

const NINETY_DAYS = 90 * 86400;

/** A key as GET /manage_capabilities/keys lists it. */
interface ListedKey {
  readonly name: string;
  readonly capabilities: string[];
  readonly created_by: string;
  readonly scope: string | null;
}

for (const adapter of ADAPTERS) {
  describe(`API keys on ${adapter}`, () => {
    let example: RunningExample;
    let root: HttpClient;
    let lead: HttpClient;
    let bob: HttpClient;
    const keyFile = (): string => readFileSync(`${example.capsFile}.keys.json`, 'utf8');

    before(async () => {
      example = await startExample({ adapter, caps: MANAGERS_CAPS });
      root = await example.signedIn('root@example.com');
      lead = await example.signedIn('lead@example.com');
      bob = await example.signedIn('bob@example.com');
    });
    after(() => example.close());

    it('creates a key shown once, stores only its hash, and the key authenticates as itself', async () => {
      const before = Math.floor(Date.now() / 1000);
      const reply = await lead.post('/manage_capabilities/keys', { name: 'oven', capabilities: ['bake'], note: 'the oven robot' });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(reply.json).sort(), ['capabilities', 'expires_at', 'key', 'name', 'status']);
      const { key } = reply.json as { key: string };
      assert.match(key, /^nck_[A-Za-z0-9_-]{43}$/, 'nck_ and 256 random bits');
      assert.equal(reply.json.name, 'oven');
      assert.deepEqual(reply.json.capabilities, ['bake']);
      const expiresAt = reply.json.expires_at as number;
      assert.ok(expiresAt >= before + NINETY_DAYS && expiresAt <= before + NINETY_DAYS + 5, 'expires in 90 days by default');

      const stored = keyFile();
      assert.ok(!stored.includes(key) && !stored.includes(key.slice(4)), 'the key itself is never stored');
      assert.ok(stored.includes(createHash('sha256').update(key).digest('base64url')), 'its SHA-256 is');

      const asKey = example.client().withToken(key);
      const whoami = await asKey.get('/whoami');
      assert.deepEqual(whoami.json, { user: 'key:oven', capabilities: ['bake', 'read'], scopes: {} });
      const baked = await asKey.get('/bake?food=bread');
      assert.equal(baked.status, 200);
      assert.deepEqual(baked.json, { baked: 'bread', by: 'key:oven' }, '@CurrentUser() names the key');
      expectDenial(await asKey.get('/arrest'), 403, 'CAPABILITY_MISSING', 'nothing beyond its own capabilities');
    });

    it('judges a key on its own capabilities only: no defaults, no account', async () => {
      const reply = await root.post('/manage_capabilities/keys', { name: 'arrester', capabilities: ['arrest'] });
      const whoami = await example.client().withToken(reply.json.key as string).get('/whoami');
      assert.deepEqual(whoami.json, { user: 'key:arrester', capabilities: ['arrest', 'read'], scopes: {} });
    });

    it('refuses a key carrying more than its creator holds, and stores nothing', async () => {
      const before = keyFile();
      const reply = await lead.post('/manage_capabilities/keys', { name: 'escalate', capabilities: ['arrest'] });
      assert.equal(reply.status, 403);
      assert.equal(reply.json.code, 'GRANT_FORBIDDEN');
      const admin = await lead.post('/manage_capabilities/keys', { name: 'escalate', capabilities: ['admin'] });
      assert.equal(admin.json.code, 'GRANT_FORBIDDEN');
      assert.equal(keyFile(), before);
    });

    it('refuses bad input with 400 and stores nothing', async () => {
      const before = keyFile();
      const cases: [unknown, string][] = [
        [{ name: 'x', capabilities: ['no_such_thing'] }, 'UNKNOWN_CAPABILITY'],
        [{ name: 'x', capabilities: [] }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: 'read' }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: ['read'], expires_in: -5 }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: ['read'], expires_in: 1.5 }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: ['read'], expires_in: '30d' }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: ['read'], expires_in: 'never' }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: ['read'], note: 42 }, 'INVALID_REQUEST'],
        [{ name: 'bad name!', capabilities: ['read'] }, 'INVALID_REQUEST'],
        [{ name: 'x', capabilities: ['read'], extra: true }, 'INVALID_REQUEST'],
        [{ capabilities: ['read'] }, 'INVALID_REQUEST'],
      ];
      for (const [body, code] of cases) {
        const reply = await root.post('/manage_capabilities/keys', body);
        assert.equal(reply.status, 400, `${JSON.stringify(body)}: ${reply.text}`);
        assert.equal(reply.json.code, code, JSON.stringify(body));
      }
      const never = await root.post('/manage_capabilities/keys', { name: 'x', capabilities: ['read'], expires_in: 'never' });
      assert.equal(never.json.message, 'keys that never expire are not allowed by this application');
      assert.equal(keyFile(), before);
    });

    it('refuses a name or note that is not well-formed text with 400 INPUT_INVALID naming the field, and stores nothing', async () => {
      const before = keyFile();
      const cases: [Record<string, unknown>, string][] = [
        [{ name: 'cut', capabilities: ['read'], note: 'deploy \ud83d' }, 'note'],
        [{ name: 'nul', capabilities: ['read'], note: 'a\u0000b' }, 'note'],
        [{ name: 'forged', capabilities: ['read'], note: 'x\r\u001b[2K2026-01-01T00:00:00.000Z ok root@example.com add mallory@example.com\nfake' }, 'note'],
        [{ name: 'csi', capabilities: ['read'], note: 'x\u009b2K' }, 'note'],
        [{ name: 'esc\u001b[2K', capabilities: ['read'] }, 'name'],
        [{ name: 'half\udc00', capabilities: ['read'] }, 'name'],
      ];
      for (const [body, field] of cases) {
        const reply = await root.post('/manage_capabilities/keys', body);
        assert.equal(reply.status, 400, `${JSON.stringify(body)}: ${reply.text}`);
        assert.equal(reply.json.code, 'INPUT_INVALID', JSON.stringify(body));
        assert.match(reply.json.message as string, new RegExp(`^"${field}" must be well-formed text: it holds `), JSON.stringify(body));
      }
      assert.equal(keyFile(), before);

      const kept = 'CI\tdeploys 🚀 "quoted" \\ ok';
      assert.equal((await root.post('/manage_capabilities/keys', { name: 'emoji', capabilities: ['read'], note: kept })).status, 200);
      const stored = (JSON.parse(keyFile()) as { keys: { name: string; note: string }[] }).keys.find((key) => key.name === 'emoji');
      assert.equal(stored?.note, kept, 'tab, 4-byte emoji, quotes and backslashes are kept as sent');
    });

    it('refuses a second live key of the same name with 409', async () => {
      assert.equal((await root.post('/manage_capabilities/keys', { name: 'twin', capabilities: ['read'] })).status, 200);
      const before = keyFile();
      const again = await root.post('/manage_capabilities/keys', { name: 'twin', capabilities: ['read'] });
      assert.equal(again.status, 409);
      assert.equal(again.json.code, 'KEY_EXISTS');
      assert.equal(keyFile(), before);
    });

    it('lists keys without any secret', async () => {
      const reply = await root.get('/manage_capabilities/keys');
      assert.equal(reply.status, 200);
      assert.equal(reply.json.status, 'ok');
      const oven = (reply.json.keys as ListedKey[]).find((key) => key.name === 'oven');
      assert.ok(oven !== undefined, reply.text);
      assert.deepEqual(Object.keys(oven).sort(), ['capabilities', 'created_at', 'created_by', 'expires_at', 'name', 'scope']);
      assert.equal(oven.scope, null);
      assert.equal(oven.created_by, 'lead@example.com');
      assert.deepEqual(oven.capabilities, ['bake']);
      assert.ok(!reply.text.includes('nck_') && !reply.text.includes('hash'));
    });

    it('revokes a key at once: its next use is 401 TOKEN_REVOKED, and the name is free again', async () => {
      const created = await root.post('/manage_capabilities/keys', { name: 'short-lived', capabilities: ['read'] });
      const asKey = example.client().withToken(created.json.key as string);
      assert.equal((await asKey.get('/menu')).status, 200);
      const reply = await root.post('/manage_capabilities/keys/revoke', { name: 'short-lived' });
      assert.deepEqual(reply.json, { status: 'ok', name: 'short-lived' });
      for (const path of ['/menu', '/whoami']) {
        const refused = await asKey.get(path);
        assert.equal(refused.status, 401, path);
        assert.equal(refused.json.code, 'TOKEN_REVOKED', path);
      }
      assert.ok(!((await root.get('/manage_capabilities/keys')).json.keys as ListedKey[]).some((key) => key.name === 'short-lived'));
      assert.equal((await root.post('/manage_capabilities/keys', { name: 'short-lived', capabilities: ['read'] })).status, 200);
    });

    it('refuses a manager the revocation of a key carrying more than they hold with 403 GRANT_FORBIDDEN, audited, and the key keeps working', async () => {
      const admin = await root.post('/manage_capabilities/keys', { name: 'root-admin', capabilities: ['admin'] });
      const arrest = await root.post('/manage_capabilities/keys', { name: 'root-arrest', capabilities: ['arrest'] });
      const before = keyFile();
      for (const name of ['root-admin', 'root-arrest']) {
        const refused = await lead.post('/manage_capabilities/keys/revoke', { name });
        expectDenial(refused, 403, 'GRANT_FORBIDDEN', name);
        assert.match(refused.json.message as string, /^you may not revoke an API key carrying "(admin|arrest)".*, which you do not hold$/, name);
      }
      assert.equal(keyFile(), before, 'nothing revoked');
      for (const created of [admin, arrest]) assert.equal((await example.client().withToken(created.json.key as string).get('/menu')).status, 200);
      const audited = (await root.get('/manage_capabilities/audit?email=key:root-admin')).json.entries as { actor: string; action: string; outcome: string; detail: string }[];
      assert.deepEqual([audited[0]?.actor, audited[0]?.action, audited[0]?.outcome], ['lead@example.com', 'key_revoke', 'refused']);
      assert.match(audited[0]!.detail, /GRANT_FORBIDDEN/);

      const bake = await root.post('/manage_capabilities/keys', { name: 'root-bake', capabilities: ['bake'] });
      assert.equal((await lead.post('/manage_capabilities/keys/revoke', { name: 'root-bake' })).status, 200, 'a key carrying only what lead holds');
      expectDenial(await example.client().withToken(bake.json.key as string).get('/menu'), 401, 'TOKEN_REVOKED');
      assert.equal((await root.post('/manage_capabilities/keys/revoke', { name: 'root-admin' })).status, 200, 'the admin may');
    });

    it('answers 404 for revoking a key that does not exist', async () => {
      const reply = await root.post('/manage_capabilities/keys/revoke', { name: 'never-made' });
      assert.equal(reply.status, 404);
      assert.equal(reply.json.code, 'KEY_UNKNOWN');
    });

    it('refuses an unknown key and an expired one with 401', async () => {
      const unknown = await example.client().withToken(`nck_${'A'.repeat(43)}`).get('/menu');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.json.code, 'TOKEN_INVALID');

      // A key whose expiry has passed, written as another instance would have written it.
      const key = `nck_${'e'.repeat(43)}`;
      const file = JSON.parse(keyFile()) as { keys: unknown[] };
      const past = Math.floor(Date.now() / 1000) - 10;
      file.keys.push({ name: 'old', hash: createHash('sha256').update(key).digest('base64url'), capabilities: ['read'], expires_at: past, created_by: 'root@example.com', created_at: past - 100, note: '', revoked_at: null });
      writeFileSync(`${example.capsFile}.keys.json`, JSON.stringify(file));
      const asKey = example.client().withToken(key);
      await waitUntil(async () => (await asKey.get('/menu')).json.code === 'TOKEN_EXPIRED', 'the expired key is refused');
      expectDenial(await asKey.get('/menu'), 401, 'TOKEN_EXPIRED');
    });

    it('keeps keys to holders of user_management', async () => {
      for (const [method, path, body] of [
        ['POST', '/manage_capabilities/keys', { name: 'mine', capabilities: ['read'] }],
        ['GET', '/manage_capabilities/keys', undefined],
        ['POST', '/manage_capabilities/keys/revoke', { name: 'oven' }],
      ] as const) {
        const denied = method === 'GET' ? await bob.get(path) : await bob.post(path, body);
        expectDenial(denied, 403, 'CAPABILITY_MISSING', path);
        const guest = method === 'GET' ? await example.client().get(path) : await example.client().post(path, body);
        expectDenial(guest, 401, 'SIGN_IN_REQUIRED', path);
      }
    });

    it('gives a key no user token: it is a credential of its own', async () => {
      const created = await root.post('/manage_capabilities/keys', { name: 'no-token', capabilities: ['read'] });
      expectDenial(await example.client().withToken(created.json.key as string).get('/token'), 403, 'SESSION_REQUIRED');
    });
  });
}

describe('API keys across instances and configurations', () => {
  let first: RunningExample;
  let second: RunningExample;

  before(async () => {
    first = await startExample({ caps: MANAGERS_CAPS, env: { API_KEYS_MAY_NEVER_EXPIRE: 'true' } });
    second = await startExample({ caps: MANAGERS_CAPS, env: { CAPS_FILE: first.capsFile } });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it('creates a key that never expires only where the application allows it', async () => {
    const root = await first.signedIn('root@example.com');
    const reply = await root.post('/manage_capabilities/keys', { name: 'forever', capabilities: ['read'], expires_in: 'never' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.expires_at, null);
  });

  it('revokes a key through one instance and the other refuses it too', async () => {
    const root = await first.signedIn('root@example.com');
    const { key } = (await root.post('/manage_capabilities/keys', { name: 'shared', capabilities: ['read'], expires_in: 3600 })).json as { key: string };
    const onSecond = second.client().withToken(key);
    await waitUntil(async () => (await onSecond.get('/menu')).status === 200, 'the other instance knows the key');
    assert.equal((await root.post('/manage_capabilities/keys/revoke', { name: 'shared' })).status, 200);
    await waitUntil(async () => (await onSecond.get('/menu')).json.code === 'TOKEN_REVOKED', 'the other instance refuses the revoked key');
  });
});
