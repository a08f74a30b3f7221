import { BearerTokens } from '../tokens/bearer-tokens';
import type { RevocationStore } from '../tokens/revocation-store';
import type { AuthConfig } from './auth-config';

/**
 * The application's bearer tokens from its resolved configuration: the one place that
 * turns secrets, base URL and lifetimes into a `BearerTokens`, for the module and the CLI.
 *
 * @example
 * const tokens = bearerTokensFor(resolveAuthConfig({ secret, baseUrl }));
 */
export function bearerTokensFor(config: AuthConfig, revocations?: RevocationStore, now: () => number = Date.now): BearerTokens {
  return new BearerTokens(
    config.tokenKeys,
    {
      issuer: config.baseUrl.origin,
      audience: config.baseUrl.origin,
      userTokenTtlSeconds: config.userTokenTtlSeconds,
      serviceTokenTtlSeconds: config.serviceTokenTtlSeconds,
      now,
    },
    revocations,
  );
}
