import type { StoreLogger } from '../capability-store';
import { CapsFileMonitor } from '../file/caps-file-monitor';
import { CapsFileFollower } from './caps-file.follower';
import { ChangeLogFollower } from './change-log.follower';
import { ChangeWriter } from './change.writer';
import { Freshness } from './freshness';
import { openConnections, type RedisConnections } from './redis-connections';
import { redisKeys, type RedisKeys } from './redis-keys';
import { readSnapshot } from './redis-snapshot';
import type { ResolvedRedisOptions } from './redis-store.options';
import { ReplicatedState } from './replicated-state';
import { seedOnce } from './seed-accounts';
import { lostData, StateSync } from './state-sync';

/**
 * What both Redis stores of an instance share: the connections, the copy of the state,
 * the follower of the log and the writer. Closed when both stores are.
 */
export class RedisStoreEngine {
  private users = 2;

  private constructor(
    readonly keys: RedisKeys,
    readonly connections: RedisConnections,
    readonly state: ReplicatedState,
    readonly freshness: Freshness,
    readonly writer: ChangeWriter,
    private readonly follower: ChangeLogFollower,
    private readonly fileFollower: CapsFileFollower,
  ) {}

  /**
   * Connects, seeds an empty prefix from the caps file (once, whoever comes first),
   * loads the whole state and starts following the log. Fails the start-up when Redis
   * does not answer or holds a damaged store.
   */
  static async open(capsFile: string, options: ResolvedRedisOptions, logger: StoreLogger, pollIntervalMs: number, now: () => number): Promise<RedisStoreEngine> {
    const monitor = new CapsFileMonitor(capsFile);
    const loaded = await monitor.load();
    const keys = redisKeys(options.prefix);
    const connections = await openConnections(options);
    try {
      const seeded = await seedOnce(connections.bulk, keys, loaded.policy);
      if (seeded.imported) logger.log(`imported ${seeded.accounts} accounts and ${seeded.identities} identities of the capability file into Redis, with ${seeded.scopedGrants} grants at scopes`);
      const snapshot = await readSnapshot(connections.bulk, keys);
      if (snapshot.epoch === null) throw lostData();
      logger.log(
        `accounts and identities are kept in Redis under "${options.prefix}" (${snapshot.users.size} accounts, ${snapshot.scopes.size} scopes with grants, version ${snapshot.version}): the users and identities of the capability file are not read, nor its scopes`,
      );
      const state = new ReplicatedState(loaded.policy, snapshot, logger, now);
      const freshness = new Freshness(options.maxStalenessMs, now);
      const sync = new StateSync(connections, keys, state, logger);
      const follower = new ChangeLogFollower(connections, keys, state, sync, freshness, logger);
      const writer = new ChangeWriter(connections, keys, state, sync, options.commandTimeoutMs);
      const fileFollower = new CapsFileFollower(monitor, state, logger, pollIntervalMs);
      follower.start();
      return new RedisStoreEngine(keys, connections, state, freshness, writer, follower, fileFollower);
    } catch (error) {
      await connections.close();
      throw error;
    }
  }

  /** One of the two stores is done with the engine; the second one closes it. */
  async release(): Promise<void> {
    this.users -= 1;
    if (this.users !== 0) return;
    this.fileFollower.stop();
    await this.follower.stop();
    this.state.clearListeners();
    await this.connections.close();
  }
}
