import { STRONG_KINDS, type Finding, type FindingKind } from '../core/finding.js';

/** Kinds that describe a person but identify them only in combination. */
const PERSONAL_KINDS: ReadonlySet<FindingKind> = new Set(['patient_name', 'dob', 'postcode']);

/** How far apart (characters, same text unit) two details may be and still be about one person. */
const SAME_PERSON_WINDOW = 600;

/**
 * Identifiable (issue 3): one strong identifier (NHS, CHI or H&C number, hospital number,
 * a patient-list match), or two different kinds of {name, date of birth, postcode} about the
 * same person: in the same text unit within a short distance, or in the same binary source
 * (a DICOM header). Only findings at or above `minConfidence` count.
 */
export function isIdentifiable(findings: readonly Finding[], minConfidence: number): boolean {
  const sure = findings.filter((f) => f.confidence >= minConfidence);
  if (sure.some((f) => STRONG_KINDS.has(f.kind))) return true;
  const personal = sure.filter((f) => PERSONAL_KINDS.has(f.kind));
  for (let i = 0; i < personal.length; i++) {
    for (let j = i + 1; j < personal.length; j++) {
      if (samePerson(personal[i]!, personal[j]!)) return true;
    }
  }
  return false;
}

function samePerson(a: Finding, b: Finding): boolean {
  if (a.kind === b.kind || a.location !== b.location) return false;
  if (a.offset < 0 || b.offset < 0) return a.offset === b.offset;
  return Math.abs(a.offset - b.offset) <= SAME_PERSON_WINDOW;
}

/** Patient identifiers: every finding kind except clinical context, which is not one alone. */
export function isIdentifierKind(kind: FindingKind): boolean {
  return kind !== 'clinical_context';
}
