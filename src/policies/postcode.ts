import type { Finding } from '../core/finding.js';
import { nearestKeyword } from './context-window.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { ColumnFinder, TextLayout, findTable } from './text-layout.js';

/**
 * UK postcodes in the full format (outward and inward code: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA,
 * A9A 9AA, AA9A 9AA, GIR 0AA; with or without the space, any case). A postcode identifies a
 * person only in patient context, so:
 * - the practice's own postcodes are never reported;
 * - in a signature, or in an address block naming a business (Ltd, Lab, Supplies, Surgery,
 *   Hospital …), low;
 * - in patient context (a patient section, an address block under a personal name, words
 *   such as "patient", "home address", "lives at" nearby, a patient table's postcode column), high;
 * - otherwise medium.
 */

/** Outward code letters and digits by position, per the Royal Mail format rules. */
const POSTCODE = new RegExp(
  '(?<![\\p{L}\\p{N}_\\-/@.=%+#&])' +
    '(GIR ?0AA|' +
    '(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])' +
    '[ \\t]{0,2}[0-9][ABD-HJLNP-UW-Z]{2})' +
    '(?![\\p{L}\\p{N}_@]|[-/.=][\\p{L}\\p{N}])',
  'giu',
);

/** Words that make an address block a business's (a lab, a supplier, a practice, a hospital). */
const BUSINESS =
  /(?<![\p{L}])(?:ltd|limited|plc|llp|laborator(?:y|ies)|labs?|supplies|supplier|wholesale|dental\s{1,3}(?:practice|care|centre|center|clinic|group|studio|surgery|lab|laboratory)|practice|surgery|hospital|institute|infirmary|trust|nhs|clinic|centre|center|university|council|department|dept|pharmacy|house\s{1,3}of|headquarters|hq|unit\s{1,3}\d|industrial\s{1,3}estate|business\s{1,3}park|po\s{1,3}box)(?![\p{L}])/iu;

/** Words that make an address a patient's. */
const PATIENT_WORDS = ['patient', "patient's", 'pt', 'home address', 'lives at', 'living at', 'resides', 'resident', 'residing', 'address', 'mum', 'mother', 'father', 'parent', 'guardian', 'next of kin'];
/** Personal titles that open a private address block ("Mrs Jane Smith\n12 High St …"). */
const PERSON_LINE = /^(?:(?:re|regarding|name|patient)\s{0,3}:\s{0,3})?(?:mr|mrs|ms|miss|master|mx)\.?\s{1,3}\p{Lu}/iu;
const POSTCODE_HEADER = /(?:^|[^\p{L}])(?:post\s?code|postal\s?code|zip|address)(?:$|[^\p{L}])/iu;
const PERSONAL_HEADER = /(?:^|[^\p{L}])(?:patient|name|surname|forename|first\s?name|last\s?name|dob|date\s?of\s?birth|nhs|chi)(?:$|[^\p{L}])/iu;

/** How far (characters) patient words may stand from the postcode. */
const NEAR = 150;
/** How many lines above a postcode an address block may start. */
const BLOCK_LINES = 5;
/** How much of the postcode's own line, before it, belongs to its address. */
const LINE_REACH = 120;

/** Postcode as compared: upper case, no spaces. */
export function normalisePostcode(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

export const detectPostcode: TextDetector = (unit: TextUnit, context: DetectorContext): Finding[] => {
  const text = unit.text;
  const own = new Set(context.practicePostcodes.map(normalisePostcode));
  let layout: TextLayout | null = null;
  let columns: ColumnFinder | null | undefined;
  let personalTable = false;
  const findings: Finding[] = [];
  for (const m of text.matchAll(POSTCODE)) {
    const value = m[1]!;
    if (own.has(normalisePostcode(value))) continue;
    layout ??= new TextLayout(text);
    if (columns === undefined) {
      const table = findTable(layout, unit.tabular);
      columns = table ? new ColumnFinder(layout, table) : null;
      personalTable = table !== null && table.headers.some((h) => PERSONAL_HEADER.test(h));
    }
    const graded = grade(text, layout, columns, personalTable, m.index, m.index + value.length);
    findings.push({ kind: 'postcode', value, confidence: graded.confidence, location: unit.location, offset: m.index, why: graded.why });
  }
  return findings;
};

function grade(text: string, layout: TextLayout, columns: ColumnFinder | null, personalTable: boolean, start: number, end: number): { confidence: number; why: string } {
  if (columns) {
    const header = columns.headerAt(start);
    if (header !== null && POSTCODE_HEADER.test(header)) {
      return personalTable
        ? { confidence: 0.92, why: 'postcode column of a table of people' }
        : { confidence: 0.7, why: 'postcode column of a table' };
    }
  }
  if (layout.inSignature(start)) return { confidence: 0.25, why: 'postcode in a signature block' };
  // The address block: the lines above (a business name heads its address) and this line up to the postcode.
  const block = layout.blockAbove(start, BLOCK_LINES);
  const lineStart = layout.lineStart(layout.lineIndexOf(start));
  const before = [...block.slice(0, -1), text.slice(Math.max(lineStart, start - LINE_REACH), start)];
  if (before.some((line) => BUSINESS.test(line))) return { confidence: 0.25, why: 'postcode in a business address (lab, supplier, practice, hospital)' };
  if (layout.section(start) === 'patient') return { confidence: 0.92, why: "postcode in the patient's details" };
  if (layout.section(start) === 'other') return { confidence: 0.3, why: "postcode in another party's details (referrer, GP, lab)" };
  if (block.some((line) => PERSON_LINE.test(line))) return { confidence: 0.9, why: 'postcode in an address block under a personal name' };
  if (nearestKeyword(text, start, end, PATIENT_WORDS, NEAR)) return { confidence: 0.9, why: 'postcode near patient or home-address words' };
  return { confidence: 0.65, why: 'UK postcode without patient context' };
}
