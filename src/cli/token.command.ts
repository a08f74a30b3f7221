import { readFile } from 'node:fs/promises';
import { parseCapsFile } from '../caps-file/caps-file';
import { assertEmail } from '../capabilities/email';
import { assertScope } from '../capabilities/scope';
import { resolveAuthConfig } from '../nest/auth-config';
import type { AuthModuleOptions } from '../nest/auth-module.options';
import { readSecretFile } from '../secrets/secret-file';
import { assertTokenAlgorithm } from '../secrets/signing-key';
import { bearerTokensFor } from '../nest/bearer-tokens.factory';
import { mintServiceToken, serviceTokenAnswer } from '../tokens/service-token';
import { EXIT_OK, UsageError, type CliIo } from './cli-io';
import { withBackend, type StoreChoice } from './store-choice';

const UNIT_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `3600`, `90m`, `12h`, `30d` -> seconds; `never` -> null. */
export function parseTtl(value: string): number | null {
  if (value === 'never') return null;
  const match = /^([1-9]\d{0,9})([smhd]?)$/.exec(value);
  if (match === null) throw new UsageError(`--ttl must be a duration such as 3600, 90m, 12h, 30d or "never", got ${JSON.stringify(value)}`, 'token');
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? '']!;
}

/** The app's `AUTH_TOKEN_ALG` and `AUTH_SIGNING_KEY_FILE`: the token is signed as the app signs its own. */
function tokenSigningOf(env: NodeJS.ProcessEnv): Pick<AuthModuleOptions, 'tokenAlgorithm' | 'signingKey'> {
  const algorithm = env['AUTH_TOKEN_ALG'] ?? '';
  const keyFile = env['AUTH_SIGNING_KEY_FILE'] ?? '';
  return {
    ...(algorithm === '' ? {} : { tokenAlgorithm: assertTokenAlgorithm(algorithm, 'AUTH_TOKEN_ALG') }),
    ...(keyFile === '' ? {} : { signingKey: readSecretFile(keyFile, 'AUTH_SIGNING_KEY_FILE') }),
  };
}

/** `token --user NAME@service [--scope S]`: a service token as `GET /token?user=&scope=` would mint it. */
export async function tokenCommand(
  options: { user: string | undefined; ttl: string | undefined; scope?: string | undefined; choice: StoreChoice; json: boolean },
  io: CliIo,
): Promise<number> {
  const caps = options.choice.caps;
  if (options.user === undefined) throw new UsageError('--user NAME@service is required', 'token');
  const secret = io.env['AUTH_SECRET'];
  if (secret === undefined || secret === '') throw new UsageError('AUTH_SECRET is not set: export the secret of the app (it is never taken from the command line)', 'token');
  const baseUrl = io.env['BASE_URL'];
  if (baseUrl === undefined || baseUrl === '') throw new UsageError('BASE_URL is not set: export the external URL of the app, which issues and checks its tokens', 'token');
  const email = assertEmail(options.user, 'user');
  const ttl = options.ttl === undefined ? undefined : parseTtl(options.ttl);
  const scope = options.scope === undefined ? undefined : assertScope(options.scope, 'scope');
  // The app's own checks and defaults: a weak secret is refused in production, warned about otherwise.
  const config = resolveAuthConfig({ secret, baseUrl, capsFile: caps, ...tokenSigningOf(io.env) }, '', io.env);
  config.warnings.forEach((warning) => io.err(`warning: ${warning}`));
  const policy =
    options.choice.redis === undefined ? parseCapsFile(await readFile(caps, 'utf8'), caps) : await withBackend(options.choice, io, async ({ capabilities }) => capabilities.current());
  if (ttl === null) io.err("warning: the app accepts a token that never expires only when configured with serviceTokenTtlSeconds: 'never'");
  const tokens = bearerTokensFor(config);
  // The operator holds the file, so no manager's rights limit the token; the account must exist.
  const minted = mintServiceToken(tokens, policy, email, { manager: null, ttlSeconds: ttl, scope });
  if (minted.capabilities.length === 0) io.err(`warning: ${email} holds no capabilities in ${options.choice.redis === undefined ? caps : 'the shared store'}; the token grants nothing`);
  if (minted.capabilities.length > 0 && scope !== undefined) io.err(`the token holds nothing outside ${scope} and below it`);
  if (options.json) io.out(JSON.stringify(serviceTokenAnswer(minted)));
  else io.out(minted.token);
  return EXIT_OK;
}
