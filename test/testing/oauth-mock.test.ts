import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { OAuthMock } from '../../src/testing';

describe('OAuthMock', () => {
  let mock: OAuthMock;
  const redirectUri = 'http://127.0.0.1:1/callback';
  const verifier = 'a-code-verifier-of-enough-length-0123456789abcdef';
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  before(async () => {
    mock = await OAuthMock.start();
  });
  after(() => mock.close());

  async function code(query: Record<string, string> = {}): Promise<string> {
    const params = new URLSearchParams({ response_type: 'code', client_id: mock.clientId, redirect_uri: redirectUri, state: 's1', nonce: 'n1', code_challenge: challenge, code_challenge_method: 'S256', ...query });
    const reply = await fetch(`${mock.issuer}/authorize?${params.toString()}`, { redirect: 'manual' });
    assert.equal(reply.status, 302);
    const location = new URL(reply.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('state'), 's1');
    assert.equal(location.searchParams.get('iss'), mock.issuer);
    return location.searchParams.get('code') ?? '';
  }

  function exchange(value: string, overrides: Record<string, string> = {}, secret = mock.clientSecret): Promise<Response> {
    return fetch(`${mock.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${mock.clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: value, redirect_uri: redirectUri, code_verifier: verifier, ...overrides }).toString(),
    });
  }

  it('publishes an OpenID Connect discovery document', async () => {
    const discovery = (await (await fetch(`${mock.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(discovery['issuer'], mock.issuer);
    assert.deepEqual(discovery['code_challenge_methods_supported'], ['S256']);
  });

  it('signs everybody in as test@example.com by default, with a verified email, the nonce, RS256', async () => {
    const answer = (await (await exchange(await code())).json()) as { id_token: string; access_token: string };
    const { payload, protectedHeader } = await jwtVerify(answer.id_token, createRemoteJWKSet(new URL(`${mock.issuer}/jwks`)), { issuer: mock.issuer, audience: mock.clientId });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload['email'], 'test@example.com');
    assert.equal(payload['email_verified'], true);
    assert.equal(payload['nonce'], 'n1');
    const userinfo = (await (await fetch(`${mock.issuer}/userinfo`, { headers: { authorization: `Bearer ${answer.access_token}` } })).json()) as Record<string, unknown>;
    assert.equal(userinfo['email'], 'test@example.com');
    assert.equal(userinfo['sub'], payload.sub);
  });

  it('switches the email with POST /set_email, as easy-oauth’s mock does', async () => {
    const reply = await fetch(`${mock.issuer}/set_email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'A@B.example' }) });
    assert.deepEqual(await reply.json(), { status: 'ok', email: 'a@b.example' });
    const answer = (await (await exchange(await code())).json()) as { access_token: string };
    const userinfo = (await (await fetch(`${mock.issuer}/userinfo`, { headers: { authorization: `Bearer ${answer.access_token}` } })).json()) as Record<string, unknown>;
    assert.equal(userinfo['email'], 'a@b.example');
  });

  it('refuses a wrong client secret, a wrong PKCE verifier, a reused code and another redirect URI', async () => {
    assert.equal((await exchange(await code(), {}, 'wrong')).status, 401);
    assert.equal((await exchange(await code(), { code_verifier: 'another-verifier-0123456789abcdef0123456789' })).status, 400);
    const once = await code();
    assert.equal((await exchange(once)).status, 200);
    assert.equal((await exchange(once)).status, 400);
    assert.equal((await exchange(await code(), { redirect_uri: 'http://127.0.0.1:1/elsewhere' })).status, 400);
    assert.equal((await fetch(`${mock.issuer}/userinfo`, { headers: { authorization: 'Bearer nope' } })).status, 401);
  });
});
