import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';
import type { HttpClient } from '../support/http-client';

function forge(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

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
      assert.ok(reply.json.expires_at > Date.now() / 1000);
      assert.equal(reply.headers.get('cache-control'), 'no-store');
      const header = JSON.parse(Buffer.from(reply.json.token.split('.')[0], 'base64url').toString());
      assert.equal(header.alg, 'HS256');
      const claims = JSON.parse(Buffer.from(reply.json.token.split('.')[1], 'base64url').toString());
      assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub', 'typ']);
      assert.equal(claims.sub, 'baker@example.com');
      assert.equal(claims.typ, 'user');
    });

    it('authenticates a script with Authorization: Bearer', async () => {
      const script = example.client().withToken(token);
      assert.equal((await script.get('/bake')).status, 200);
      assert.equal((await script.get('/arrest')).status, 403);
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

    it('answers 401 to a script that is not signed in', async () => {
      assert.equal((await example.client().get('/token')).status, 401);
    });

    const rejected: [string, () => string][] = [
      ['a tampered payload', () => forge(token, (claims) => (claims['sub'] = 'admin@example.com'))],
      ['a tampered signature', () => `${token.slice(0, -4)}AAAA`],
      ['garbage', () => 'not-a-token'],
      ['an expired token', () => signedLike(token, { exp: Math.floor(Date.now() / 1000) - 10 })],
      ['a token of another issuer', () => signedLike(token, { iss: 'https://elsewhere.example' })],
      ['alg none', () => unsigned(token)],
    ];
    for (const [what, make] of rejected) {
      it(`answers 401, never 500, to ${what}`, async () => {
        const reply = await example.client().withToken(make()).get('/bake');
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.json.statusCode, 401);
        assert.doesNotMatch(reply.text, /at .*\.js:\d+/, 'no stack trace');
      });
    }

    it('answers 401 to a malformed Authorization header', async () => {
      for (const header of ['Bearer', `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} ${token}`, `Basic ${token}`]) {
        const reply = await example.client({ authorization: header }).get('/menu');
        assert.equal(reply.status, 401, header);
      }
    });

    it('sends Cache-Control: no-store with /token', async () => {
      const reply = await baker.get('/token');
      assert.equal(reply.headers.get('cache-control'), 'no-store');
    });
  });
}

/** A token with the same header and claims but changed ones, signed with a wrong key. */
function signedLike(token: string, changes: Record<string, unknown>): string {
  const forged = forge(token, (claims) => Object.assign(claims, changes));
  const [header, payload] = forged.split('.') as [string, string];
  const signature = createHmac('sha256', 'not-the-key').update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function unsigned(token: string): string {
  const [, payload] = token.split('.') as [string, string];
  return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
}
