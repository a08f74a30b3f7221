import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/errors';
import { bearerTokenOf, MAX_AUTHORIZATION_LENGTH } from '../../src/tokens/bearer-header';

function assertInvalid(header: string | string[]): void {
  assert.throws(() => bearerTokenOf(header), (error: unknown) => error instanceof TokenError && error.code === 'TOKEN_INVALID', JSON.stringify(header));
}

describe('reading the Authorization header', () => {
  it('gives the token of "Bearer <token>", base64url with padding', () => {
    assert.equal(bearerTokenOf('Bearer eyJh.eyJz.c2ln-_~+/='), 'eyJh.eyJz.c2ln-_~+/=');
    assert.equal(bearerTokenOf('Bearer nck_0123456789abcdef'), 'nck_0123456789abcdef');
  });

  it('gives nothing when there is no header', () => {
    assert.equal(bearerTokenOf(undefined), undefined);
  });

  it('refuses anything else as TOKEN_INVALID', () => {
    for (const header of ['bearer abc', 'Basic abc', 'Bearer', 'Bearer ', 'Bearer  abc', 'Bearer abc ', ' Bearer abc', 'Bearer a=b', 'Bearer a b', 'Bearer abc\n']) {
      assertInvalid(header);
    }
    assertInvalid(['Bearer abc', 'Bearer def']);
    assertInvalid(`Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`);
  });
});
