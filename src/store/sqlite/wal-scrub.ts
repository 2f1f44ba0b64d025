export interface WalScrubOptions {
  /** Scrub once no commit has happened for this long. */
  readonly quietMs: number;
  /** Scrub at the latest this long after a deletion, even under constant load. */
  readonly maxDelayMs: number;
}

export const DEFAULT_WAL_SCRUB: WalScrubOptions = { quietMs: 25, maxDelayMs: 10_000 };

/**
 * secure_delete zeroes a deleted body's database pages, but the write-ahead log still holds
 * the frames that first wrote it until the log is checkpointed and truncated. After bodies
 * are deleted this truncates the log (`truncate`: a TRUNCATE checkpoint) once the store has
 * been quiet for `quietMs` (the checkpoint fsyncs the database on the event loop: not
 * between the commits of a busy relay), and at the latest `maxDelayMs` after the deletion.
 * `tick(now)` decides; the store calls it from a timer that runs only while a scrub is due.
 */
export class WalScrubber {
  #pendingSince: number | null = null;
  #lastCommit = Number.NEGATIVE_INFINITY;

  constructor(
    /** Checkpoints and truncates the log; false if it could not finish (another connection is reading). */
    private readonly truncate: () => boolean,
    private readonly options: WalScrubOptions = DEFAULT_WAL_SCRUB,
  ) {}

  get pending(): boolean {
    return this.#pendingSince !== null;
  }

  /** A transaction committed at `now`. */
  committed(now: number): void {
    this.#lastCommit = now;
  }

  /** A committed transaction deleted bodies kept in the database. */
  bodiesDeleted(now: number): void {
    this.#pendingSince ??= now;
  }

  /** Truncates if a scrub is due now; true when nothing is left pending. */
  tick(now: number): boolean {
    if (this.#pendingSince === null) return true;
    const quiet = now - this.#lastCommit >= this.options.quietMs;
    const overdue = now - this.#pendingSince >= this.options.maxDelayMs;
    if (!quiet && !overdue) return false;
    return this.flush();
  }

  /** Scrubs now if anything is pending (when due, and when the store closes); true when nothing is left. */
  flush(): boolean {
    if (this.#pendingSince === null) return true;
    if (!this.truncate()) return false;
    this.#pendingSince = null;
    return true;
  }
}
