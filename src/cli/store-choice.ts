import type { AuditLog } from '../audit/audit-log';
import type { ApiKeyStore } from '../keys/api-key-store';
import type { CapabilityStore, StoreLogger } from '../stores/capability-store';
import type { RevocationStore } from '../tokens/revocation-store';
import { FileApiKeyStore, apiKeyFileFor } from '../stores/file-api-key.store';
import { FileAuditLog, auditFileFor, type FileAuditLogOptions } from '../stores/file-audit.log';
import { FileRevocationStore, revocationFileFor } from '../stores/file-revocation.store';
import { RedisStores } from '../stores/redis/redis-stores';
import { YamlFileStore } from '../stores/yaml-file.store';
import type { CliIo } from './cli-io';

/** Where a command finds the accounts: the caps file, or a shared store in Redis. */
export interface StoreChoice {
  /** The caps file: the graph and defaults, and the accounts when `redis` is undefined. */
  readonly caps: string;
  readonly redis: { readonly url: string; readonly prefix: string | undefined } | undefined;
}

/** `--redis URL` (else `$REDIS_URL`) and `--prefix` (else `$REDIS_PREFIX`). */
export function storeChoiceOf(caps: string, values: { redis?: string | undefined; prefix?: string | undefined }, env: NodeJS.ProcessEnv): StoreChoice {
  const url = values.redis ?? (env['REDIS_URL'] || undefined);
  const prefix = values.prefix ?? (env['REDIS_PREFIX'] || undefined);
  return { caps, redis: url === undefined ? undefined : { url, prefix } };
}

/**
 * Opens the store a command works on, with the audit trail that goes with it, and
 * closes them when `work` is done: the file store and the audit file next to it, or
 * the Redis stores and the audit entries of their change log, as the app keeps them,
 * so that an app's `GET /manage_capabilities/audit` shows what the command did.
 * `revocations` opens the app's revocations too, for a command that ends tokens: the
 * file next to the capability file, or the ones shared through Redis.
 */
export async function withStore<T>(
  choice: StoreChoice,
  io: CliIo,
  work: (store: CapabilityStore, audit: AuditLog, revocations: () => Promise<RevocationStore>) => Promise<T>,
): Promise<T> {
  const logger = quietLogger(io);
  if (choice.redis === undefined) {
    const audit = await FileAuditLog.open(auditFileFor(choice.caps), cliAuditFile(choice.caps));
    const store = await YamlFileStore.open(choice.caps, { logger });
    let revocations: Promise<FileRevocationStore> | undefined;
    try {
      return await work(store, audit, () => (revocations ??= FileRevocationStore.open(revocationFileFor(choice.caps), { logger, createLike: choice.caps })));
    } finally {
      await store.close();
      await revocations?.then((opened) => opened.close(), () => undefined);
    }
  }
  const stores = await openRedis(choice.caps, choice.redis, logger);
  try {
    return await work(stores.capabilities, stores.audit, () => Promise.resolve(stores.revocations));
  } finally {
    await stores.close();
  }
}

/** As `withStore`, for the API keys: the key file next to the capability file, or the keys shared through Redis. */
export async function withKeyStore<T>(choice: StoreChoice, io: CliIo, work: (keys: ApiKeyStore, audit: AuditLog) => Promise<T>): Promise<T> {
  if (choice.redis === undefined) {
    const audit = await FileAuditLog.open(auditFileFor(choice.caps), cliAuditFile(choice.caps));
    const keys = await FileApiKeyStore.open(apiKeyFileFor(choice.caps), { capsFile: choice.caps });
    try {
      return await work(keys, audit);
    } finally {
      await keys.close();
    }
  }
  const stores = await openRedis(choice.caps, choice.redis, quietLogger(io));
  try {
    return await work(stores.apiKeys, stores.audit);
  } finally {
    await stores.close();
  }
}

function openRedis(caps: string, redis: NonNullable<StoreChoice['redis']>, logger: StoreLogger): Promise<RedisStores> {
  return RedisStores.open({ capsFile: caps, redis: { url: redis.url, ...(redis.prefix === undefined ? {} : { prefix: redis.prefix }) }, logger, auditRetentionDays: null });
}

/**
 * The audit file as a command opens it: it never drops an entry of the trail, since the
 * app's retention is the app's to apply (and it does at its next entry).
 */
function cliAuditFile(caps: string): FileAuditLogOptions {
  return { capsFile: caps, retentionDays: null };
}

// A one-shot command has nothing to poll for; only real problems are worth a line.
export function quietLogger(io: CliIo): StoreLogger {
  return { log: () => undefined, warn: (message) => io.err(`warning: ${message}`), error: (message) => io.err(message) };
}
