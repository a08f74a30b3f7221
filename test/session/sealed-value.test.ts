import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { seal, unseal } from '../../src/session/sealed-value';

const key = new Uint8Array(32).fill(7);
const NOW = 1_900_000_000;

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'opened',
    (error: unknown) => (error as { code?: unknown }).code,
  );
}

describe('sealed values (compact JWE, dir + A256GCM, on node:crypto)', () => {
  it('makes values that jose opens with the same claims and times', async () => {
    const value = await seal({ sub: 'ada@example.com' }, key, 60, 'session', undefined, NOW);
    const { payload, protectedHeader } = await jwtDecrypt(value, key, { currentDate: new Date((NOW + 1) * 1000) });
    assert.deepEqual(protectedHeader, { alg: 'dir', enc: 'A256GCM' });
    assert.deepEqual(payload, { sub: 'ada@example.com', pur: 'session', iat: NOW, exp: NOW + 60 });
  });

  it('opens values that jose sealed', async () => {
    const value = await new EncryptJWT({ sub: 'ada@example.com', pur: 'session' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 60)
      .encrypt(key);
    const claims = await unseal(value, key, 'session', NOW + 59);
    assert.equal(claims['sub'], 'ada@example.com');
  });

  it('keeps the first issue time of a re-sealed value', async () => {
    const claims = await unseal(await seal({}, key, 60, 'session', NOW - 500, NOW), key, 'session', NOW);
    assert.equal(claims['iat'], NOW - 500);
    assert.equal(claims['exp'], NOW + 60);
  });

  it('refuses an expired value with TOKEN_EXPIRED, at the second it expires', async () => {
    const value = await seal({}, key, 60, 'session', undefined, NOW);
    assert.equal(await codeOf(unseal(value, key, 'session', NOW + 59)), 'opened');
    assert.equal(await codeOf(unseal(value, key, 'session', NOW + 60)), 'TOKEN_EXPIRED');
  });

  it('refuses another purpose with TOKEN_WRONG_TYPE', async () => {
    const value = await seal({}, key, 60, 'login-attempt', undefined, NOW);
    assert.equal(await codeOf(unseal(value, key, 'session', NOW)), 'TOKEN_WRONG_TYPE');
  });

  it('refuses a tampered, truncated, re-headed or foreign-key value with TOKEN_INVALID', async () => {
    const value = await seal({ sub: 'ada@example.com' }, key, 60, 'session', undefined, NOW);
    const [header, , iv, ciphertext, tag] = value.split('.') as [string, string, string, string, string];
    const flipped = `${ciphertext.slice(0, -2)}${ciphertext.endsWith('AA') ? 'BA' : 'AA'}`;
    const otherHeader = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', zip: 'DEF' })).toString('base64url');
    for (const bad of [
      `${header}..${iv}.${flipped}.${tag}`,
      `${header}..${iv}.${ciphertext}`,
      `${otherHeader}..${iv}.${ciphertext}.${tag}`,
      `${header}.AAAA.${iv}.${ciphertext}.${tag}`,
      'not a value',
    ]) {
      assert.equal(await codeOf(unseal(bad, key, 'session', NOW)), 'TOKEN_INVALID', bad);
    }
    assert.equal(await codeOf(unseal(value, new Uint8Array(32).fill(8), 'session', NOW)), 'TOKEN_INVALID');
  });

  it('refuses a value without iat or exp with TOKEN_INVALID', async () => {
    const value = await new EncryptJWT({ pur: 'session' }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuedAt(NOW).encrypt(key);
    assert.equal(await codeOf(unseal(value, key, 'session', NOW)), 'TOKEN_INVALID');
  });
});
