import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { StoreLockedError } from '../types.js';

/**
 * How a connection waits for the database's write lock while another process (a CLI tool, an
 * import) holds it. better-sqlite3 waits synchronously: with SQLite's busy timeout alone, the
 * relay's event loop (every SMTP session, the admin listener) would stop for as long as the lock
 * is held. The relay therefore waits only briefly in place and then retries between turns of the
 * event loop, up to the same overall bound; one-shot CLI tools simply wait in place.
 */
export interface LockWait {
  /** SQLite's busy_timeout for the connection: how long one attempt waits in place. */
  readonly inPlaceMs: number;
  /** How long a write keeps retrying in all before it fails with SQLITE_BUSY. */
  readonly budgetMs: number;
  /** Whether retries happen off the event loop (true) or SQLite's own wait is the whole bound. */
  readonly yielding: boolean;
}

/**
 * CLI tools: SQLite waits in place for up to 5 s. (Only for statements and IMMEDIATE transactions:
 * a deferred transaction that has read cannot wait to write, so every read-then-write is IMMEDIATE.)
 */
export const WAIT_IN_PLACE: LockWait = { inPlaceMs: 5_000, budgetMs: 5_000, yielding: false };
/** The relay: at most 2 ms in place at a time, retried between turns of the event loop for up to 5 s in all. */
export const WAIT_YIELDING: LockWait = { inPlaceMs: 2, budgetMs: 5_000, yielding: true };

function isLockedOut(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `write` (a statement or a whole transaction, which SQLite has rolled back when it failed
 * for the lock) until it gets the lock or the budget is spent, pausing 5 to 50 ms between tries.
 * Still locked out at the end: a StoreLockedError, the store's own word for it.
 */
export async function whenUnlocked<T>(write: () => T, wait: LockWait): Promise<T> {
  const deadline = performance.now() + wait.budgetMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    try {
      return write();
    } catch (err) {
      if (!isLockedOut(err)) throw err;
      if (!wait.yielding || performance.now() + pause >= deadline) throw new StoreLockedError({ cause: err });
    }
    await sleep(pause);
  }
}
