import type { Readable } from 'node:stream';
import type { Envelope } from '../core/envelope.js';
import { newQueueId } from '../core/ids.js';
import { SmtpError } from '../core/smtp-error.js';
import { mergeVerdicts, type Action, type Reason } from '../core/verdict.js';
import { sealedKind } from '../disclaimers/sealed.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { MessageGuard, type GuardLimits } from '../mime/message-guard.js';
import type { BodySpool, Companion, HoldDetails, QueueStore } from '../store/types.js';
import { EMPTY_INSPECTION, type InspectionResult } from './inspection-result.js';
import { policyNotice, type NoticeSettings } from './policy-notice.js';
import { receivedHeader } from './trace-header.js';

export interface ReceiveDeps {
  readonly queue: QueueStore;
  readonly limits: GuardLimits;
  readonly relayName: string;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Inspection and policy (issue 3) of a received message (`size` octets); without it every message is delivered. */
  readonly inspect?: ((raw: Readable, envelope: Envelope, size: number) => Promise<InspectionResult>) | undefined;
  readonly notices?: NoticeSettings | undefined;
  /** `disclaimers.signed: hold`: signed, encrypted and DKIM-signed mail waits for review. */
  readonly holdSealed?: { readonly skipMachineMail: boolean } | undefined;
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
  readonly action: Action;
  /** Rule names behind the action (never values), for the summary log line. */
  readonly reasons: readonly string[];
}

/**
 * Receives one message: streams DATA through the guard into a body spool, inspects what was
 * spooled, decides, and commits durably; only then may the caller answer 250. Inspection
 * reads the spool back once the upload is complete rather than keeping pace with it, so an
 * upload never waits for inspection, and inspection can bound how many large messages it
 * reads at once (memory stays flat however many clients upload). Rejected, refused or failed
 * messages leave nothing behind. Throws an SmtpError (from the reply table) for the client.
 */
export async function receiveMessage(deps: ReceiveDeps, input: ReceiveInput): Promise<Received> {
  const started = performance.now();
  const id = newQueueId();
  const guard = new MessageGuard(deps.limits);
  const spool = deps.queue.createSpool(id);
  try {
    await spoolThroughGuard(input.stream, guard, spool);
  } catch (err) {
    await discard(spool, deps.log);
    throw new SmtpError('storeUnavailable', { cause: err, detail: 'writing the body failed' });
  }
  const uploaded = performance.now();
  const refusal = guard.violation ? new SmtpError(guard.violation) : (input.checkHeaders?.(guard.headerSection) ?? null);
  if (refusal) {
    await discard(spool, deps.log);
    throw refusal;
  }
  const inspected = deps.inspect ? await deps.inspect(spool.readBack(), input.envelope, guard.bytes) : null;
  const decided = performance.now();
  const result = deps.holdSealed ? holdIfSealed(inspected, sealedKind(guard.headerSection, deps.holdSealed.skipMachineMail)) : inspected;
  if (result) recordInspection(deps.metrics, result);
  const action = result?.verdict.action ?? 'deliver';
  const reasons = result?.verdict.reasons.map((r) => r.rule) ?? [];
  if (action === 'reject') {
    await discard(spool, deps.log);
    throw new SmtpError('policyRejected', { detail: reasons.join(',') });
  }
  const receivedAt = new Date();
  const hold: HoldDetails | undefined =
    action === 'hold' && result ? { reasons: result.verdict.reasons, findings: result.findings, chain: result.chain } : undefined;
  const companions = await noticesFor(deps, id, input.envelope, result, action, receivedAt);
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
        hold,
      },
      spool,
      companions,
    );
  } catch (err) {
    deps.metrics.storeErrors.inc({ operation: 'enqueue' });
    await Promise.all([spool.discard(), ...companions.map((c) => c.spool.discard())]);
    throw new SmtpError('storeUnavailable', { cause: err, detail: 'commit failed' });
  }
  const committed = performance.now();
  deps.metrics.smtpMessagesAccepted.inc();
  deps.metrics.smtpMessageSize.observe(guard.bytes);
  deps.metrics.smtpCommitSeconds.observe((committed - uploaded) / 1000);
  const stages = deps.metrics.smtpReceiveStageSeconds;
  stages.observe({ stage: 'upload' }, (uploaded - started) / 1000);
  stages.observe({ stage: 'inspection' }, (decided - uploaded) / 1000);
  stages.observe({ stage: 'commit' }, (committed - decided) / 1000);
  return { id, size: guard.bytes, action, reasons };
}

