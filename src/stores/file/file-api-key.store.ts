import { CapabilitiesError, StoreUnavailableError } from '../../errors';
import type { ApiKeyRecord } from '../../api-keys/api-key';
import { ApiKeyIndex, withKeyAdded, withKeyRevoked, type KeyRevocationCheck } from '../../api-keys/api-key-index';
import type { ApiKeyStore } from '../../api-keys/api-key-store';
import type { StoreLogger } from '../capability-store';
import { consoleStoreLogger } from '../console-store-logger';
import { checkedLockOptions, type FileLockOptions } from './file-lock';
import { rewriteUnderLock } from './locked-rewrite';
import { checkedPollInterval } from './poll-interval';
import { ChangedFileReader, firstLoadOrStop, pollFile } from './changed-file-reader';
import { apiKeysFromJson, apiKeysToJson } from '../api-key-json';
import { Subscribers } from '../../events/subscribers';
import { nowSeconds } from '../../clock';

/** Options of `FileApiKeyStore.open`. */
export interface FileApiKeyStoreOptions extends FileLockOptions {
  readonly logger?: StoreLogger;
  /** The capability file the keys belong to: a new key file takes its mode. */
  readonly capsFile?: string;
  /** How often the file is checked for other instances' changes, in milliseconds (default 500). */
  readonly pollIntervalMs?: number;
  /** The clock, in milliseconds; tests freeze it. */
  readonly now?: () => number;
}

/** The sidecar file that keeps the API keys (their hashes) of `capsFile`. */
export function apiKeyFileFor(capsFile: string): string {
  return `${capsFile}.keys.json`;
}

/**
 * API keys kept in a JSON file next to caps.yaml (`caps.yaml.keys.json`), hashes only.
 * Each write takes the file's inter-process lock, reads the file, applies the change
 * (so a name taken by another instance meanwhile is refused) and replaces it
 * atomically. The file is polled, so a key revoked through one instance is refused by
 * every instance sharing the file system within a poll.
 *
 * @example
 * const keys = await FileApiKeyStore.open(apiKeyFileFor('caps.yaml'), { capsFile: 'caps.yaml' });
 */
export class FileApiKeyStore implements ApiKeyStore {
  private index = new ApiKeyIndex([]);
  private readonly subscribers = new Subscribers<[]>('API key store', (message) => this.logger.error(message));
  private readonly reader: ChangedFileReader;
  private readonly poller: { stop(): Promise<void> };
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly capsFile: string | undefined,
    private readonly logger: StoreLogger,
    private readonly now: () => number,
    private readonly lock: Required<FileLockOptions>,
    pollIntervalMs: number,
  ) {
    this.reader = new ChangedFileReader(file);
    this.poller = pollFile(pollIntervalMs, () => this.load(), (message) => logger.error(`${message}; the API keys already known stay in force`));
  }

  /** Reads `file` (a missing one holds no keys); an unreadable or invalid one fails the start-up. */
  static async open(file: string, options: FileApiKeyStoreOptions = {}): Promise<FileApiKeyStore> {
    const interval = checkedPollInterval(options.pollIntervalMs ?? 500);
    const store = new FileApiKeyStore(file, options.capsFile, options.logger ?? consoleStoreLogger, options.now ?? Date.now, checkedLockOptions(options), interval);
    await firstLoadOrStop(() => store.load(), store.poller);
    return store;
  }

  current(): ApiKeyIndex {
    return this.index;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    await this.write((records) => withKeyAdded(records, record, nowSeconds(this.now)));
  }

  async revoke(name: string, check?: KeyRevocationCheck): Promise<ApiKeyRecord> {
    let revoked: ApiKeyRecord | undefined;
    await this.write((records) => {
      const next = withKeyRevoked(records, name, nowSeconds(this.now), check);
      revoked = next.revoked;
      return next.records;
    });
    return revoked!;
  }

  subscribe(listener: () => void): () => void {
    return this.subscribers.add(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.poller.stop();
    this.subscribers.clear();
  }

  private async write(change: (records: readonly ApiKeyRecord[]) => ApiKeyRecord[]): Promise<void> {
    if (this.closed) throw new StoreUnavailableError('the API key store is closed');
    try {
      await rewriteUnderLock(
        this.file,
        this.lock,
        async () => {
          // Judged against the newest file; throws (KEY_EXISTS, KEY_UNKNOWN, a refused check) before anything is written.
          await this.load();
          const records = change(this.index.records);
          const text = apiKeysToJson(records);
          return { text, result: undefined, written: () => this.adoptWritten(records, text) };
        },
        this.capsFile === undefined ? {} : { createLike: this.capsFile },
      );
    } catch (error) {
      // The key rules, a busy lock and an unreadable file keep their own codes.
      if (error instanceof CapabilitiesError) throw error;
      throw new StoreUnavailableError(`could not write the API key file, nothing was changed: ${messageOf(error)}`, { cause: error });
    }
  }

  private async adoptWritten(records: readonly ApiKeyRecord[], text: string): Promise<void> {
    await this.reader.wrote(text);
    this.replace(records);
  }

  /** Reads the file again when it changed since last seen. */
  private async load(): Promise<void> {
    let records: ApiKeyRecord[];
    try {
      const text = await this.reader.readIfChanged();
      if (text === undefined) return;
      records = apiKeysFromJson(text);
    } catch (error) {
      throw unreadable(error);
    }
    this.replace(records);
  }

  private replace(records: readonly ApiKeyRecord[]): void {
    this.index = new ApiKeyIndex(records, this.index);
    this.subscribers.notify();
  }
}

function unreadable(error: unknown): CapabilitiesError {
  // The path stays out of the message: it may reach an answer.
  return new CapabilitiesError('CAPS_FILE_UNREADABLE', `cannot use the API key file: ${messageOf(error)}`, { cause: error });
}

// A file system error's code, not its message, which holds the path.
function messageOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
