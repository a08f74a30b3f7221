import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TokenErrorCode } from '../../src/errors';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import { expectDenial } from '../support/denial';
import { ADAPTERS, EXAMPLE_SECRET, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';
import { partsOf, signHmac, unsigned } from '../tokens/token-forge';

/** The key the example app signs its tokens with, so that bad tokens differ from good ones in one thing only. */
const KEY = TokenKeyring.fromSecrets(EXAMPLE_SECRET).signingKey;
const now = (): number => Math.floor(Date.now() / 1000);

for (const adapter of ADAPTERS) {
  describe(`user bearer tokens on ${adapter}`, () => {
    let example: RunningExample;
    let baker: HttpClient;
    let token: string;

    before(async () => {
      example = await startExample({ adapter });
      baker = await example.signedIn('baker@example.com');
      token = await baker.token();
    });
    after(() => example.close());

    it('issues a token with its type and expiry, uncacheable', async () => {
      const reply = await baker.get('/token');
      assert.equal(reply.status, 200);
      assert.equal(reply.json.token_type, 'Bearer');
      assert.equal(typeof reply.json.token, 'string');
      assert.ok((reply.json.expires_at as number) > Date.now() / 1000);
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      const { header, claims } = partsOf(reply.json.token as string);
      assert.equal(header.alg, 'HS256');
      assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub', 'typ']);
      assert.equal(claims.sub, 'baker@example.com');
      assert.equal(claims.typ, 'user');
    });

    it('authenticates a script with Authorization: Bearer', async () => {
      const script = example.client().withToken(token);
      assert.equal((await script.get('/bake')).status, 200);
      expectDenial(await script.get('/arrest'), 403, 'CAPABILITY_MISSING');
      assert.deepEqual((await script.get('/whoami')).json.user, 'baker@example.com');
    });

    it('shows an HTML page with a copy button to a browser', async () => {
      const reply = await baker.get('/token', { accept: 'text/html' });
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /text\/html/);
      assert.match(reply.text, /<button[^>]*id="copy"/);
    });

    it('sends a browser that is not signed in to sign in and back to /token', async () => {
      const reply = await example.client().get('/token', { accept: 'text/html' });
      assert.equal(reply.status, 302);
      assert.equal(reply.location, '/login?redirect=%2Ftoken');
    });

    it('answers 401 SIGN_IN_REQUIRED to a script that is not signed in', async () => {
      expectDenial(await example.client().get('/token'), 401, 'SIGN_IN_REQUIRED');
    });

    // Each bad token but the unsigned one and the one of a wrong key is signed with the
    // application's real key, so the one thing changed is the only reason for its refusal;
    // the message shows which check refused it.
    const rejected: [string, () => string, TokenErrorCode, RegExp][] = [
      ['a tampered payload', () => tampered(token, { sub: 'admin@example.com' }), 'TOKEN_INVALID', /invalid signature/],
      ['a tampered signature', () => `${token.slice(0, -4)}AAAA`, 'TOKEN_INVALID', /invalid signature/],
      ['a token signed with another key', () => signHmac(partsOf(token).header, partsOf(token).claims, 'not-the-key'), 'TOKEN_INVALID', /invalid signature/],
      ['garbage', () => 'not-a-token', 'TOKEN_INVALID', /malformed/],
      ['an expired token', () => resigned(token, { exp: now() - 10 }), 'TOKEN_EXPIRED', /expired/],
      ['a token of another issuer', () => resigned(token, { iss: 'https://elsewhere.example' }), 'TOKEN_INVALID', /issuer invalid/],
      ['a token for another audience', () => resigned(token, { aud: 'https://elsewhere.example' }), 'TOKEN_INVALID', /audience invalid/],
      ['a token of another type', () => resigned(token, { typ: 'refresh' }), 'TOKEN_WRONG_TYPE', /not a bearer token of this application/],
      ['another algorithm (HS512)', () => signHmac({ ...partsOf(token).header, alg: 'HS512' }, partsOf(token).claims, KEY), 'TOKEN_INVALID', /invalid algorithm/],
      ['alg none', () => unsigned(partsOf(token).header, partsOf(token).claims), 'TOKEN_INVALID', /jwt signature is required/],
    ];
    for (const [what, make, code, message] of rejected) {
      it(`answers 401 ${code}, never 500, to ${what}`, async () => {
        const reply = await example.client().withToken(make()).get('/bake');
        expectDenial(reply, 401, code);
        assert.match(reply.json.message as string, message);
        assert.doesNotMatch(reply.text, /at .*\.js:\d+/, 'no stack trace');
      });
    }

    it('accepts the intact token that every bad one above is made from', async () => {
      assert.equal((await example.client().withToken(resigned(token, {})).get('/bake')).status, 200);
    });

    it('answers 401 TOKEN_INVALID to a malformed Authorization header', async () => {
      for (const header of ['Bearer', `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} ${token}`, `Basic ${token}`]) {
        expectDenial(await example.client({ authorization: header }).get('/menu'), 401, 'TOKEN_INVALID', header);
      }
    });

    it('sends Cache-Control: no-store with /token', async () => {
      const reply = await baker.get('/token');
      assert.equal(reply.headers.get('cache-control'), 'no-store');
    });
  });
}

/** `token` with some claims changed and signed again with the application's real key. */
function resigned(token: string, changes: Record<string, unknown>): string {
  const { header, claims } = partsOf(token);
  return signHmac(header, { ...claims, ...changes }, KEY);
}

/** `token` with some claims changed and its original signature kept. */
function tampered(token: string, changes: Record<string, unknown>): string {
  const [header, , signature] = token.split('.') as [string, string, string];
  const claims = Buffer.from(JSON.stringify({ ...partsOf(token).claims, ...changes })).toString('base64url');
  return `${header}.${claims}.${signature}`;
}
