import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { cli } from './cli-run';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { COMMENTED_CAPS } from '../fixtures/caps-texts';
import { capsFileWith, tempFolder } from '../fixtures/temp-folder';
import { codeOf, expectDenial } from '../support/denial';
import { ADAPTERS, EXAMPLE_SECRET, startExample, type RunningExample } from '../support/example-server';
import { waitUntil } from '../fixtures/wait-until';

const SECRET = 'cli-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const BASE_URL = 'https://app.example.test';

const capsFile = (t: TestContext, text = COMMENTED_CAPS): string => capsFileWith(t, text);

describe('nest-capabilities validate', () => {
  it('accepts a valid file and says what it holds', async (t) => {
    const file = capsFile(t);
    const run = await cli(['validate', file]);
    assert.equal(run.status, 0);
    assert.equal(run.out, `${file}: valid (5 capabilities, 3 accounts)`);
  });

  it('reads $CAPS_FILE when no file is named', async (t) => {
    const file = capsFile(t);
    assert.equal((await cli(['validate'], { CAPS_FILE: file })).status, 0);
  });

  const broken: [string, string, RegExp][] = [
    ['a cycle', 'capabilities:\n  a: [b]\n  b: [a]\n', /:\d+:\d+: .*cycle.*a -> b -> a/],
    ['an undefined implication', 'capabilities:\n  read: []\n  write: [reed]\n', /:3:\d+: .*"?reed"?/],
    ['a user holding an undefined capability', 'capabilities:\n  read: []\nusers:\n  bob@example.com: [fly]\n', /:4:\d+: .*"?fly"?/],
    ['malformed YAML', 'capabilities:\n  read: [\n', /:\d+:\d+: /],
  ];
  for (const [what, text, message] of broken) {
    it(`refuses ${what} with the file and line, exit status 1`, async (t) => {
      const file = capsFile(t, text);
      const run = await cli(['validate', file]);
      assert.equal(run.status, 1);
      assert.ok(run.err.startsWith(`error: ${file}:`), run.err);
      assert.match(run.err, message);
    });
  }

  it('refuses a missing file with exit status 1, a code, and how to make one', async (t) => {
    const file = join(tempFolder(t), 'nope.yaml');
    const run = await cli(['validate', file]);
    assert.equal(run.status, 1);
    assert.equal(run.err, `error: the capability file ${file} does not exist; \`npx nest-capabilities init ${file}\` writes a commented starter (CAPS_FILE_UNREADABLE)`);
  });

  it('names the working directory a missing relative file was looked for in', async () => {
    const run = await cli(['validate', 'no-such-folder/caps.yaml']);
    assert.equal(run.status, 1);
    assert.equal(
      run.err,
      `error: the capability file no-such-folder/caps.yaml does not exist (relative to the working directory ${process.cwd()}); ` +
        '`npx nest-capabilities init no-such-folder/caps.yaml` writes a commented starter (CAPS_FILE_UNREADABLE)',
    );
  });

  it('refuses auto_admin beside an admin of the file\'s own, at the admin line', async (t) => {
    const file = capsFile(t, 'capabilities:\n  read: []\n  admin: [read]\nauto_admin: true\n');
    const run = await cli(['validate', file]);
    assert.equal(run.status, 1);
    assert.ok(run.err.startsWith(`error: ${file}:3:3: capability "admin" is defined here, but auto_admin: true adds its own`), run.err);
    assert.ok(run.err.endsWith('(CAPS_SCHEMA)'), run.err);
  });

  it('answers bad usage with exit status 2', async () => {
    assert.equal((await cli(['validate', 'a.yaml', 'b.yaml'])).status, 2);
    const run = await cli(['validate', '--ttl', '1h']);
    assert.equal(run.status, 2);
    assert.match(run.err, /validate takes no --ttl/);
  });
});

