import type { StoreLogger } from '../capability-store';
import { ConfigError } from '../../errors';
import { checkedRetentionDays } from '../audit-retention';
import { consoleStoreLogger } from '../console-store-logger';
import { RedisApiKeyStore } from './redis-api-key.store';
import { RedisAuditLog } from './redis-audit.log';
import { RedisClientStore } from './redis-client.store';
import { RedisCapabilityStore } from './redis-capability.store';
import { RedisRevocationStore } from './redis-revocation.store';
import { RedisStoreEngine } from './redis-store.engine';
import { resolveRedisOptions, type RedisStoreOptions } from './redis-store.options';

/** Options of `RedisStores.open`. */
export interface RedisStoresOptions {
  /** This instance's caps.yaml: the graph, `auto_admin`, `default`, `guest`, `pinned`; its `users` seed an empty prefix. */
  readonly capsFile: string;
  readonly redis: RedisStoreOptions;
  readonly logger?: StoreLogger;
  /** How often caps.yaml is checked for edits, in milliseconds (default 500). */
  readonly pollIntervalMs?: number;
  /**
   * The clock, in milliseconds, that judges how long the copy of an instance cut off
   * from Redis stays trusted, and when revocations have expired; tests freeze it.
   */
  readonly now?: () => number;
  /**
   * Days every entry of the audit trail is kept, at least; null: never dropped (the
   * command line's choice, which appends for an app whose setting it does not know). Default 90.
   */
  readonly auditRetentionDays?: number | null;
  /** Refusals of outsiders the audit log keeps apart from its trail, roughly: the newest. Default 10,000. */
  readonly auditRefusalsKept?: number;
}

const DEFAULT_AUDIT_REFUSALS_KEPT = 10_000;

/**
 * The stores of an instance sharing one Redis: capabilities, revocations, API keys and OAuth clients on
 * one change log, and the audit trail beside it. Close both (the module does) to close the connections.
 *
 * @example
 * const { capabilities, revocations } = await RedisStores.open({ capsFile: 'caps.yaml', redis: { url: 'redis://127.0.0.1:6379/0' } });
 * AuthModule.forRoot({ secret, baseUrl, store: capabilities, revocationStore: revocations });
 */
export class RedisStores {
  private constructor(
    readonly capabilities: RedisCapabilityStore,
    readonly revocations: RedisRevocationStore,
    readonly apiKeys: RedisApiKeyStore,
    readonly audit: RedisAuditLog,
    readonly clients: RedisClientStore,
  ) {}

  static async open(options: RedisStoresOptions): Promise<RedisStores> {
    const retentionDays = checkedRetentionDays(options.auditRetentionDays);
    const refusalsKept = options.auditRefusalsKept ?? DEFAULT_AUDIT_REFUSALS_KEPT;
    if (!Number.isInteger(refusalsKept) || refusalsKept <= 0) throw new ConfigError(`auditRefusalsKept must be a positive whole number, got ${String(refusalsKept)}`);
    const engine = await RedisStoreEngine.open(
      options.capsFile,
      resolveRedisOptions(options.redis),
      options.logger ?? consoleStoreLogger,
      options.pollIntervalMs ?? 500,
      options.now ?? Date.now,
    );
    return new RedisStores(new RedisCapabilityStore(engine), new RedisRevocationStore(engine), new RedisApiKeyStore(engine), new RedisAuditLog(engine, retentionDays, refusalsKept), new RedisClientStore(engine));
  }

  /** Closes both stores. */
  async close(): Promise<void> {
    await Promise.all([this.capabilities.close(), this.revocations.close()]);
  }
}
