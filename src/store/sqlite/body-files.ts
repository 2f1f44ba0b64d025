import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { BodySpool } from '../types.js';

/**
 * Message bodies of the SQLite engine: one file per message in `<dataDir>/spool`, written as
 * the DATA stream arrives and fsynced before the database row (the commit marker) is written.
 */
export class BodyFiles {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.eml`);
  }

  createSpool(id: string): BodySpool {
    return new FileSpool(this.pathOf(id));
  }

  open(id: string): Promise<Readable> {
    const stream = createReadStream(this.pathOf(id), { highWaterMark: 64 * 1024 });
    return new Promise((resolve, reject) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', reject);
    });
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  /** Makes new directory entries durable: one fsync covers every file created before it. */
  async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async listIds(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith('.eml')).map((n) => n.slice(0, -4));
  }
}

class FileSpool extends Writable implements BodySpool {
  #handle: Promise<FileHandle> | null = null;
  #written = 0;

  constructor(private readonly path: string) {
    super({ highWaterMark: 64 * 1024 });
  }

  get bytesWritten(): number {
    return this.#written;
  }

  #file(): Promise<FileHandle> {
    this.#handle ??= open(this.path, 'wx', 0o600);
    return this.#handle;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.#file()
      .then((fh) => fh.write(chunk))
      .then(() => {
        this.#written += chunk.length;
        done();
      }, done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    this.#file()
      .then((fh) => fh.writev(buffers))
      .then((result) => {
        this.#written += result.bytesWritten;
        done();
      }, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.#file()
      .then(async (fh) => {
        await fh.sync();
        await fh.close();
      })
      .then(() => done(), done);
  }

  async discard(): Promise<void> {
    this.destroy();
    if (this.#handle) {
      await this.#handle.then((fh) => fh.close()).catch(() => undefined);
    }
    await rm(this.path, { force: true });
  }
}
