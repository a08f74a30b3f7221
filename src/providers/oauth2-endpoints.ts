import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { ConfigError } from '../errors';
import { isLoopbackHost } from './oidc/oidc-issuer';
import type { IdentitySource } from './sign-in-provider';

/** Thrown by a timed-out connection to a provider, so the message can say so. */
export class ProviderTimeoutError extends Error {
  constructor(readonly seconds: number) {
    super(`the provider did not answer within ${seconds} seconds`);
  }
}

/**
 * An agent whose sockets end after `seconds` without traffic. The `oauth` library
 * under passport-oauth2 sets no time-out of its own and takes only an agent
 * (`OAuth2.setAgent`), so a provider that never answers would hold the sign-in forever.
 */
export function timeoutAgent(protocol: string, seconds: number): http.Agent {
  const base = protocol === 'https:' ? https.Agent : http.Agent;
  const milliseconds = seconds * 1000;
  const agent = new base({ keepAlive: false });
  const create = agent.createConnection.bind(agent) as (options: object, callback?: unknown) => Duplex;
  agent.createConnection = ((options: object, callback?: unknown) => {
    const socket = create(options, callback) as Duplex & { setTimeout(ms: number, listener: () => void): void };
    socket.setTimeout(milliseconds, () => socket.destroy(new ProviderTimeoutError(seconds)));
    return socket;
  });
  return agent;
}

/**
 * A provider endpoint from the options: https, or http on a loopback address (a local
 * test server), or any http when `allowInsecure` says so loudly.
 */
export function endpointUrl(value: string | undefined, fallback: string, option: string, allowInsecure: boolean): string {
  const text = value ?? fallback;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${option} ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && (isLoopbackHost(url.hostname) || allowInsecure)) return url.href;
  throw new ConfigError(`${option} must be an https URL (http is accepted only on a loopback address), got ${url.origin}`);
}

/** Throws `CONFIG_INVALID` unless every endpoint speaks the same protocol: one agent serves them all. */
export function assertOneProtocol(urls: readonly string[], provider: string): string {
  const protocols = new Set(urls.map((url) => new URL(url).protocol));
  if (protocols.size !== 1) throw new ConfigError(`the endpoints of provider "${provider}" must all be https or all be http`);
  return [...protocols][0]!;
}

/** Throws `CONFIG_INVALID` unless a required option is a non-empty string. */
export function requiredString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${option} is required`);
  return value;
}

/**
 * Every endpoint of a provider: the one given, else the provider's own, each checked
 * by `endpointUrl`, all of one protocol. Warns once when plain http is allowed.
 *
 * @example
 * const { urls, protocol } = providerEndpoints('github', GITHUB, options.endpoints, false, context.warn);
 */
export function providerEndpoints<T extends Record<string, string>>(
  provider: string,
  defaults: T,
  given: Partial<Record<keyof T, string>> | undefined,
  allowInsecure: boolean,
  warn: (message: string) => void,
): { urls: T; protocol: string } {
  if (allowInsecure) warn(`provider "${provider}" accepts plain-http endpoints: codes and tokens cross the network unencrypted`);
  const urls = Object.fromEntries(
    Object.entries(defaults).map(([key, fallback]) => [key, endpointUrl(given?.[key], fallback, `provider "${provider}" ${key}`, allowInsecure)]),
  ) as T;
  return { urls, protocol: assertOneProtocol(Object.values(urls), provider) };
}

/**
 * The identity namespace of an OAuth 2.0 provider: the origin of its authorization
 * endpoint when it is the provider's own (`standard`), else that endpoint's URL
 * (GitHub Enterprise, a test double). Links made before keys named it
 * (`<name>:<subject>`) stay honoured only for the provider's own endpoint, whose
 * subjects they were.
 *
 * @example
 * oauth2IdentitySource('github', 'https://github.com/login/oauth/authorize', GITHUB.authorizationURL); // { issuer: 'https://github.com', legacyName: 'github' }
 */
export function oauth2IdentitySource(name: string, authorizationUrl: string, standard: string): IdentitySource {
  const url = new URL(authorizationUrl);
  if (authorizationUrl === standard) return { issuer: url.origin, legacyName: name };
  return { issuer: `${url.origin}${url.pathname}` };
}
