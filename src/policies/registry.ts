import { attachmentText } from '../mime/attachment-text.js';
import type { ExtractedAttachment } from '../mime/extract.js';
import { detectClinicalContext } from './clinical-context.js';
import { detectDateOfBirth } from './date-of-birth.js';
import { detectDicom } from './dicom.js';
import { detectExifGps } from './exif-gps.js';
import { scanHealthNumbers } from './health-number-scan.js';
import { detectHospitalNumber } from './hospital-number.js';
import type { DetectorSet } from './inspect.js';
import { patientListDetector, type PatientIndex } from './patient-list.js';
import { detectPatientName } from './patient-name.js';
import { detectPhone } from './phone.js';
import { detectPostcode } from './postcode.js';

export interface DetectorLimits {
  readonly maxTextChars: number;
  readonly maxAttachmentBytes: number;
  readonly pdfTimeoutMs: number;
}

/**
 * Every detector the relay runs. NHS, CHI and H&C numbers come from one scan
 * (scanHealthNumbers), since one candidate number is classified into exactly one kind. With an
 * imported patient list (`mouthguard patients import`), its exact-match detector runs too.
 */
export function defaultDetectors(limits: DetectorLimits, patientIndex?: PatientIndex | null): DetectorSet {
  const patientList = patientIndex && patientIndex.size > 0 ? [patientListDetector(patientIndex)] : [];
  return {
    text: [
      scanHealthNumbers,
      detectHospitalNumber,
      detectDateOfBirth,
      detectPatientName,
      detectPostcode,
      detectPhone,
      detectClinicalContext,
      ...patientList,
    ],
    attachment: [detectDicom],
    asyncAttachment: [
      (a: ExtractedAttachment) => detectExifGps({ filename: a.filename, contentType: a.contentType, head: a.bytes, size: a.size }),
    ],
    attachmentText: (a) =>
      attachmentText(a, { maxTextChars: limits.maxTextChars, maxBytes: limits.maxAttachmentBytes, pdfTimeoutMs: limits.pdfTimeoutMs }),
  };
}

/** The detectors with the configured inspection bounds (shared by the relay and `scan`), and the patient list if one is loaded. */
export function detectorsFor(
  config: { policy: { inspection: { maxTextChars: number; maxAttachmentBytes: number; timeout: number } } },
  patientIndex?: PatientIndex | null,
): DetectorSet {
  const { inspection } = config.policy;
  return defaultDetectors(
    { maxTextChars: inspection.maxTextChars, maxAttachmentBytes: inspection.maxAttachmentBytes, pdfTimeoutMs: inspection.timeout },
    patientIndex,
  );
}