describe('nest-capabilities init', () => {
  it('writes a commented starter that validates, to FILE, --caps or $CAPS_FILE', async (t) => {
    const folder = tempFolder(t);
    for (const [argv, env, file] of [
      [['init', join(folder, 'a', 'caps.yaml')], {}, join(folder, 'a', 'caps.yaml')],
      [['init', '--caps', join(folder, 'b.yaml')], {}, join(folder, 'b.yaml')],
      [['init'], { CAPS_FILE: join(folder, 'c.yaml') }, join(folder, 'c.yaml')],
    ] as const) {
      const run = await cli([...argv], env);
      assert.equal(run.status, 0, run.err);
      assert.equal(run.out, `wrote ${file}: put your own address under users, then check it with: npx nest-capabilities validate ${file}`);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^# /, 'it opens with a comment');
      assert.match(text, /^auto_admin: true$/m);
      assert.deepEqual(await cli(['validate', file]), { status: 0, out: `${file}: valid (4 capabilities, 2 accounts)`, err: '' });
    }
  });

  it('refuses to overwrite a file, with a code, and leaves it as it was', async (t) => {
    const file = capsFile(t);
    const run = await cli(['init', file]);
    assert.equal(run.status, 1);
    assert.equal(run.err, `error: ${file} already exists: init never overwrites a file (edit it, or name another one) (CAPS_FILE_EXISTS)`);
    assert.equal(readFileSync(file, 'utf8'), COMMENTED_CAPS);
  });

  it('is listed in the help and takes at most one FILE', async () => {
    assert.match((await cli(['--help'])).out, /^ {2}init \[caps\.yaml\] +write a commented starter capability file$/m);
    assert.equal((await cli(['init', 'a.yaml', 'b.yaml'])).status, 2);
  });
});

