import { finished, pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Envelope } from '../core/envelope.js';
import { newQueueId } from '../core/ids.js';
import { SmtpError } from '../core/smtp-error.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { MessageGuard, type GuardLimits } from '../mime/message-guard.js';
import type { QueueStore, BodySpool } from '../store/types.js';
import { receivedHeader } from './trace-header.js';

export interface ReceiveDeps {
  readonly queue: QueueStore;
  readonly limits: GuardLimits;
  readonly relayName: string;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export interface ReceiveInput {
  readonly stream: Readable;
  readonly envelope: Envelope;
  /** Checks on the header section (sender rules); a returned error refuses the message. */
  readonly checkHeaders?: (headerSection: Buffer) => SmtpError | null;
}

export interface Received {
  readonly id: string;
  readonly size: number;
}

/**
 * Receives one message: streams DATA through the guard into a body spool, checks, and
 * commits durably; only then may the caller answer 250. On any refusal or failure nothing
 * is kept. Throws an SmtpError (from the reply table) for the client.
 */
export async function receiveMessage(deps: ReceiveDeps, input: ReceiveInput): Promise<Received> {
  const started = performance.now();
  const id = newQueueId();
  const guard = new MessageGuard(deps.limits);
  const spool = deps.queue.createSpool(id);
  try {
    await spoolThroughGuard(input.stream, guard, spool);
  } catch (err) {
    await spool.discard();
    throw new SmtpError('storeUnavailable', { cause: err, detail: 'writing the body failed' });
  }
  const refusal = guard.violation ? new SmtpError(guard.violation) : (input.checkHeaders?.(guard.headerSection) ?? null);
  if (refusal) {
    await spool.discard();
    throw refusal;
  }
  const receivedAt = new Date();
  try {
    await deps.queue.enqueue(
      {
        id,
        kind: 'message',
        mailFrom: input.envelope.mailFrom,
        rcptTo: input.envelope.rcptTo,
        client: input.envelope.client,
        size: guard.bytes,
        traceHeader: receivedHeader(input.envelope.client, deps.relayName, id, receivedAt),
        receivedAt: receivedAt.getTime(),
      },
      spool,
    );
  } catch (err) {
    deps.metrics.storeErrors.inc({ operation: 'enqueue' });
    await spool.discard();
    throw new SmtpError('storeUnavailable', { cause: err, detail: 'commit failed' });
  }
  deps.metrics.smtpMessagesAccepted.inc();
  deps.metrics.smtpMessageSize.observe(guard.bytes);
  deps.metrics.smtpCommitSeconds.observe((performance.now() - started) / 1000);
  return { id, size: guard.bytes };
}

/**
 * Pipes DATA through the guard into the spool. If the spool fails (disk full), the rest of
 * DATA is still read and thrown away: smtp-server replies only once the stream has ended.
 */
async function spoolThroughGuard(source: Readable, guard: MessageGuard, spool: BodySpool): Promise<void> {
  source.pipe(guard);
  try {
    await pipeline(guard, spool);
  } catch (err) {
    source.unpipe(guard);
    source.resume();
    await finished(source).catch(() => undefined);
    throw err;
  }
}
