import { ConfigError } from '../errors';
import { MemoryAuditLog, type AuditLog } from '../audit/audit-log';
import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { MemoryApiKeyStore, type ApiKeyStore } from '../api-keys/api-key-store';
import { MemoryClientStore, type ClientStore } from '../clients/client-store';
import { MemoryRevocationStore, type RevocationStore } from '../tokens/revocation-store';
import type { CapabilityStore, StoreLogger } from './capability-store';
import { FileApiKeyStore, apiKeyFileFor } from './file/file-api-key.store';
import { FileAuditLog, auditFileFor } from './file/file-audit.log';
import { FileClientStore, clientFileFor } from './file/file-client.store';
import { FileRevocationStore, revocationFileFor } from './file/file-revocation.store';
import { MemoryCapabilityStore } from './memory/memory-capability.store';
import { RedisStores } from './redis/redis-stores';
import type { RedisStoreOptions } from './redis/redis-store.options';
import { YamlFileStore } from './file/yaml-file.store';

/**
 * The stores of a backend: everything the module keeps. Accounts, their grants and
 * identity links, and account deletion are the capability store's.
 */
export interface BackendParts {
  readonly capabilities: CapabilityStore;
  readonly revocations: RevocationStore;
  readonly apiKeys: ApiKeyStore;
  readonly audit: AuditLog;
  /** OAuth clients of service accounts (their secrets' hashes). */
  readonly clients: ClientStore;
}

/**
 * Where state lives: one bundle of stores, opened together and closed together. The
 * module and the command line each open one; a backend of one's own implements it
 * (see the README's "A store of your own").
 */
export interface Backend extends BackendParts {
  /** Closes the stores this backend opened; stores it was given stay open. */
  close(): Promise<void>;
}

interface CommonBackendOptions {
  /** Where reloads and problems are reported; errors go to the console by default. */
  readonly logger?: StoreLogger;
  /** The clock, in milliseconds, of expiries and audit retention; tests freeze it. */
  readonly now?: () => number;
}

/** This process only, from `policy`: the reference backend, and the rest of a backend of which some stores are given. */
export interface MemoryBackendOptions extends CommonBackendOptions {
  readonly kind: 'memory';
  /** Where the capability store starts; unused when `given.capabilities` is. */
  readonly policy?: CapabilityPolicy;
  /** Stores to use instead of the memory ones; the backend does not close them. */
  readonly given?: Partial<BackendParts>;
}

/** The caps file, with revocations, API keys, OAuth clients and the audit trail in files beside it. */
export interface FileBackendOptions extends CommonBackendOptions {
  readonly kind: 'file';
  readonly capsFile: string;
  /** Days the audit file keeps every entry of the trail; null: never dropped. Default 90. */
  readonly auditRetentionDays?: number | null;
  /** Stores to use instead of the files; the backend neither opens nor closes those files. */
  readonly given?: Partial<BackendParts>;
}

/** Accounts, identity links, revocations, API keys, OAuth clients and the audit trail shared through Redis; the graph and defaults from `capsFile`. */
export interface RedisBackendOptions extends CommonBackendOptions {
  readonly kind: 'redis';
  readonly capsFile: string;
  readonly redis: RedisStoreOptions;
  /** Days the audit trail keeps every entry; null: never dropped. Default 90. */
  readonly auditRetentionDays?: number | null;
  /** API keys, OAuth clients or an audit log to use instead of Redis's; the backend does not close them. */
  readonly given?: Partial<Pick<BackendParts, 'apiKeys' | 'audit' | 'clients'>>;
}

export type BackendOptions = MemoryBackendOptions | FileBackendOptions | RedisBackendOptions;

/**
 * Opens the backend `options` describe. A store that cannot be opened fails the
 * whole: the ones opened before it are closed again.
 *
 * @example
 * const backend = await openBackend({ kind: 'file', capsFile: 'caps.yaml' });
 * backend.capabilities.current().can('bob@example.com', 'write');
 * await backend.close();
 */
