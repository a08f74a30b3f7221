import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenError } from '../../src/errors';
import { keyOf, OLD_SECRET, partsOf, SECRET, signHmac, signRsa, tokensFor, unsigned } from './token-forge';

const now = (): number => Math.floor(Date.now() / 1000);

function rejects(verify: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(verify, (error: unknown) => {
    assert.ok(error instanceof TokenError, `a TokenError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('BearerTokens', () => {
  const tokens = tokensFor();
  const user = tokens.issueUserToken('baker@example.com');
  const service = tokens.issueServiceToken('bot@service', ['write']);
  const { header, claims } = partsOf(user.token);
  const serviceClaims = partsOf(service.token).claims;

  it('issues tokens with iss, aud, sub, iat, exp, jti, typ and a kid, HS256', () => {
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub', 'typ']);
    assert.equal(header['alg'], 'HS256');
    assert.equal(typeof header['kid'], 'string');
    assert.equal(claims['exp'], user.expiresAt);
    assert.equal(claims['jti'], user.tokenId);
    assert.equal((claims['exp'] as number) - (claims['iat'] as number), 3600);
    assert.deepEqual(serviceClaims['cap'], ['write']);
    assert.equal(serviceClaims['typ'], 'service');
  });

  it('verifies its own tokens into principals', () => {
    assert.deepEqual(tokens.verify(user.token).principal, { email: 'baker@example.com', kind: 'user', via: 'token', expiresAt: user.expiresAt });
    assert.deepEqual(tokens.verify(service.token).principal, { email: 'bot@service', kind: 'service', via: 'token', snapshot: ['write'], expiresAt: service.expiresAt });
  });

  it('issues a service token that never expires only when asked to', () => {
    const forever = tokensFor(SECRET, [], { serviceTokenTtlSeconds: null }).issueServiceToken('bot@service', []);
    assert.equal(forever.expiresAt, null);
    assert.equal('exp' in partsOf(forever.token).claims, false);
    assert.equal(typeof service.expiresAt, 'number');
  });

  it('issues a service token that expires by its bound when the bound comes before its lifetime', () => {
    const nowMs = Date.UTC(2026, 0, 1);
    const frozen = tokensFor(SECRET, [], { serviceTokenTtlSeconds: 3600, now: () => nowMs });
    const bound = nowMs / 1000 + 60;
    const bounded = frozen.issueServiceToken('bot@service', [], undefined, bound);
    assert.equal(bounded.expiresAt, bound);
    assert.equal(partsOf(bounded.token).claims['exp'], bound);
    assert.equal(frozen.issueServiceToken('bot@service', [], undefined, bound + 7200).expiresAt, nowMs / 1000 + 3600, 'a later bound changes nothing');
    const forever = tokensFor(SECRET, [], { serviceTokenTtlSeconds: null, now: () => nowMs });
    assert.equal(forever.issueServiceToken('bot@service', [], undefined, bound).expiresAt, bound, 'even one that would never expire');
  });

  const key = keyOf();
  const cases: [string, () => string, string, string | RegExp][] = [
    ['alg none', () => unsigned(header, claims), 'TOKEN_INVALID', 'the token is not valid: jwt signature is required'],
    ['alg none with a signature', () => `${unsigned(header, claims)}${user.token.split('.')[2]}`, 'TOKEN_INVALID', /^the token is not valid: /],
    ['another HMAC algorithm (HS512) with the right key', () => signHmac({ ...header, alg: 'HS512' }, claims, key), 'TOKEN_INVALID', 'the token is not valid: invalid algorithm'],
    ['RS256 (algorithm confusion)', () => signRsa(header, claims), 'TOKEN_INVALID', 'the token is not valid: invalid algorithm'],
    ['a wrong key', () => signHmac(header, claims, 'not-the-key'), 'TOKEN_INVALID', 'the token is not valid: invalid signature'],
    ['an unknown kid', () => signHmac({ ...header, kid: 'unknown' }, claims, key), 'TOKEN_INVALID', 'the token was signed with a key that is not (or no longer) accepted'],
    ['no kid', () => signHmac({ alg: 'HS256', typ: 'JWT' }, claims, key), 'TOKEN_INVALID', 'the token was signed with a key that is not (or no longer) accepted'],
    ['an expired token', () => signHmac(header, { ...claims, iat: now() - 100, exp: now() - 10 }, key), 'TOKEN_EXPIRED', 'the token has expired'],
    ['a token not valid yet', () => signHmac(header, { ...claims, nbf: now() + 600 }, key), 'TOKEN_INVALID', 'the token is not valid yet'],
    ['another issuer', () => signHmac(header, { ...claims, iss: 'https://elsewhere.test' }, key), 'TOKEN_INVALID', 'the token is not valid: jwt issuer invalid. expected: https://app.test'],
    ['another audience', () => signHmac(header, { ...claims, aud: 'https://elsewhere.test' }, key), 'TOKEN_INVALID', 'the token is not valid: jwt audience invalid. expected: https://app.test'],
    ['no jti', () => signHmac(header, { ...claims, jti: undefined }, key), 'TOKEN_INVALID', 'the token has no jti claim'],
    ['no iat', () => signHmac(header, { ...claims, iat: undefined }, key), 'TOKEN_INVALID', 'the token has no iat claim'],
    ['a subject that is not canonical', () => signHmac(header, { ...claims, sub: 'Baker@Example.com' }, key), 'TOKEN_INVALID', 'the token has no valid subject'],
    ['a user token naming a service account', () => signHmac(header, { ...claims, sub: 'bot@service' }, key), 'TOKEN_WRONG_TYPE', 'a user token cannot name a service account'],
    ['a service token naming a person', () => signHmac(header, { ...serviceClaims, sub: 'baker@example.com' }, key), 'TOKEN_WRONG_TYPE', 'a service token must name a service account'],
    ['a service token without its snapshot', () => signHmac(header, { ...serviceClaims, cap: 'write' }, key), 'TOKEN_INVALID', 'the service token has no capability snapshot'],
    ['no type claim', () => signHmac(header, { ...claims, typ: undefined }, key), 'TOKEN_WRONG_TYPE', 'this is not a bearer token of this application'],
    ['another type claim (session)', () => signHmac(header, { ...claims, typ: 'session' }, key), 'TOKEN_WRONG_TYPE', 'this is not a bearer token of this application'],
    ['a session cookie value (a JWE)', () => 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aaaa.bbbb.cccc', 'TOKEN_INVALID', 'the token is malformed'],
    ['garbage', () => 'not-a-token', 'TOKEN_INVALID', 'the token is malformed'],
    ['a tampered payload', () => `${user.token.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin@example.com' })).toString('base64url')}.${user.token.split('.')[2]}`, 'TOKEN_INVALID', 'the token is not valid: invalid signature'],
  ];
  for (const [what, make, code, message] of cases) {
    it(`refuses ${what} with ${code}`, () => rejects(() => tokens.verify(make()), code, message));
  }

  const NO_EXP = 'the token has no exp claim, and this application accepts no token that never expires';
  it('refuses a user token without exp, signed with the real key, with TOKEN_INVALID', () => {
    rejects(() => tokens.verify(signHmac(header, { ...claims, exp: undefined }, key)), 'TOKEN_INVALID', NO_EXP);
    rejects(() => tokensFor(SECRET, [], { serviceTokenTtlSeconds: null }).verify(signHmac(header, { ...claims, exp: undefined }, key)), 'TOKEN_INVALID', NO_EXP);
  });

  it('refuses a service token without exp unless service tokens may never expire', () => {
    const forever = signHmac(header, { ...serviceClaims, exp: undefined }, key);
    rejects(() => tokens.verify(forever), 'TOKEN_INVALID', NO_EXP);
    rejects(() => tokens.verifyIgnoringRevocation(forever), 'TOKEN_INVALID', NO_EXP);
    const never = tokensFor(SECRET, [], { serviceTokenTtlSeconds: null });
    assert.equal(never.verify(forever).expiresAt, null);
    assert.equal(never.verify(never.issueServiceToken('bot@service', ['write']).token).email, 'bot@service');
  });

  it('refuses a token of another application (same claims, another secret)', () => {
    const foreign = tokensFor(OLD_SECRET).issueUserToken('baker@example.com').token;
    rejects(() => tokens.verify(foreign), 'TOKEN_INVALID', 'the token was signed with a key that is not (or no longer) accepted');
  });
});

describe('BearerTokens revocation', () => {
  it('refuses a revoked token at once, even one already in the verified cache', async () => {
    const tokens = tokensFor();
    const issued = tokens.issueUserToken('baker@example.com');
    const other = tokens.issueUserToken('baker@example.com');
    const verified = tokens.verify(issued.token);
    await tokens.revoke(verified);
    rejects(() => tokens.verify(issued.token), 'TOKEN_REVOKED', 'the token has been revoked');
    assert.equal(tokens.verify(other.token).email, 'baker@example.com', 'only that token');
    assert.equal(tokens.verifyIgnoringRevocation(issued.token).tokenId, issued.tokenId);
  });

  it('revokes every token of an account issued up to now, and only that account', async () => {
    const tokens = tokensFor(SECRET, [], { now: () => Date.UTC(2026, 0, 1, 12) + 750 });
    const first = tokens.issueServiceToken('bot@service', ['write']);
    const second = tokens.issueServiceToken('bot@service', ['read']);
    const others = tokens.issueServiceToken('other@service', ['read']);
    tokens.verify(first.token);
    const cutoff = await tokens.revokeAccount('bot@service');
    assert.equal(cutoff, Date.UTC(2026, 0, 1, 12) / 1000);
    rejects(() => tokens.verify(first.token), 'TOKEN_REVOKED', 'the token has been revoked');
    rejects(() => tokens.verify(second.token), 'TOKEN_REVOKED', 'the token has been revoked');
    assert.equal(tokens.verify(others.token).email, 'other@service');
  });

  it('accepts a token issued after the account was revoked', async () => {
    const tokens = tokensFor();
    const key = keyOf();
    const cutoff = await tokens.revokeAccount('bot@service');
    const { header, claims } = partsOf(tokens.issueServiceToken('bot@service', []).token);
    const later = signHmac(header, { ...claims, iat: cutoff + 1 }, key);
    assert.equal(tokens.verify(later).email, 'bot@service');
    rejects(() => tokens.verify(signHmac(header, { ...claims, iat: cutoff }, key)), 'TOKEN_REVOKED', 'the token has been revoked');
  });
});

describe('key rotation', () => {
  it('accepts tokens of a retired key while it is listed, and refuses them once removed', () => {
    const old = tokensFor(OLD_SECRET).issueUserToken('baker@example.com').token;
    const rotated = tokensFor(SECRET, [OLD_SECRET]);
    assert.equal(rotated.verify(old).email, 'baker@example.com');
    const fresh = rotated.issueUserToken('baker@example.com').token;
    assert.notEqual(partsOf(fresh).header['kid'], partsOf(old).header['kid'], 'new tokens are signed with the new key');
    assert.equal(tokensFor(SECRET).verify(fresh).email, 'baker@example.com');
    rejects(() => tokensFor(SECRET).verify(old), 'TOKEN_INVALID', 'the token was signed with a key that is not (or no longer) accepted');
  });
});

describe('BearerTokens on a frozen clock', () => {
  const START_MS = Date.UTC(2026, 0, 1, 12);

  function frozen(): { tokens: ReturnType<typeof tokensFor>; at: (seconds: number) => void } {
    let nowMs = START_MS;
    return { tokens: tokensFor(SECRET, [], { userTokenTtlSeconds: 3600, now: () => nowMs }), at: (seconds) => (nowMs = START_MS + seconds * 1000) };
  }

  it('issues iat and exp from its clock', () => {
    const { tokens } = frozen();
    const issued = tokens.issueUserToken('baker@example.com');
    assert.equal(issued.expiresAt, START_MS / 1000 + 3600);
    assert.equal(tokens.verify(issued.token).issuedAt, START_MS / 1000);
  });

  it('accepts a token until its last second and refuses it with TOKEN_EXPIRED from then on, even once verified and cached', () => {
    const { tokens, at } = frozen();
    const issued = tokens.issueUserToken('baker@example.com');
    assert.equal(tokens.verify(issued.token).email, 'baker@example.com');
    at(3599);
    assert.equal(tokens.verify(issued.token).email, 'baker@example.com');
    at(3600);
    rejects(() => tokens.verify(issued.token), 'TOKEN_EXPIRED', 'the token has expired');
  });

  it('refuses a token issued in the future of its clock as not yet valid', () => {
    const { tokens, at } = frozen();
    const key = keyOf();
    const { header, claims } = partsOf(tokens.issueUserToken('baker@example.com').token);
    const later = signHmac(header, { ...claims, nbf: START_MS / 1000 + 60 }, key);
    rejects(() => tokens.verify(later), 'TOKEN_INVALID', 'the token is not valid yet');
    at(60);
    assert.equal(tokens.verify(later).email, 'baker@example.com');
  });
});

describe('BearerTokens.verifyKnown, a verified token answered from its header', () => {
  it('answers only the exact header "Bearer <token>" of a token verified before', () => {
    const tokens = tokensFor();
    const { token } = tokens.issueUserToken('baker@example.com');
    assert.equal(tokens.verifyKnown(`Bearer ${token}`), undefined, 'not verified yet');
    tokens.verify(token);
    assert.equal(tokens.verifyKnown(`Bearer ${token}`)?.email, 'baker@example.com');
    for (const header of [`bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} `, `Bearer ${token}=`, `Basic ${token}`, token, [`Bearer ${token}`]]) {
      assert.equal(tokens.verifyKnown(header), undefined, JSON.stringify(header).slice(0, 20));
    }
  });

  it('refuses a token revoked since it was verified, with TOKEN_REVOKED', async () => {
    const tokens = tokensFor();
    const { token } = tokens.issueUserToken('baker@example.com');
    const verified = tokens.verify(token);
    await tokens.revoke(verified);
    rejects(() => tokens.verifyKnown(`Bearer ${token}`), 'TOKEN_REVOKED', 'the token has been revoked');
  });
});
