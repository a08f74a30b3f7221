import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { signHmac, signRsa, unsigned, partsOf } from '../tokens/token-forge';
import type { TokenErrorCode } from '../../src/errors';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import { answerWhen } from '../fixtures/wait-until';
import { ADAPTERS, EXAMPLE_SECRET, startExample, type RunningExample } from '../support/example-server';
import { expectDenial } from '../support/denial';
import type { HttpClient, Reply } from '../support/http-client';

const key = TokenKeyring.fromSecrets(EXAMPLE_SECRET).signingKey;
const now = (): number => Math.floor(Date.now() / 1000);

function assertTokenRefused(reply: Reply, code: TokenErrorCode, message?: RegExp): void {
  assert.equal(reply.status, 401, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(reply.json.statusCode, 401);
  assert.equal(reply.json.code, code, reply.text);
  assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
  if (message !== undefined) assert.match(reply.json.message as string, message);
  assert.doesNotMatch(reply.text, /at .*\.[jt]s:\d+|node_modules|stack/i, 'no stack trace');
}

for (const adapter of ADAPTERS) {
  describe(`token revocation on ${adapter}`, () => {
    let example: RunningExample;
    let admin: HttpClient;
    let baker: HttpClient;
    let police: HttpClient;

    before(async () => {
      example = await startExample({ adapter });
      admin = await example.signedIn('admin@example.com');
      baker = await example.signedIn('baker@example.com');
      police = await example.signedIn('police@example.com');
    });
    after(() => example.close());

    const serviceToken = async (email = 'bot@service'): Promise<string> => {
      const reply = await admin.get(`/token?user=${encodeURIComponent(email)}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.json.service_token as string;
    };

    it('lets the owner revoke their token: it is refused at once, other tokens keep working', async () => {
      const token = await baker.token();
      const other = await baker.token();
      const script = example.client().withToken(token);
      assert.equal((await script.get('/bake')).status, 200, 'verified (and cached) before the revocation');
      const reply = await baker.post('/token/revoke', { token });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json, { status: 'ok', revoked: partsOf(token).claims['jti'], user: 'baker@example.com' });
      assertTokenRefused(await script.get('/bake'), 'TOKEN_REVOKED', /revoked/);
      assert.equal((await example.client().withToken(other).get('/bake')).status, 200);
    });

    it('lets a script revoke the token it authenticates with', async () => {
      const token = await baker.token();
      const script = example.client().withToken(token);
      const reply = await script.post('/token/revoke', { token });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.revoked, partsOf(token).claims['jti']);
      assertTokenRefused(await script.get('/menu'), 'TOKEN_REVOKED', /revoked/);
    });

    it('keeps the revocation in caps.yaml.revoked.json next to the caps file', async () => {
      const token = await police.token();
      await police.post('/token/revoke', { token });
      const file = `${example.capsFile}.revoked.json`;
      assert.ok(existsSync(file));
      assert.ok(Object.hasOwn((JSON.parse(readFileSync(file, 'utf8')) as { tokens: object }).tokens, partsOf(token).claims['jti'] as string));
    });

    it('answers 403 to somebody revoking another account’s token without user_management, and keeps it', async () => {
      const token = await baker.token();
      const reply = await police.post('/token/revoke', { token });
      expectDenial(reply, 403, 'CAPABILITY_MISSING');
      assert.match(reply.json.message as string, /user_management/);
      assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
    });

    it('lets a holder of user_management revoke anybody’s token', async () => {
      const token = await baker.token();
      assert.equal((await admin.post('/token/revoke', { token })).status, 200);
      assertTokenRefused(await example.client().withToken(token).get('/bake'), 'TOKEN_REVOKED', /revoked/);
    });

    it('answers again 200 for a token already revoked', async () => {
      const token = await baker.token();
      assert.equal((await baker.post('/token/revoke', { token })).status, 200);
      assert.equal((await baker.post('/token/revoke', { token })).status, 200);
    });

    it('answers 401 SIGN_IN_REQUIRED to a caller who is not signed in', async () => {
      const token = await baker.token();
      const reply = await example.client().post('/token/revoke', { token });
      expectDenial(reply, 401, 'SIGN_IN_REQUIRED');
      assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
    });

    const badBodies: [string, () => Promise<Reply>][] = [
      ['a body without "token"', () => baker.post('/token/revoke', {})],
      ['an extra field', () => baker.post('/token/revoke', { token: 'x', also: 1 })],
      ['a token that is not a string', () => baker.post('/token/revoke', { token: 42 })],
      ['a body that is not JSON', () => baker.request('POST', '/token/revoke', { headers: { 'content-type': 'application/json' }, body: 'token' })],
      ['a token that does not verify', () => baker.post('/token/revoke', { token: 'not-a-token' })],
      ['an expired token', async () => {
        const { header, claims } = partsOf(await baker.token());
        return baker.post('/token/revoke', { token: signHmac(header, { ...claims, exp: now() - 5 }, key) });
      }],
    ];
    for (const [what, send] of badBodies) {
      it(`answers 400 to ${what}`, async () => {
        const reply = await send();
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.json.statusCode, 400);
      });
    }

    it('revokes every token of a service account for a manager (POST /token/revoke_all)', async () => {
      // An account of its own: tokens of it issued in the rest of this second stay void, and no other test uses it.
      assert.equal((await admin.post('/manage_capabilities/add', { email: 'batch@service', capability: 'bake' })).status, 200);
      const [first, second] = [await serviceToken('batch@service'), await serviceToken('batch@service')];
      for (const token of [first, second]) assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
      const reply = await admin.post('/token/revoke_all', { email: 'BATCH@service' });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.user, 'batch@service');
      const revokedUpTo = reply.json.revoked_issued_up_to as number;
      assert.ok(Math.abs(revokedUpTo - now()) <= 2);
      for (const token of [first, second]) assertTokenRefused(await example.client().withToken(token).get('/bake'), 'TOKEN_REVOKED', /revoked/);
      // iat has whole seconds: a token issued in the cutoff's second is void too. One the app
      // issues in the next second (its iat, re-signed with the app's key) works, without waiting for that second.
      const fresh = partsOf(await serviceToken('batch@service'));
      const nextSecond = signHmac(fresh.header, { ...fresh.claims, iat: revokedUpTo + 1 }, key);
      assert.equal((await example.client().withToken(nextSecond).get('/bake')).status, 200, 'a token issued after the cutoff works');
    });

    it('refuses revoke_all on another account without user_management (403), allows it on one’s own', async () => {
      const token = await serviceToken('bot@service');
      const refused = await police.post('/token/revoke_all', { email: 'bot@service' });
      expectDenial(refused, 403, 'CAPABILITY_MISSING');
      assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
      const mafia = await example.signedIn('mafia@example.com');
      const own = await mafia.token();
      assert.equal((await mafia.post('/token/revoke_all', { email: 'mafia@example.com' })).status, 200);
      assertTokenRefused(await example.client().withToken(own).get('/racket'), 'TOKEN_REVOKED', /revoked/);
    });

    it('answers 400 to revoke_all with a bad email', async () => {
      assert.equal((await admin.post('/token/revoke_all', { email: 'not an email' })).status, 400);
      assert.equal((await admin.post('/token/revoke_all', {})).status, 400);
    });

    it('refuses a cross-site revocation authenticated by the session cookie', async () => {
      const token = await baker.token();
      const reply = await baker.post('/token/revoke', { token }, { origin: 'https://evil.example' });
      expectDenial(reply, 403, 'CROSS_SITE_REQUEST');
      assert.equal((await example.client().withToken(token).get('/bake')).status, 200);
    });

    it('makes a revocation reach another instance on the same caps file', async () => {
      const second = await startExample({ adapter, env: { CAPS_FILE: example.capsFile, BASE_URL: example.baseUrl } });
      try {
        const token = await baker.token();
        const elsewhere = second.client().withToken(token);
        assert.equal((await elsewhere.get('/bake')).status, 200);
        assert.equal((await baker.post('/token/revoke', { token })).status, 200);
        const last = await answerWhen(() => elsewhere.get('/bake'), (reply) => reply.status !== 200, 'the other instance refuses the revoked token within its poll', 5_000);
        expectDenial(last, 401, 'TOKEN_REVOKED', 'the other instance refuses it within its poll');
      } finally {
        await second.close();
      }
    });
  });

  describe(`service tokens: snapshot and store on ${adapter}`, () => {
    let example: RunningExample;
    let admin: HttpClient;

    before(async () => {
      example = await startExample({ adapter });
      admin = await example.signedIn('admin@example.com');
    });
    after(() => example.close());

    it('needs a capability in the snapshot AND in the store, both ways', async () => {
      const old = example.client().withToken((await admin.get('/token?user=bot@service')).json.service_token as string);
      assert.equal((await old.get('/bake')).status, 200);
      expectDenial(await old.get('/arrest'), 403, 'CAPABILITY_MISSING');
      assert.equal((await admin.post('/manage_capabilities/add', { email: 'bot@service', capability: 'arrest' })).status, 200);
      expectDenial(await old.get('/arrest'), 403, 'CAPABILITY_MISSING', 'an added capability needs a fresh token');
      const fresh = example.client().withToken((await admin.get('/token?user=bot@service')).json.service_token as string);
      assert.equal((await fresh.get('/arrest')).status, 200);
      assert.equal((await admin.post('/manage_capabilities/remove', { email: 'bot@service', capability: 'bake' })).status, 200);
      expectDenial(await old.get('/bake'), 403, 'CAPABILITY_MISSING', 'a removed capability is gone at once');
      expectDenial(await fresh.get('/bake'), 403, 'CAPABILITY_MISSING');
    });

    it('answers 400 for an account that is not a service account, 403 to a manager lacking its capabilities', async () => {
      assert.equal((await admin.get('/token?user=baker@example.com')).status, 400);
      await admin.post('/manage_capabilities/set', { email: 'boss@example.com', capabilities: ['user_management'] });
      await admin.post('/manage_capabilities/set', { email: 'bot@service', capabilities: ['racket'] });
      const boss = await example.signedIn('boss@example.com');
      const reply = await boss.get('/token?user=bot@service');
      expectDenial(reply, 403, 'GRANT_FORBIDDEN');
      assert.match(reply.json.message as string, /racket/);
    });
  });

  describe(`every bearer rejection is a JSON 401 without a stack trace on ${adapter}`, () => {
    let example: RunningExample;
    let user: string;
    let service: string;
    let cookie: string;

    before(async () => {
      example = await startExample({ adapter });
      const baker = await example.signedIn('baker@example.com');
      user = await baker.token();
      service = (await (await example.signedIn('admin@example.com')).get('/token?user=bot@service')).json.service_token as string;
      cookie = baker.cookies.get('caps_session') ?? '';
      assert.notEqual(cookie, '');
    });
    after(() => example.close());

    // Each forged token is signed with the application's real key (where a key is
    // used at all), so that the one claim changed is the only reason for its refusal.
    const forged: [string, () => string, TokenErrorCode, RegExp][] = [
      ['alg none', () => unsigned(partsOf(user).header, partsOf(user).claims), 'TOKEN_INVALID', /jwt signature is required/],
      ['another algorithm (HS512, right key)', () => signHmac({ ...partsOf(user).header, alg: 'HS512' }, partsOf(user).claims, key), 'TOKEN_INVALID', /invalid algorithm/],
      ['RS256 (algorithm confusion)', () => signRsa(partsOf(user).header, partsOf(user).claims), 'TOKEN_INVALID', /invalid algorithm/],
      ['a wrong key', () => signHmac(partsOf(user).header, partsOf(user).claims, 'wrong-key'), 'TOKEN_INVALID', /invalid signature/],
      ['an expired token', () => signHmac(partsOf(user).header, { ...partsOf(user).claims, exp: now() - 5 }, key), 'TOKEN_EXPIRED', /has expired/],
      ['a token not yet valid', () => signHmac(partsOf(user).header, { ...partsOf(user).claims, nbf: now() + 600 }, key), 'TOKEN_INVALID', /not valid yet/],
      ['another issuer', () => signHmac(partsOf(user).header, { ...partsOf(user).claims, iss: 'https://elsewhere.example' }, key), 'TOKEN_INVALID', /issuer invalid/],
      ['another audience', () => signHmac(partsOf(user).header, { ...partsOf(user).claims, aud: 'https://elsewhere.example' }, key), 'TOKEN_INVALID', /audience invalid/],
      ['a service token’s claims used as a user token', () => signHmac(partsOf(user).header, { ...partsOf(service).claims, typ: 'user' }, key), 'TOKEN_WRONG_TYPE', /user token cannot name a service account/],
      ['a user token’s claims used as a service token', () => signHmac(partsOf(user).header, { ...partsOf(user).claims, typ: 'service', cap: ['admin'] }, key), 'TOKEN_WRONG_TYPE', /service token must name a service account/],
      ['the session cookie’s value as a bearer', () => cookie, 'TOKEN_INVALID', /malformed/],
    ];
    for (const [what, make, code, message] of forged) {
      it(`refuses ${what} with ${code}`, async () => assertTokenRefused(await example.client().withToken(make()).get('/menu'), code, message));
    }

    const headers: [string, () => string][] = [
      ['"Bearer" without a token', () => 'Bearer'],
      ['a token without "Bearer"', () => user],
      ['"Bearer" doubled', () => `Bearer Bearer ${user}`],
      ['lower-case "bearer"', () => `bearer ${user}`],
      ['two spaces', () => `Bearer  ${user}`],
      ['two tokens', () => `Bearer ${user} ${user}`],
      ['another scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['a header over 8 KiB', () => `Bearer ${'a'.repeat(12 * 1024)}`],
    ];
    for (const [what, make] of headers) {
      it(`refuses ${what}`, async () => assertTokenRefused(await example.client({ authorization: make() }).get('/menu'), 'TOKEN_INVALID'));
    }

    it('refuses a 100 KB header with 401, without a stack trace', async () => {
      const reply = await example.client({ authorization: `Bearer ${'a'.repeat(100 * 1024)}` }).get('/menu');
      assertTokenRefused(reply, 'TOKEN_INVALID');
      assert.equal(reply.json.message, 'invalid bearer token: the Authorization header is too long');
    });

    it('refuses a token with a character appended while the intact one works', async () => {
      assert.equal((await example.client().withToken(user).get('/whoami')).json.user, 'baker@example.com');
      assertTokenRefused(await example.client().withToken(`${user}x`).get('/bake'), 'TOKEN_INVALID');
    });
  });
}
