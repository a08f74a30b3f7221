import { createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { BearerTokens, type BearerTokenOptions } from '../../src/tokens/bearer-tokens';
import { MemoryRevocationStore } from '../../src/tokens/revocation-store';
import { TokenKeyring } from '../../src/tokens/token-keyring';

export const SECRET = 'unit-secret-0123456789abcdefghijklmnopqrstuvwxyz';
export const OLD_SECRET = 'old-unit-secret-0123456789abcdefghijklmnopqrstu';
export const ISSUER = 'https://app.test';

export const OPTIONS: BearerTokenOptions = { issuer: ISSUER, audience: ISSUER, userTokenTtlSeconds: 3600, serviceTokenTtlSeconds: 7200 };

/** Bearer tokens over `secret` (plus `previous`), with revocations in memory. */
export function tokensFor(secret = SECRET, previous: readonly string[] = [], options: Partial<BearerTokenOptions> = {}): BearerTokens {
  return new BearerTokens(TokenKeyring.fromSecrets(secret, previous), { ...OPTIONS, ...options }, new MemoryRevocationStore());
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The header and claims of `token`. */
export function partsOf(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.') as [string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
  return { header: decode(header), claims: decode(claims) };
}

/** A JWT of any header and claims, HMAC-signed with `key` under the header's HS algorithm. */
export function signHmac(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject | string): string {
  const input = `${encode(header)}.${encode(claims)}`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[header['alg'] as string] ?? 'sha256';
  return `${input}.${createHmac(digest, key).update(input).digest('base64url')}`;
}

/** A JWT signed RS256 with a fresh RSA key (PEM first: see the Node 20 JWK export pitfall). */
export function signRsa(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const input = `${encode({ ...header, alg: 'RS256' })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(privateKey)).toString('base64url')}`;
}

/** An unsigned token, `alg: none`. */
export function unsigned(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  return `${encode({ ...header, alg: 'none' })}.${encode(claims)}.`;
}

/** The signing key of `secret`, as the keyring derives it. */
export function keyOf(secret = SECRET): KeyObject {
  return TokenKeyring.fromSecrets(secret).signingKey;
}
