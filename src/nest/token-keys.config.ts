import { ConfigError } from '../errors';
import type { DerivedKeys } from '../secrets/auth-secret';
import { assertTokenAlgorithm, deriveSigningKey, parsePreviousSigningKey, parseSigningKey } from '../secrets/signing-key';
import { TokenKeyring } from '../tokens/token-keyring';
import type { AuthModuleOptions } from './auth-module.options';

/**
 * The keys of the application's tokens from its options: HMAC keys of the secrets
 * under HS256; otherwise the key pair of `signingKey`, or one derived from `secret`,
 * with the public keys of `previousSigningKeys` and `previousSecrets` kept to verify.
 * Throws `CONFIG_INVALID` (never holding a key) for an unknown algorithm, a key that
 * does not fit it, or key files under HS256, where they would be ignored.
 */
export function tokenKeyringFor(options: AuthModuleOptions, keys: DerivedKeys): TokenKeyring {
  const algorithm = assertTokenAlgorithm(options.tokenAlgorithm ?? 'HS256');
  if (algorithm === 'HS256') {
    if (options.signingKey !== undefined || (options.previousSigningKeys ?? []).length > 0) {
      throw new ConfigError("signingKey and previousSigningKeys sign tokens only with tokenAlgorithm 'EdDSA' or 'ES256'");
    }
    return TokenKeyring.fromKeys(keys.token, keys.previousTokens);
  }
  const signing = options.signingKey === undefined ? deriveSigningKey(options.secret, algorithm) : parseSigningKey(options.signingKey, algorithm, 'signingKey');
  const previous = [
    ...(options.previousSigningKeys ?? []).map((pem, index) => parsePreviousSigningKey(pem, algorithm, `previousSigningKeys[${index}]`)),
    ...(options.previousSecrets ?? []).map((secret) => deriveSigningKey(secret, algorithm)),
  ];
  return TokenKeyring.withKeyPair({ algorithm, signing, previous }, [keys.token, ...keys.previousTokens]);
}
