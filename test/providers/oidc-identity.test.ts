import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginError } from '../../src/errors';
import { identityFromClaims, providerTokensOf } from '../../src/providers/oidc/oidc-identity';

describe('identityFromClaims', () => {
  it('reads subject, email and verification from the id_token', () => {
    assert.deepEqual(identityFromClaims({ sub: 'u-1', email: 'Ada@Example.com', email_verified: true }, undefined, undefined), {
      subject: 'u-1',
      email: 'Ada@Example.com',
      emailVerified: true,
      tokens: undefined,
    });
  });

  it('takes the email from userinfo when the id_token has none', () => {
    const identity = identityFromClaims({ sub: 'u-1' }, { sub: 'u-1', email: 'ada@example.com', email_verified: true }, undefined);
    assert.equal(identity.email, 'ada@example.com');
    assert.equal(identity.emailVerified, true);
  });

  it('counts only the boolean true as verified', () => {
    for (const value of [false, 'true', 1, undefined, null]) {
      assert.equal(identityFromClaims({ sub: 'u-1', email: 'ada@example.com', email_verified: value }, undefined, undefined).emailVerified, false, String(value));
    }
  });

  it('does not mix the id_token email with the userinfo verification', () => {
    const identity = identityFromClaims({ sub: 'u-1', email: 'ada@example.com' }, { sub: 'u-1', email: 'other@example.com', email_verified: true }, undefined);
    assert.equal(identity.email, 'ada@example.com');
    assert.equal(identity.emailVerified, false);
  });

  it('reads the verification from another claim where the provider names it so', () => {
    const claims = { sub: 'u-1', email: 'ada@example.com', xms_edov: true };
    assert.equal(identityFromClaims(claims, undefined, undefined, 'xms_edov').emailVerified, true);
    assert.equal(identityFromClaims(claims, undefined, undefined).emailVerified, false);
  });

  it('refuses an id_token without a subject', () => {
    assert.throws(
      () => identityFromClaims({ email: 'ada@example.com', email_verified: true }, undefined, undefined),
      (error) => error instanceof LoginError && error.code === 'LOGIN_PROVIDER_ERROR' && error.message === 'the provider sent no subject in its id_token',
    );
  });
});

describe('providerTokensOf', () => {
  it('keeps the access token, the refresh token and the expiry in unix seconds', () => {
    assert.deepEqual(providerTokensOf({ access_token: 'at', refresh_token: 'rt' }, 3600, 1_000), { accessToken: 'at', refreshToken: 'rt', expiresAt: 4_600 });
  });

  it('has no expiry when the provider gave none, and nothing without an access token', () => {
    assert.deepEqual(providerTokensOf({ access_token: 'at' }, undefined, 1_000), { accessToken: 'at', refreshToken: undefined, expiresAt: undefined });
    assert.equal(providerTokensOf({ refresh_token: 'rt' }, 3600, 1_000), undefined);
    assert.equal(providerTokensOf({ access_token: '' }, 3600, 1_000), undefined);
  });
});
