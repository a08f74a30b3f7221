import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { resolveAuthConfig } from '../../src/nest/auth-config';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { configRefusal } from '../support/config-refusal';

const STRONG = 'k3Jq8vX2mN5pR7tW9yB4cE6gH1jL0oQsUaZdFiKx';
const base = { secret: STRONG, baseUrl: 'https://app.example.com' };

describe('resolveAuthConfig in production', () => {
  it('refuses a secret shorter than 32 bytes, without echoing it', () => {
    const error = configRefusal(() => resolveAuthConfig({ ...base, secret: 'short-but-secret-value', production: true }));
    assert.equal(error.message, 'AUTH_SECRET must be at least 32 bytes long (e.g. openssl rand -base64 48)');
    assert.doesNotMatch(error.message, /short-but-secret-value/);
  });

  for (const placeholder of ['changeme-changeme-changeme-changeme', 'your-secret-your-secret-your-secret-xx', 'x'.repeat(40), 'replace-this-with-a-real-secret-please']) {
    it(`refuses the placeholder ${JSON.stringify(placeholder.slice(0, 12))}…`, () => {
      const error = configRefusal(() => resolveAuthConfig({ ...base, secret: placeholder, production: true }));
      assert.equal(error.message, 'AUTH_SECRET looks like a placeholder; generate a random one (e.g. openssl rand -base64 48)');
    });
  }

  it('refuses a weak previous secret too', () => {
    configRefusal(() => resolveAuthConfig({ ...base, previousSecrets: ['old'], production: true }));
  });

  it('refuses the development sign-in', () => {
    const error = configRefusal(() => resolveAuthConfig({ ...base, devLogin: true, production: true }));
    assert.equal(error.message, 'the development sign-in cannot be enabled in production (NODE_ENV=production)');
  });

  it('takes production from NODE_ENV when not given', () => {
    configRefusal(() => resolveAuthConfig({ ...base, devLogin: true }, '', { NODE_ENV: 'production' }));
    assert.equal(resolveAuthConfig({ ...base, devLogin: true }, '', { NODE_ENV: 'development' }).devLogin, true);
  });

  it('accepts a strong secret', () => {
    const config = resolveAuthConfig({ ...base, production: true });
    assert.equal(config.production, true);
    assert.deepEqual(config.warnings, []);
  });
});

describe('resolveAuthConfig outside production', () => {
  it('warns about a weak secret instead of refusing it', () => {
    const config = resolveAuthConfig({ ...base, secret: 'dev', production: false });
    assert.deepEqual(config.warnings, ['AUTH_SECRET must be at least 32 bytes long (e.g. openssl rand -base64 48); this is refused in production']);
  });

  it('still refuses a missing secret, saying which variable, how to make one and how a test gets one', () => {
    for (const secret of ['', undefined]) {
      const error = configRefusal(() => resolveAuthConfig({ ...base, secret: secret as unknown as string }, '', {}));
      assert.equal(
        error.message,
        'secret is required: AuthModule got no secret. Keep it in the environment variable AUTH_SECRET, made with ' +
          '`openssl rand -base64 48`, and read it when the module is built (forRootAsync: config.getOrThrow(\'AUTH_SECRET\')); ' +
          'a test sets AUTH_SECRET before it compiles the testing module (see the README\'s quick start)',
      );
    }
  });

  it('says so when AUTH_SECRET is set but was read before it was, as at import time', () => {
    const error = configRefusal(() => resolveAuthConfig({ ...base, secret: '' }, '', { AUTH_SECRET: STRONG }));
    assert.ok(
      error.message.startsWith('secret is required: AuthModule got no secret, though AUTH_SECRET is set now: the options were built before it was set'),
      error.message,
    );
    assert.doesNotMatch(error.message, new RegExp(STRONG));
  });
});

