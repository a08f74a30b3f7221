import { ConfigError, LoginError } from '../../errors';

const ISSUER_MISMATCH = 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED';
const HTTPS_REQUIRED = 'OAUTH_HTTP_REQUEST_FORBIDDEN';

/**
 * The start-up error for a failed discovery: a clear `CONFIG_INVALID` for a
 * document that names another issuer or is unusable, or undefined when the provider
 * could simply not be reached (worth retrying at the first sign-in).
 */
export function discoveryConfigError(error: unknown, issuer: URL): ConfigError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === ISSUER_MISMATCH) {
    const discovered = (error as { cause?: { body?: { issuer?: unknown } } }).cause?.body?.issuer;
    return new ConfigError(
      `the discovery document of ${issuer.href} names another issuer (${JSON.stringify(String(discovered).slice(0, 200))}); set the issuer exactly as the provider states it`,
    );
  }
  if (code === HTTPS_REQUIRED) return new ConfigError(`the discovery document of ${issuer.href} sends requests over plain http`);
  if (isUnreachable(error)) return undefined;
  return new ConfigError(`the discovery document of ${issuer.href} is not usable: ${messageOf(error)}`);
}

/**
 * A `LOGIN_PROVIDER_ERROR` for a failed code exchange or userinfo request. Only the
 * OAuth error code and the library's fixed message pass: never a token, a code or
 * the provider's free text.
 */
export function exchangeError(error: unknown, label: string): LoginError {
  if (error instanceof LoginError) return error;
  if (isTimeout(error)) return new LoginError('LOGIN_PROVIDER_ERROR', `${label} did not answer in time; try again`, { cause: error });
  if (isUnreachable(error)) return new LoginError('LOGIN_PROVIDER_ERROR', `${label} could not be reached; try again`, { cause: error });
  const oauthError = (error as { error?: unknown } | null)?.error;
  const reason = typeof oauthError === 'string' && /^[\x20-\x7e]{1,64}$/.test(oauthError) ? oauthError : messageOf(error);
  return new LoginError('LOGIN_PROVIDER_ERROR', `the sign-in with ${label} could not be completed (${reason})`, { cause: error });
}

function isTimeout(error: unknown): boolean {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  // openid-client wraps fetch's TimeoutError and AbortError in a ClientError with these codes.
  return name === 'TimeoutError' || name === 'AbortError' || code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT';
}

function isUnreachable(error: unknown): boolean {
  return isTimeout(error) || (error instanceof TypeError && /fetch failed/i.test(error.message));
}

function messageOf(error: unknown): string {
  // openid-client's messages are fixed texts ("unexpected JWT claim value encountered"); keep them short anyway.
  return error instanceof Error ? error.message.slice(0, 120) : 'unknown error';
}
