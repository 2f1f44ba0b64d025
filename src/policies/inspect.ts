import type { Finding } from '../core/finding.js';
import type { ExtractedAttachment, ExtractedMessage } from '../mime/extract.js';
import type { AttachmentDetector, DetectorContext, TextDetector, TextUnit } from './detector.js';
import { forgetScannedText } from './keyword-index.js';

/** The detectors to run, and the attachment readers that turn documents into text. */
export interface DetectorSet {
  readonly text: readonly TextDetector[];
  readonly attachment: readonly AttachmentDetector[];
  readonly asyncAttachment: readonly ((attachment: ExtractedAttachment) => Promise<Finding[]>)[];
  /** Text of a document attachment (CSV, plain text, DOCX, PDF), or null when it has none. */
  readonly attachmentText: (attachment: ExtractedAttachment) => Promise<string | null>;
}

/** Thrown when inspection passes its deadline: the caller holds the message (fail closed). */
export class InspectionTimeout extends Error {
  constructor() {
    super('inspection ran out of time');
    this.name = 'InspectionTimeout';
  }
}

function checkDeadline(deadline: number): void {
  if (Date.now() > deadline) throw new InspectionTimeout();
}

/** Everything a person would read, as text units: subject, bodies, attachment names and texts. */
export async function textUnits(message: ExtractedMessage, detectors: DetectorSet, deadline: number): Promise<TextUnit[]> {
  const units: TextUnit[] = [];
  if (message.subject) units.push({ location: 'subject', text: message.subject });
  units.push(...message.texts);
  for (const attachment of message.attachments) {
    checkDeadline(deadline);
    units.push({ location: `attachment-name:${attachment.filename}`, text: attachment.filename });
    const text = await detectors.attachmentText(attachment);
    if (text) {
      const tabular = attachment.contentType === 'text/csv' || /\.(csv|tsv)$/i.test(attachment.filename);
      units.push({ location: `attachment:${attachment.filename}`, text, tabular });
    }
  }
  return units;
}

/**
 * Runs every detector over every unit and attachment. Detectors are pure and synchronous
 * (but for a few attachment readers); the deadline is checked between them, so a huge
 * message is cut short with InspectionTimeout rather than delivered half-checked.
 */
export async function runDetectors(
  message: ExtractedMessage,
  units: readonly TextUnit[],
  detectors: DetectorSet,
  context: DetectorContext,
  deadline: number,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  try {
    for (const unit of units) {
      for (const detect of detectors.text) {
        checkDeadline(deadline);
        findings.push(...detect(unit, context));
      }
    }
  } finally {
    forgetScannedText(); // the keyword indexes' cache holds the last unit's text (patient data)
  }
  for (const attachment of message.attachments) {
    const head = { filename: attachment.filename, contentType: attachment.contentType, head: attachment.bytes, size: attachment.size };
    for (const detect of detectors.attachment) {
      checkDeadline(deadline);
      findings.push(...detect(head));
    }
    for (const detect of detectors.asyncAttachment) {
      checkDeadline(deadline);
      findings.push(...(await detect(attachment)));
    }
  }
  return findings;
}

/** One finding per kind and value (the highest confidence), for reports and notices. */
export function distinctFindings(findings: readonly Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.kind}\u0000${f.value.replace(/[\s.-]/g, '').toLowerCase()}`;
    const current = best.get(key);
    if (!current || f.confidence > current.confidence) best.set(key, f);
  }
  return [...best.values()];
}
