import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from '../secrets/signing-key';

/** A public key as a JWKS lists it (RFC 7517): never a private member. */
export interface PublicJwk {
  readonly kty: 'OKP' | 'EC';
  readonly crv: 'Ed25519' | 'P-256';
  readonly x: string;
  readonly y?: string;
  readonly kid: string;
  readonly alg: AsymmetricAlgorithm;
  readonly use: 'sig';
}

/**
 * The public JWK of `key` (a private or public Ed25519 or P-256 key), named by its
 * RFC 7638 thumbprint: only the public members are copied, whatever `key` holds.
 *
 * @example publicJwkOf(deriveSigningKey(secret, 'EdDSA'), 'EdDSA'); // { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }
 */
export function publicJwkOf(key: KeyObject, alg: AsymmetricAlgorithm): PublicJwk {
  const exported = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  const { kty, crv, x, y } = exported as { kty: string; crv: string; x: string; y?: string };
  const members = kty === 'EC' ? { crv, kty, x, y } : { crv, kty, x };
  const kid = jwkThumbprint(members);
  return { kty: kty as PublicJwk['kty'], crv: crv as PublicJwk['crv'], x, ...(y === undefined ? {} : { y }), kid, alg, use: 'sig' };
}

/**
 * The RFC 7638 thumbprint (SHA-256, base64url) of a key's required members, given in
 * lexicographic order: computed here, synchronously, because the keys are made when
 * the module's configuration is read; equal to jose's `calculateJwkThumbprint` (tested).
 */
export function jwkThumbprint(requiredMembers: Readonly<Record<string, string | undefined>>): string {
  return createHash('sha256').update(JSON.stringify(requiredMembers)).digest('base64url');
}
