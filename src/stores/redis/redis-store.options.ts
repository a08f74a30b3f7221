import type { Redis } from 'ioredis';
import { ConfigError } from '../../errors';

/**
 * Where the shared store lives: one Redis, given by URL or as a connected client.
 *
 * @example
 * AuthModule.forRoot({ ..., redis: { url: 'redis://127.0.0.1:6379/0', prefix: 'shop:', maxStalenessSeconds: 30 } })
 */
export interface RedisStoreOptions {
  /** e.g. `redis://127.0.0.1:6379/0`. One of `url` and `client`. */
  readonly url?: string;
  /**
   * A client of your own; the store reuses it for writes and opens a duplicate for
   * following the change log. Give it `enableOfflineQueue: false` and a short
   * `commandTimeout`, as the store does with its own, or writes may wait for Redis.
   */
  readonly client?: Redis;
  /** Every key the store writes starts with it. Default `nest-capabilities:`. */
  readonly prefix?: string;
  /** How long an instance cut off from Redis keeps enforcing its last known state. Default 30. */
  readonly maxStalenessSeconds?: number;
  /** How long a write waits for Redis before it answers 503, in milliseconds. Default 1000. */
  readonly commandTimeoutMs?: number;
}

/** The options after defaults and checks. */
export interface ResolvedRedisOptions {
  readonly url: string | undefined;
  readonly client: Redis | undefined;
  readonly prefix: string;
  readonly maxStalenessMs: number;
  readonly commandTimeoutMs: number;
}

export const DEFAULT_REDIS_PREFIX = 'nest-capabilities:';
const DEFAULT_MAX_STALENESS_SECONDS = 30;
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** Checks `options`, throwing `CONFIG_INVALID` (never echoing the URL, which may hold a password). */
export function resolveRedisOptions(options: RedisStoreOptions): ResolvedRedisOptions {
  if ((options.url === undefined) === (options.client === undefined)) throw new ConfigError('redis takes exactly one of url and client');
  if (options.url !== undefined && !/^rediss?:\/\//.test(options.url)) throw new ConfigError('redis.url must start with redis:// or rediss://');
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (typeof prefix !== 'string' || prefix === '' || /[\s{}]/.test(prefix)) {
    throw new ConfigError('redis.prefix must be a non-empty string without spaces or braces');
  }
  return {
    url: options.url,
    client: options.client,
    prefix,
    maxStalenessMs: 1000 * positive(options.maxStalenessSeconds, 'redis.maxStalenessSeconds', DEFAULT_MAX_STALENESS_SECONDS),
    commandTimeoutMs: positive(options.commandTimeoutMs, 'redis.commandTimeoutMs', DEFAULT_COMMAND_TIMEOUT_MS),
  };
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}
