import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokenCache } from '../../src/tokens/verified-token-cache';

const NOW_MS = 1_767_225_600_000;
const SIGNATURE_END = 'c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1hYmNkZWY';

describe('the verified-token cache', () => {
  it('serves an entry to the very token it was made for, until its expiry', () => {
    let now = NOW_MS;
    const cache = new VerifiedTokenCache<string>(() => now);
    const token = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.${SIGNATURE_END}`;
    cache.set(token, 'ada', NOW_MS / 1000 + 60);
    assert.equal(cache.get(token), 'ada');
    now += 60_000;
    assert.equal(cache.get(token), undefined, 'expired');
  });

  it('serves nothing to another token that ends with the same characters', () => {
    const cache = new VerifiedTokenCache<string>(() => NOW_MS);
    const ada = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.${SIGNATURE_END}`;
    const forged = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.${SIGNATURE_END}`;
    cache.set(ada, 'ada', null);
    assert.equal(cache.get(forged), undefined);
    assert.equal(cache.get(SIGNATURE_END), undefined, 'nor to the tail alone');
    assert.equal(cache.get(ada), 'ada');
  });

  it('makes room by forgetting the oldest entry', () => {
    const cache = new VerifiedTokenCache<number>(() => NOW_MS, 2);
    const tokens = ['a', 'b', 'c'].map((id) => `header.payload-${id}.${id.repeat(40)}`);
    tokens.forEach((token, index) => cache.set(token, index, null));
    assert.deepEqual(
      tokens.map((token) => cache.get(token)),
      [undefined, 1, 2],
    );
  });
});
