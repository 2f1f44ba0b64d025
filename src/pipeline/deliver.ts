import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDsn, type FailedRecipient } from '../delivery/dsn.js';
import { isExpired, retryDelay, type RetryPolicy } from '../delivery/retry-schedule.js';
import type { RecipientOutcome, Upstream } from '../delivery/upstream.js';
import { newQueueId } from '../core/ids.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { readHeaderSection } from '../mime/header-section.js';
import type { RewriteInput } from '../disclaimers/rewrite.js';
import type { RewriteReport } from '../disclaimers/types.js';
import { LeaseLostError, type AttemptRecord, type BodySpool, type LeasedMessage, type NewMessage, type QueueStore, type RecipientResult } from '../store/types.js';
import { DisclaimerUnavailableError, outgoingBody } from './outgoing-body.js';

export interface DeliverDeps {
  readonly queue: QueueStore;
  readonly upstream: Upstream;
  readonly retry: RetryPolicy;
  readonly relayName: string;
  /** Header From of DSNs. */
  readonly bounceFrom: string;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now?: () => number;
  /** How a message's disclaimer is inserted (issue 4); without it messages go out as received. */
  readonly planDisclaimer?: ((message: LeasedMessage) => Promise<RewriteInput | null>) | undefined;
}

/**
 * One delivery attempt for a leased message: send its pending recipients upstream, then
 * record per-recipient results in one store call: delivered, retry later (backoff), or
 * bounce (5xx now, 4xx once too old) with a DSN queued in the same transaction.
 */
export async function deliverLeased(deps: DeliverDeps, message: LeasedMessage, stopping?: AbortSignal): Promise<void> {
  const now = deps.now ?? Date.now;
  const pending = message.recipients.filter((r) => r.status === 'pending').map((r) => r.address);
  const started = performance.now();
  const { outcomes, disclaimer } = pending.length ? await sendUpstream(deps, message, pending) : { outcomes: [], disclaimer: null };
  const upstreamMs = performance.now() - started;
  deps.metrics.deliveryUpstreamSeconds.observe(upstreamMs / 1000);

  const at = now();
  const expired = isExpired(deps.retry, message.receivedAt, at);
  const results: RecipientResult[] = outcomes.map((o) => resultFor(o, expired));
  const failures: FailedRecipient[] = outcomes
    .filter((o) => o.status === 'failed' || (o.status === 'deferred' && expired))
    .map((o) => ({ address: o.address, reply: o.reply, expired: o.status === 'deferred' }));
  const stillPending = results.some((r) => r.status === 'pending');
  const anyFailed = failures.length > 0 || message.recipients.some((r) => r.status === 'failed');
  for (const o of outcomes) deps.metrics.deliveryAttempts.inc({ result: o.status });

  const record: AttemptRecord = {
    id: message.id,
    owner: message.leaseOwner,
    results,
    outcome: stillPending
      ? { kind: 'retry', nextAttemptAt: at + retryDelay(deps.retry, message.attempts + 1) }
      : { kind: 'final', state: anyFailed ? 'bounced' : 'delivered' },
    lastError: outcomes.find((o) => o.status !== 'delivered')?.reply ?? null,
    bounce: failures.length ? await bounceFor(deps, message, failures, at) : undefined,
  };
  await recordPersistently(deps, message, record, stopping);
  deps.log.info(
    {
      event: 'delivery',
      id: message.id,
      kind: message.kind,
      result: record.outcome.kind === 'retry' ? 'deferred' : record.outcome.state,
      size: message.size,
      rcpts: pending.length,
      delivered: results.filter((r) => r.status === 'delivered').length,
      failed: failures.length,
      attempt: message.attempts + 1,
      // The reply behind the result: a deferral's or refusal's, not a neighbour's 250.
      upstream: (outcomes.find((o) => o.status !== 'delivered') ?? outcomes[0])?.reply,
      disclaimer: disclaimer ? (disclaimer.reason ?? disclaimer.outcome) : undefined,
      bounce: record.bounce?.message.id,
      ms: Math.round(upstreamMs),
    },
    'delivery attempt',
  );
}

/** First pause before recording again, doubling up to RECORD_PAUSE_MAX. */
const RECORD_PAUSE_MIN = 500;
const RECORD_PAUSE_MAX = 5_000; // a freed disk is noticed within seconds
/**
 * The last try must end before the lease does: one try may itself wait for the store (its lock
 * for up to 5 s, the group commit, an fsync), and once the lease ends this relay may lease the
 * message again and send it while a late record of the first attempt still succeeds.
 */
const RECORD_MARGIN = 15_000;