describe('nest-capabilities token', () => {
  const env = { AUTH_SECRET: SECRET, BASE_URL };
  const verifier = new BearerTokens(TokenKeyring.fromSecrets(SECRET), { issuer: BASE_URL, audience: BASE_URL, userTokenTtlSeconds: 60, serviceTokenTtlSeconds: 60 });

  it('mints a service token the app accepts, carrying the account’s effective capabilities', async (t) => {
    const run = await cli(['token', '--user', 'bot@service', '--caps', capsFile(t)], env);
    assert.equal(run.status, 0, run.err);
    const { principal, expiresAt } = verifier.verify(run.out);
    assert.deepEqual(principal, { email: 'bot@service', kind: 'service', via: 'token', snapshot: ['read', 'write'], expiresAt });
  });

  it('prints JSON with --json, with the lifetime from --ttl', async (t) => {
    const run = await cli(['token', '--user', 'bot@service', '--caps', capsFile(t), '--ttl', '2h', '--json'], env);
    const answer = JSON.parse(run.out) as { user: string; capabilities: string[]; service_token: string; expires_at: number };
    assert.equal(answer.user, 'bot@service');
    assert.deepEqual(answer.capabilities, ['read', 'write']);
    assert.ok(Math.abs(answer.expires_at - (Date.now() / 1000 + 7200)) < 5);
    assert.equal(verifier.verify(answer.service_token).expiresAt, answer.expires_at);
  });

  it('mints a token limited to a scope with --scope, carrying what the account holds there', async (t) => {
    const file = capsFile(t, `${COMMENTED_CAPS}scopes:\n  shop:lyon:\n    bot@service: [moderate]\n`);
    const run = await cli(['token', '--user', 'bot@service', '--caps', file, '--scope', 'shop:lyon', '--json'], env);
    assert.equal(run.status, 0, run.err);
    const answer = JSON.parse(run.out) as { capabilities: string[]; service_token: string; scope: string };
    assert.deepEqual([answer.capabilities, answer.scope], [['moderate', 'read', 'write'], 'shop:lyon']);
    const { principal } = verifier.verify(answer.service_token);
    assert.deepEqual([principal.scope, principal.snapshot], ['shop:lyon', ['moderate', 'read', 'write']]);
    const bad = await cli(['token', '--user', 'bot@service', '--caps', file, '--scope', 'shop:../x'], env);
    assert.equal(bad.status, 1);
    assert.match(bad.err, /\(SCOPE_INVALID\)$/);
    assert.equal(bad.out, '');
  });

  it('mints a token that never expires only with --ttl never', async (t) => {
    const run = await cli(['token', '--user', 'bot@service', '--caps', capsFile(t), '--ttl', 'never', '--json'], env);
    assert.equal((JSON.parse(run.out) as { expires_at: number | null }).expires_at, null);
  });

  it('signs as the app signs with AUTH_TOKEN_ALG: an EdDSA token the app with that algorithm accepts', async (t) => {
    const run = await cli(['token', '--user', 'bot@service', '--caps', capsFile(t)], { ...env, AUTH_TOKEN_ALG: 'EdDSA' });
    assert.equal(run.status, 0, run.err);
    assert.equal((JSON.parse(Buffer.from(run.out.split('.')[0]!, 'base64url').toString()) as { alg: unknown }).alg, 'EdDSA');
    const eddsa = new BearerTokens(TokenKeyring.fromSecrets(SECRET, [], 'EdDSA'), { issuer: BASE_URL, audience: BASE_URL, userTokenTtlSeconds: 60, serviceTokenTtlSeconds: 60 });
    assert.equal(eddsa.verify(run.out).email, 'bot@service');
    const refused = await cli(['token', '--user', 'bot@service', '--caps', capsFile(t)], { ...env, AUTH_TOKEN_ALG: 'RS256' });
    assert.equal(refused.status, 1);
    assert.match(refused.err, /AUTH_TOKEN_ALG must be one of HS256, EdDSA, ES256, got "RS256"/);
  });

  it('needs AUTH_SECRET and BASE_URL from the environment (exit 2)', async (t) => {
    const file = capsFile(t);
    const noSecret = await cli(['token', '--user', 'bot@service', '--caps', file], { BASE_URL });
    assert.equal(noSecret.status, 2);
    assert.match(noSecret.err, /AUTH_SECRET is not set/);
    const noUrl = await cli(['token', '--user', 'bot@service', '--caps', file], { AUTH_SECRET: SECRET });
    assert.equal(noUrl.status, 2);
    assert.match(noUrl.err, /BASE_URL is not set/);
  });

  it('refuses an account that is not a service account (exit 1)', async (t) => {
    const run = await cli(['token', '--user', 'alice@example.com', '--caps', capsFile(t)], env);
    assert.equal(run.status, 1);
    assert.match(run.err, /only for service accounts/);
  });

  it('refuses a service account that is not in the file (exit 1), printing no token', async (t) => {
    const run = await cli(['token', '--user', 'ghost@service', '--caps', capsFile(t), '--json'], env);
    assert.equal(run.status, 1);
    assert.equal(run.out, '');
    assert.equal(run.err, 'error: there is no service account ghost@service: add it to the capability file (users, pinned or scopes) first (UNKNOWN_ACCOUNT)');
  });

  it('refuses a weak secret in production without echoing it', async (t) => {
    const run = await cli(['token', '--user', 'bot@service', '--caps', capsFile(t)], { AUTH_SECRET: 'changeme', BASE_URL, NODE_ENV: 'production' });
    assert.equal(run.status, 1);
    assert.doesNotMatch(run.err + run.out, /changeme/);
  });

  const usage: [string, string[], RegExp][] = [
    ['no --user', ['token'], /--user NAME@service is required/],
    ['a bad --ttl', ['token', '--user', 'bot@service', '--ttl', 'soon'], /--ttl must be a duration/],
    ['a secret on the command line', ['token', '--user', 'bot@service', '--secret', SECRET], /Unknown option '--secret'/],
    ['a stray argument', ['token', 'bot@service'], /unexpected argument/],
  ];
  for (const [what, argv, message] of usage) {
    it(`answers ${what} with exit status 2 and a pointer to --help`, async () => {
      const run = await cli(argv, env);
      assert.equal(run.status, 2);
      assert.match(run.err, message);
      assert.match(run.err, /nest-capabilities token --help/);
    });
  }
});