describe('resolveAuthConfig: the base URL, cookies and lifetimes', () => {
  it('marks cookies Secure and __Host- named over https', () => {
    const config = resolveAuthConfig(base);
    assert.deepEqual(config.cookies, { secure: true, sessionName: '__Host-caps_session', loginPrefix: '__Host-caps_login_' });
  });

  it('keeps plain names over http', () => {
    assert.equal(resolveAuthConfig({ ...base, baseUrl: 'http://localhost:3000' }).cookies.secure, false);
  });

  for (const [baseUrl, message] of [
    ['not a url', 'baseUrl "not a url" is not a URL'],
    ['ftp://example.com', 'baseUrl must be http or https, got ftp:'],
    ['https://user:pw@example.com', 'baseUrl must not hold credentials, a query or a fragment'],
    ['https://example.com/?next=/', 'baseUrl must not hold credentials, a query or a fragment'],
  ] as const) {
    it(`refuses the base URL ${baseUrl}`, () => {
      assert.equal(configRefusal(() => resolveAuthConfig({ ...base, baseUrl })).message, message);
    });
  }

  it('normalizes the route prefix', () => {
    assert.equal(resolveAuthConfig(base, 'api/v1/').prefix, '/api/v1');
    assert.equal(resolveAuthConfig(base, '/').prefix, '');
  });

  it('refuses a lifetime that is not a positive whole number', () => {
    assert.equal(configRefusal(() => resolveAuthConfig({ ...base, sessionTtlSeconds: 0 })).message, 'sessionTtlSeconds must be a positive whole number, got 0');
  });

  it('issues service tokens that never expire only when asked by name', () => {
    assert.equal(resolveAuthConfig(base).serviceTokenTtlSeconds, 90 * 86400);
    assert.equal(resolveAuthConfig({ ...base, serviceTokenTtlSeconds: 'never' }).serviceTokenTtlSeconds, null);
  });

  it('keeps the audit trail 90 days unless told otherwise, and refuses a retention that is not a number of days', () => {
    assert.equal(resolveAuthConfig(base).auditRetentionDays, 90);
    assert.equal(resolveAuthConfig({ ...base, auditRetentionDays: 365 }).auditRetentionDays, 365);
    assert.equal(
      configRefusal(() => resolveAuthConfig({ ...base, auditRetentionDays: 0 })).message,
      'auditRetentionDays must be a number of days above 0 and up to 36500, got 0',
    );
  });

  it('derives a different key for each purpose', () => {
    const { keys } = resolveAuthConfig(base);
    assert.notDeepEqual(Buffer.from(keys.session), Buffer.from(keys.login));
    assert.notDeepEqual(Buffer.from(keys.session), keys.token.export());
  });
});

describe('resolveAuthConfig: the token algorithm and signing keys', () => {
  it('signs with HS256 unless told otherwise, publishing no key', () => {
    const { tokenKeys } = resolveAuthConfig(base);
    assert.equal(tokenKeys.signingAlgorithm, 'HS256');
    assert.deepEqual(tokenKeys.publicJwks, []);
  });

  it('derives an EdDSA or ES256 key pair from the secret, and lists the previous secrets\' public keys', () => {
    const previous = 'p7Hq2vZ8mB5nR1tW4yC9eK6gJ3jL0oQsUaXdFiMx';
    const ed = resolveAuthConfig({ ...base, tokenAlgorithm: 'EdDSA', previousSecrets: [previous] }).tokenKeys;
    assert.equal(ed.signingAlgorithm, 'EdDSA');
    assert.deepEqual(ed.publicJwks.map((jwk) => jwk.crv), ['Ed25519', 'Ed25519']);
    assert.equal(resolveAuthConfig({ ...base, tokenAlgorithm: 'ES256' }).tokenKeys.publicJwks[0]?.crv, 'P-256');
  });

  it('signs with a key file and keeps verifying the key pair derived from a previous secret (a move to a key file with a rotation)', () => {
    const previous = 'p7Hq2vZ8mB5nR1tW4yC9eK6gJ3jL0oQsUaXdFiMx';
    const options = { issuer: base.baseUrl, audience: base.baseUrl, userTokenTtlSeconds: 60, serviceTokenTtlSeconds: 60 };
    const before = new BearerTokens(resolveAuthConfig({ ...base, secret: previous, tokenAlgorithm: 'EdDSA' }).tokenKeys, options).issueUserToken('baker@example.com');
    const pem = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    const { tokenKeys } = resolveAuthConfig({ ...base, previousSecrets: [previous], tokenAlgorithm: 'EdDSA', signingKey: pem });
    assert.equal(new BearerTokens(tokenKeys, options).verify(before.token).email, 'baker@example.com');
    assert.equal(tokenKeys.publicJwks.length, 2);
  });

  it('refuses an unknown algorithm, and key files under HS256, where they would be ignored', () => {
    assert.equal(
      configRefusal(() => resolveAuthConfig({ ...base, tokenAlgorithm: 'RS256' as 'HS256' })).message,
      'tokenAlgorithm must be one of HS256, EdDSA, ES256, got "RS256"',
    );
    assert.equal(
      configRefusal(() => resolveAuthConfig({ ...base, signingKey: '-----BEGIN PRIVATE KEY-----' })).message,
      "signingKey and previousSigningKeys sign tokens only with tokenAlgorithm 'EdDSA' or 'ES256'",
    );
    assert.equal(
      configRefusal(() => resolveAuthConfig({ ...base, tokenAlgorithm: 'EdDSA', signingKey: 'not a key' })).message,
      'signingKey is not a PKCS#8 PEM private key',
    );
  });
});
