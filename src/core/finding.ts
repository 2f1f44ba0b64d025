/**
 * What a detector found. Detection is not action (design decision 3): findings are data,
 * rules turn them into a verdict. A finding's `value` is patient data: it is shown only to
 * authorised reviewers and the `scan` tool, never logged and never used as a metric label.
 */
export type FindingKind =
  | 'nhs_number'
  | 'chi_number'
  | 'hc_number'
  | 'hospital_number'
  | 'patient_name'
  | 'dob'
  | 'postcode'
  | 'phone'
  | 'exif_gps'
  | 'dicom'
  | 'clinical_context'
  | 'patient_list_match';

export const FINDING_KINDS: readonly FindingKind[] = [
  'nhs_number',
  'chi_number',
  'hc_number',
  'hospital_number',
  'patient_name',
  'dob',
  'postcode',
  'phone',
  'exif_gps',
  'dicom',
  'clinical_context',
  'patient_list_match',
];

export interface Finding {
  readonly kind: FindingKind;
  /** The value as it appears in the message (e.g. "943 476 5919", "12/03/1967"). */
  readonly value: string;
  /** 0..1: how sure the detector is that this is patient data of this kind. */
  readonly confidence: number;
  /** Where a person would see it: "subject", "body:text", "body:html", "attachment:<name>", "attachment-name:<name>", "quoted:text" … */
  readonly location: string;
  /** Character offset of the value within the text unit it was found in (-1 for binary sources). */
  readonly offset: number;
  /** Short explanation for reviewers: which rule of the detector matched and why. */
  readonly why: string;
}

/** Strong identifiers: one alone makes a message identifiable. */
export const STRONG_KINDS: ReadonlySet<FindingKind> = new Set(['nhs_number', 'chi_number', 'hc_number', 'hospital_number', 'patient_list_match']);
