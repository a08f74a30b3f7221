import { CapabilitiesError, StoreUnavailableError } from '../../errors';
import type { ClientRecord } from '../../clients/client';
import { ClientIndex, withClientAdded, withClientRevoked, type ClientRevocationCheck } from '../../clients/client-index';
import type { ClientStore } from '../../clients/client-store';
import type { StoreLogger } from '../capability-store';
import { consoleStoreLogger } from '../console-store-logger';
import { checkedLockOptions, type FileLockOptions } from './file-lock';
import { rewriteUnderLock } from './locked-rewrite';
import { checkedPollInterval } from './poll-interval';
import { ChangedFileReader, firstLoadOrStop, pollFile } from './changed-file-reader';
import { clientsFromJson, clientsToJson } from '../client-json';
import { Subscribers } from '../../events/subscribers';
import { nowSeconds } from '../../clock';

/** Options of `FileClientStore.open`. */
export interface FileClientStoreOptions extends FileLockOptions {
  readonly logger?: StoreLogger;
  /** The capability file the clients belong to: a new client file takes its mode. */
  readonly capsFile?: string;
  /** How often the file is checked for other instances' changes, in milliseconds (default 500). */
  readonly pollIntervalMs?: number;
  /** The clock, in milliseconds; tests freeze it. */
  readonly now?: () => number;
}

/** The sidecar file that keeps the OAuth clients (their secrets' hashes) of `capsFile`. */
export function clientFileFor(capsFile: string): string {
  return `${capsFile}.clients.json`;
}

/**
 * OAuth clients kept in a JSON file next to caps.yaml (`caps.yaml.clients.json`),
 * secrets' hashes only, created with the caps file's mode. Each write takes the file's
 * inter-process lock, reads the file, applies the change and replaces it atomically;
 * the file is polled, so a client revoked through one instance is refused by every
 * instance sharing the file system within a poll.
 *
 * @example
 * const clients = await FileClientStore.open(clientFileFor('caps.yaml'), { capsFile: 'caps.yaml' });
 */
export class FileClientStore implements ClientStore {
  private index = new ClientIndex([]);
  private readonly subscribers = new Subscribers<[]>('OAuth client store', (message) => this.logger.error(message));
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
    this.poller = pollFile(pollIntervalMs, () => this.load(), (message) => logger.error(`${message}; the OAuth clients already known stay in force`));
  }

  /** Reads `file` (a missing one holds no clients); an unreadable or invalid one fails the start-up. */
  static async open(file: string, options: FileClientStoreOptions = {}): Promise<FileClientStore> {
    const interval = checkedPollInterval(options.pollIntervalMs ?? 500);
    const store = new FileClientStore(file, options.capsFile, options.logger ?? consoleStoreLogger, options.now ?? Date.now, checkedLockOptions(options), interval);
    await firstLoadOrStop(() => store.load(), store.poller);
    return store;
  }

  current(): ClientIndex {
    return this.index;
  }

  async create(record: ClientRecord): Promise<void> {
    await this.write((records) => withClientAdded(records, record));
  }

  async revoke(clientId: string, check?: ClientRevocationCheck): Promise<ClientRecord> {
    let revoked: ClientRecord | undefined;
    await this.write((records) => {
      const next = withClientRevoked(records, clientId, nowSeconds(this.now), check);
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

  private async write(change: (records: readonly ClientRecord[]) => ClientRecord[]): Promise<void> {
    if (this.closed) throw new StoreUnavailableError('the OAuth client store is closed');
    try {
      await rewriteUnderLock(
        this.file,
        this.lock,
        async () => {
          // Judged against the newest file; throws (CLIENT_UNKNOWN, a refused check) before anything is written.
          await this.load();
          const records = change(this.index.records);
          const text = clientsToJson(records);
          return { text, result: undefined, written: () => this.adoptWritten(records, text) };
        },
        this.capsFile === undefined ? {} : { createLike: this.capsFile },
      );
    } catch (error) {
      if (error instanceof CapabilitiesError) throw error;
      throw new StoreUnavailableError(`could not write the OAuth client file, nothing was changed: ${messageOf(error)}`, { cause: error });
    }
  }

  private async adoptWritten(records: readonly ClientRecord[], text: string): Promise<void> {
    await this.reader.wrote(text);
    this.replace(records);
  }

  /** Reads the file again when it changed since last seen. */
  private async load(): Promise<void> {
    let records: ClientRecord[];
    try {
      const text = await this.reader.readIfChanged();
      if (text === undefined) return;
      records = clientsFromJson(text);
    } catch (error) {
      // The path stays out of the message: it may reach an answer.
      throw new CapabilitiesError('CAPS_FILE_UNREADABLE', `cannot use the OAuth client file: ${messageOf(error)}`, { cause: error });
    }
    this.replace(records);
  }

  private replace(records: readonly ClientRecord[]): void {
    this.index = new ClientIndex(records);
    this.subscribers.notify();
  }
}

// A file system error's code, not its message, which holds the path.
function messageOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
