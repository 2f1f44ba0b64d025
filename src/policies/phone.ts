import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { ColumnFinder, TextLayout, findTables } from './text-layout.js';
import { KeywordIndex } from './keyword-index.js';

/**
 * UK phone numbers (07 mobiles, 01/02/03 landlines; national or +44/0044 forms, with spaces,
 * dashes, dots or brackets) graded by whose they are:
 * - the practice's own numbers are never reported;
 * - explicitly a patient's ("patient's mobile: …") or in a referral's patient section, high;
 * - near patient words (patient, mum, guardian, a personal title), or in a phone column of a
 *   table of people, medium;
 * - in a signature, on a line naming a business (Ltd, Lab, Supplies …), labelled as a lab's or
 *   supplier's, or in another party's section (referrer, GP), low;
 * - otherwise low (a phone number alone is plausible, not likely, patient data).
 */

/** A candidate: +44 / 0044 international, bracketed area code, or national 0 form; digits checked afterwards. */
const PHONE =
  /(?<![\p{L}\p{N}_+#/=]|\p{L}-|\d[ .-])(?:(?:\+|00)44[ .-]?(?:\(0\)[ .-]?)?\d(?:[ .-]?\d){8,9}|\(0\d{2,5}\)[ .-]?\d(?:[ .-]?\d){4,7}|0\d(?:[ .-]?\d){8,9})(?![ .-]?\d)/gu;

/** Explicitly the patient's number. */
const PATIENT_LABEL =
  /(?<![\p{L}])(?:patient(?:'s|’s|s)?|pt(?:'s)?)\s{0,3}(?:home\s{1,3}|mobile\s{1,3}|contact\s{1,3})?(?:mobile|mob|phone|telephone|tel|number|no\.?|contact(?:\s{1,3}(?:number|no\.?|details))?)\b[^\n]{0,20}$/iu;
/** Labelled as a business's or another party's number. */
const OTHER_LABEL =
  /(?<![\p{L}])(?:lab|laboratory|supplier|practice|surgery|office|reception|switchboard|fax|hospital|department|dept|clinic|company|sales|support|helpdesk|accounts|gp|referrer)(?:'s)?\b[^\n]{0,25}$/iu;
/**
 * Words of a business address (a lab, a supplier, a practice, a hospital, a venue); not when they
 * name a street ("Station Road", "Hospital Lane"). Company suffixes are matched by case (never "limited opening").
 */
const BUSINESS =
  /(?<![\p{L}])(?:laborator(?:y|ies)|labs?|supplies|supplier|dental\s{1,3}(?:practice|care|lab|group|surgery)|surgery|hospital(?!\s{0,3}(?:no|number|num|id|#)(?![\p{L}]))|trust|www\.|https?:|clinic)(?![\p{L}])(?!\s{1,3}(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|way|view|hill|terrace|crescent|place|square|walk|gardens|grove|row|court|mews|parade|green|side|yard|fields?)(?![\p{L}]))/iu;
const COMPANY = /(?<![\p{L}])(?:Ltd|LTD|Limited|LIMITED|PLC|plc|LLP)(?![\p{L}])/u;
const isBusiness = (line: string): boolean => BUSINESS.test(line) || COMPANY.test(line);
/** Words that put a person (the patient or their family) next to the number. */
const PERSON_WORDS = ['patient', "patient's", 'pt', 'mum', 'mother', 'father', 'dad', 'parent', 'guardian', 'carer', 'next of kin', 'nok', 'husband', 'wife', 'daughter', 'son', 'mr', 'mrs', 'ms', 'miss', 'master', 'her mobile', 'his mobile', 'her number', 'his number'];
const PHONE_HEADER = /(?:^|[^\p{L}])(?:phone|telephone|tel|mobile|mob|contact|home|work|number)(?:$|[^\p{L}])/iu;
const PERSONAL_HEADER = /(?:^|[^\p{L}])(?:patient|surname|forename|first\s?name|last\s?name|dob|date\s?of\s?birth|nhs|chi)(?:$|[^\p{L}])/iu;

/** How far (characters) person words may stand from the number. */
const NEAR = 80;
/** Identifier words (a DOB, an NHS number) farther away still put a person next to the number. */
const IDENTIFIER_WORDS = ['dob', 'd.o.b', 'date of birth', 'born', 'nhs no', 'nhs number', 'nhs', 'chi', 'h&c', 'health and care number', 'hospital number'];
const NEAR_IDENTIFIER = 200;

/** A UK number as national digits ("07700900123"), or null if the text is not one. */
export function normalisePhone(value: string): string | null {
  let digits = value.replace(/\D/g, '');
  if (digits.startsWith('0044')) digits = digits.slice(2);
  if (digits.startsWith('44')) digits = digits.slice(2).startsWith('0') ? digits.slice(2) : `0${digits.slice(2)}`;
  if (/^0[1237]\d{9}$/.test(digits)) return digits;
  // A few areas have ten-digit 01 numbers; ten digits opening with a date (DDMMYY) are more likely a CHI number.
  if (/^01\d{8}$/.test(digits) && !isDdmmyy(digits.slice(0, 6))) return digits;
  return null;
}

function isDdmmyy(six: string): boolean {
  const day = Number(six.slice(0, 2));
  const month = Number(six.slice(2, 4));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

export const detectPhone: TextDetector = (unit: TextUnit, context: DetectorContext): Finding[] => {
  const text = unit.text;
  const own = new Set(context.practicePhones.map((p) => normalisePhone(p) ?? p.replace(/\D/g, '')));
  let scope: Scope | null = null;
  const findings: Finding[] = [];
  for (const m of text.matchAll(PHONE)) {
    const value = m[0];
    const digits = normalisePhone(value);
    if (digits === null || own.has(digits)) continue;
    scope ??= new Scope(unit);
    const graded = grade(scope, m.index, m.index + value.length, digits.startsWith('07'));
    findings.push({ kind: 'phone', value, confidence: graded.confidence, location: unit.location, offset: m.index, why: graded.why });
  }
  return findings;
};

/** What grading needs to know about a unit, built once (when it holds a phone number at all). */
class Scope {
  readonly text: string;
  readonly layout: TextLayout;
  readonly columns: ColumnFinder | null;
  readonly personWords: KeywordIndex;
  readonly identifierWords: KeywordIndex;

  constructor(unit: TextUnit) {
    this.text = unit.text;
    this.layout = new TextLayout(unit.text);
    const tables = findTables(this.layout, unit.tabular);
    this.columns = tables.length > 0 ? new ColumnFinder(this.layout, tables) : null;
    this.personWords = new KeywordIndex(unit.text, PERSON_WORDS);
    this.identifierWords = new KeywordIndex(unit.text, IDENTIFIER_WORDS);
  }
}

function grade(scope: Scope, start: number, end: number, mobile: boolean): { confidence: number; why: string } {
  const { text, layout, columns } = scope;
  const lineIndex = layout.lineIndexOf(start);
  const lineBefore = text.slice(Math.max(layout.lineStart(lineIndex), start - 60), start);
  if (PATIENT_LABEL.test(lineBefore)) return { confidence: 0.95, why: "labelled as the patient's number" };
  if (columns) {
    const hit = columns.columnAt(start);
    if (hit !== null && PHONE_HEADER.test(hit.header)) {
      return hit.table.headers.some((h) => PERSONAL_HEADER.test(h))
        ? { confidence: 0.9, why: 'phone column of a table of people' }
        : { confidence: 0.55, why: 'phone column of a table' };
    }
  }
  if (layout.inSignature(start)) return { confidence: 0.2, why: 'phone number in a signature block' };
  if (OTHER_LABEL.test(lineBefore)) return { confidence: 0.2, why: "labelled as a business's or another party's number" };
  if (isBusiness(layout.lineAround(start, 120))) return { confidence: 0.25, why: 'phone number beside a business name (lab, supplier, practice)' };
  const section = layout.section(start);
  if (section === 'patient') return { confidence: 0.92, why: "phone number in the patient's details" };
  if (section === 'other') return { confidence: 0.25, why: "phone number in another party's details (referrer, GP, lab)" };
  if (lineIndex > 0 && isBusiness(layout.bareLine(lineIndex - 1))) return { confidence: 0.25, why: 'phone number under a business name (lab, supplier, practice)' };
  if (layout.onHeaderLine(start)) return { confidence: 0.3, why: 'phone number in a message header line' };
  if (scope.personWords.nearest(start, end, NEAR)) return { confidence: 0.78, why: 'phone number near patient or family words' };
  if (scope.identifierWords.nearest(start, end, NEAR_IDENTIFIER)) return { confidence: 0.75, why: 'phone number near a date of birth or health number' };
  return mobile ? { confidence: 0.45, why: 'UK mobile number without patient context' } : { confidence: 0.35, why: 'UK landline number without patient context' };
}
