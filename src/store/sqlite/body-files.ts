import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { bufferReclaim } from '../../core/buffer-reclaim.js';

/**
 * Message bodies too large to keep inside the database: one file per message in
 * `<dataDir>/spool`, written as the DATA stream arrives and fsynced before the database row
 * (the commit marker) is written.
 */
export class BodyFiles {
  /** Files created since the last directory fsync began. */
  #unsynced = 0;

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.eml`);
  }

  /** A new body file, created on its first append. */
  create(id: string): SpoolFile {
    return new SpoolFile(this.pathOf(id), () => this.#unsynced++);
  }

  open(id: string): Promise<Readable> {
    const stream = readLarge(this.pathOf(id));
    return new Promise((resolve, reject) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', reject);
    });
  }

  /** Removes a body file; one that is already gone is not an error. */
  async remove(id: string): Promise<void> {
    await removeFile(this.pathOf(id));
  }

  /**
   * Makes new directory entries durable: one fsync covers every file created before it
   * starts, and none is needed when no file was created (small bodies live in the database).
   */
  async syncDir(): Promise<void> {
    if (this.#unsynced === 0) return;
    this.#unsynced = 0;
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

/** One body file being written: appended to, then sealed (fsynced and closed) or discarded. */
export class SpoolFile {
  #handle: Promise<FileHandle> | null = null;
  #moved: (() => void) | null = null;

  constructor(
    readonly path: string,
    private readonly onCreated: () => void,
  ) {}

  #file(): Promise<FileHandle> {
    this.#moved ??= bufferReclaim.track();
    this.#handle ??= open(this.path, 'wx', 0o600).then((fh) => {
      // Counted once the entry exists, so the next directory fsync is sure to cover it.
      this.onCreated();
      return fh;
    });
    return this.#handle;
  }

  async append(buffers: readonly Buffer[]): Promise<void> {
    const fh = await this.#file();
    let pending = buffers;
    // writev may write less than asked (a full disk reports ENOSPC only on the next call).
    while (pending.length) {
      const { bytesWritten } = await fh.writev(pending as Buffer[]);
      pending = skipBytes(pending, bytesWritten);
    }
  }

  /** Durable on disk and closed. */
  async seal(): Promise<void> {
    const fh = await this.#file();
    try {
      await fh.sync();
      await fh.close();
    } finally {
      this.#moved?.();
    }
  }

  async discard(): Promise<void> {
    this.#moved?.();
    if (this.#handle) await this.#handle.then((fh) => fh.close()).catch(() => undefined);
    await removeFile(this.path);
  }
}

/** A body file read back, its Buffers reclaimed while it streams (core/buffer-reclaim.ts). */
export function readLarge(path: string): Readable {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  stream.once('close', bufferReclaim.track());
  return stream;
}

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function skipBytes(buffers: readonly Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = count;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}