describe('nest-capabilities grant, revoke and list', () => {
  it('grants through the file store: comments and key order kept, email canonical', async (t) => {
    const file = capsFile(t);
    const run = await cli(['grant', 'Carol@Example.com', 'write', 'moderate', '--caps', file]);
    assert.equal(run.status, 0, run.err);
    assert.equal(run.out, 'carol@example.com: moderate, write');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /# the graph: a capability -> the capabilities it implies/);
    assert.match(text, /Bob@Example.com: \[moderate\]\s+# hand-written with capitals/);
    assert.match(text, /carol@example.com: \[write, moderate\]/);
    assert.ok(text.endsWith('# end of file\n'));
  });

  it('revokes, keeping what was not named', async (t) => {
    const file = capsFile(t);
    await cli(['grant', 'carol@example.com', 'write', 'read', '--caps', file]);
    const run = await cli(['revoke', 'carol@example.com', 'write', '--caps', file]);
    assert.equal(run.status, 0, run.err);
    assert.equal(run.out, 'carol@example.com: read');
  });

  const refused: [string, string[], RegExp][] = [
    ['an unknown capability', ['grant', 'carol@example.com', 'fly'], /fly/],
    ['removing an unknown capability', ['revoke', 'bob@example.com', 'fly'], /fly/],
    ['a bad email', ['grant', 'not-an-email', 'read'], /email/],
    ['a bad capability name', ['grant', 'carol@example.com', 'Bad Name!'], /capability/],
  ];
  for (const [what, argv, message] of refused) {
    it(`refuses ${what} with exit status 1 and writes nothing`, async (t) => {
      const file = capsFile(t);
      const run = await cli([...argv, '--caps', file]);
      assert.equal(run.status, 1, run.out);
      assert.match(run.err, message);
      assert.equal(readFileSync(file, 'utf8'), COMMENTED_CAPS);
    });
  }

  it('refuses to remove the last admin (exit 1) and writes nothing', async (t) => {
    const text = 'capabilities:\n  read: []\nauto_admin: true\nusers:\n  alice@example.com: [admin]\n';
    const file = capsFile(t, text);
    const run = await cli(['revoke', 'alice@example.com', 'admin', '--caps', file]);
    assert.equal(run.status, 1);
    assert.match(run.err, /last person holding admin/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('refuses to edit a broken file (exit 1), naming the line', async (t) => {
    const file = capsFile(t, 'capabilities:\n  a: [b]\n');
    const run = await cli(['grant', 'carol@example.com', 'a', '--caps', file]);
    assert.equal(run.status, 1);
    assert.match(run.err, /caps\.yaml:2:\d+/);
  });

  it('answers missing arguments with exit status 2', async (t) => {
    assert.equal((await cli(['grant', 'carol@example.com', '--caps', capsFile(t)])).status, 2);
    assert.equal((await cli(['revoke', '--caps', capsFile(t)])).status, 2);
    assert.equal((await cli(['list', 'a@example.com', 'b@example.com', '--caps', capsFile(t)])).status, 2);
  });

  it('lists every account as stored, and one account with its effective capabilities', async (t) => {
    const file = capsFile(t);
    const all = await cli(['list', '--caps', file]);
    assert.equal(all.out, 'alice@example.com: admin\nbob@example.com: moderate\nbot@service: write');
    const one = await cli(['list', 'BOB@example.com', '--caps', file, '--json']);
    assert.deepEqual(JSON.parse(one.out), { email: 'bob@example.com', capabilities: ['moderate'], effective: ['moderate', 'read', 'write'] });
  });
});

describe('nest-capabilities delete', () => {
  it('deletes an account from the file, keeping every other line, revokes its tokens and records both', async (t) => {
    const file = capsFile(t, COMMENTED_CAPS.replace('pinned:', 'identities:\n  github:7: bob@example.com\npinned:'));
    const run = await cli(['delete', 'BOB@example.com', '--caps', file]);
    assert.equal(run.status, 0, run.err);
    assert.match(run.out, /^bob@example\.com: deleted \(held moderate, 1 identity link\); its tokens and sessions issued up to \d{4}-\d\d-\d\dT[\d:.]+Z are revoked$/);
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /Bob@Example\.com|github:7/);
    assert.match(text, /# people\n {2}alice@example\.com: \[admin\]\n\n {2}# robots\n {2}bot@service: \[write\]/);
    assert.ok(text.endsWith('# end of file\n'));
    const revoked = JSON.parse(readFileSync(`${file}.revoked.json`, 'utf8')) as { accounts: Record<string, number> };
    assert.equal(typeof revoked.accounts['bob@example.com'], 'number');
    const audit = await cli(['audit', '--json', '--caps', file]);
    assert.deepEqual(
      audit.out.split('\n').map((line) => JSON.parse(line) as { action: string; target: string; outcome: string }).map((entry) => [entry.action, entry.target, entry.outcome]),
      [
        ['revoke_all', 'bob@example.com', 'ok'],
        ['delete', 'bob@example.com', 'ok'],
      ],
    );
  });

  const refusals: [string, string, RegExp][] = [
    ['an account pinned in the file', 'ops@example.com', /pinned in the capability file.*\(ACCOUNT_PINNED\)$/],
    ['an unknown account', 'nobody@example.com', /there is no account nobody@example\.com.*\(UNKNOWN_ACCOUNT\)$/],
    ['a bad email', 'not-an-email', /\(INVALID_EMAIL\)$/],
  ];
  for (const [what, email, message] of refusals) {
    it(`refuses ${what} with exit status 1 and writes nothing`, async (t) => {
      const file = capsFile(t);
      const run = await cli(['delete', email, '--caps', file]);
      assert.equal(run.status, 1);
      assert.match(run.err, message);
      assert.equal(readFileSync(file, 'utf8'), COMMENTED_CAPS);
    });
  }

  it('keeps the last person holding admin (exit 1)', async (t) => {
    const file = capsFile(t, COMMENTED_CAPS.replace('  ops@example.com: [admin]', '  ops@example.com: [read]'));
    const run = await cli(['delete', 'alice@example.com', '--caps', file]);
    assert.equal(run.status, 1);
    assert.match(run.err, /alice@example\.com is the last person holding admin \(LAST_ADMIN\)$/);
  });

  it('answers a missing or extra argument with exit status 2', async (t) => {
    const file = capsFile(t);
    assert.equal((await cli(['delete', '--caps', file])).status, 2);
    assert.equal((await cli(['delete', 'a@example.com', 'b@example.com', '--caps', file])).status, 2);
  });
});

describe('nest-capabilities help and usage', () => {
  for (const command of ['validate', 'token', 'grant', 'revoke', 'delete', 'list']) {
    it(`prints the usage of ${command} with --help`, async () => {
      const run = await cli([command, '--help']);
      assert.equal(run.status, 0);
      assert.ok(run.out.startsWith(`Usage: nest-capabilities ${command}`), run.out);
    });
  }

  it('prints the overview with --help, and to stderr with exit 2 when given nothing', async () => {
    assert.match((await cli(['--help'])).out, /Commands:/);
    const bare = await cli([]);
    assert.equal(bare.status, 2);
    assert.match(bare.err, /Commands:/);
  });

  it('refuses an unknown command with exit status 2', async () => {
    const run = await cli(['frobnicate']);
    assert.equal(run.status, 2);
    assert.match(run.err, /unknown command "frobnicate"/);
  });

  it('runs as an executable with a shebang, exit status and stderr', (t) => {
    const bin = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
    assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'));
    const good = spawnSync(process.execPath, [bin, 'validate', capsFile(t)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /valid/);
    const bad = spawnSync(process.execPath, [bin, 'validate', capsFile(t, 'capabilities:\n  a: [a]\n')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /caps\.yaml:2:\d+/);
  });
});

for (const adapter of ADAPTERS.slice(0, 1)) {
  describe(`a CLI service token against the running example (${adapter})`, () => {
    let example: RunningExample;
    before(async () => {
      example = await startExample({ adapter });
    });
    after(() => example.close());

    it('is accepted by the app that shares its secret, base URL and caps file', async () => {
      const run = await cli(['token', '--user', 'bot@service', '--caps', example.capsFile], {
        AUTH_SECRET: 'test-secret-0123456789abcdefghijklmnopqrstuv',
        BASE_URL: example.baseUrl,
      });
      assert.equal(run.status, 0, run.err);
      const bot = example.client().withToken(run.out);
      assert.equal((await bot.get('/bake')).status, 200);
      expectDenial(await bot.get('/arrest'), 403, 'CAPABILITY_MISSING');
    });

    it('is refused by the app once the command line deleted its account, with the account\'s sessions', async () => {
      const run = await cli(['token', '--user', 'bot@service', '--caps', example.capsFile], { AUTH_SECRET: EXAMPLE_SECRET, BASE_URL: example.baseUrl });
      assert.equal(run.status, 0, run.err);
      const bot = example.client().withToken(run.out);
      assert.equal((await bot.get('/bake')).status, 200);
      const police = await example.signedIn('police@example.com');
      assert.equal((await police.get('/arrest')).status, 200);
      const deleted = await cli(['delete', 'police@example.com', '--caps', example.capsFile]);
      assert.equal(deleted.status, 0, deleted.err);
      assert.equal((await cli(['delete', 'bot@service', '--caps', example.capsFile])).status, 0);
      await waitUntil(async () => codeOf(await police.get('/arrest')) === 'SIGN_IN_REQUIRED', 'the running app ends the deleted account\'s session');
      await waitUntil(async () => codeOf(await bot.get('/bake')) === 'TOKEN_REVOKED', 'the running app refuses the deleted service account\'s token');
    });
  });
}