/**
 * The upstream has answered, so its results must be recorded: unrecorded, the message would sit
 * unseen until its lease ends and then go out again. When the store fails (a full disk, a lock
 * held too long) the record is tried again, for as long as the lease lasts and the relay is not
 * stopping; past that the next attempt may send it again (at-least-once, as after a crash).
 */
async function recordPersistently(deps: DeliverDeps, message: LeasedMessage, record: AttemptRecord, stopping?: AbortSignal): Promise<void> {
  for (let pause = RECORD_PAUSE_MIN; ; pause = Math.min(pause * 2, RECORD_PAUSE_MAX)) {
    try {
      await deps.queue.recordAttempt(record);
      return;
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      deps.metrics.storeErrors.inc({ operation: 'record_attempt' });
      const left = message.leaseUntil - Date.now();
      if (stopping?.aborted || left <= pause + RECORD_MARGIN) throw err;
      deps.log.error(
        { event: 'record_failed', id: message.id, err: (err as Error).message, retryInMs: pause },
        'could not record the delivery attempt: trying again while the lease lasts',
      );
      await sleep(pause, undefined, { signal: stopping }).catch(() => undefined);
    }
  }
}

function resultFor(outcome: RecipientOutcome, expired: boolean): RecipientResult {
  if (outcome.status === 'delivered') return { address: outcome.address, status: 'delivered', reply: outcome.reply };
  if (outcome.status === 'failed' || expired) return { address: outcome.address, status: 'failed', reply: outcome.reply };
  return { address: outcome.address, status: 'pending', reply: outcome.reply };
}

async function sendUpstream(
  deps: DeliverDeps,
  message: LeasedMessage,
  recipients: string[],
): Promise<{ outcomes: RecipientOutcome[]; disclaimer: RewriteReport | null }> {
  let body: Readable;
  let disclaimer: RewriteReport | null;
  try {
    ({ body, disclaimer } = await outgoingBody(deps, message));
  } catch (err) {
    if (err instanceof DisclaimerUnavailableError) {
      deps.log.error({ event: 'disclaimer_unavailable', id: message.id, err: err.message }, 'disclaimer texts unavailable: delivery deferred');
      return { outcomes: recipients.map((address) => ({ address, status: 'deferred', reply: '451 4.3.0 disclaimer texts unavailable in the relay store' })), disclaimer: null };
    }
    // The body is gone: nothing can ever deliver it. Say so, loudly, and bounce.
    deps.log.error({ event: 'body_missing', id: message.id, err: (err as Error).message }, 'message body missing');
    return { outcomes: recipients.map((address) => ({ address, status: 'failed', reply: '554 5.3.0 message body lost in the relay store' })), disclaimer: null };
  }
  const trace = Buffer.from(message.traceHeader, 'latin1');
  const raw = Readable.from(withTrace(trace, body), { objectMode: false });
  return { outcomes: await deps.upstream.send(message.mailFrom, recipients, raw, message.id), disclaimer };
}

async function* withTrace(trace: Buffer, body: Readable): AsyncGenerator<Buffer> {
  try {
    yield trace;
    for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
  } finally {
    body.destroy();
  }
}

/** A DSN to the envelope sender, unless the message is itself a bounce or had a null sender. */
async function bounceFor(
  deps: DeliverDeps,
  message: LeasedMessage,
  failures: FailedRecipient[],
  at: number,
): Promise<{ message: NewMessage; spool: BodySpool } | undefined> {
  if (message.kind === 'bounce' || message.mailFrom === '') return undefined;
  const headers = await deps.queue
    .openBody(message.id)
    .then((body) => readHeaderSection(body))
    .catch(() => Buffer.alloc(0));
  const dsn = buildDsn({
    relayName: deps.relayName,
    from: deps.bounceFrom,
    to: message.mailFrom,
    queueId: message.id,
    arrivalDate: new Date(message.receivedAt),
    failures,
    originalHeaders: Buffer.concat([Buffer.from(message.traceHeader, 'latin1'), headers]),
    now: new Date(at),
  });
  const id = newQueueId(at);
  const spool = deps.queue.createSpool(id);
  await new Promise<void>((resolve, reject) => spool.end(dsn, () => resolve()).once('error', reject));
  for (const f of failures) deps.metrics.deliveryBounces.inc({ cause: f.expired ? 'expired' : 'rejected' });
  return {
    message: {
      id,
      kind: 'bounce',
      mailFrom: '',
      rcptTo: [message.mailFrom],
      client: null,
      size: dsn.length,
      traceHeader: '',
      receivedAt: at,
    },
    spool,
  };
}
