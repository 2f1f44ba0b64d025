import { readFileSync } from 'node:fs';

/** A process's resident memory by kind of mapping, in bytes (from /proc/PID/smaps). */
export interface MemoryMap {
  readonly total: number;
  /** `[heap]`: the main thread's malloc arena (Node's Buffers live here, among others). */
  readonly mainArena: number;
  /** Anonymous mappings: V8's heaps of every thread, other threads' malloc arenas, stacks. */
  readonly anonymous: number;
  /** Pages of the Node binary itself (its code and read-only data). */
  readonly nodeBinary: number;
  /** Other files: shared libraries, native addons, mapped database files. */
  readonly otherFiles: number;
}

/** The memory map of `pid` now; null once the process is gone or smaps cannot be read. */
export function readMemoryMap(pid: number, nodePath = process.execPath): MemoryMap | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  const map = { total: 0, mainArena: 0, anonymous: 0, nodeBinary: 0, otherFiles: 0 };
  let kind: keyof Omit<MemoryMap, 'total'> = 'anonymous';
  for (const line of text.split('\n')) {
    // A mapping's header: "start-end perms offset dev inode [path]".
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]!.trim();
      kind = path === '[heap]' ? 'mainArena' : path === nodePath ? 'nodeBinary' : path.startsWith('/') ? 'otherFiles' : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      const bytes = Number(rss[1]) * 1024;
      map[kind] += bytes;
      map.total += bytes;
    }
  }
  return map;
}

/**
 * Reads the memory map every `intervalMs` and keeps the reading with the most resident memory:
 * what the peak was made of (VmHWM gives only its size). Each reading costs about a millisecond
 * of the load generator's event loop, so it is used where latency is not measured against a target.
 */
export class PeakMemoryMap {
  #peak: MemoryMap | null = null;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    // Never what keeps the bench alive: a run that fails before stop() still exits.
    this.#timer = setInterval(() => this.#sample(), intervalMs).unref();
    this.#sample();
  }

  #sample(): void {
    const now = readMemoryMap(this.pid);
    if (now && (!this.#peak || now.total > this.#peak.total)) this.#peak = now;
  }

  /** Stops sampling (again: no effect); the heaviest reading, if any. */
  stop(): MemoryMap | null {
    clearInterval(this.#timer);
    this.#sample();
    return this.#peak;
  }
}
