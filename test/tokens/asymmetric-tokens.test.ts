import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, calculateJwkThumbprint, createLocalJWKSet, importPKCS8, jwtVerify } from 'jose';
import { TokenError } from '../../src/errors';
import { deriveSigningKey, parsePreviousSigningKey, parseSigningKey, type AsymmetricAlgorithm } from '../../src/secrets/signing-key';
import { BearerTokens } from '../../src/tokens/bearer-tokens';
import { signCompactJws } from '../../src/tokens/compact-jws';
import { MemoryRevocationStore } from '../../src/tokens/revocation-store';
import { TokenKeyring } from '../../src/tokens/token-keyring';
import { configRefusal } from '../support/config-refusal';
import { ISSUER, OLD_SECRET, OPTIONS, SECRET, partsOf, signHmac } from './token-forge';

const ALGORITHMS: readonly AsymmetricAlgorithm[] = ['EdDSA', 'ES256'];

function tokensWith(keyring: TokenKeyring, now?: () => number): BearerTokens {
  return new BearerTokens(keyring, { ...OPTIONS, ...(now === undefined ? {} : { now }) }, new MemoryRevocationStore(now));
}

function rejects(verify: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(verify, (error: unknown) => {
    assert.ok(error instanceof TokenError, `a TokenError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** A PKCS#8 PEM key pair of `algorithm`, made as `openssl genpkey` would. */
function pemPair(algorithm: AsymmetricAlgorithm): { privateKey: string; publicKey: string } {
  if (algorithm === 'EdDSA') return generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
}

for (const algorithm of ALGORITHMS) {
  describe(`bearer tokens signed with ${algorithm}`, () => {
    const keyring = TokenKeyring.fromSecrets(SECRET, [], algorithm);
    const tokens = tokensWith(keyring);

    it('are verified by jose with only the public JWKS, iss and aud', async () => {
      const { token } = tokens.issueUserToken('baker@example.com');
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: [...keyring.publicJwks] }), { issuer: ISSUER, audience: ISSUER, algorithms: [algorithm] });
      assert.equal(payload.sub, 'baker@example.com');
      assert.equal(protectedHeader.alg, algorithm);
      assert.equal(protectedHeader.kid, keyring.signingKid);
      assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub', 'typ']);
    });

    it('name their key by its RFC 7638 thumbprint and publish no private member', async () => {
      const [jwk] = keyring.publicJwks;
      assert.ok(jwk !== undefined);
      assert.equal(jwk.kid, await calculateJwkThumbprint(jwk));
      assert.equal(jwk.alg, algorithm);
      assert.equal(jwk.use, 'sig');
      assert.ok(!('d' in jwk), 'no private part');
      assert.deepEqual(Object.keys(jwk).sort(), algorithm === 'EdDSA' ? ['alg', 'crv', 'kid', 'kty', 'use', 'x'] : ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    });

    it('derive the same key pair from the same secret, another from another', () => {
      const again = TokenKeyring.fromSecrets(SECRET, [], algorithm);
      assert.deepEqual(again.publicJwks, keyring.publicJwks);
      const { token } = tokensWith(again).issueServiceToken('bot@service', ['write']);
      assert.equal(tokens.verify(token).email, 'bot@service');
      assert.notEqual(TokenKeyring.fromSecrets(OLD_SECRET, [], algorithm).signingKid, keyring.signingKid);
    });

    it('verify a token jose signed with the same private key', async () => {
      const pem = deriveSigningKey(SECRET, algorithm).export({ type: 'pkcs8', format: 'pem' }).toString();
      const token = await new SignJWT({ typ: 'user' })
        .setProtectedHeader({ alg: algorithm, kid: keyring.signingKid })
        .setIssuer(ISSUER)
        .setAudience(ISSUER)
        .setSubject('baker@example.com')
        .setJti('jose-made')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(await importPKCS8(pem, algorithm));
      assert.equal(tokens.verify(token).tokenId, 'jose-made');
    });

    it('refuse a token whose signature was altered', () => {
      const { token } = tokens.issueUserToken('baker@example.com');
      const [header, claims] = token.split('.') as [string, string];
      const forged = Buffer.from(JSON.stringify({ ...partsOf(token).claims, sub: 'admin@example.com' })).toString('base64url');
      rejects(() => tokens.verify(`${header}.${forged}.${token.split('.')[2]!}`), 'TOKEN_INVALID', 'the token is not valid: invalid signature');
      rejects(() => tokens.verify(`${header}.${claims}.AAAA`), 'TOKEN_INVALID', 'the token is not valid: invalid signature');
    });

    it('refuse an HS256 token made with the public key as its HMAC secret', () => {
      const { claims } = partsOf(tokens.issueUserToken('baker@example.com').token);
      const publicPem = keyring.keyFor(keyring.signingKid)!.key.export({ type: 'spki', format: 'pem' });
      const confused = signHmac({ alg: 'HS256', typ: 'JWT', kid: keyring.signingKid }, claims, publicPem.toString());
      rejects(() => tokens.verify(confused), 'TOKEN_INVALID', 'the token is not valid: invalid algorithm');
    });

    it('refuse an expired token, and one for another issuer', () => {
      let clock = Date.UTC(2026, 0, 1);
      const frozen = tokensWith(keyring, () => clock);
      const { token } = frozen.issueUserToken('baker@example.com');
      clock += 3600 * 1000;
      rejects(() => frozen.verify(token), 'TOKEN_EXPIRED', 'the token has expired');
      const elsewhere = new BearerTokens(keyring, { ...OPTIONS, issuer: 'https://other.test' });
      rejects(() => tokens.verify(elsewhere.issueUserToken('baker@example.com').token), 'TOKEN_INVALID', `the token is not valid: jwt issuer invalid. expected: ${ISSUER}`);
    });

    it('are served from the verified-token cache once verified, as HS256 tokens are', () => {
      const verifier = tokensWith(keyring);
      const { token } = tokens.issueUserToken('baker@example.com');
      assert.equal(verifier.verifyKnown(`Bearer ${token}`), undefined, 'not verified yet');
      const verified = verifier.verify(token);
      assert.equal(verifier.verifyKnown(`Bearer ${token}`), verified, 'the very entry, no signature checked again');
    });

    it('refuse a token not valid yet, and one for another audience', () => {
      const key = deriveSigningKey(SECRET, algorithm);
      const now = Math.floor(Date.now() / 1000);
      const claims = { typ: 'user', sub: 'baker@example.com', iss: ISSUER, aud: ISSUER, jti: 'j', iat: now, exp: now + 600 };
      const header = { alg: algorithm, typ: 'JWT', kid: keyring.signingKid };
      rejects(() => tokens.verify(signCompactJws(header, { ...claims, nbf: now + 300 }, key)), 'TOKEN_INVALID', 'the token is not valid yet');
      rejects(() => tokens.verify(signCompactJws(header, { ...claims, aud: 'https://other.test' }, key)), 'TOKEN_INVALID', `the token is not valid: jwt audience invalid. expected: ${ISSUER}`);
      assert.equal(tokens.verify(signCompactJws(header, { ...claims, aud: ['https://other.test', ISSUER] }, key)).tokenId, 'j', 'an audience list naming the app');
    });

    it('keep accepting HS256 tokens issued before the switch, from the same secret', () => {
      const before = tokensWith(TokenKeyring.fromSecrets(SECRET)).issueUserToken('baker@example.com');
      assert.equal(tokens.verify(before.token).email, 'baker@example.com');
    });

    it('verify tokens of a rotated secret while it is listed, and list its public key', () => {
      const old = tokensWith(TokenKeyring.fromSecrets(OLD_SECRET, [], algorithm)).issueUserToken('baker@example.com');
      const rotating = TokenKeyring.fromSecrets(SECRET, [OLD_SECRET], algorithm);
      assert.equal(tokensWith(rotating).verify(old.token).email, 'baker@example.com');
      assert.deepEqual(
        rotating.publicJwks.map((jwk) => jwk.kid),
        [keyring.signingKid, TokenKeyring.fromSecrets(OLD_SECRET, [], algorithm).signingKid],
      );
      rejects(() => tokens.verify(old.token), 'TOKEN_INVALID', 'the token was signed with a key that is not (or no longer) accepted');
    });

    it('sign with a key read from a PKCS#8 PEM, and verify its predecessor given as a public PEM', async () => {
      const current = pemPair(algorithm);
      const previous = pemPair(algorithm);
      const oldToken = tokensWith(TokenKeyring.withKeyPair({ algorithm, signing: parseSigningKey(previous.privateKey, algorithm, 'old'), previous: [] })).issueUserToken('baker@example.com');
      const fromFile = TokenKeyring.withKeyPair({
        algorithm,
        signing: parseSigningKey(current.privateKey, algorithm, 'signingKey'),
        previous: [parsePreviousSigningKey(previous.publicKey, algorithm, 'previousSigningKeys[0]')],
      });
      const fileTokens = tokensWith(fromFile);
      assert.equal(fileTokens.verify(oldToken.token).email, 'baker@example.com');
      const { token } = fileTokens.issueUserToken('baker@example.com');
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [...fromFile.publicJwks] }), { issuer: ISSUER, audience: ISSUER });
      assert.equal(payload.sub, 'baker@example.com');
      assert.equal(fromFile.publicJwks.length, 2);
    });
  });
}

describe('signing keys read from PEM', () => {
  it('refuses text that is no key, naming the option but not the content', () => {
    const error = configRefusal(() => parseSigningKey('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----', 'EdDSA', 'AUTH_SIGNING_KEY_FILE'));
    assert.equal(error.message, 'AUTH_SIGNING_KEY_FILE is not a PKCS#8 PEM private key');
  });

  it('refuses a key of another curve than the algorithm needs', () => {
    assert.equal(configRefusal(() => parseSigningKey(pemPair('ES256').privateKey, 'EdDSA', 'signingKey')).message, 'signingKey is not an Ed25519 key, as tokenAlgorithm EdDSA needs');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    assert.equal(configRefusal(() => parseSigningKey(p384.privateKey, 'ES256', 'signingKey')).message, 'signingKey is not a P-256 key, as tokenAlgorithm ES256 needs');
    assert.equal(configRefusal(() => parsePreviousSigningKey(pemPair('EdDSA').publicKey, 'ES256', 'previousSigningKeys[0]')).message, 'previousSigningKeys[0] is not a P-256 key, as tokenAlgorithm ES256 needs');
  });
});
