import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginError } from '../../src/errors';
import { assertHasCode, assertNoProviderError, assertSingleValuedParameters, callbackQueryOf } from '../../src/http/callback-checks';
import { assertEmailVerified } from '../../src/nest/sign-in/provider-accounts';

function loginError(code: string, message: string | RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof LoginError && error.code === code && (typeof message === 'string' ? error.message === message : message.test(error.message));
}

describe('the callback checks', () => {
  it('read the query of Express and Fastify request URLs alike', () => {
    assert.equal(callbackQueryOf('/auth/oidc/callback?code=a&state=b').get('state'), 'b');
    assert.equal(callbackQueryOf('/auth/oidc/callback').toString(), '');
  });

  it('refuse a parameter given twice', () => {
    assert.throws(
      () => assertSingleValuedParameters(new URLSearchParams('code=a&state=b&state=c')),
      loginError('LOGIN_STATE_MISMATCH', 'the sign-in response repeats the parameter "state"'),
    );
    assert.doesNotThrow(() => assertSingleValuedParameters(new URLSearchParams('code=a&state=b&iss=c')));
  });

  it('turn a provider error into LOGIN_PROVIDER_ERROR with its description, control characters removed', () => {
    assert.throws(
      () => assertNoProviderError(new URLSearchParams({ error: 'access_denied', error_description: 'you\r\nsaid <no>\u202e' }), 'Example'),
      loginError('LOGIN_PROVIDER_ERROR', 'Example did not sign you in (access_denied): you  said <no> '),
    );
    assert.throws(() => assertNoProviderError(new URLSearchParams({ error: 'server_error' }), 'Example'), loginError('LOGIN_PROVIDER_ERROR', 'Example did not sign you in (server_error)'));
    assert.doesNotThrow(() => assertNoProviderError(new URLSearchParams({ code: 'a' }), 'Example'));
  });

  it('keep a long provider description short', () => {
    assert.throws(
      () => assertNoProviderError(new URLSearchParams({ error: 'e'.repeat(500), error_description: 'd'.repeat(5000) }), 'X'),
      (error) => error instanceof LoginError && error.message.length < 420,
    );
  });

  it('refuse a response without a code', () => {
    for (const query of ['state=a', 'state=a&code=']) {
      assert.throws(() => assertHasCode(new URLSearchParams(query)), loginError('LOGIN_PROVIDER_ERROR', 'the sign-in response has no authorization code'));
    }
  });

  it('refuse an identity without a verified email', () => {
    assert.throws(
      () => assertEmailVerified({ subject: 's', email: 'ada@example.com', emailVerified: false }),
      loginError('LOGIN_REFUSED', 'sign-in refused: the provider has not verified this email address'),
    );
    assert.throws(
      () => assertEmailVerified({ subject: 's', email: undefined, emailVerified: true }),
      loginError('LOGIN_REFUSED', 'sign-in refused: the provider did not share an email address'),
    );
    assert.doesNotThrow(() => assertEmailVerified({ subject: 's', email: 'ada@example.com', emailVerified: true }));
  });
});
