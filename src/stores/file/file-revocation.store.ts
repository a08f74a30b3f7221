import { CapabilitiesError, StoreUnavailableError } from '../../errors';
import { RevocationList, parseRevocationSnapshot, type RevocableToken, type RevocationSnapshot } from '../../tokens/revocation-list';
import type { RevocationStore } from '../../tokens/revocation-store';
import type { StoreLogger } from '../capability-store';
import { consoleStoreLogger } from '../console-store-logger';
import { ChangedFileReader, firstLoadOrStop, pollFile } from './changed-file-reader';
import { checkedLockOptions, type FileLockOptions } from './file-lock';
import { GroupCommitQueue, type JobOutcome } from '../group-commit-queue';
import { rewriteUnderLock } from './locked-rewrite';
import { checkedPollInterval } from './poll-interval';
import { Subscribers } from '../../events/subscribers';
import { nowSeconds } from '../../clock';

/** One revocation, applied to the list in memory and again to the file's, under its lock. */
type Revocation = (list: RevocationList) => void;

/** Options of `FileRevocationStore.open`. */
export interface FileRevocationStoreOptions extends FileLockOptions {
  readonly logger?: StoreLogger;
  /** How often the file is checked for other instances' revocations, in milliseconds (default 500). */
  readonly pollIntervalMs?: number;
  /** The clock, in milliseconds; tests freeze it. */
  readonly now?: () => number;
  /**
   * A new revocation file takes the owner, group and mode of this file (the module
   * passes caps.yaml), so it is no more readable than the capability file beside it.
   */
  readonly createLike?: string;
}

/** The sidecar file that keeps the revocations of the tokens of `capsFile`. */
export function revocationFileFor(capsFile: string): string {
  return `${capsFile}.revoked.json`;
}

/**
 * Revocations kept in a JSON file next to caps.yaml (`caps.yaml.revoked.json`), the
 * embedded default. Every write takes the file's inter-process lock, reads the file
 * under it and adds to what is there, then replaces it atomically, pruning tokens
 * past their expiry, so revocations made at the same moment by several processes
 * all survive; the file is polled, so instances sharing a file system see each
 * other's revocations within a poll. Revocations queued while a write is in flight
 * are written together.
 *
 * @example
 * const revocations = await FileRevocationStore.open(revocationFileFor('caps.yaml'));
 * await revocations.revokeAccount('bot@service', Math.floor(Date.now() / 1000));
 */
export class FileRevocationStore implements RevocationStore {
  private readonly list = new RevocationList();
  private readonly subscribers = new Subscribers<[]>('revocation store', (message) => this.logger.error(message));
  private readonly reader: ChangedFileReader;
  private readonly poller: { stop(): Promise<void> };
  private readonly queue = new GroupCommitQueue<Revocation, void>((revocations) => this.commit(revocations));
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly logger: StoreLogger,
    private readonly now: () => number,
    private readonly lock: Required<FileLockOptions>,
    private readonly createLike: string | undefined,
    pollIntervalMs: number,
  ) {
    this.reader = new ChangedFileReader(file);
    this.poller = pollFile(pollIntervalMs, () => this.load(), (message) => logger.error(`${message}; the revocations already known stay in force`));
  }

  /**
   * Reads `file` (a missing one is an empty list). An unreadable or invalid file fails
   * the start-up: starting without its revocations would let revoked tokens back in.
   */
  static async open(file: string, options: FileRevocationStoreOptions = {}): Promise<FileRevocationStore> {
    const interval = checkedPollInterval(options.pollIntervalMs ?? 500);
    const lock = checkedLockOptions(options);
    const store = new FileRevocationStore(file, options.logger ?? consoleStoreLogger, options.now ?? Date.now, lock, options.createLike, interval);
    await firstLoadOrStop(() => store.load(), store.poller);
    return store;
  }

  revokeToken(tokenId: string, expiresAt: number | null): Promise<void> {
    return this.write((list) => list.revokeToken(tokenId, expiresAt));
  }

  revokeAccount(email: string, issuedUpTo: number): Promise<void> {
    return this.write((list) => list.revokeAccount(email, issuedUpTo));
  }

  isRevoked(token: RevocableToken): boolean {
    return this.list.isRevoked(token);
  }

  subscribe(listener: () => void): () => void {
    return this.subscribers.add(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
    await this.poller.stop();
    this.subscribers.clear();
  }

  private write(change: Revocation): Promise<void> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the revocation store is closed'));
    // In memory first: this instance refuses the token at once, even if the write fails.
    change(this.list);
    this.notify();
    return this.queue.submit(change);
  }

  private async commit(revocations: readonly Revocation[]): Promise<readonly JobOutcome<void>[]> {
    try {
      await rewriteUnderLock(
        this.file,
        this.lock,
        async () => {
          // Add to the newest file.
          await this.load();
          for (const change of revocations) change(this.list);
          this.list.prune(nowSeconds(this.now));
          const text = `${JSON.stringify(this.list.snapshot(), null, 2)}\n`;
          return { text, result: undefined, written: () => this.reader.wrote(text) };
        },
        this.createLike === undefined ? {} : { createLike: this.createLike },
      );
    } catch (error) {
      throw this.refusal(error);
    }
    return revocations.map(() => ({ ok: true, value: undefined }));
  }

  // Answers carry a fixed message and a code; the path and the reason go to the log only.
  private refusal(error: unknown): CapabilitiesError {
    this.logger.error(`could not write the revocation file ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof CapabilitiesError && error.code === 'CAPS_STORE_BUSY') {
      return new CapabilitiesError('CAPS_STORE_BUSY', 'the revocation file is being changed by another writer; try again', { cause: error });
    }
    return new StoreUnavailableError('the revocation could not be saved; it holds on this instance only until it restarts', { cause: error });
  }

  /** Merges the file's revocations into memory when it changed since last seen. */
  private async load(): Promise<void> {
    const text = await this.reader.readIfChanged().catch((error: unknown) => {
      throw unreadable(this.file, error);
    });
    if (text === undefined) return;
    const before = JSON.stringify(this.list.snapshot());
    this.list.merge(parseSnapshot(this.file, text));
    if (JSON.stringify(this.list.snapshot()) !== before) this.notify();
  }

  private notify(): void {
    this.subscribers.notify();
  }
}

function parseSnapshot(file: string, text: string): RevocationSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unreadable(file, error);
  }
  const snapshot = parseRevocationSnapshot(value);
  if (snapshot === undefined) throw unreadable(file, new Error('expected {"tokens": {...}, "accounts": {...}}'));
  return snapshot;
}

function unreadable(file: string, error: unknown): CapabilitiesError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CapabilitiesError('CAPS_FILE_UNREADABLE', `cannot use the revocation file ${file}: ${reason}`, { cause: error });
}
