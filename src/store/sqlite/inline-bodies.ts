import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type Database from 'better-sqlite3';
import type { BodySpool } from '../types.js';
import type { BodyFiles } from './body-files.js';

/**
 * Bodies up to this size live in the database (table `message_bodies`), written in the same
 * transaction as their message row: no file to create, fsync, read back and unlink, and the
 * group commit's one WAL fsync makes them durable. Larger bodies stream to a file as before,
 * so memory never holds more than this per message being received.
 */
export const INLINE_BODY_MAX = 128 * 1024;

/** The `message_bodies` table: every statement on it, prepared once. */
export class InlineBodies {
  readonly #insert: Database.Statement<[string, Buffer]>;
  readonly #select: Database.Statement<[string]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #orphans: Database.Statement<[]>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare('INSERT INTO message_bodies (message_id, body) VALUES (?, ?)');
    this.#select = db.prepare('SELECT body FROM message_bodies WHERE message_id = ?');
    this.#delete = db.prepare('DELETE FROM message_bodies WHERE message_id = ?');
    this.#orphans = db.prepare(
      "DELETE FROM message_bodies WHERE message_id NOT IN (SELECT id FROM messages WHERE state IN ('queued', 'held'))",
    );
  }

  /** Inside the enqueue transaction: stores the spool's body if it stayed in memory. */
  insertFrom(id: string, spool: BodySpool | undefined): void {
    const body = spool instanceof HybridSpool ? spool.inlineBody() : null;
    if (body) this.#insert.run(id, body);
  }

  /** Inline bodies of messages no longer queued or held (none are expected: hygiene at start-up). */
  removeOrphans(): number {
    return this.#orphans.run().changes;
  }

  /** The body, or null if this message's body is not inline (a file, or gone). */
  read(id: string): Readable | null {
    const row = this.#select.get(id) as { body: Buffer } | undefined;
    return row ? Readable.from([row.body], { objectMode: false }) : null;
  }

  /** Inside the transaction that finishes a message. True if it had an inline body (then there is no file). */
  delete(id: string): boolean {
    return this.#delete.run(id).changes === 1;
  }
}

/**
 * A body spool that keeps the bytes in memory while they fit INLINE_BODY_MAX and moves to a
 * body file (with everything so far) the moment they do not. `end()` syncs a file; an inline
 * body becomes durable with the transaction that stores it (InlineBodies.insertFrom).
 */
export class HybridSpool extends Writable implements BodySpool {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #file: BodySpool | null = null;
  #discarded = false;

  constructor(
    private readonly files: BodyFiles,
    private readonly id: string,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  get bytesWritten(): number {
    return this.#file ? this.#file.bytesWritten : this.#buffered;
  }

  /** The whole body when it stayed in memory, null when it went to a file. Throws before the spool has ended. */
  inlineBody(): Buffer | null {
    // Committing a spool that has not finished would store a partial body (or none): refuse.
    if (this.#discarded || !this.writableFinished) throw new Error(`body spool of ${this.id} committed before it ended`);
    if (this.#file) return null;
    return this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.#file) return void this.#toFile(chunk, done);
    if (this.#buffered + chunk.length <= INLINE_BODY_MAX) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      return done();
    }
    // Too big to keep inline: the file gets what was buffered, then the rest as it comes.
    this.#file = this.files.createSpool(this.id);
    const buffered = this.#chunks;
    this.#chunks = [];
    this.#buffered = 0;
    this.#file.once('error', (err) => this.destroy(err));
    for (const piece of buffered) this.#file.write(piece);
    this.#toFile(chunk, done);
  }

  #toFile(chunk: Buffer, done: (err?: Error | null) => void): void {
    if (this.#file!.write(chunk)) done();
    else this.#file!.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.#file) return done();
    const file = this.#file;
    file.end();
    finished(file).then(() => done(), done); // the file is fsynced by then
  }

  async discard(): Promise<void> {
    this.#discarded = true;
    this.#chunks = [];
    this.destroy();
    await this.#file?.discard();
  }
}
