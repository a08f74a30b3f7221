import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { openBackend, type Backend } from '../stores/backend';
import { CapsFileMonitor } from '../stores/file/caps-file-monitor';
import type { StoreLogger } from '../stores/capability-store';
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
 * Opens the backend a command works on and closes it when `work` is done: the caps
 * file and the files beside it, or the stores shared through Redis, as the app keeps
 * them, so that an app's `GET /manage_capabilities/audit` shows what the command did.
 * The audit trail never drops an entry here: the app's retention is the app's to
 * apply (and it does at its next entry).
 */
export async function withBackend<T>(choice: StoreChoice, io: CliIo, work: (backend: Backend) => Promise<T>): Promise<T> {
  const logger = quietLogger(io);
  const backend = await openBackend(
    choice.redis === undefined
      ? { kind: 'file', capsFile: choice.caps, logger, auditRetentionDays: null }
      : { kind: 'redis', capsFile: choice.caps, redis: { url: choice.redis.url, ...(choice.redis.prefix === undefined ? {} : { prefix: choice.redis.prefix }) }, logger, auditRetentionDays: null },
  );
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

/**
 * The policy a read-only command looks at: the caps file as read (nothing is opened
 * for writing, no file beside it is created), or the shared store's state.
 */
export async function readPolicy(choice: StoreChoice, io: CliIo): Promise<CapabilityPolicy> {
  if (choice.redis === undefined) return (await new CapsFileMonitor(choice.caps).load()).policy;
  return withBackend(choice, io, async ({ capabilities }) => capabilities.current());
}

// A one-shot command has nothing to poll for; only real problems are worth a line.
export function quietLogger(io: CliIo): StoreLogger {
  return { log: () => undefined, warn: (message) => io.err(`warning: ${message}`), error: (message) => io.err(message) };
}