export async function openBackend(options: BackendOptions): Promise<Backend> {
  switch (options.kind) {
    case 'memory':
      return memoryBackend(options);
    case 'file':
      return fileBackend(options);
    case 'redis':
      return redisBackend(options);
  }
}

async function memoryBackend({ policy, now = Date.now, given = {} }: MemoryBackendOptions): Promise<Backend> {
  return openedInTurn(given, {
    capabilities: () => new MemoryCapabilityStore(policy ?? noPolicy()),
    revocations: () => new MemoryRevocationStore(now),
    apiKeys: () => new MemoryApiKeyStore(now),
    audit: () => new MemoryAuditLog(),
    clients: () => new MemoryClientStore(now),
  });
}

async function fileBackend({ capsFile, logger, now, auditRetentionDays, given = {} }: FileBackendOptions): Promise<Backend> {
  return openedInTurn(given, {
    capabilities: () => YamlFileStore.open(capsFile, logger === undefined ? {} : { logger }),
    revocations: () => FileRevocationStore.open(revocationFileFor(capsFile), { ...(logger === undefined ? {} : { logger }), createLike: capsFile, ...(now === undefined ? {} : { now }) }),
    apiKeys: () => FileApiKeyStore.open(apiKeyFileFor(capsFile), { capsFile, ...(logger === undefined ? {} : { logger }), ...(now === undefined ? {} : { now }) }),
    audit: () => FileAuditLog.open(auditFileFor(capsFile), { capsFile, ...(auditRetentionDays === undefined ? {} : { retentionDays: auditRetentionDays }), ...(now === undefined ? {} : { now }) }),
    clients: () => FileClientStore.open(clientFileFor(capsFile), { capsFile, ...(logger === undefined ? {} : { logger }), ...(now === undefined ? {} : { now }) }),
  });
}

async function redisBackend({ capsFile, redis, logger, now, auditRetentionDays, given = {} }: RedisBackendOptions): Promise<Backend> {
  const stores = await RedisStores.open({
    capsFile,
    redis,
    ...(logger === undefined ? {} : { logger }),
    ...(now === undefined ? {} : { now }),
    ...(auditRetentionDays === undefined ? {} : { auditRetentionDays }),
  });
  return closedOnce({
    capabilities: stores.capabilities,
    revocations: stores.revocations,
    apiKeys: given.apiKeys ?? stores.apiKeys,
    audit: given.audit ?? stores.audit,
    clients: given.clients ?? stores.clients,
    close: () => stores.close(),
  });
}

type Openers = { readonly [Part in keyof BackendParts]: () => BackendParts[Part] | Promise<BackendParts[Part]> };

// In turn, so that a store that cannot be opened is reported alone and the ones opened before it are closed.
async function openedInTurn(given: Partial<BackendParts>, open: Openers): Promise<Backend> {
  const owned: { close(): Promise<void> }[] = [];
  const closeOwned = async (): Promise<void> => {
    await Promise.all(owned.map((store) => store.close()));
  };
  const take = async <Part extends keyof BackendParts>(part: Part): Promise<BackendParts[Part]> => {
    const supplied = given[part];
    if (supplied !== undefined) return supplied;
    const store = await open[part]();
    owned.push(store);
    return store;
  };
  try {
    const capabilities = await take('capabilities');
    const revocations = await take('revocations');
    const apiKeys = await take('apiKeys');
    const audit = await take('audit');
    const clients = await take('clients');
    return closedOnce({ capabilities, revocations, apiKeys, audit, clients, close: closeOwned });
  } catch (error) {
    await closeOwned().catch(() => undefined);
    throw error;
  }
}

function noPolicy(): never {
  throw new ConfigError('a memory backend needs the policy its capability store starts from, or a capability store given');
}

/** Closing twice is closing once. */
function closedOnce(backend: Backend): Backend {
  let closing: Promise<void> | undefined;
  return { ...backend, close: () => (closing ??= backend.close()) };
}
