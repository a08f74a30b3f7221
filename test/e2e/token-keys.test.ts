import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { expectDenial } from '../support/denial';
import { ADAPTERS, startExample, type RunningExample } from '../support/example-server';

const OLD_SECRET = 'old-rotation-secret-0123456789abcdefghijklmnop';
const NEW_SECRET = 'new-rotation-secret-0123456789abcdefghijklmnop';

/** A PKCS#8 PEM private key of `algorithm` in a file, as `openssl genpkey` writes one. */
function keyFile(folder: string, name: string, algorithm: 'EdDSA' | 'ES256'): string {
  const { privateKey } =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
      : generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const path = join(folder, name);
  writeFileSync(path, privateKey, { mode: 0o600 });
  return path;
}

async function jwksOf(example: RunningExample): Promise<JSONWebKeySet> {
  const reply = await example.client().get('/.well-known/jwks.json');
  assert.equal(reply.status, 200, reply.text);
  return reply.json as unknown as JSONWebKeySet;
}

/** Verifies `token` as another service would: with only jose, the JWKS, `iss` and `aud` (the app's BASE_URL). */
async function verifiedElsewhere(example: RunningExample, token: string, issuer = example.baseUrl): Promise<string | undefined> {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', example.baseUrl));
  const { payload } = await jwtVerify(token, jwks, { issuer, audience: issuer });
  return payload.sub;
}

