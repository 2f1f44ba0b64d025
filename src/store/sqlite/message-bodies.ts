import { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import type { BodySpool } from '../types.js';
import type { BodyFiles } from './body-files.js';
import { SqliteSpool } from './body-spool.js';
import type { StatementCache } from './statement-cache.js';
import { WalScrubber } from './wal-scrub.js';

/**
 * Where message bodies live and how they go: up to `inlineMax` octets in the `bodies` table,
 * written in the transaction of their message row; larger ones as spool files. A deleted body
 * leaves no trace: its pages are zeroed (the store runs with secure_delete) and the log frames
 * that first wrote it are scrubbed once the store is quiet (WalScrubber).
 */
export class MessageBodies {
  readonly #scrubber: WalScrubber;
  /** Runs the scrubber while a scrub is due. */
  #scrubTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly statements: StatementCache,
    readonly files: BodyFiles,
    private readonly inlineMax: number,
  ) {
    this.#scrubber = new WalScrubber(() => this.#truncateLog());
  }

  createSpool(id: string): BodySpool {
    return new SqliteSpool(id, this.files, this.inlineMax);
  }

  /** Keeps a small body with its message, in the caller's transaction (a file is already on disk). */
  insert(id: string, spool: BodySpool): void {
    const inline = ownSpool(spool, id).inlineBody();
    if (inline) this.statements.get('INSERT INTO bodies (message_id, data) VALUES (?, ?)').run(id, inline);
  }

  async open(id: string): Promise<Readable> {
    const row = this.statements.get('SELECT data FROM bodies WHERE message_id = ?').get(id) as { data: Buffer } | undefined;
    if (row) return Readable.from([row.data], { objectMode: false });
    return this.files.open(id);
  }

  /** Deletes a body kept in the database, in the caller's transaction; false if it is a file. */
  deleteInline(id: string): boolean {
    return this.statements.get('DELETE FROM bodies WHERE message_id = ?').run(id).changes === 1;
  }

  /** After the commit that finished message `id`: its body file goes, or its log frames are scrubbed soon. */
  async removed(id: string, inline: boolean): Promise<void> {
    if (!inline) return this.files.remove(id);
    this.#scrubber.bodiesDeleted(performance.now());
    this.#scrubTimer ??= setInterval(() => {
      if (this.#scrubber.tick(performance.now()) && this.#scrubTimer) {
        clearInterval(this.#scrubTimer);
        this.#scrubTimer = null;
      }
    }, 25).unref();
  }

  /** A transaction just committed: the scrubber waits for a quiet store. */
  committed(): void {
    this.#scrubber.committed(performance.now());
  }

  /**
   * Before the database closes. Another process may keep it open, so closing need not
   * checkpoint: deleted bodies leave the log now (best effort; a busy log waits for the next close).
   */
  close(): void {
    if (this.#scrubTimer) clearInterval(this.#scrubTimer);
    this.#scrubTimer = null;
    if (this.db.open) this.#scrubber.flush();
  }

  /** A TRUNCATE checkpoint that never waits for another process's transaction: false if one is in the way. */
  #truncateLog(): boolean {
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0;
    } catch {
      return false; // SQLITE_BUSY, or the store is closing: tried again later
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }
}

/** The engine's own spool for message `id`: anything else is a caller's mistake. */
function ownSpool(spool: BodySpool, id: string): SqliteSpool {
  if (!(spool instanceof SqliteSpool) || spool.id !== id) throw new Error(`the body spool committed with ${id} is not this store's spool for it`);
  return spool;
}
