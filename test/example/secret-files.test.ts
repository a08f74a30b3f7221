import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { settingsFromEnvironment } from '../../example/environment';
import { tempFolder } from '../fixtures/temp-folder';
import { ADAPTERS, startExample } from '../support/example-server';
import { tokensFor } from '../tokens/token-forge';

const SECRET = 'file-secret-0123456789abcdefghijklmnopqrstuv';

describe('the example app: secrets read from files (*_FILE)', () => {
  it('reads AUTH_SECRET_FILE and trims the trailing newline a secret mount leaves', (t) => {
    const file = join(tempFolder(t), 'auth_secret');
    writeFileSync(file, `${SECRET}\n`);
    assert.equal(settingsFromEnvironment({ AUTH_SECRET_FILE: file }).auth.secret, SECRET);
    writeFileSync(file, `${SECRET}\r\n`);
    assert.equal(settingsFromEnvironment({ AUTH_SECRET_FILE: file }).auth.secret, SECRET);
  });

  it('reads the client secrets of Google, GitHub and OpenID Connect from files', (t) => {
    const folder = tempFolder(t);
    for (const name of ['google', 'github', 'oidc']) writeFileSync(join(folder, name), `${name}-secret\n`);
    const settings = settingsFromEnvironment({
      AUTH_SECRET: SECRET,
      GOOGLE_CLIENT_ID: 'g-id',
      GOOGLE_CLIENT_SECRET_FILE: join(folder, 'google'),
      GITHUB_CLIENT_ID: 'h-id',
      GITHUB_CLIENT_SECRET_FILE: join(folder, 'github'),
      OIDC_ISSUER: 'https://idp.example.com',
      OIDC_CLIENT_ID: 'o-id',
      OIDC_CLIENT_SECRET_FILE: join(folder, 'oidc'),
    });
    const secrets = (settings.auth.providers ?? []).map((provider) => [provider.kind, (provider as { clientSecret?: string }).clientSecret]);
    assert.deepEqual(secrets, [
      ['oidc', 'oidc-secret'],
      ['google', 'google-secret'],
      ['github', 'github-secret'],
    ]);
  });

  it('refuses a missing, unreadable or empty file without naming its path', (t) => {
    const folder = tempFolder(t);
    const missing = join(folder, 'missing');
    assert.throws(() => settingsFromEnvironment({ AUTH_SECRET_FILE: missing }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.equal(error.message, 'AUTH_SECRET_FILE: the secret file cannot be read (ENOENT)');
      return true;
    });
    const empty = join(folder, 'empty');
    writeFileSync(empty, '\n');
    assert.throws(() => settingsFromEnvironment({ AUTH_SECRET_FILE: empty }), { code: 'CONFIG_INVALID', message: 'AUTH_SECRET_FILE: the secret file is empty' });
    assert.throws(() => settingsFromEnvironment({ AUTH_SECRET: SECRET, GITHUB_CLIENT_ID: 'h-id', GITHUB_CLIENT_SECRET_FILE: folder }), {
      code: 'CONFIG_INVALID',
      message: 'GITHUB_CLIENT_SECRET_FILE: the secret file cannot be read (EISDIR)',
    });
    if (process.getuid?.() !== 0) {
      const locked = join(folder, 'locked');
      writeFileSync(locked, SECRET);
      chmodSync(locked, 0o000);
      assert.throws(() => settingsFromEnvironment({ AUTH_SECRET_FILE: locked }), { code: 'CONFIG_INVALID', message: 'AUTH_SECRET_FILE: the secret file cannot be read (EACCES)' });
    }
  });

  it('reads the token signing algorithm and its key files: AUTH_TOKEN_ALG, AUTH_SIGNING_KEY_FILE, AUTH_PREVIOUS_SIGNING_KEY_FILES', (t) => {
    const folder = tempFolder(t);
    const pem = (name: string): string => {
      const { privateKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      writeFileSync(join(folder, name), privateKey);
      return join(folder, name);
    };
    const [current, old, older] = [pem('current.pem'), pem('old.pem'), pem('older.pem')];
    const { auth } = settingsFromEnvironment({ AUTH_SECRET: SECRET, AUTH_TOKEN_ALG: 'EdDSA', AUTH_SIGNING_KEY_FILE: current, AUTH_PREVIOUS_SIGNING_KEY_FILES: `${old},${older}` });
    assert.equal(auth.tokenAlgorithm, 'EdDSA');
    assert.match(auth.signingKey ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(auth.previousSigningKeys?.length, 2);
    assert.deepEqual(Object.keys(settingsFromEnvironment({ AUTH_SECRET: SECRET }).auth).filter((name) => /signing|algorithm/i.test(name)), []);
    assert.throws(() => settingsFromEnvironment({ AUTH_SECRET: SECRET, AUTH_SIGNING_KEY_FILE: join(folder, 'missing.pem') }), {
      code: 'CONFIG_INVALID',
      message: 'AUTH_SIGNING_KEY_FILE: the secret file cannot be read (ENOENT)',
    });
  });

  it('refuses a secret given both directly and as a file, without printing it', (t) => {
    const file = join(tempFolder(t), 'auth_secret');
    writeFileSync(file, SECRET);
    assert.throws(() => settingsFromEnvironment({ AUTH_SECRET: SECRET, AUTH_SECRET_FILE: file }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.equal(error.message, 'AUTH_SECRET and AUTH_SECRET_FILE are both set; set only one');
      return true;
    });
    assert.throws(() => settingsFromEnvironment({ AUTH_SECRET: SECRET, OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'o', OIDC_CLIENT_SECRET: 'x', OIDC_CLIENT_SECRET_FILE: file }), {
      code: 'CONFIG_INVALID',
      message: 'OIDC_CLIENT_SECRET and OIDC_CLIENT_SECRET_FILE are both set; set only one',
    });
  });

  for (const adapter of ADAPTERS) {
    it(`signs and verifies with the secret read from AUTH_SECRET_FILE (${adapter})`, async (t) => {
      const file = join(tempFolder(t), 'auth_secret');
      writeFileSync(file, `${SECRET}\n`);
      const app = await startExample({ adapter, env: { AUTH_SECRET: '', AUTH_SECRET_FILE: file } });
      t.after(() => app.close());
      const origin = new URL(app.baseUrl).origin;
      const mint = (secret: string): string => tokensFor(secret, [], { issuer: origin, audience: origin }).issueUserToken('bob@example.com').token;
      const accepted = await app.client().withToken(mint(SECRET)).get('/whoami');
      assert.equal(accepted.status, 200);
      assert.equal(accepted.json.user, 'bob@example.com');
      const refused = await app.client().withToken(mint(`${SECRET}\n`)).get('/menu');
      assert.equal(refused.status, 401, 'the newline is not part of the secret');
      assert.equal(refused.json.code, 'TOKEN_INVALID');
    });
  }
});