for (const adapter of ADAPTERS) {
  for (const algorithm of ['EdDSA', 'ES256'] as const) {
    describe(`tokens signed with ${algorithm} on ${adapter}`, () => {
      let example: RunningExample;
      before(async () => {
        example = await startExample({ adapter, env: { AUTH_TOKEN_ALG: algorithm } });
      });
      after(() => example.close());

      it('are verified by another service with only jose and the published JWKS, user and service tokens alike', async () => {
        const admin = await example.signedIn('admin@example.com');
        const userToken = await admin.token();
        assert.equal(await verifiedElsewhere(example, userToken), 'admin@example.com');
        const service = await admin.get('/token?user=bot@service');
        assert.equal(await verifiedElsewhere(example, service.json.service_token as string), 'bot@service');
        assert.equal((await example.client().withToken(userToken).get('/bake')).status, 200, 'and by the app itself');
      });

      it('publishes the public key only, with kid, alg and use', async () => {
        const { keys } = await jwksOf(example);
        assert.equal(keys.length, 1);
        const key = keys[0];
        assert.ok(key !== undefined);
        assert.equal(key.alg, algorithm);
        assert.equal(key.use, 'sig');
        assert.equal(typeof key.kid, 'string');
        for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!(privatePart in key), `no "${privatePart}"`);
      });

      it('describes itself by RFC 8414 metadata, jwks_uri included', async () => {
        const reply = await example.client().get('/.well-known/oauth-authorization-server');
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.json, {
          issuer: example.baseUrl,
          token_endpoint: `${example.baseUrl}/token`,
          introspection_endpoint: `${example.baseUrl}/token/introspect`,
          revocation_endpoint: `${example.baseUrl}/token/revoke`,
          jwks_uri: `${example.baseUrl}/.well-known/jwks.json`,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
          scopes_supported: ['admin', 'arrest', 'bake', 'baker', 'mafia', 'police', 'racket', 'read', 'user_management'],
        });
      });
    });
  }

  describe(`token keys on ${adapter}`, () => {
    it('publishes no key and no jwks_uri under HS256, the default, and serves both at the root under a prefix', async () => {
      const example = await startExample({ adapter, env: { AUTH_PREFIX: '/auth' } });
      try {
        assert.deepEqual(await jwksOf(example), { keys: [] });
        const metadata = await example.client().get('/.well-known/oauth-authorization-server');
        assert.equal(metadata.json.issuer, example.baseUrl);
        assert.equal(metadata.json.introspection_endpoint, `${example.baseUrl}/auth/token/introspect`);
        assert.ok(!('jwks_uri' in metadata.json));
        assert.equal((await example.client().get('/auth/.well-known/jwks.json')).status, 404);
      } finally {
        await example.close();
      }
    });

    it('derives the same key pair on every instance sharing the secret: one verifies what the other signed', async () => {
      const first = await startExample({ adapter, env: { AUTH_TOKEN_ALG: 'EdDSA' } });
      const second = await startExample({ adapter, env: { AUTH_TOKEN_ALG: 'EdDSA', BASE_URL: first.baseUrl } });
      try {
        assert.deepEqual(await jwksOf(first), await jwksOf(second));
        const token = await (await first.signedIn('baker@example.com')).token();
        assert.equal((await second.client().withToken(token).get('/bake')).status, 200);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it('keeps HS256 tokens issued before the switch to EdDSA working in the app', async () => {
      const before = await startExample({ adapter });
      const token = await (await before.signedIn('baker@example.com')).token();
      await before.close();
      const switched = await startExample({ adapter, env: { AUTH_TOKEN_ALG: 'EdDSA', BASE_URL: before.baseUrl } });
      try {
        assert.equal((await switched.client().withToken(token).get('/bake')).status, 200);
      } finally {
        await switched.close();
      }
    });

    it('verifies a token signed before a rotation of the secret while the old secret is listed, and publishes both keys', async () => {
      const old = await startExample({ adapter, env: { AUTH_TOKEN_ALG: 'ES256', AUTH_SECRET: OLD_SECRET } });
      const token = await (await old.signedIn('baker@example.com')).token();
      const [oldKey] = (await jwksOf(old)).keys;
      await old.close();
      const env = { AUTH_TOKEN_ALG: 'ES256', AUTH_SECRET: NEW_SECRET, BASE_URL: old.baseUrl };
      const rotating = await startExample({ adapter, env: { ...env, AUTH_PREVIOUS_SECRETS: OLD_SECRET } });
      try {
        const { keys } = await jwksOf(rotating);
        assert.equal(keys.length, 2);
        assert.deepEqual(keys[1], oldKey, 'the retired key is still published');
        assert.equal((await jwtVerify(token, createLocalJWKSet({ keys }), { issuer: old.baseUrl, audience: old.baseUrl })).payload.sub, 'baker@example.com');
        assert.equal((await rotating.client().withToken(token).get('/bake')).status, 200);
      } finally {
        await rotating.close();
      }
      const rotated = await startExample({ adapter, env });
      try {
        assert.equal((await jwksOf(rotated)).keys.length, 1);
        expectDenial(await rotated.client().withToken(token).get('/bake'), 401, 'TOKEN_INVALID');
      } finally {
        await rotated.close();
      }
    });

    it('signs with AUTH_SIGNING_KEY_FILE, and keeps verifying the key it replaced while listed in AUTH_PREVIOUS_SIGNING_KEY_FILES', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'signing-keys-'));
      try {
        const oldFile = keyFile(folder, 'old.pem', 'EdDSA');
        const newFile = keyFile(folder, 'new.pem', 'EdDSA');
        const old = await startExample({ adapter, env: { AUTH_TOKEN_ALG: 'EdDSA', AUTH_SIGNING_KEY_FILE: oldFile } });
        const token = await (await old.signedIn('baker@example.com')).token();
        const [oldKey] = (await jwksOf(old)).keys;
        assert.equal(await verifiedElsewhere(old, token), 'baker@example.com');
        await old.close();
        const env = { AUTH_TOKEN_ALG: 'EdDSA', AUTH_SIGNING_KEY_FILE: newFile, BASE_URL: old.baseUrl };
        const rotating = await startExample({ adapter, env: { ...env, AUTH_PREVIOUS_SIGNING_KEY_FILES: oldFile } });
        try {
          const { keys } = await jwksOf(rotating);
          assert.deepEqual(keys[1], oldKey);
          assert.notEqual(keys[0]?.kid, oldKey?.kid);
          assert.equal(await verifiedElsewhere(rotating, token, old.baseUrl), 'baker@example.com');
          assert.equal((await rotating.client().withToken(token).get('/bake')).status, 200);
        } finally {
          await rotating.close();
        }
        const rotated = await startExample({ adapter, env });
        try {
          expectDenial(await rotated.client().withToken(token).get('/bake'), 401, 'TOKEN_INVALID');
        } finally {
          await rotated.close();
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
}
