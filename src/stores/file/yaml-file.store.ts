import type { CapabilityPolicy } from '../../capabilities/capability-policy';
import { CapabilitiesError, ConfigError, StoreUnavailableError } from '../../errors';
import type { AccountDeletion, CapabilityStore, GrantEdit, ScopeDrop, ScopeDropped, StoreLogger } from '../capability-store';
import type { EditableCaps } from '../../caps-file/caps-document';
import { CapsFileMonitor } from './caps-file-monitor';
import { consoleStoreLogger } from '../console-store-logger';
import { checkedLockOptions, type FileLockOptions } from './file-lock';
import { GroupCommitQueue, type JobOutcome } from '../group-commit-queue';
import { loadCapsFile } from '../../caps-file/loaded-caps-file';
import { rewriteUnderLock } from './locked-rewrite';
import { checkedPollInterval } from './poll-interval';
import { applyStoreJobs, type AppliedBatch, type StoreJob } from './store-batch';
import type { LoadedCapsFile } from '../../caps-file/loaded-caps-file';
import { Subscribers } from '../../events/subscribers';
import { inSpanSync } from '../../telemetry/spans';

/** Options of `YamlFileStore.open`. */
export interface YamlFileStoreOptions extends FileLockOptions {
  /** Where reloads and broken hand edits are reported; errors go to the console by default. */
  readonly logger?: StoreLogger;
  /** How often the file is checked for hand edits, in milliseconds (default 500). */
  readonly pollIntervalMs?: number;
  /**
   * The largest hand edit read as a whole by the yaml library while the app serves, in
   * bytes (default 262144, about 0.4 s of parsing). A larger one that is not in the
   * one-line-per-account form is logged and ignored, and the last good version stays;
   * a file of any size is read at start-up.
   */
  readonly maxWholeParseBytes?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 500;
const DEFAULT_MAX_WHOLE_PARSE_BYTES = 256 * 1024;

/**
 * The capability store kept in a caps.yaml file: the embedded default.
 *
 * - Reads come from the policy in memory.
 * - Writes are serialized and group-committed: edits queued while a write is in
 *   flight are applied together, in order, then written with one atomic file write.
 *   Only `users`, `scopes` (and `identities`, for a link or a deletion) change; comments
 *   and key order survive.
 * - Every writer of the file, in any process (other instances on a shared volume,
 *   the command line), holds the file's lock for the whole read-judge-write cycle and
 *   reads the file again under it, so each edit is judged against the newest file and
 *   no write is lost. A writer kept waiting past `lockWaitMs` is refused with
 *   `CAPS_STORE_BUSY` and writes nothing.
 * - Hand edits are picked up by polling the file. A broken one is logged once and the
 *   last valid version stays in force; writes are refused until it is fixed, so a
 *   person's edit is never overwritten.
 *
 * @example
 * const store = await YamlFileStore.open('caps.yaml', { logger: new Logger('Capabilities') });
 * store.current().can('bob@example.com', 'write');
 * await store.update((policy) => ({ email: 'bob@example.com', capabilities: [...policy.stored('bob@example.com'), 'write'] }));
 */
export class YamlFileStore implements CapabilityStore {
  private policy: CapabilityPolicy;
  private document: EditableCaps;
  private readonly subscribers = new Subscribers<[CapabilityPolicy]>('capability store', (message) => this.logger.error(message));
  private readonly queue = new GroupCommitQueue<StoreJob, CapabilityPolicy>((edits) => this.commit(edits));
  private readonly timer: NodeJS.Timeout;
  private polling: Promise<void> | undefined;
  private closed = false;
  private fileWrites = 0;

  private constructor(
    private readonly monitor: CapsFileMonitor,
    loaded: LoadedCapsFile,
    private readonly logger: StoreLogger,
    private readonly lock: Required<FileLockOptions>,
    pollIntervalMs: number,
  ) {
    this.policy = loaded.policy;
    this.document = loaded.document;
    this.timer = setInterval(() => void this.poll(), pollIntervalMs);
    this.timer.unref();
  }

