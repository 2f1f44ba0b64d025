import type { Finding } from '../core/finding.js';
import { DELIVER, type Verdict } from '../core/verdict.js';

/**
 * What inspection decided about a message. A module of its own, with no parser or detector
 * behind it, so that the main thread can use the result without loading the inspection stack
 * (mailparser, html-to-text, the detectors) when threads do the inspecting.
 */
export interface ChainCounts {
  readonly earlierRecipients: number;
  readonly earlierExternalRecipients: number;
  readonly visibleExternalRecipients: number;
}

export interface InspectionResult {
  readonly verdict: Verdict;
  /** Distinct findings (highest confidence per kind and value). */
  readonly findings: readonly Finding[];
  readonly chain: ChainCounts;
  /** Set when inspection could not complete: the verdict is then a fail-closed hold. */
  readonly failure: 'unparseable' | 'inspection-failed' | 'inspection-timeout' | null;
  readonly attachments: readonly { filename: string; contentType: string }[];
  readonly ms: number;
}

export const NO_CHAIN: ChainCounts = { earlierRecipients: 0, earlierExternalRecipients: 0, visibleExternalRecipients: 0 };

/** A message nobody inspected (inspection is off): deliver, nothing found. */
export const EMPTY_INSPECTION: InspectionResult = {
  verdict: DELIVER,
  findings: [],
  chain: NO_CHAIN,
  failure: null,
  attachments: [],
  ms: 0,
};
