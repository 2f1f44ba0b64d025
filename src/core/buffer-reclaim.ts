import { getHeapStatistics } from 'node:v8';

/** V8's collector, as `--expose-gc` puts it on globalThis: a full collection without options. */
export type Collector = (options?: { type: 'minor' }) => void;

export interface ReclaimSteps {
  /** Growth of the thread's Buffer memory (since the last collection, or its lowest reading since) that asks for a young collection. */
  readonly minorAfter: number;
  /** Growth since the last full collection, left after a young one, that asks for a full one. */
  readonly majorAfter: number;
  /** How often the memory is looked at while a large body moves. */
  readonly everyMs: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_RECLAIM_STEPS: ReclaimSteps = { minorAfter: 4 * MiB, majorAfter: 8 * MiB, everyMs: 10 };

/**
 * Collects a thread's spent Buffers while it moves large message bodies.
 *
 * Why: V8 schedules collections by JavaScript allocation, and a Buffer is a small object in front
 * of memory V8 does not count that way; it collects young Buffers only once they hold about 32 MB
 * per thread, and Buffers that survived into the old generation only at its next full
 * collection. Fifty clients each sending 5 MB fill that many times over in a second, so the
 * relay's peak was mostly Buffers already spent (README, Benchmark). While a body too large for
 * the database moves through the thread (spooled, read back, inspected, delivered), this looks at
 * the thread's external memory every few milliseconds and asks for a young collection after a
 * few MB, and a full one when what survived young collections keeps growing. Small messages,
 * the throughput case, never start it: V8's own schedule is the cheaper one there.
 *
 * It needs `--expose-gc`, which every launcher passes (without it, it does nothing), and relies
 * on `--single-threaded-gc`: with V8's helper threads, a young collection frees Buffers later,
 * on a helper, so the memory read just after it would not have fallen yet.
 */
export class BufferReclaim {
  #moving = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The memory after the last collection, or the lowest reading since: growth counts from here. */
  #afterMinor = 0;
  /** The same for full collections. */
  #afterMajor = 0;
  #minors = 0;
  #majors = 0;

  constructor(
    private readonly collect: Collector | null,
    private readonly steps: ReclaimSteps = DEFAULT_RECLAIM_STEPS,
    private readonly externalBytes: () => number = () => getHeapStatistics().external_memory,
  ) {}

  /** Collections asked for so far, for tests and diagnostics. */
  get collections(): { readonly minor: number; readonly major: number } {
    return { minor: this.#minors, major: this.#majors };
  }

  /** A large body starts moving through this thread; call the result once it has stopped. */
  track(): () => void {
    if (!this.collect) return () => undefined;
    if (this.#moving++ === 0) this.#start();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--this.#moving === 0) this.#stop();
    };
  }

  /** One look at the memory: what the timer runs. */
  check(): void {
    const collect = this.collect;
    if (!collect) return;
    const now = this.externalBytes();
    if (now < this.#afterMinor) {
      // V8 collected on its own since the last look: growth counts from here.
      this.#afterMinor = now;
      this.#afterMajor = Math.min(this.#afterMajor, now);
      return;
    }
    if (now - this.#afterMinor < this.steps.minorAfter) return;
    collect({ type: 'minor' });
    this.#minors++;
    this.#afterMinor = this.externalBytes();
    // What a young collection left is live or in the old generation; only a full one frees the latter.
    if (this.#afterMinor - this.#afterMajor >= this.steps.majorAfter) {
      collect();
      this.#majors++;
      this.#afterMinor = this.externalBytes();
      this.#afterMajor = this.#afterMinor;
    } else if (this.#afterMinor < this.#afterMajor) {
      this.#afterMajor = this.#afterMinor;
    }
  }

  #start(): void {
    this.#afterMinor = this.#afterMajor = this.externalBytes();
    this.#timer = setInterval(() => this.check(), this.steps.everyMs);
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function exposedCollector(): Collector | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as Collector) : null;
}

/** This thread's reclaim (module state is per thread: the inspection thread has its own). */
export const bufferReclaim = new BufferReclaim(exposedCollector());
