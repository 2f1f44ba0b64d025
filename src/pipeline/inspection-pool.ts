import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Permits } from './permits.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { failClosed } from '../policies/rules.js';
import type { InspectionResult } from './inspection-result.js';

/** Messages between the relay and an inspection thread (structured-cloned). */
export type WorkerRequest =
  /**
   * Bytes of a message: the first carries the envelope (`start`), the last `end` (a small
   * message is one request). Only requests without `end` are acknowledged.
   */
  | { type: 'data'; job: number; start?: { mailFrom: string; rcptTo: readonly string[] }; bytes: Uint8Array | null; end: boolean }
  /** The patient list for exact match (null: none); sent to each thread before its next message. */
  | { type: 'patient-list'; list: { secret: Uint8Array; hashes: string[] } | null };

export type WorkerReply = { type: 'result'; job: number; result: InspectionResult } | { type: 'ack'; job: number };

/** Chunks of one message in flight to a thread before the relay waits (bounds memory per message). */
const MAX_UNACKED_CHUNKS = 4;

/**
 * A message up to this size goes to a thread in one request, whatever else is in inspection.
 * Larger ones stream, at most LARGE_PER_THREAD per thread at once: the others wait (in their
 * spools, on disk) instead of each holding parser buffers in the thread, so the thread's memory
 * does not grow with the number of clients uploading.
 */
const SMALL_MESSAGE = 256 * 1024;
const LARGE_PER_THREAD = 2;

interface Job {
  readonly resolve: (result: InspectionResult) => void;
  readonly timer: NodeJS.Timeout | null;
  /** Called when the thread acknowledges a chunk. */
  readonly onAck: () => void;
  /** Lets the message stream flow freely again (after the job is settled, it is only drained). */
  readonly release: () => void;
}

interface Slot {
  worker: Worker;
  readonly jobs: Map<number, Job>;
}

/**
 * Inspection off the event loop, in worker threads: the SMTP side stays responsive, the
 * second core does the parsing and detection, and each message gets HARD bounds. A thread
 * that passes its heap limit, crashes, or keeps a message past the time bound (plus grace)
 * is terminated and replaced; every message it had is held (fail closed).
 */
const WORKER_SCRIPT = new URL('./inspection-worker.js', import.meta.url);

export class InspectionPool {
  /** False when running from TypeScript sources (tests): the thread needs the built JavaScript. */
  static available(): boolean {
    return existsSync(fileURLToPath(WORKER_SCRIPT));
  }

