import type { Finding, FindingKind } from '../core/finding.js';
import { chiValid, hcValid, nhsCheckDigitValid } from './health-numbers.js';
import type { AttachmentDetector, AttachmentHead } from './detector.js';

/**
 * DICOM (radiographs and other medical images): recognised by the `DICM` magic after the
 * 128-byte preamble, or, when the attachment is declared `application/dicom`, by `DICM` or a
 * plausible data set at offset 0. The header's patient fields are reported as findings of
 * their kinds, because a radiograph's header names the patient even when the image does not.
 *
 * The parser reads only `head` and is bounded: every step advances at least 8 bytes, at most
 * MAX_ELEMENTS elements are read, and it stops at the first element it cannot read (truncated,
 * a length past the end, an unknown VR, an undefined length on anything but a sequence or an
 * item, encapsulated pixel data). Sequences and items are walked into (flat), so an undefined
 * length sequence before the patient module does not hide it.
 */

const MAGIC = 'DICM';
const PREAMBLE = 128;
const MAX_ELEMENTS = 4096;
/** Patient fields are short (LO 64, PN 64 per group); longer values are read truncated. */
const MAX_VALUE_BYTES = 1024;
const UNDEFINED = 0xffffffff;

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

const VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);
/** Explicit VRs whose header has 2 reserved bytes and a 32-bit length. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

const ITEM_GROUP = 0xfffe;
const PIXEL_GROUP = 0x7fe0;

interface Syntax {
  readonly explicit: boolean;
  readonly little: boolean;
}

const META_SYNTAX: Syntax = { explicit: true, little: true };

interface Element {
  readonly group: number;
  readonly element: number;
  /** null in implicit VR and for items and delimiters. */
  readonly vr: string | null;
  /** -1 for an undefined length. */
  readonly length: number;
  readonly valueOffset: number;
}

interface Field {
  readonly kind: FindingKind;
  readonly name: string;
  readonly multi: boolean;
  readonly confidence: number;
}

const tagKey = (group: number, element: number): number => group * 0x10000 + element;

/** A patient ID that is a valid health service number is reported as one (UK PACS often use the NHS number). */
function patientIdKind(value: string): FindingKind {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits)) return 'hospital_number';
  if (hcValid(digits)) return 'hc_number';
  if (nhsCheckDigitValid(digits)) return 'nhs_number';
  if (chiValid(digits)) return 'chi_number';
  return 'hospital_number';
}

const FIELDS = new Map<number, Field>([
  [tagKey(0x0010, 0x0010), { kind: 'patient_name', name: 'PatientName (0010,0010)', multi: false, confidence: 0.95 }],
  [tagKey(0x0010, 0x0020), { kind: 'hospital_number', name: 'PatientID (0010,0020)', multi: false, confidence: 0.95 }],
  [tagKey(0x0010, 0x0030), { kind: 'dob', name: 'PatientBirthDate (0010,0030)', multi: false, confidence: 0.95 }],
  [tagKey(0x0010, 0x1000), { kind: 'hospital_number', name: 'OtherPatientIDs (0010,1000)', multi: true, confidence: 0.95 }],
  [tagKey(0x0010, 0x1040), { kind: 'postcode', name: 'PatientAddress (0010,1040)', multi: false, confidence: 0.9 }],
  [tagKey(0x0010, 0x2154), { kind: 'phone', name: 'PatientTelephoneNumbers (0010,2154)', multi: true, confidence: 0.9 }],
]);
const SPECIFIC_CHARACTER_SET = tagKey(0x0008, 0x0005);
const TRANSFER_SYNTAX = tagKey(0x0002, 0x0010);

/** Values anonymisers put in place of patient data: reporting them would only be noise. */
const PLACEHOLDERS = new Set([
  'anonymous', 'anonymized', 'anonymised', 'anon', 'removed', 'redacted', 'deidentified', 'unknown', 'none', 'null', 'na',
]);

