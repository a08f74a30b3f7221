import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../errors';
import type { ResolvedRedisOptions } from './redis-store.options';
import { withStoreScripts, type ScriptedRedis } from './redis-scripts';

/** How long a whole-state read or an import may take: 100,000 accounts are megabytes. */
const BULK_TIMEOUT_MS = 60_000;
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
  /** For reading the whole state and importing accounts: as strict, with a long timeout. */
  readonly bulk: ScriptedRedis;
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
  const command = own ? new Redis(options.url!, strict) : options.client;
  const blocking = command.duplicate({ ...strict, commandTimeout: undefined, blockingTimeout: 5000, connectionName: 'nest-capabilities-log' });
  const bulk = command.duplicate({ ...strict, commandTimeout: BULK_TIMEOUT_MS, connectionName: 'nest-capabilities-bulk' });
  // Connection errors are reported through the stores' answers and staleness, not as unhandled events.
  for (const connection of [command, blocking, bulk]) connection.on('error', () => undefined);
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
    await bulk.connect();
    await measure();
  } catch (error) {
    blocking.disconnect();
    bulk.disconnect();
    if (own) command.disconnect();
    throw new StoreUnavailableError('cannot reach Redis at start-up; the shared store needs it to load the accounts', { cause: error });
  }
  return {
    command: withStoreScripts(command),
    blocking,
    bulk: withStoreScripts(bulk),
    serverNow: () => Date.now() + offsetMs,
    async close() {
      blocking.disconnect();
      bulk.disconnect();
      if (own) await command.quit().catch(() => command.disconnect());
    },
  };
}
