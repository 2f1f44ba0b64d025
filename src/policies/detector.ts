import type { Finding } from '../core/finding.js';

/**
 * A unit of decoded text a person would read: the subject, a body part (HTML already turned
 * into text), quoted or forwarded text, or the text of an attachment. Detectors see one unit
 * at a time; offsets in findings are offsets into `text`.
 */
export interface TextUnit {
  /** "subject", "body:text", "body:html", "attachment:<filename>", "attachment-name:<filename>" … */
  readonly location: string;
  readonly text: string;
  /** True for text a layout marks as structured (CSV rows, a table): columns carry labels. */
  readonly tabular?: boolean;
}

/**
 * What detectors may know besides the text: the practice's own details (so its own postcode,
 * phone numbers and staff names are not reported) and the names in the message's own
 * From/To/Cc headers (correspondents, not patients).
 */
export interface DetectorContext {
  readonly practicePostcodes: readonly string[];
  readonly practicePhones: readonly string[];
  /** Names of staff and correspondents (From/To/Cc display names, signatures configured). */
  readonly knownNames: readonly string[];
}

/**
 * A text detector: a pure function, no I/O, no shared state, linear in the text's length
 * (regexes free of catastrophic backtracking). Returns every finding with its confidence;
 * thresholds are for rules to apply, not detectors.
 */
export type TextDetector = (unit: TextUnit, context: DetectorContext) => Finding[];

/** A binary detector reads an attachment's first bytes (magic numbers, EXIF, DICOM headers). */
export interface AttachmentHead {
  readonly filename: string;
  readonly contentType: string;
  /** The first bytes of the decoded attachment (bounded, e.g. 256 KiB). */
  readonly head: Buffer;
  readonly size: number;
}

export type AttachmentDetector = (attachment: AttachmentHead) => Finding[];

export const EMPTY_CONTEXT: DetectorContext = { practicePostcodes: [], practicePhones: [], knownNames: [] };