  readonly #slots: Slot[] = [];
  #lastRestart = 0;
  #nextJob = 1;
  #next = 0;
  #closed = false;
  #patientList: { secret: Uint8Array; hashes: string[] } | null = null;
  readonly #large: Permits;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly log: Logger,
  ) {
    this.#large = new Permits(LARGE_PER_THREAD * config.policy.inspection.workers);
    for (let i = 0; i < config.policy.inspection.workers; i++) {
      const slot: Slot = { worker: null as unknown as Worker, jobs: new Map() }; // set at once by #start
      this.#start(slot);
      this.#slots.push(slot);
    }
  }

  /** Starts a thread for the slot; events from a thread the slot no longer uses are ignored. */
  #start(slot: Slot): void {
    const worker = new Worker(WORKER_SCRIPT, {
      workerData: { config: this.config },
      resourceLimits: {
        maxOldGenerationSizeMb: Math.max(32, Math.round(this.config.policy.inspection.maxMemory / 1024 / 1024)),
        // Inspection makes short-lived garbage at a high rate: a small young generation keeps
        // the thread's footprint down (default: up to 48 MB) for a few more, cheap scavenges.
        maxYoungGenerationSizeMb: 8,
      },
    });
    slot.worker = worker;
    if (this.#patientList) worker.postMessage({ type: 'patient-list', list: this.#patientList } satisfies WorkerRequest);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ack') slot.jobs.get(reply.job)?.onAck();
      else this.#settle(slot, reply.job, reply.result);
    });
    worker.on('error', (err) => {
      if (slot.worker !== worker) return;
      this.log.error({ event: 'inspection_thread_failed', err: err.message }, 'inspection thread failed; its messages are held');
      this.#replace(slot, 'inspection-failed');
    });
    worker.on('exit', (code) => {
      if (!this.#closed && slot.worker === worker && code !== 0) this.#replace(slot, 'inspection-failed');
    });
    worker.unref();
  }

  /** Gives every thread (and every thread started later) the patient list; messages already in inspection keep the old one. */
  setPatientList(list: { readonly secret: Buffer; readonly hashes: ReadonlySet<string> } | null): void {
    this.#patientList = list ? { secret: new Uint8Array(list.secret), hashes: [...list.hashes] } : null;
    for (const slot of this.#slots) slot.worker.postMessage({ type: 'patient-list', list: this.#patientList } satisfies WorkerRequest);
  }

  /** Inspects one message of `size` octets, streamed from `raw`. Never rejects: failures are fail-closed holds. */
  async inspect(raw: Readable, envelope: { mailFrom: string; rcptTo: readonly string[] }, size: number): Promise<InspectionResult> {
    if (size <= SMALL_MESSAGE) return this.#inspect(raw, envelope);
    const release = await this.#large.acquire();
    try {
      return await this.#inspect(raw, envelope);
    } finally {
      release();
    }
  }

  #inspect(raw: Readable, envelope: { mailFrom: string; rcptTo: readonly string[] }): Promise<InspectionResult> {
    const slot = this.#slots[this.#next++ % this.#slots.length]!;
    const job = this.#nextJob++;
    return new Promise<InspectionResult>((resolve) => {
      let unacked = 0;
      const onAck = () => {
        unacked--;
        if (unacked < MAX_UNACKED_CHUNKS && raw.isPaused()) raw.resume();
      };
      slot.jobs.set(job, { resolve, timer: null, onAck, release: () => raw.resume() });
      let start: { mailFrom: string; rcptTo: readonly string[] } | undefined = { mailFrom: envelope.mailFrom, rcptTo: [...envelope.rcptTo] };
      const post = (chunk: Buffer | null, end: boolean) => {
        // One copy, handed over (not cloned again): the chunk itself may share memory with others.
        const bytes = chunk ? new Uint8Array(chunk) : null;
        const request: WorkerRequest = { type: 'data', job, bytes, end, ...(start ? { start } : {}) };
        start = undefined;
        slot.worker.postMessage(request, bytes ? [bytes.buffer] : []);
        if (!end && ++unacked >= MAX_UNACKED_CHUNKS) raw.pause();
      };
      // Each chunk goes once the next one (or the end) is here, so a small message is one request.
      let held: Buffer | null = null;
      raw.on('data', (chunk: Buffer) => {
        if (!slot.jobs.has(job)) return; // settled (thread replaced): just drain
        if (held) post(held, false);
        held = chunk;
      });
      raw.once('end', () => {
        if (slot.jobs.has(job)) post(held, true);
        held = null;
        this.#armHardTimeout(slot, job);
      });
    });
  }

  /** The thread's own bound is soft (it cannot interrupt a detector); this one is not. */
  #armHardTimeout(slot: Slot, job: number): void {
    const entry = slot.jobs.get(job);
    if (!entry) return;
    const grace = this.config.policy.inspection.timeout + 2000;
    const timer = setTimeout(() => {
      this.log.error({ event: 'inspection_thread_stuck', job }, 'inspection thread passed the hard time bound; replacing it');
      this.#replace(slot, 'inspection-timeout');
    }, grace);
    timer.unref();
    slot.jobs.set(job, { ...entry, timer });
  }

  #settle(slot: Slot, job: number, result: InspectionResult): void {
    const entry = slot.jobs.get(job);
    if (!entry) return;
    slot.jobs.delete(job);
    entry.release();
    if (entry.timer) clearTimeout(entry.timer);
    entry.resolve(result);
  }

  #replace(slot: Slot, cause: 'inspection-failed' | 'inspection-timeout'): void {
    const old = slot.worker;
    // A thread that dies at once must not become a restart loop: at most one restart a second.
    const wait = Math.max(0, this.#lastRestart + 1000 - Date.now());
    this.#lastRestart = Date.now() + wait;
    if (!this.#closed) {
      if (wait === 0) this.#start(slot);
      else setTimeout(() => this.#closed || this.#start(slot), wait).unref();
    }
    for (const job of [...slot.jobs.keys()]) {
      this.#settle(slot, job, {
        verdict: failClosed(cause, this.config.policy),
        findings: [],
        chain: { earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 0 },
        failure: cause,
        attachments: [],
        ms: 0,
      });
    }
    void old.terminate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