/**
 * Signed or encrypted mail cannot take the disclaimer without breaking its signature: with
 * `disclaimers.signed: hold` a reviewer decides, and a released message goes out untouched.
 */
function holdIfSealed(result: InspectionResult | null, kind: ReturnType<typeof sealedKind>): InspectionResult | null {
  if (!kind) return result;
  const reason: Reason = {
    rule: 'disclaimer-sealed',
    action: 'hold',
    mode: 'enforce',
    explanation: `${kind} mail cannot carry the disclaimer without breaking its signature (disclaimers.signed: hold)`,
  };
  const base = result ?? EMPTY_INSPECTION;
  return { ...base, verdict: mergeVerdicts([...base.verdict.reasons, reason]) };
}

async function noticesFor(
  deps: ReceiveDeps,
  id: string,
  envelope: Envelope,
  result: InspectionResult | null,
  action: Action,
  at: Date,
): Promise<Companion[]> {
  if (!result || !deps.notices?.enabled || envelope.mailFrom === '' || (action !== 'warn' && action !== 'hold')) return [];
  deps.metrics.policyNotices.inc({ type: action === 'hold' ? 'held' : 'warned' });
  const details = { reasons: result.verdict.reasons, findings: result.findings, chain: result.chain };
  return [await policyNotice(deps.queue, deps.notices, { type: action === 'hold' ? 'held' : 'warned', id, envelope, details, sentAt: at, at })];
}

function recordInspection(metrics: Metrics, result: InspectionResult): void {
  metrics.policyInspectionSeconds.observe(result.ms / 1000);
  if (result.failure) metrics.policyInspectionFailures.inc({ cause: result.failure });
  metrics.policyActions.inc({ action: result.verdict.action });
  for (const r of result.verdict.reasons) metrics.policyVerdicts.inc({ action: r.action, rule: r.rule, mode: r.mode });
  for (const f of result.findings) metrics.policyFindings.inc({ kind: f.kind });
}

/**
 * Throws a message's body away. Failing to must not change the reply the client is owed, nor
 * hide why the message failed; a body file left behind is an orphan, removed at the next start.
 */
async function discard(spool: BodySpool, log: Logger): Promise<void> {
  try {
    await spool.discard();
  } catch (err) {
    log.warn({ event: 'spool_discard_failed', err: (err as Error).message }, 'could not remove a body the relay did not keep; it is removed at the next start');
  }
}

/**
 * Streams DATA through the guard into the spool, with the spool's back-pressure. If the spool
 * fails (disk full), the rest of DATA is still read and thrown away, as smtp-server replies only
 * once the stream has ended; then the spool's error is thrown.
 */
function spoolThroughGuard(source: Readable, guard: MessageGuard, spool: BodySpool): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | null = null;
    let sourceEnded = false;
    const fail = (err: Error) => {
      if (failure) return;
      failure = err;
      spool.destroy();
      if (sourceEnded) reject(err);
      else source.resume(); // drained to its end, then rejected
    };
    spool.on('drain', () => source.resume());
    spool.once('error', fail);
    spool.once('close', () => {
      if (!spool.writableFinished) fail(new Error('the spool closed before it finished'));
    });
    spool.once('finish', () => {
      if (!failure) resolve();
    });
    source.on('data', (chunk: Buffer) => {
      const passed = guard.take(chunk);
      if (passed && !failure && !spool.write(passed)) source.pause();
    });
    source.once('error', (err) => {
      sourceEnded = true;
      fail(err);
    });
    source.once('end', () => {
      sourceEnded = true;
      guard.end();
      if (failure) reject(failure);
      else spool.end();
    });
  });
}

