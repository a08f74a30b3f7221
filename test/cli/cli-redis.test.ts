import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { cli } from './cli-run';
import { readWriteCaps } from '../fixtures/caps-texts';
import { capsFileWith } from '../fixtures/temp-folder';
import { waitUntil } from '../fixtures/wait-until';
import { codeOf } from '../support/denial';
import { startExample } from '../support/example-server';
import { rawRedis, redisTestPrefix, TEST_REDIS_URL } from '../support/redis-test';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import type { AuditEntry } from '../../src/audit/audit-log';
import { RedisStores } from '../../src/stores/redis';

const CAPS = readWriteCaps({
  users: ['alice@example.com: [admin]', 'bot@service: [write]'],
  identities: ['"github:1001": alice@example.com'],
});

function setUp(t: TestContext): { caps: string; folder: string; shared: string[] } {
  const caps = capsFileWith(t, CAPS);
  return { caps, folder: dirname(caps), shared: ['--caps', caps, '--redis', TEST_REDIS_URL, '--prefix', redisTestPrefix(t)] };
}

describe('nest-capabilities on a shared store (--redis, --prefix)', () => {
  it('grants, revokes and lists the accounts kept in Redis, seeded from the caps file', async (t) => {
    const { shared } = setUp(t);
    assert.deepEqual(await cli(['grant', 'bob@example.com', 'write', ...shared]), { status: 0, out: 'bob@example.com: write', err: '' });
    const listed = await cli(['list', '--json', ...shared]);
    assert.deepEqual(JSON.parse(listed.out), { users: { 'alice@example.com': ['admin'], 'bob@example.com': ['write'], 'bot@service': ['write'] } });
    assert.equal((await cli(['revoke', 'bob@example.com', 'write', ...shared])).out, 'bob@example.com: (nothing stored)');
  });

  it('grants, revokes and lists at a scope with --scope, shared with a running instance', async (t) => {
    const { shared, caps } = setUp(t);
    const prefix = shared[shared.length - 1]!;
    assert.deepEqual(await cli(['grant', 'bob@example.com', 'write', 'user_management', '--scope', 'shop:paris', ...shared]), {
      status: 0,
      out: 'bob@example.com at shop:paris: user_management, write',
      err: '',
    });
    assert.equal(await rawRedis(t).hget(`${prefix}scope:shop:paris`, 'bob@example.com'), '["write","user_management"]');
    const stores = await RedisStores.open({ capsFile: caps, redis: { url: TEST_REDIS_URL, prefix }, logger: { log: () => undefined, warn: () => undefined, error: () => undefined } });
    t.after(() => stores.close());
    assert.equal(stores.capabilities.current().can('bob@example.com', 'write', 'shop:paris/oven:1'), true);
    assert.equal(stores.capabilities.current().can('bob@example.com', 'write', 'shop:lyon'), false);

    await cli(['grant', 'amy@example.com', 'read', '--scope', 'shop:paris/oven:1', ...shared]);
    assert.deepEqual(JSON.parse((await cli(['list', '--json', '--scope', 'shop:paris', ...shared])).out), {
      scope: 'shop:paris',
      scopes: { 'shop:paris': { 'bob@example.com': ['write', 'user_management'] }, 'shop:paris/oven:1': { 'amy@example.com': ['read'] } },
    });
    assert.deepEqual(JSON.parse((await cli(['list', 'bob@example.com', '--json', '--scope', 'shop:paris/oven:1', ...shared])).out), {
      email: 'bob@example.com',
      capabilities: [],
      effective: ['read'],
      scopes: {},
      scope: 'shop:paris/oven:1',
      effective_at_scope: ['read', 'user_management', 'write'],
    });
    assert.equal((await cli(['revoke', 'bob@example.com', 'write', '--scope', 'shop:paris', ...shared])).out, 'bob@example.com at shop:paris: user_management');
    await waitUntil(() => !stores.capabilities.current().can('bob@example.com', 'write', 'shop:paris'), 'the instance sees the revocation');

    const invalid = await cli(['grant', 'bob@example.com', 'read', '--scope', 'shop:../x', ...shared]);
    assert.equal(invalid.status, 1);
    assert.match(invalid.err, /SCOPE_INVALID/);
  });

  it('keeps the rules of the API: unknown capabilities and the last admin are refused', async (t) => {
    const { shared } = setUp(t);
    const unknown = await cli(['grant', 'bob@example.com', 'fly', ...shared]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.err, /unknown capability "fly"/);
    const last = await cli(['revoke', 'alice@example.com', 'admin', ...shared]);
    assert.equal(last.status, 1);
    assert.match(last.err, /alice@example\.com is the last person holding admin/);
  });

  it('reads REDIS_URL and REDIS_PREFIX when the options are left out', async (t) => {
    const { caps } = setUp(t);
    const prefix = redisTestPrefix(t);
    assert.equal((await cli(['grant', 'carl@example.com', 'read', '--caps', caps], { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix })).status, 0);
    assert.equal(await rawRedis(t).hget(`${prefix}users`, 'carl@example.com'), '["read"]');
  });

  it('mints a service token from the capabilities kept in Redis', async (t) => {
    const { shared } = setUp(t);
    await cli(['grant', 'bot@service', 'user_management', ...shared]);
    const env = { AUTH_SECRET: 'cli-secret-0123456789abcdefghijklmnopqrstuvwxyz', BASE_URL: 'https://app.example.test' };
    const run = await cli(['token', '--user', 'bot@service', '--json', ...shared], env);
    assert.equal(run.status, 0, run.err);
    const minted = JSON.parse(run.out) as { capabilities: string[]; service_token: string };
    assert.deepEqual(minted.capabilities, ['read', 'user_management', 'write']);
    const tokens = new BearerTokens(TokenKeyring.fromSecrets(env.AUTH_SECRET), { issuer: env.BASE_URL, audience: env.BASE_URL, userTokenTtlSeconds: 60, serviceTokenTtlSeconds: 60 });
    assert.equal(tokens.verify(minted.service_token).email, 'bot@service');
  });

  it('exports the accounts as a users: and identities: block that import loads into another prefix', async (t) => {
    const { shared, folder, caps } = setUp(t);
    await cli(['grant', 'bob@example.com', 'write', 'user_management', ...shared]);
    const exported = await cli(['export', ...shared]);
    assert.equal(exported.status, 0, exported.err);
    assert.equal(
      exported.out,
      'users:\n  alice@example.com: [admin]\n  bob@example.com: [write, user_management]\n  bot@service: [write]\nidentities:\n  github:1001: alice@example.com',
    );
    const file = join(folder, 'accounts.yaml');
    writeFileSync(file, exported.out);
    const other = ['--caps', caps, '--redis', TEST_REDIS_URL, '--prefix', redisTestPrefix(t)];
    assert.deepEqual(await cli(['import', file, ...other]), { status: 0, out: 'imported 3 accounts and 1 identities', err: '' });
    assert.equal((await cli(['export', ...other])).out, exported.out);
  });

  it('exports the scoped grants as a scopes: block after users:, which import loads into another prefix', async (t) => {
    const { folder } = setUp(t);
    const scoped = `${CAPS}scopes:\n  shop:paris/oven:2:\n    carl@example.com: [read]\n  shop:paris:\n    bob@example.com: [write, user_management]\n    amy@example.com: [read]\n`;
    const caps = capsFileWith(t, scoped);
    const shared = ['--caps', caps, '--redis', TEST_REDIS_URL, '--prefix', redisTestPrefix(t)];
    await cli(['list', ...shared]);
    const exported = await cli(['export', ...shared]);
    assert.equal(exported.status, 0, exported.err);
    assert.equal(
      exported.out,
      [
        'users:',
        '  alice@example.com: [admin]',
        '  bot@service: [write]',
        'scopes:',
        '  shop:paris:',
        '    amy@example.com: [read]',
        '    bob@example.com: [write, user_management]',
        '  shop:paris/oven:2:',
        '    carl@example.com: [read]',
        'identities:',
        '  github:1001: alice@example.com',
      ].join('\n'),
    );
    const file = join(folder, 'accounts.yaml');
    writeFileSync(file, exported.out);
    const other = ['--caps', capsFileWith(t, CAPS), '--redis', TEST_REDIS_URL, '--prefix', redisTestPrefix(t)];
    assert.equal((await cli(['import', file, ...other])).status, 0);
    assert.equal((await cli(['export', ...other])).out, exported.out);
  });

  it('refuses to import over a prefix holding accounts unless --replace, and checks the file first', async (t) => {
    const { shared, folder } = setUp(t);
    await cli(['list', ...shared]);
    const file = join(folder, 'accounts.yaml');
    writeFileSync(file, 'users:\n  zoe@example.com: [admin]\n');
    const refused = await cli(['import', file, ...shared]);
    assert.equal(refused.status, 1);
    assert.match(refused.err, /holds accounts already; nothing was imported \(add --replace/);
    assert.equal((await cli(['import', file, '--replace', ...shared])).status, 0);
    assert.deepEqual(JSON.parse((await cli(['list', '--json', ...shared])).out), { users: { 'zoe@example.com': ['admin'] } });

    writeFileSync(file, 'users:\n  zoe@example.com: [fly]\n');
    const unknown = await cli(['import', file, '--replace', ...shared]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.err, /accounts\.yaml:2:\d+: .*undefined capability "fly"/);
    writeFileSync(file, 'users:\n  zoe@example.com: [write]\n');
    const noAdmin = await cli(['import', file, '--replace', ...shared]);
    assert.equal(noAdmin.status, 1);
    assert.match(noAdmin.err, /no account of .* holds admin/);
  });

  it('audits an import: a set entry for each account it changed, in the shared store, seed and replace alike', async (t) => {
    const { shared, folder, caps } = setUp(t);
    const actor = `cli:${userInfo().username}`;
    const file = join(folder, 'accounts.yaml');
    const audited = async (): Promise<[string, string, string, string, string][]> => {
      const run = await cli(['audit', '--json', ...shared]);
      assert.equal(run.status, 0, run.err);
      return run.out.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditEntry).map((entry) => [entry.actor, entry.action, entry.target, entry.detail, entry.outcome]);
    };

    writeFileSync(file, 'users:\n  zoe@example.com: [admin]\n  bob@example.com: [write]\n');
    assert.equal((await cli(['import', file, ...shared])).status, 0);
    assert.deepEqual(
      (await audited()).sort(),
      [
        [actor, 'set', 'bob@example.com', 'import: added write', 'ok'],
        [actor, 'set', 'zoe@example.com', 'import: added admin', 'ok'],
      ],
    );

    writeFileSync(file, 'users:\n  zoe@example.com: [admin]\n  carl@example.com: [read]\n');
    assert.equal((await cli(['import', file, '--replace', ...shared])).status, 0);
    assert.deepEqual(
      (await audited()).slice(0, 2).sort(),
      [
        [actor, 'set', 'bob@example.com', 'import: removed write', 'ok'],
        [actor, 'set', 'carl@example.com', 'import: added read', 'ok'],
      ],
      'zoe, left as she was, gets no new entry',
    );
    assert.equal((await audited()).length, 4);
    assert.equal(existsSync(`${caps}.audit.jsonl`), false, 'no audit file next to the capability file');
  });

  it('writes the audit entries of grant and revoke to the shared store, where an app and "audit --redis" read them', async (t) => {
    const { shared, caps } = setUp(t);
    const actor = `cli:${userInfo().username}`;
    assert.equal((await cli(['grant', 'bob@example.com', 'write', ...shared])).status, 0);
    assert.equal((await cli(['revoke', 'alice@example.com', 'admin', ...shared])).status, 1, 'the last admin stays');
    assert.equal(existsSync(`${caps}.audit.jsonl`), false, 'no audit file next to the capability file');

    const run = await cli(['audit', '--json', ...shared]);
    assert.equal(run.status, 0, run.err);
    const entries = run.out.split('\n').map((line) => JSON.parse(line) as AuditEntry);
    assert.deepEqual(
      entries.map((entry) => [entry.actor, entry.action, entry.target, entry.outcome]),
      [
        [actor, 'remove', 'alice@example.com', 'refused'],
        [actor, 'add', 'bob@example.com', 'ok'],
      ],
    );
    assert.match(entries[0]!.detail, /LAST_ADMIN/);
    assert.equal(entries[1]!.detail, 'added write');
    const one = await cli(['audit', '--email', 'bob@example.com', ...shared]);
    assert.match(one.out, /^\S+Z ok +cli:\S+ add bob@example.com: added write \[.+:\d+\]$/);
    assert.equal((await cli(['audit', '--caps', caps])).out, '', 'the audit file, read without --redis, is empty');
  });

  it('shows a grant made on the command line in an instance\'s GET /manage_capabilities/audit', async (t) => {
    const prefix = redisTestPrefix(t);
    const example = await startExample({ env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } });
    t.after(() => example.close());
    const granted = await cli(['grant', 'carol@example.com', 'bake', '--caps', example.capsFile, '--redis', TEST_REDIS_URL, '--prefix', prefix]);
    assert.equal(granted.status, 0, granted.err);
    const admin = await example.signedIn('admin@example.com');
    const reply = await admin.get('/manage_capabilities/audit?email=carol@example.com');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(
      (reply.json.entries as { actor: string; action: string; outcome: string }[]).map((entry) => [entry.actor, entry.action, entry.outcome]),
      [[`cli:${userInfo().username}`, 'add', 'ok']],
    );
    assert.equal(existsSync(`${example.capsFile}.audit.jsonl`), false);
  });

  it('keeps API keys made on the command line in the shared store, where an instance accepts them at once', async (t) => {
    const prefix = redisTestPrefix(t);
    const example = await startExample({ env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } });
    t.after(() => example.close());
    const shared = ['--caps', example.capsFile, '--redis', TEST_REDIS_URL, '--prefix', prefix];
    const created = await cli(['keys', 'create', 'ci', 'read', ...shared]);
    assert.equal(created.status, 0, created.err);
    const asKey = example.client().withToken(created.out);
    await waitUntil(async () => (await asKey.get('/whoami')).json.user === 'key:ci', 'the instance knows the key');
    assert.deepEqual((JSON.parse((await cli(['keys', 'list', '--json', ...shared])).out) as { keys: { name: string }[] }).keys.map((key) => key.name), ['ci']);
    assert.equal((await cli(['keys', 'revoke', 'ci', ...shared])).status, 0);
    await waitUntil(async () => codeOf(await asKey.get('/menu')) === 'TOKEN_REVOKED', 'the instance refuses the revoked key');
    const audit = JSON.parse((await (await example.signedIn('admin@example.com')).get('/manage_capabilities/audit?email=key:ci')).text) as { entries: AuditEntry[] };
    assert.deepEqual(
      audit.entries.map((entry) => [entry.actor, entry.action, entry.outcome]),
      [
        [`cli:${userInfo().username}`, 'key_revoke', 'ok'],
        [`cli:${userInfo().username}`, 'key_create', 'ok'],
      ],
    );
    assert.equal(existsSync(`${example.capsFile}.keys.json`), false, 'no key file');
    assert.equal(existsSync(`${example.capsFile}.audit.jsonl`), false, 'no audit file');
  });

  it('deletes an account from the shared store, and a running instance refuses its credentials at once', async (t) => {
    const prefix = redisTestPrefix(t);
    const example = await startExample({ env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } });
    t.after(() => example.close());
    const shared = ['--caps', example.capsFile, '--redis', TEST_REDIS_URL, '--prefix', prefix];
    const police = await example.signedIn('police@example.com');
    const token = example.client().withToken(await police.token());
    assert.equal((await token.get('/arrest')).status, 200);
    const run = await cli(['delete', 'police@example.com', ...shared]);
    assert.equal(run.status, 0, run.err);
    assert.match(run.out, /^police@example\.com: deleted \(held police\); its tokens and sessions issued up to .+Z are revoked$/);
    await waitUntil(async () => codeOf(await token.get('/arrest')) === 'TOKEN_REVOKED' && codeOf(await police.get('/arrest')) === 'SIGN_IN_REQUIRED', 'the instance ends the account\'s token and session');
    assert.equal(await rawRedis(t).hget(`${prefix}users`, 'police@example.com'), null);
    await waitUntil(async () => ((await (await example.signedIn('admin@example.com')).get('/manage_capabilities/all')).json.users as Record<string, unknown>)['police@example.com'] === undefined, 'the instance no longer lists the account');
    const again = await cli(['delete', 'police@example.com', ...shared]);
    assert.equal(again.status, 1);
    assert.match(again.err, /\(UNKNOWN_ACCOUNT\)$/);
    const audit = await cli(['audit', '--json', '--email', 'police@example.com', ...shared]);
    assert.deepEqual(
      audit.out.split('\n').map((line) => JSON.parse(line) as AuditEntry).map((entry) => [entry.actor, entry.action, entry.outcome]),
      [
        [`cli:${userInfo().username}`, 'delete', 'refused'],
        [`cli:${userInfo().username}`, 'revoke_all', 'ok'],
        [`cli:${userInfo().username}`, 'delete', 'ok'],
      ],
    );
    assert.equal(existsSync(`${example.capsFile}.revoked.json`), false, 'no revocation file: the revocations are in Redis');
  });

  it('asks for --redis where only a shared store makes sense', async () => {
    const run = await cli(['export']);
    assert.equal(run.status, 2);
    assert.match(run.err, /export works on a shared store: give --redis URL/);
  });
});
