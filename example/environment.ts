import { randomBytes } from 'node:crypto';
import type { AuthModuleOptions } from '../src';

/** What the example app reads from its environment (README: "The example app"). */
export interface ExampleSettings {
  readonly port: number;
  readonly host: string;
  /** The HTTP platform under Nest: `HTTP_ADAPTER=fastify`, or Express by default. */
  readonly adapter: 'express' | 'fastify';
  readonly auth: AuthModuleOptions;
  /** Said once at start: what was defaulted and why. */
  readonly notices: readonly string[];
}

const PROVIDER_VARIABLES = ['GOOGLE_CLIENT_ID', 'GITHUB_CLIENT_ID', 'OIDC_ISSUER'];

/**
 * The example's settings from environment variables, with the embedded defaults:
 * port 3000, the repository's caps.yaml, the development sign-in, a random secret.
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): ExampleSettings {
  const notices: string[] = [];
  const production = env['NODE_ENV'] === 'production';
  const port = parsePort(env['PORT'] ?? '3000');
  const baseUrl = env['BASE_URL'] ?? `http://localhost:${port}`;
  let secret = env['AUTH_SECRET'];
  if (secret === undefined || secret === '') {
    if (production) throw new Error('AUTH_SECRET is required when NODE_ENV=production');
    secret = randomBytes(48).toString('base64url');
    notices.push('AUTH_SECRET is not set: using a random secret, so sessions and tokens end when the app stops');
  }
  const anyProvider = PROVIDER_VARIABLES.some((name) => (env[name] ?? '') !== '');
  const devLogin = parseFlag(env['AUTH_DEV_LOGIN'], 'AUTH_DEV_LOGIN') ?? (!anyProvider && !production);
  if (devLogin) notices.push('the development sign-in is on: anybody can sign in as anybody (development only)');
  return {
    port,
    host: env['HOST'] ?? '127.0.0.1',
    adapter: parseAdapter(env['HTTP_ADAPTER']),
    notices,
    auth: {
      secret,
      baseUrl,
      capsFile: env['CAPS_FILE'] ?? 'caps.yaml',
      devLogin,
      production,
    },
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(value)}`);
  return port;
}

function parseFlag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`${name} must be "true" or "false", got ${JSON.stringify(value)}`);
}

function parseAdapter(value: string | undefined): 'express' | 'fastify' {
  if (value === undefined || value === '' || value === 'express') return 'express';
  if (value === 'fastify') return 'fastify';
  throw new Error(`HTTP_ADAPTER must be "express" or "fastify", got ${JSON.stringify(value)}`);
}
