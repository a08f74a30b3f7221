import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RevocationLimitError } from '../../src/errors';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { MAX_LIVE_REVOCATIONS_PER_ACCOUNT, RevocationQuota } from '../../src/tokens/revocation-quota';
import { MemoryRevocationStore, type RevocationStore } from '../../src/tokens/revocation-store';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import { OPTIONS, SECRET } from './token-forge';

const LIMIT = (email: string, max: number): string =>
  `${email} has ${max} revoked tokens that have not expired yet: end all of its tokens at once with POST /token/revoke_all instead`;

function assertLimit(fn: () => unknown, email: string, max: number): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RevocationLimitError);
    assert.deepEqual({ code: error.code, message: error.message }, { code: 'REVOCATION_LIMIT', message: LIMIT(email, max) });
    return true;
  });
}

describe('RevocationQuota', () => {
  it('keeps at most 100 live revoked tokens per account by default', () => {
    assert.equal(MAX_LIVE_REVOCATIONS_PER_ACCOUNT, 100);
    const quota = new RevocationQuota();
    for (let i = 0; i < 100; i++) quota.reserve('bob@example.com', null);
    assertLimit(() => quota.reserve('bob@example.com', null), 'bob@example.com', 100);
    assert.doesNotThrow(() => quota.reserve('ann@example.com', null), 'per account');
  });

  it('frees a place when a revoked token expires, never for one that never expires', () => {
    let nowMs = 1_000_000_000;
    const quota = new RevocationQuota(2, () => nowMs);
    quota.reserve('bob@example.com', 1_000_000_010);
    quota.reserve('bob@example.com', null);
    assertLimit(() => quota.reserve('bob@example.com', 1_000_000_100), 'bob@example.com', 2);
    nowMs = 1_000_000_011_000;
    assert.doesNotThrow(() => quota.reserve('bob@example.com', 1_000_000_100));
    assertLimit(() => quota.reserve('bob@example.com', 1_000_000_100), 'bob@example.com', 2);
  });

  it('takes a reservation back when asked', () => {
    const quota = new RevocationQuota(1);
    const release = quota.reserve('bob@example.com', null);
    release();
    assert.doesNotThrow(() => quota.reserve('bob@example.com', null));
  });
});

describe('BearerTokens.revoke within the quota', () => {
  const tokensWith = (store: RevocationStore, max: number): BearerTokens =>
    new BearerTokens(TokenKeyring.fromSecrets(SECRET), OPTIONS, store, new RevocationQuota(max));

  it('refuses a revocation past the limit with REVOCATION_LIMIT, and writes nothing', async () => {
    const store = new MemoryRevocationStore();
    const tokens = tokensWith(store, 2);
    const [a, b, c] = [1, 2, 3].map(() => tokens.verify(tokens.issueUserToken('bob@example.com').token)) as [never, never, never];
    await tokens.revoke(a);
    await tokens.revoke(b);
    await assert.rejects(tokens.revoke(c), { code: 'REVOCATION_LIMIT', message: LIMIT('bob@example.com', 2) });
    assert.equal(store.isRevoked(c), false);
    await tokens.revoke(a);
    await tokens.revokeAccount('bob@example.com');
    assert.equal(store.isRevoked(c), true, 'revoke_all ends them all');
  });

  it('gives the place back when the store fails', async () => {
    const failing = Object.assign(new MemoryRevocationStore(), { revokeToken: () => Promise.reject(new Error('disk full')) });
    const tokens = tokensWith(failing, 1);
    const verified = tokens.verify(tokens.issueUserToken('bob@example.com').token);
    await assert.rejects(tokens.revoke(verified), /disk full/);
    await assert.rejects(tokens.revoke(verified), /disk full/, 'not REVOCATION_LIMIT');
  });
});
