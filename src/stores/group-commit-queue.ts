/** How one job of a batch ended: each job may fail alone. */
export type JobOutcome<Result> = { readonly ok: true; readonly value: Result } | { readonly ok: false; readonly error: unknown };

/**
 * Commits a whole batch of jobs at once; returns one outcome per job, in order, or
 * throws to fail every job of the batch.
 */
export type BatchCommitter<Job, Result> = (jobs: readonly Job[]) => Promise<readonly JobOutcome<Result>[]>;

interface Waiting<Job, Result> {
  readonly job: Job;
  readonly resolve: (value: Result) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Runs one batch at a time. Jobs submitted while a batch is being committed wait
 * and are committed together, in submission order, as the next batch: a thousand
 * concurrent writes cost a handful of file writes, not a thousand.
 *
 * @example
 * const queue = new GroupCommitQueue<Edit, Policy>(async (edits) => writeAll(edits));
 * const policy = await queue.submit(edit);
 */
export class GroupCommitQueue<Job, Result> {
  private waiting: Waiting<Job, Result>[] = [];
  private draining: Promise<void> | undefined;

  constructor(private readonly commit: BatchCommitter<Job, Result>) {}

  /** Queues `job`; settles with its own outcome once its batch is committed. */
  submit(job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Whether a batch is queued or being committed. */
  get busy(): boolean {
    return this.draining !== undefined;
  }

  /** Resolves once every job submitted so far has settled. */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let every job submitted in the same turn (a burst of requests) join the first batch.
    await Promise.resolve();
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        await this.commitBatch(batch);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async commitBatch(batch: readonly Waiting<Job, Result>[]): Promise<void> {
    let outcomes: readonly JobOutcome<Result>[];
    try {
      outcomes = await this.commit(batch.map((waiting) => waiting.job));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) waiting.reject(new Error('internal error: the batch committer returned no outcome for this job'));
      else if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    });
  }
}
