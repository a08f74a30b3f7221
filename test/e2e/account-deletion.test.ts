import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { bakeryCaps } from '../fixtures/caps-texts';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import { FakeGoogleGitHub } from '../support/fake-google-github';
import type { HttpClient } from '../support/http-client';
import { fakeProviderEnvironment, signInThrough, whoami } from '../support/provider-sign-in';

interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail: string;
  readonly outcome: string;
}

// Links are keyed by the provider's issuer: for GitHub at a test double, its authorization endpoint.
const caps = (githubIssuer: string): string =>
  bakeryCaps({
    comment: 'offboarding test',
    moreCapabilities: ['write: [read]'],
    users: [
      'root@example.com: [admin]',
      '# the bakers',
      'baker@example.com: [bake]   # leaves in June',
      'cook@example.com: [bake]',
      'lead@example.com: [user_management, bake]',
      'clerk@example.com: [write]',
      'bot@service: [bake]',
    ],
    pinned: ['ops@example.com: [user_management]'],
    identities: [`${githubIssuer}#3000001: baker@example.com   # the baker's GitHub`, `${githubIssuer}#3000002: clerk@example.com`],
  });

for (const adapter of ADAPTERS) {
  describe(`POST /manage_capabilities/delete: offboarding (${adapter})`, () => {
    let fake: FakeGoogleGitHub;
    let example: RunningExample;
    let githubIssuer: string;
    let root: HttpClient;

    before(async () => {
      fake = await FakeGoogleGitHub.start();
      githubIssuer = `${fake.url}/github/login/oauth/authorize`;
      example = await startExample({ adapter, caps: caps(githubIssuer), env: fakeProviderEnvironment(fake, { AUTH_DEV_LOGIN: 'true' }) });
      root = example.client().withToken(await (await example.signedIn('root@example.com')).token());
    });
    after(async () => {
      await example?.close();
      await fake?.close();
    });
    beforeEach(() => {
      fake.scenario = { google: 'normal', github: 'normal' };
    });

    const asGitHub = (id: number, email: string): void => {
      fake.github = { id, login: `user${id}`, email: null, emails: [{ email, primary: true, verified: true }] };
    };
    const file = (): string => readFileSync(example.capsFile, 'utf8');
    const auditOf = async (email: string): Promise<AuditEntry[]> => {
      const reply = await root.get(`/manage_capabilities/audit?email=${encodeURIComponent(email)}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.json.entries as AuditEntry[];
    };

    it('ends the account, its grants, identity links, sessions and tokens at once, keeping the comments of the file', async () => {
      const session = await example.signedIn('baker@example.com');
      const token = await session.token();
      asGitHub(3000001, 'baker-at-github@example.org');
      const linked = example.client();
      assert.equal((await signInThrough(linked, 'github')).status, 302);
      assert.equal(await whoami(linked), 'baker@example.com', 'the link leads to the baker before');

      const reply = await root.post('/manage_capabilities/delete', { email: 'Baker@Example.com' });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(reply.json).sort(), ['deleted', 'email', 'revoked_issued_up_to', 'status']);
      assert.equal(reply.json.status, 'ok');
      assert.equal(reply.json.email, 'baker@example.com');
      assert.equal(reply.json.deleted, true);
      assert.equal(typeof reply.json.revoked_issued_up_to, 'number');

      expectDenial(await example.client().withToken(token).get('/bake'), 401, 'TOKEN_REVOKED', 'its bearer token');
      expectDenial(await session.get('/bake'), 401, 'SIGN_IN_REQUIRED', 'its session');
      assert.equal(await whoami(linked), null, 'the session through the link ended too');
      assert.deepEqual((await root.get('/manage_capabilities/list?email=baker@example.com')).json.capabilities, []);
      assert.equal(((await root.get('/manage_capabilities/all')).json.users as Record<string, unknown>)['baker@example.com'], undefined);

      const text = file();
      assert.doesNotMatch(text, /baker@example\.com/, text);
      assert.doesNotMatch(text, /3000001/, 'the identity link is gone');
      assert.match(text, /^ {2}# the bakers\n {2}cook@example\.com: \[bake\]$/m, 'the comment above the entry stays, above the next one');
      assert.ok(text.startsWith('# offboarding test\n'));
      assert.match(text, /#3000002: clerk@example\.com/, 'the other links stay');

      const afterwards = example.client();
      assert.equal((await signInThrough(afterwards, 'github')).status, 302);
      assert.equal(await whoami(afterwards), 'baker-at-github@example.org', 'the identity no longer lands in the deleted account');

      const [revokeAll, deletion] = await auditOf('baker@example.com');
      assert.deepEqual({ actor: deletion!.actor, action: deletion!.action, outcome: deletion!.outcome }, { actor: 'root@example.com', action: 'delete', outcome: 'ok' });
      assert.ok(deletion!.detail.startsWith(`deleted the account (held bake; linked ${githubIssuer}#3000001)`), deletion!.detail);
      assert.equal(revokeAll!.action, 'revoke_all');
      assert.equal(revokeAll!.outcome, 'ok');
      assert.match(revokeAll!.detail, /^revoked every token issued up to /);
    });

    it('refuses the service tokens of a deleted service account, and mints no more', async () => {
      const minted = await root.get('/token?user=bot@service');
      assert.equal(minted.status, 200, minted.text);
      const bot = example.client().withToken(minted.json.service_token as string);
      assert.equal((await bot.get('/bake')).status, 200);
      assert.equal((await root.post('/manage_capabilities/delete', { email: 'bot@service' })).status, 200);
      expectDenial(await bot.get('/bake'), 401, 'TOKEN_REVOKED');
      assert.equal((await bot.get('/whoami')).status, 401, 'not even what any signed-in user holds');
      expectDenial(await root.get('/token?user=bot@service'), 404, 'UNKNOWN_ACCOUNT');
    });

    it('judges a deletion like the removal of all the account holds (403 GRANT_FORBIDDEN), and writes nothing then', async () => {
      const lead = example.client().withToken(await (await example.signedIn('lead@example.com')).token());
      const before = file();
      const refused = await lead.post('/manage_capabilities/delete', { email: 'clerk@example.com' });
      expectDenial(refused, 403, 'GRANT_FORBIDDEN');
      assert.match(refused.json.message as string, /"write"/);
      assert.equal(file(), before);
      assert.equal((await auditOf('clerk@example.com'))[0]!.outcome, 'refused');
      const done = await lead.post('/manage_capabilities/delete', { email: 'cook@example.com' });
      assert.equal(done.status, 200, 'a manager deletes an account whose grants they all hold');
    });

    it('keeps the last admin (409 LAST_ADMIN), and lets a manager delete themselves when somebody else still holds admin', async () => {
      expectDenial(await root.post('/manage_capabilities/delete', { email: 'root@example.com' }), 409, 'LAST_ADMIN');
      assert.equal((await root.post('/manage_capabilities/add', { email: 'deputy@example.com', capability: 'admin' })).status, 200);
      const deputy = await example.signedIn('deputy@example.com');
      const deputyToken = example.client().withToken(await deputy.token());
      const gone = await deputyToken.post('/manage_capabilities/delete', { email: 'deputy@example.com' });
      assert.equal(gone.status, 200, gone.text);
      expectDenial(await deputyToken.get('/manage_capabilities/all'), 401, 'TOKEN_REVOKED', 'their own token ended with them');
      expectDenial(await deputy.get('/manage_capabilities/all'), 401, 'SIGN_IN_REQUIRED', 'their own session too');
      expectDenial(await root.post('/manage_capabilities/delete', { email: 'root@example.com' }), 409, 'LAST_ADMIN');
    });

    it('answers 404 UNKNOWN_ACCOUNT for an account with nothing stored or linked, and 409 ACCOUNT_PINNED for a pinned one', async () => {
      const unknown = await root.post('/manage_capabilities/delete', { email: 'nobody@example.com' });
      expectDenial(unknown, 404, 'UNKNOWN_ACCOUNT');
      assert.equal(unknown.json.message, 'there is no account nobody@example.com: nothing is stored or linked for it');
      const before = file();
      const pinned = await root.post('/manage_capabilities/delete', { email: 'ops@example.com' });
      expectDenial(pinned, 409, 'ACCOUNT_PINNED');
      assert.match(pinned.json.message as string, /pinned in the capability file/);
      assert.equal(file(), before);
    });

    it('is for managers only, and refuses a malformed body with 400', async () => {
      const clerk = example.client().withToken(await (await example.signedIn('clerk@example.com')).token());
      expectDenial(await clerk.post('/manage_capabilities/delete', { email: 'clerk@example.com' }), 403, 'CAPABILITY_MISSING');
      expectDenial(await example.client().post('/manage_capabilities/delete', { email: 'clerk@example.com' }), 401, 'SIGN_IN_REQUIRED');
      expectDenial(await root.post('/manage_capabilities/delete', { email: 'not an email' }), 400, 'INVALID_EMAIL');
      expectDenial(await root.post('/manage_capabilities/delete', { email: 'clerk@example.com', also: 1 }), 400, 'INVALID_REQUEST');
    });
  });
}
