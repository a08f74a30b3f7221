import type { CapabilityPolicy } from '../capabilities/capability-policy';
import { CapabilitiesError, ConfigError } from '../errors';
import { writeFileAtomic } from './atomic-write';
import type { CapabilityStore, GrantEdit, StoreLogger } from './capability-store';
import type { EditableCaps } from './caps-document';
import { CapsFileMonitor } from './caps-file-monitor';
import { consoleStoreLogger } from './console-store-logger';
import { applyGrantEdits } from './grant-batch';
import { GroupCommitQueue, type JobOutcome } from './group-commit-queue';
import { applyJobsToText, isIdentityLink, type StoreJob } from './identity-link-batch';
import { loadCapsFile } from './loaded-caps-file';
import type { LoadedCapsFile } from './loaded-caps-file';

/** Options of `YamlFileStore.open`. */
export interface YamlFileStoreOptions {
  /** Where reloads and broken hand edits are reported; errors go to the console by default. */
  readonly logger?: StoreLogger;
  /** How often the file is checked for hand edits, in milliseconds (default 500). */
  readonly pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 500;
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The capability store kept in a caps.yaml file: the embedded default.
 *
 * - Reads come from the policy in memory.
 * - Writes are serialized and group-committed: edits queued while a write is in
 *   flight are applied together, in order, then written with one atomic file write.
 *   Only the `users` mapping changes; comments and key order survive.
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
  private readonly listeners = new Set<(policy: CapabilityPolicy) => void>();
  private readonly queue = new GroupCommitQueue<StoreJob, CapabilityPolicy>((edits) => this.commit(edits));
  private readonly timer: NodeJS.Timeout;
  private polling: Promise<void> | undefined;
  private closed = false;
  private fileWrites = 0;

  private constructor(
    private readonly monitor: CapsFileMonitor,
    loaded: LoadedCapsFile,
    private readonly logger: StoreLogger,
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
    const monitor = new CapsFileMonitor(file);
    const loaded = await monitor.load();
    return new YamlFileStore(monitor, loaded, options.logger ?? consoleStoreLogger, pollIntervalMs);
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
   * edit's own error, or with `CAPS_STORE_UNAVAILABLE` when the file on disk is
   * broken or cannot be written (nothing is then changed).
   */
  update(edit: GrantEdit): Promise<CapabilityPolicy> {
    if (this.closed) return Promise.reject(unavailable(`the capability store of ${this.file} is closed`));
    return this.queue.submit(edit);
  }

  /**
   * Links `identity` (`"<provider>:<subject>"`) to `email` in the file's `identities`,
   * after every write queued before it; rejects with `LOGIN_IDENTITY_LINKED` when it
   * belongs to another account, and `CAPS_STORE_UNAVAILABLE` as `update` does.
   */
  linkIdentity(identity: string, email: string): Promise<CapabilityPolicy> {
    if (this.closed) return Promise.reject(unavailable(`the capability store of ${this.file} is closed`));
    return this.queue.submit({ identity, email });
  }

  subscribe(listener: (policy: CapabilityPolicy) => void): () => void {
    // A wrapper of its own, so the same function subscribed twice unsubscribes once.
    const subscription = (policy: CapabilityPolicy): void => listener(policy);
    this.listeners.add(subscription);
    return () => void this.listeners.delete(subscription);
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

  private async commit(jobs: readonly StoreJob[]): Promise<readonly JobOutcome<CapabilityPolicy>[]> {
    // A poll that started before this batch may have looked before a hand edit: look again.
    await this.polling;
    await this.lookAtDisk();
    const problem = this.monitor.problem;
    if (problem !== undefined) {
      throw unavailable(
        `refused: the capability file on disk is invalid and must be fixed first; it was not overwritten (${problem.message})`,
        problem,
      );
    }
    if (jobs.some(isIdentityLink)) return this.commitThroughText(jobs);
    const edits = jobs as readonly GrantEdit[];
    const batch = applyGrantEdits(this.policy, this.document, edits);
    if (!batch.changed) return batch.outcomes;
    let text: string;
    try {
      text = this.document.toString();
      await writeFileAtomic(this.file, text);
    } catch (error) {
      batch.undo();
      throw unavailable(`could not write ${this.file}, nothing was changed: ${messageOf(error)}`, error);
    }
    this.fileWrites += 1;
    this.policy = batch.policy;
    this.notify();
    await this.monitor.wrote(text);
    return batch.outcomes;
  }

  // A batch holding an identity link is applied to the text and the file loaded again.
  private async commitThroughText(jobs: readonly StoreJob[]): Promise<readonly JobOutcome<CapabilityPolicy>[]> {
    const batch = applyJobsToText(this.policy, this.document.toString(), jobs);
    if (!batch.changed) return batch.outcomes;
    try {
      const loaded = loadCapsFile(batch.text, this.file);
      await writeFileAtomic(this.file, batch.text);
      this.policy = loaded.policy;
      this.document = loaded.document;
    } catch (error) {
      throw unavailable(`could not write ${this.file}, nothing was changed: ${messageOf(error)}`, error);
    }
    this.fileWrites += 1;
    this.notify();
    await this.monitor.wrote(batch.text);
    return batch.outcomes;
  }

  private async lookAtDisk(): Promise<void> {
    const check = await this.monitor.check();
    switch (check.kind) {
      case 'changed':
        this.adopt(check.loaded);
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
    for (const listener of [...this.listeners]) {
      try {
        listener(this.policy);
      } catch (error) {
        this.logger.error(`a subscriber of the capability store failed: ${messageOf(error)}`);
      }
    }
  }
}

function checkedPollInterval(milliseconds: number): number {
  if (!Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new ConfigError(`pollIntervalMs must be a positive number of milliseconds, got ${milliseconds}`);
  }
  return Math.min(milliseconds, LONGEST_TIMER_MS);
}

function unavailable(message: string, cause?: unknown): CapabilitiesError {
  return new CapabilitiesError('CAPS_STORE_UNAVAILABLE', message, { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
