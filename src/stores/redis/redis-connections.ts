import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../errors';
import type { ResolvedRedisOptions } from './redis-store.options';
import { withStoreScripts, type ScriptedRedis } from './redis-scripts';

/** Reconnect quickly: an instance is not trusted again until it has caught up. */
const RECONNECT_DELAY_MS = (attempt: number): number => Math.min(50 * attempt, 500);

/**
 * The two connections of an instance: one for commands, where a write fails at once
 * while Redis is away (no offline queue, no resending after a reconnection, a short
 * timeout), and one that blocks on the change log.
 */
export interface RedisConnections {
  readonly command: ScriptedRedis;
  readonly blocking: Redis;
  /** Milliseconds on Redis's clock now, estimated from the last handshake. */
  serverNow(): number;
  close(): Promise<void>;
}

/** Opens both connections and waits until Redis answers; a Redis that does not answer fails the start-up. */
export async function openConnections(options: ResolvedRedisOptions): Promise<RedisConnections> {
  const strict = {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 2000),
    retryStrategy: RECONNECT_DELAY_MS,
  };
  const own = options.client === undefined;
  const command = own ? new Redis(options.url!, strict) : options.client!;
  const blocking = command.duplicate({ ...strict, commandTimeout: undefined, blockingTimeout: 5000, connectionName: 'nest-capabilities-log' });
  // Connection errors are reported through the stores' answers and staleness, not as unhandled events.
  command.on('error', () => undefined);
  blocking.on('error', () => undefined);
  let offsetMs = 0;
  const measure = async (): Promise<void> => {
    const sent = Date.now();
    const [seconds, micros] = await command.time();
    offsetMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - Math.round((sent + Date.now()) / 2);
  };
  command.on('ready', () => void measure().catch(() => undefined));
  try {
    if (command.status === 'wait') await command.connect();
    await blocking.connect();
    await measure();
  } catch (error) {
    blocking.disconnect();
    if (own) command.disconnect();
    throw new StoreUnavailableError('cannot reach Redis at start-up; the shared store needs it to load the accounts', { cause: error });
  }
  return {
    command: withStoreScripts(command),
    blocking,
    serverNow: () => Date.now() + offsetMs,
    async close() {
      blocking.disconnect();
      if (own) await command.quit().catch(() => command.disconnect());
    },
  };
}
