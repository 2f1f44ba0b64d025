/** How a commit meets another process's write lock (see lock-wait.ts). */
export interface CommitLocking {
  /** Runs the commit, retrying while the database is locked, within a bound. */
  readonly whenUnlocked: <T>(commit: () => T) => Promise<T>;
  /** The error means the lock was still held at the end of the wait. */
  readonly lockedOut: (err: unknown) => boolean;
}

const NO_RETRY: CommitLocking = { whenUnlocked: (commit) => Promise.resolve().then(commit), lockedOut: () => false };

interface PendingJob {
  job: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Batches durable commits: every job that arrives while a commit is being prepared shares
 * one directory fsync and one database transaction (one WAL fsync). Under load this is what
 * lets fsync-before-250 keep up; with one client it costs nothing.
 */
export class GroupCommit {
  #pending: PendingJob[] = [];
  #scheduled = false;

  constructor(
    private readonly prepare: () => Promise<void>,
    private readonly transaction: (jobs: (() => void)[]) => void,
    /** Makes the committed transaction durable (an fsync in the thread pool), before anyone hears of it. */
    private readonly afterCommit: () => Promise<void> = () => Promise.resolve(),
    private readonly locking: CommitLocking = NO_RETRY,
  ) {}

  run(job: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ job, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    // Jobs that arrive during prepare() wait for the next batch: the directory fsync
    // may have started before their files were created.
    const batch = this.#pending;
    this.#pending = [];
    try {
      await this.prepare();
      const settle = await this.#commit(batch);
      await this.afterCommit();
      for (const s of settle) s();
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    } finally {
      this.#scheduled = false;
      if (this.#pending.length) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    }
  }

  /** Commits the batch; returns how to settle each job once the commit is durable. */
  async #commit(batch: PendingJob[]): Promise<(() => void)[]> {
    try {
      await this.locking.whenUnlocked(() => this.transaction(batch.map((b) => b.job)));
      return batch.map((entry) => () => entry.resolve());
    } catch (err) {
      // Still locked out after the wait: the jobs fail alike (one by one, each would wait again).
      if (this.locking.lockedOut(err)) return batch.map((entry) => () => entry.reject(err));
      // One bad job must not fail its neighbours: commit them one by one.
      const settles: (() => void)[] = [];
      for (const entry of batch) {
        try {
          await this.locking.whenUnlocked(() => this.transaction([entry.job]));
          settles.push(() => entry.resolve());
        } catch (jobErr) {
          settles.push(() => entry.reject(jobErr));
        }
      }
      return settles;
    }
  }
}