/** A full UK postcode (outward and inward code), as in the patient's address. */
const UK_POSTCODE = /(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])/gi;

export const detectDicom: AttachmentDetector = (attachment: AttachmentHead): Finding[] => {
  const head = attachment.head;
  const start = locate(head, attachment.contentType);
  if (!start) return [];
  const location = `attachment:${attachment.filename}`;
  const findings: Finding[] = [
    { kind: 'dicom', value: attachment.filename, confidence: 0.9, location, offset: -1, why: 'radiograph/DICOM image: clinical image of a patient' },
  ];
  const seen = new Set<string>();
  let charset: 'latin1' | 'utf8' = 'latin1';
  const budget = { elements: MAX_ELEMENTS };

  const visit = (el: Element, value: Buffer): void => {
    const key = tagKey(el.group, el.element);
    if (key === SPECIFIC_CHARACTER_SET) {
      charset = value.toString('latin1').includes('ISO_IR 192') ? 'utf8' : 'latin1';
      return;
    }
    const field = FIELDS.get(key);
    if (!field) return;
    const text = value.subarray(0, MAX_VALUE_BYTES).toString(charset);
    for (const found of fieldValues(field, text)) {
      const kind = field.kind === 'hospital_number' ? patientIdKind(found) : field.kind;
      const dedupe = `${kind}\u0000${found}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      findings.push({ kind, value: found, confidence: field.confidence, location, offset: -1, why: `DICOM header field ${field.name}` });
    }
  };

  let datasetStart = start.offset;
  const meta: { transferSyntax: string | null } = { transferSyntax: null };
  if (start.meta) {
    datasetStart = walk(head, start.offset, META_SYNTAX, budget, (el, value) => {
      if (tagKey(el.group, el.element) === TRANSFER_SYNTAX) meta.transferSyntax = value.toString('latin1').replace(/[\0 ]+$/, '');
    }, 0x0002);
  }
  const transferSyntax = meta.transferSyntax;
  if (transferSyntax === DEFLATED_LE) return findings; // the data set is deflated: the patient fields are not readable here
  const syntax: Syntax = transferSyntax === EXPLICIT_BE ? { explicit: true, little: false } : guessSyntax(head, datasetStart, transferSyntax);
  walk(head, datasetStart, syntax, budget, visit, null);
  return findings;
};

/** Where the DICOM stream starts, or null when this is not DICOM. */
function locate(head: Buffer, contentType: string): { offset: number; meta: boolean } | null {
  if (head.length >= PREAMBLE + 4 && head.toString('latin1', PREAMBLE, PREAMBLE + 4) === MAGIC) return { offset: PREAMBLE + 4, meta: true };
  if (contentType.split(';')[0]!.trim().toLowerCase() !== 'application/dicom') return null;
  if (head.length >= 4 && head.toString('latin1', 0, 4) === MAGIC) return { offset: 4, meta: true };
  // No preamble and no magic: accept a data set whose first element is a plausible meta or identifying element.
  const first = readElement(head, 0, guessSyntax(head, 0, null));
  if (!first || (first.group !== 0x0002 && first.group !== 0x0008)) return null;
  return { offset: 0, meta: first.group === 0x0002 };
}

/**
 * Little endian data sets: explicit when the two bytes after the tag are a known VR, implicit
 * otherwise (files do not always match their declared transfer syntax).
 */
function guessSyntax(head: Buffer, offset: number, declared: string | null): Syntax {
  if (offset + 6 > head.length) return { explicit: declared !== IMPLICIT_LE, little: true };
  const group = head.readUInt16LE(offset);
  if (group === ITEM_GROUP) return { explicit: declared !== IMPLICIT_LE, little: true };
  return { explicit: VRS.has(head.toString('latin1', offset + 4, offset + 6)), little: true };
}

function readElement(buf: Buffer, offset: number, syntax: Syntax): Element | null {
  if (offset < 0 || offset + 8 > buf.length) return null;
  const u16 = (at: number): number => (syntax.little ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number): number => (syntax.little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const group = u16(offset);
  const element = u16(offset + 2);
  if (group === ITEM_GROUP || !syntax.explicit) {
    const length = u32(offset + 4);
    return { group, element, vr: null, length: length === UNDEFINED ? -1 : length, valueOffset: offset + 8 };
  }
  const vr = buf.toString('latin1', offset + 4, offset + 6);
  if (!VRS.has(vr)) return null;
  if (!LONG_VRS.has(vr)) return { group, element, vr, length: u16(offset + 6), valueOffset: offset + 8 };
  if (offset + 12 > buf.length) return null;
  const length = u32(offset + 8);
  return { group, element, vr, length: length === UNDEFINED ? -1 : length, valueOffset: offset + 12 };
}

/**
 * Reads elements from `offset` and calls `visit` with each complete value. With `onlyGroup`,
 * stops before the first element of another group. Returns the offset where it stopped.
 */
function walk(
  buf: Buffer,
  offset: number,
  syntax: Syntax,
  budget: { elements: number },
  visit: (el: Element, value: Buffer) => void,
  onlyGroup: number | null,
): number {
  let at = offset;
  while (budget.elements > 0 && at + 8 <= buf.length) {
    budget.elements--;
    if (onlyGroup !== null && buf.readUInt16LE(at) !== onlyGroup) break;
    const el = readElement(buf, at, syntax);
    if (!el) break;
    if (el.group === ITEM_GROUP) {
      // Item (FFFE,E000) or a delimiter: the item's elements follow its header.
      at = el.valueOffset;
      continue;
    }
    if (el.length === -1) {
      // An undefined length is only walkable for a sequence (explicit SQ, or any implicit element).
      if (el.vr !== 'SQ' && el.vr !== null) break;
      at = el.valueOffset;
      continue;
    }
    if (el.vr === 'SQ' || (el.vr === null && startsWithItem(buf, el, syntax))) {
      at = el.valueOffset;
      continue;
    }
    const end = el.valueOffset + el.length;
    if (end > buf.length) break;
    visit(el, buf.subarray(el.valueOffset, end));
    if (el.group === PIXEL_GROUP) break;
    at = end;
  }
  return at;
}

function startsWithItem(buf: Buffer, el: Element, syntax: Syntax): boolean {
  if (el.length < 8 || el.valueOffset + 4 > buf.length) return false;
  const group = syntax.little ? buf.readUInt16LE(el.valueOffset) : buf.readUInt16BE(el.valueOffset);
  const element = syntax.little ? buf.readUInt16LE(el.valueOffset + 2) : buf.readUInt16BE(el.valueOffset + 2);
  return group === ITEM_GROUP && element === 0xe000;
}

/** The values to report for one field's text (trailing padding removed, placeholders skipped). */
function fieldValues(field: Field, text: string): string[] {
  const values = field.multi ? text.split('\\') : [text];
  const out: string[] = [];
  for (const raw of values) {
    let value = raw.replace(/[\0 ]+$/, '').trim();
    if (field.kind === 'patient_name') {
      // Alphabetic component group only ("SMITH^JANE=...ideographic..."); components joined by spaces.
      value = value.split('=')[0]!.replace(/\^/g, ' ').replace(/\s+/g, ' ').trim();
    }
    if (isPlaceholder(value)) continue;
    if (field.kind === 'postcode') {
      for (const match of value.matchAll(UK_POSTCODE)) out.push(match[0]);
      continue;
    }
    out.push(value);
  }
  return out;
}

function isPlaceholder(value: string): boolean {
  const folded = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (folded === '' || PLACEHOLDERS.has(folded)) return true;
  // "0000", "XXXXXX", "*****": one character repeated.
  const chars = value.replace(/\s/g, '');
  return chars.length > 0 && chars.split('').every((c) => c === chars[0]);
}
