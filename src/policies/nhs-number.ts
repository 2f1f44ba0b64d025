/**
 * Detector for NHS numbers (England, Wales, Isle of Man). The rules (format, checksum, context scoring,
 * look-alikes, and how a number valid under several schemes gets exactly one kind) live in
 * health-numbers.ts, shared by the NHS, CHI and H&C detectors; this detector reports the
 * numbers classified as `nhs_number`.
 */
import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { scanHealthNumbers } from './health-number-scan.js';

export const detectNhsNumber: TextDetector = (unit: TextUnit, context: DetectorContext): Finding[] =>
  scanHealthNumbers(unit, context).filter((finding) => finding.kind === 'nhs_number');
