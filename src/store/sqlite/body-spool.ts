import { Readable, Writable } from 'node:stream';
import type { BodySpool } from '../types.js';
import { readLarge, type BodyFiles, type SpoolFile } from './body-files.js';

/**
 * The SQLite engine's body spool. A body of at most `inlineMax` octets stays in memory and is
 * written into the database in the same transaction as its queue row, so the one WAL fsync of
 * that commit makes both durable: no file to create, fsync, read back and unlink. A body that
 * grows past the limit moves to a spool file, and the rest streams there, so memory does not
 * grow with message size.
 */
export class SqliteSpool extends Writable implements BodySpool {
  #chunks: Buffer[] = [];
  #bytes = 0;
  #file: SpoolFile | null = null;
  #inline: Buffer | null = null;

  constructor(
    readonly id: string,
    private readonly files: BodyFiles,
    private readonly inlineMax: number,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  /**
   * The whole body when it stayed within the limit, once the spool has ended; null when it
   * went to a file. Throws before the end: committing a half-written body would lose the rest.
   */
  inlineBody(): Buffer | null {
    if (!this.writableFinished) throw new Error(`spool ${this.id} committed before it ended`);
    return this.#inline;
  }

  readBack(): Readable {
    if (!this.writableFinished) throw new Error(`spool ${this.id} read back before it ended`);
    if (this.#file) return readLarge(this.#file.path);
    return Readable.from([this.#inline ?? Buffer.alloc(0)], { objectMode: false });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.#take([chunk], done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.#take(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  #take(buffers: Buffer[], done: (err?: Error | null) => void): void {
    const size = buffers.reduce((n, b) => n + b.length, 0);
    this.#bytes += size;
    if (!this.#file && this.#bytes <= this.inlineMax) {
      this.#chunks.push(...buffers);
      done();
      return;
    }
    // Past the limit: what was held goes to the file first, then everything else.
    this.#file ??= this.files.create(this.id);
    const pending = this.#chunks.length ? [...this.#chunks, ...buffers] : buffers;
    this.#chunks = [];
    this.#file.append(pending).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    if (this.#file) {
      this.#file.seal().then(() => done(), done);
      return;
    }
    this.#inline = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks = [];
    done();
  }

  async discard(): Promise<void> {
    this.destroy();
    this.#chunks = [];
    this.#inline = null;
    await this.#file?.discard();
  }
}
