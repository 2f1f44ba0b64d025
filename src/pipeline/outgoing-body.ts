import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRewriter, rewriteMessage, type RewriteInput } from '../disclaimers/rewrite.js';
import type { RewriteReport } from '../disclaimers/types.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LeasedMessage, QueueStore } from '../store/types.js';

export interface OutgoingDeps {
  readonly queue: QueueStore;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** How this message's disclaimer is to be inserted; null: deliver it as received. */
  readonly planDisclaimer?: ((message: LeasedMessage) => Promise<RewriteInput | null>) | undefined;
}

export interface OutgoingBody {
  readonly body: Readable;
  /** What the disclaimer step did (for the delivery log line); null when it did not run. */
  readonly disclaimer: RewriteReport | null;
}

/** Rewritten messages up to this size are kept in memory and sent from there; larger ones are rewritten twice. */
const IN_MEMORY_LIMIT = 1024 * 1024;

/**
 * The body as it goes upstream: with the disclaimer, or byte for byte as received. The
 * rewrite runs to the end before anything is sent, so a message it cannot handle goes out
 * untouched instead of half-sent: a disclaimer problem never loses or corrupts a message.
 * Small results are sent from memory; a large message is rewritten once to learn the outcome
 * and then again as it streams upstream (the rewrite is deterministic), so memory stays flat.
 * Rejects only when the body itself cannot be read (the caller bounces it).
 */
export async function outgoingBody(deps: OutgoingDeps, message: LeasedMessage): Promise<OutgoingBody> {
  const plan = message.kind === 'message' && deps.planDisclaimer ? await planOrNull(deps, message) : null;
  if (!plan) return { body: await deps.queue.openBody(message.id), disclaimer: null };

  const started = performance.now();
  const sink = new BoundedCollector(IN_MEMORY_LIMIT);
  let report: RewriteReport;
  try {
    report = await rewriteMessage(await deps.queue.openBody(message.id), sink, plan);
  } catch (err) {
    deps.metrics.disclaimerMessages.inc({ outcome: 'unchanged', reason: 'unparseable' });
    deps.log.warn({ event: 'disclaimer_failed', id: message.id, err: (err as Error).message }, 'disclaimer not added: the message could not be rewritten');
    return { body: await deps.queue.openBody(message.id), disclaimer: { outcome: 'unchanged', reason: 'unparseable', partsChanged: 0, partsSkipped: [] } };
  }
  deps.metrics.disclaimerRewriteSeconds.observe((performance.now() - started) / 1000);
  deps.metrics.disclaimerMessages.inc({ outcome: report.outcome, reason: report.reason ?? 'none' });
  if (report.outcome === 'unchanged') return { body: await deps.queue.openBody(message.id), disclaimer: report };
  if (!sink.overflowed) return { body: Readable.from([sink.contents()]), disclaimer: report };

  const { splitter, joiner } = createRewriter(plan);
  const out = new PassThrough();
  pipeline(await deps.queue.openBody(message.id), splitter, joiner, out).catch((err: unknown) => out.destroy(err as Error));
  return { body: out, disclaimer: report };
}

async function planOrNull(deps: OutgoingDeps, message: LeasedMessage): Promise<RewriteInput | null> {
  try {
    return (await deps.planDisclaimer?.(message)) ?? null;
  } catch (err) {
    // Practice policy mandates the disclaimer: when the texts cannot be read (store trouble)
    // the message waits for a retry rather than leaving without it.
    throw new DisclaimerUnavailableError(err);
  }
}

export class DisclaimerUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`disclaimer texts unavailable: ${(cause as Error).message}`, { cause });
    this.name = 'DisclaimerUnavailableError';
  }
}

/** Keeps what is written up to a limit; past it, keeps nothing and only notes that it overflowed. */
class BoundedCollector extends Writable {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  overflowed = false;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.overflowed) {
      this.#size += chunk.length;
      if (this.#size > this.#limit) {
        this.overflowed = true;
        this.#chunks = [];
      } else this.#chunks.push(chunk);
    }
    callback();
  }

  contents(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}