  /**
   * Reads and validates `file`. Fails closed, so the application refuses to start:
   * an invalid file throws the parser's `CapsFileError` (file, line, name), a missing
   * or unreadable one a `CapabilitiesError` with code `CAPS_FILE_UNREADABLE`.
   */
  static async open(file: string, options: YamlFileStoreOptions = {}): Promise<YamlFileStore> {
    const pollIntervalMs = checkedPollInterval(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    const lock = checkedLockOptions(options);
    const maxWholeParseBytes = options.maxWholeParseBytes ?? DEFAULT_MAX_WHOLE_PARSE_BYTES;
    if (!Number.isInteger(maxWholeParseBytes) || maxWholeParseBytes <= 0) throw new ConfigError(`maxWholeParseBytes must be a positive number of bytes, got ${maxWholeParseBytes}`);
    const monitor = new CapsFileMonitor(file, maxWholeParseBytes);
    const loaded = await monitor.load();
    return new YamlFileStore(monitor, loaded, options.logger ?? consoleStoreLogger, lock, pollIntervalMs);
  }

  /** The path of the capability file. */
  get file(): string {
    return this.monitor.file;
  }

  /** How many times this store has written the file; a batch of edits is one write. */
  get writes(): number {
    return this.fileWrites;
  }

  current(): CapabilityPolicy {
    return this.policy;
  }

  /**
   * Applies `edit` after every edit queued before it and resolves, once the file
   * holding it is on disk, with the policy as this edit left it. Rejects with the
   * edit's own error, with `STORE_UNAVAILABLE` when the file on disk is broken
   * or cannot be written, or with `CAPS_STORE_BUSY` when another writer held the lock
   * too long; nothing is then changed. Those two carry a fixed message that names no
   * path; the detail goes to the logger.
   */
  update(edit: GrantEdit): Promise<CapabilityPolicy> {
    if (this.closed) return Promise.reject(unavailable('the capability store is closed'));
    return this.queue.submit(edit);
  }

  /**
   * Links `identity` (`"<provider>:<subject>"`) to `email` in the file's `identities`,
   * after every write queued before it; rejects with `LOGIN_IDENTITY_LINKED` when it
   * belongs to another account, and `STORE_UNAVAILABLE` / `CAPS_STORE_BUSY` as
   * `update` does.
   */
  linkIdentity(identity: string, email: string): Promise<CapabilityPolicy> {
    if (this.closed) return Promise.reject(unavailable('the capability store is closed'));
    return this.queue.submit({ identity, email });
  }

  /**
   * Deletes the account `deletion` names from `users` and `identities`, after every
   * write queued before it, judged against the newest file; rejects with the judgment's
   * error, and `STORE_UNAVAILABLE` / `CAPS_STORE_BUSY` as `update` does.
   */
  deleteAccount(deletion: AccountDeletion): Promise<CapabilityPolicy> {
    if (this.closed) return Promise.reject(unavailable('the capability store is closed'));
    return this.queue.submit({ deletion });
  }

  /**
   * Removes the scope `drop` names and every scope below it from the file's `scopes`,
   * after every write queued before it, judged against the newest file; resolves with
   * the policy and the number of grants removed. Rejects with the judgment's error,
   * `SCOPE_INVALID`, and `STORE_UNAVAILABLE` / `CAPS_STORE_BUSY` as `update` does.
   */
  async dropScope(drop: ScopeDrop): Promise<ScopeDropped> {
    if (this.closed) throw unavailable('the capability store is closed');
    let removed = 0;
    const policy = await this.queue.submit({ drop, removed: (count) => void (removed = count) });
    return { policy, removed };
  }

  subscribe(listener: (policy: CapabilityPolicy) => void): () => void {
    return this.subscribers.add(listener);
  }

  /**
   * Looks at the file on disk now, as the poller does every `pollIntervalMs`, once
   * the writes queued before have settled: when it resolves, a hand edit found there
   * is in force (a broken one is reported). For tests, and for tools that edit the
   * file and need the edit in force at once.
   *
   * @example
   * writeFileSync('caps.yaml', edited);
   * await store.checkNow(); // store.current() holds the edit
   */
  async checkNow(): Promise<void> {
    // A batch looks at the disk itself, and only one look runs at a time: wait for both.
    do {
      await this.queue.idle();
      while (this.polling !== undefined) await this.polling;
    } while (!this.closed && this.queue.busy);
    await this.poll();
  }

  /** Stops watching the file and waits for the writes already queued. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.queue.idle();
    await this.polling;
  }

  private async poll(): Promise<void> {
    // A batch looks at the disk itself before writing.
    if (this.closed || this.queue.busy || this.polling !== undefined) return;
    this.polling = this.lookAtDisk();
    try {
      await this.polling;
    } finally {
      this.polling = undefined;
    }
  }

  // Grants and links alike, in any process, through the file stores' one write path.
  private async commit(jobs: readonly StoreJob[]): Promise<readonly JobOutcome<CapabilityPolicy>[]> {
    await this.polling;
    try {
      return await rewriteUnderLock(this.file, this.lock, async () => {
        // Judge against the newest file.
        await this.lookAtDisk();
        const problem = this.monitor.problem;
        if (problem !== undefined) throw new StoreRefusal(INVALID_ON_DISK, problem);
        const batch = applyStoreJobs(this.policy, this.document, jobs);
        if (!batch.changed) return { text: undefined, result: batch.outcomes };
        const text = batch.document.toString();
        return { text, result: batch.outcomes, undo: () => batch.undo(), written: () => this.adoptWritten(batch, text) };
      });
    } catch (error) {
      throw this.refusal(error);
    }
  }

  private async adoptWritten(batch: AppliedBatch, text: string): Promise<void> {
    this.fileWrites += 1;
    this.policy = batch.policy;
    // A link parses a large file whole; loading it again brings back the line-by-line document.
    this.document = batch.document === this.document ? batch.document : loadCapsFile(text, this.file).document;
    this.notify();
    await this.monitor.wrote(text);
  }

  // Answers carry a fixed message and a code; the path and the reason go to the log only.
  private refusal(error: unknown): CapabilitiesError {
    if (error instanceof StoreRefusal) {
      // The broken file itself is logged once by the look at the disk.
      this.logger.warn(`refused a write to ${this.file}: ${error.message} (${messageOf(error.cause)})`);
      return unavailable(error.message, error.cause);
    }
    if (error instanceof CapabilitiesError && error.code === 'CAPS_STORE_BUSY') {
      this.logger.error(`refused a write to ${this.file}: ${error.message}`);
      return new CapabilitiesError('CAPS_STORE_BUSY', 'the capability file is being changed by another writer; nothing was changed, try again', { cause: error });
    }
    this.logger.error(`could not write ${this.file}, nothing was changed: ${messageOf(error)}`);
    return unavailable('the capability store could not save the change; nothing was changed', error);
  }

  private async lookAtDisk(): Promise<void> {
    const check = await this.monitor.check();
    switch (check.kind) {
      case 'changed':
        inSpanSync('nest_capabilities.store.reload', { 'store.kind': 'file' }, () => this.adopt(check.loaded));
        this.logger.log(`reloaded ${this.file} after an edit on disk (${this.policy.users.size} users)`);
        break;
      case 'restored':
        this.logger.log(`${this.file} is valid again; the version in force is unchanged`);
        break;
      case 'broken':
        if (check.fresh) this.logger.error(`${check.error.message} (the last valid version stays in force)`);
        break;
      case 'unchanged':
        break;
    }
  }

  private adopt(loaded: LoadedCapsFile): void {
    this.policy = loaded.policy;
    this.document = loaded.document;
    this.notify();
  }

  private notify(): void {
    this.subscribers.notify(this.policy);
  }
}

const INVALID_ON_DISK = 'the capability file on disk is invalid and must be fixed first; nothing was changed';

/** A write the store itself refuses, with the reason kept as its cause. */
class StoreRefusal extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

function unavailable(message: string, cause?: unknown): CapabilitiesError {
  return new StoreUnavailableError(message, { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
