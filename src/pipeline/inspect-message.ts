import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Config } from '../config/schema.js';
import { ByteBudget } from '../mime/byte-budget.js';
import { NO_CHAIN, type InspectionResult } from './inspection-result.js';
import { extractMessage, type ExtractedMessage, type ExtractLimits } from '../mime/extract.js';
import { extractSinglePart } from '../mime/single-part.js';
import type { DetectorContext } from '../policies/detector.js';
import { distinctFindings, InspectionTimeout, runDetectors, textUnits, type DetectorSet } from '../policies/inspect.js';
import { classifyRecipient } from '../policies/recipient-classes.js';
import { analyseChain } from '../policies/recipient-chain.js';
import { evaluateRules, failClosed } from '../policies/rules.js';

export interface InspectDeps {
  readonly config: Pick<Readonly<Config>, 'practice' | 'policy'>;
  readonly detectors: DetectorSet;
  /** The thread's bound on attachment bytes held at once (see attachmentBudget); none: unbounded. */
  readonly budget?: ByteBudget | undefined;
}

/**
 * Inspects one message as received and decides: parse (mailparser), detectors, recipient
 * chain, rules. Never throws: a message that cannot be parsed, or whose inspection fails or
 * passes the time bound, gets a fail-closed hold (design decision 5).
 */
export async function inspectMessage(
  input: Readable | Buffer,
  envelope: { readonly mailFrom: string; readonly rcptTo: readonly string[] },
  deps: InspectDeps,
): Promise<InspectionResult> {
  const started = performance.now();
  const { practice, policy } = deps.config;
  let deadline = Number.POSITIVE_INFINITY;
  let stage: 'parse' | 'detect' = 'parse';
  const budget = deps.budget?.account();
  const limits: ExtractLimits = {
    maxTextChars: policy.inspection.maxTextChars,
    maxAttachmentBytes: policy.inspection.maxAttachmentBytes,
    budget,
  };
  // A message already whole (a small one) may need no parser stream at all.
  const simple = Buffer.isBuffer(input) ? singlePart(input, limits) : null;
  const raw = simple ? null : Buffer.isBuffer(input) ? Readable.from([input]) : input;
  const boundFromNow = () => Date.now() + policy.inspection.timeout;
  // The time bound starts when the body has fully arrived: a slow upload is not slow inspection.
  const arrived = raw ? finished(raw).then(boundFromNow, boundFromNow) : Promise.resolve(boundFromNow());
  try {
    const extraction: Promise<ExtractedMessage> = raw ? extractMessage(raw, limits) : Promise.resolve(simple!);
    // If parsing fails mid-stream, drain the rest at once: whoever feeds the stream is not left waiting.
    extraction.catch(() => raw?.resume());
    deadline = await arrived;
    const message = await withDeadline(extraction, deadline);
    stage = 'detect';
    const context: DetectorContext = {
      practicePostcodes: practice.postcodes,
      practicePhones: practice.phones,
      knownNames: [...practice.staffNames, ...message.names],
    };
    const units = await textUnits(message, deps.detectors, deadline);
    const findings = await withDeadline(runDetectors(message, units, deps.detectors, context, deadline), deadline);
    const chain = analyseChain({
      units,
      embeddedHeaders: message.embeddedHeaders,
      visible: { to: message.to, cc: message.cc },
      practiceDomains: practice.domains,
    });
    const attachments = message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType }));
    const verdict = evaluateRules(
      {
        findings,
        chainExternal: chain.earlierExternalRecipients,
        visibleExternal: chain.visibleExternalRecipients,
        sender: envelope.mailFrom,
        recipientClasses: envelope.rcptTo.map((r) => classifyRecipient(r, { ...policy, practiceDomains: practice.domains })),
        attachments,
      },
      policy,
    );
    const counts = {
      earlierRecipients: chain.earlierRecipients,
      earlierExternalRecipients: chain.earlierExternalRecipients,
      visibleExternalRecipients: chain.visibleExternalRecipients,
    };
    return { verdict, findings: distinctFindings(findings), chain: counts, failure: null, attachments, ms: performance.now() - started };
  } catch (err) {
    raw?.resume(); // drain the rest: whoever feeds the stream is not left waiting
    const failure = err instanceof InspectionTimeout ? 'inspection-timeout' : stage === 'parse' ? 'unparseable' : 'inspection-failed';
    return { verdict: failClosed(failure, policy), findings: [], chain: NO_CHAIN, failure, attachments: [], ms: performance.now() - started };
  } finally {
    budget?.releaseAll();
  }
}

/** One per inspection thread (or main thread): room for at least one whole document. */
export function attachmentBudget(inspection: { readonly attachmentMemory: number; readonly maxAttachmentBytes: number }): ByteBudget {
  return new ByteBudget(Math.max(inspection.attachmentMemory, inspection.maxAttachmentBytes));
}

/** The fast reading of a one-part message, or null to take the full parser (also if it fails). */
function singlePart(message: Buffer, limits: ExtractLimits): ExtractedMessage | null {
  try {
    return extractSinglePart(message, limits);
  } catch {
    return null;
  }
}

function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InspectionTimeout()), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export { EMPTY_INSPECTION, type ChainCounts, type InspectionResult } from './inspection-result.js';
