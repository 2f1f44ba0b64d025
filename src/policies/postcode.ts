import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { ColumnFinder, TextLayout, findTables } from './text-layout.js';
import { KeywordIndex } from './keyword-index.js';

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

/**
 * Outward code letters and digits by position, per the Royal Mail format rules. What may not
 * stand before the postcode is checked after it, by reading the match backwards: a pattern
 * that starts with a lookbehind stops V8 from skipping ahead to where a match can start (twice
 * the time on 41 KB of prose). Exported for the test that holds it to the plain form.
 */
export const POSTCODE = new RegExp(
  '(GIR ?0AA|' +
    '(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])' +
    '[ \\t]{0,2}[0-9][ABD-HJLNP-UW-Z]{2})' +
    '(?<=(?<![\\p{L}\\p{N}_\\-/@.=%+#&])\\1)' +
    '(?![\\p{L}\\p{N}_@]|[-/.=][\\p{L}\\p{N}])',
  'giu',
);

/**
 * Words of a business address (a lab, a supplier, a practice, a hospital, a venue); not when they
 * name a street ("Station Road", "Hospital Lane"). Company suffixes are matched by case (never "limited opening").
 */
const BUSINESS =
  /(?<![\p{L}])(?:laborator(?:y|ies)|labs?|supplies|supplier|wholesale|dental\s{1,3}(?:practice|care|centre|center|clinic|group|studio|surgery|lab|laboratory)|practice|surgery|hospital(?!\s{0,3}(?:no|number|num|id|#)(?![\p{L}]))|institute|infirmary|trust|clinic|centre|center|university|council|department|dept|pharmacy|house\s{1,3}of|headquarters|hq|unit\s{1,3}\d|industrial\s{1,3}estate|business\s{1,3}park|po\s{1,3}box|hotel|venue|conference|school|college|academy|church|club|station|airport|stadium|arena|museum|library|theatre|theater|restaurant|cafe|café)(?![\p{L}])(?!\s{1,3}(?:road|rd|street|st|lane|ln|avenue|ave|close|drive|way|view|hill|terrace|crescent|place|square|walk|gardens|grove|row|court|mews|parade|green|side|yard|fields?)(?![\p{L}]))/iu;
const COMPANY = /(?<![\p{L}])(?:Ltd|LTD|Limited|LIMITED|PLC|plc|LLP)(?![\p{L}])/u;
const isBusiness = (line: string): boolean => BUSINESS.test(line) || COMPANY.test(line);

/** Words that make an address a patient's. */
const PATIENT_WORDS = [
  'patient', "patient's", 'pt', 'home address', 'lives at', 'living at', 'resides', 'resident', 'residing', 'address', 'mum', 'mother', 'father', 'parent',
  'guardian', 'next of kin', 'dob', 'd.o.b', 'date of birth', 'born', 'nhs no', 'nhs number', 'nhs #',
];
/** Words of meetings and events: their postcodes are venues. */
const EVENT_WORDS = ['meeting', 'event', 'conference', 'course', 'seminar', 'webinar', 'venue', 'cpd', 'study club', 'training', 'parking', 'lecture', 'exhibition', 'showcase'];
/** Personal titles that open a private address block ("Mrs Jane Smith\n12 High St …"). */
/** A personal title before the postcode on its line ("see Mr Michael McDonald … of 147 Woodhouse Street, Morley LS27 6EH"). */
const TITLED_BEFORE = /(?<![\p{L}])(?:Mr|Mrs|Ms|Miss|Master|Mx|MR|MRS|MS|MISS)\.?\s{1,3}\p{Lu}/u;
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
  let scope: Scope | null = null;
  const findings: Finding[] = [];
  for (const m of text.matchAll(POSTCODE)) {
    const value = m[1]!;
    if (own.has(normalisePostcode(value))) continue;
    scope ??= new Scope(unit);
    const graded = grade(scope, m.index, m.index + value.length);
    findings.push({ kind: 'postcode', value, confidence: graded.confidence, location: unit.location, offset: m.index, why: graded.why });
  }
  return findings;
};

/** What grading needs to know about a unit, built once (when it holds a postcode at all). */
class Scope {
  readonly text: string;
  readonly layout: TextLayout;
  readonly columns: ColumnFinder | null;
  readonly patientWords: KeywordIndex;
  readonly eventWords: KeywordIndex;

  constructor(unit: TextUnit) {
    this.text = unit.text;
    this.layout = new TextLayout(unit.text);
    const tables = findTables(this.layout, unit.tabular);
    this.columns = tables.length > 0 ? new ColumnFinder(this.layout, tables) : null;
    this.patientWords = new KeywordIndex(unit.text, PATIENT_WORDS);
    this.eventWords = new KeywordIndex(unit.text, EVENT_WORDS);
  }
}

function grade(scope: Scope, start: number, end: number): { confidence: number; why: string } {
  const { text, layout, columns } = scope;
  if (columns) {
    const hit = columns.columnAt(start);
    if (hit !== null && POSTCODE_HEADER.test(hit.header)) {
      return hit.table.headers.some((h) => PERSONAL_HEADER.test(h))
        ? { confidence: 0.92, why: 'postcode column of a table of people' }
        : { confidence: 0.7, why: 'postcode column of a table' };
    }
  }
  if (layout.inSignature(start)) return { confidence: 0.25, why: 'postcode in a signature block' };
  // The address: this line up to the postcode, and the lines above it (a business name heads its address).
  const lineStart = layout.lineStart(layout.lineIndexOf(start));
  const ownLine = text.slice(Math.max(lineStart, start - LINE_REACH), start);
  if (isBusiness(ownLine)) return { confidence: 0.25, why: 'postcode in a business address (lab, supplier, practice, hospital)' };
  const section = layout.section(start);
  if (section === 'patient') return { confidence: 0.92, why: "postcode in the patient's details" };
  if (section === 'other') return { confidence: 0.3, why: "postcode in another party's details (referrer, GP, lab)" };
  const block = layout.blockAbove(start, BLOCK_LINES).slice(0, -1);
  if (block.some((line) => isBusiness(line))) return { confidence: 0.25, why: 'postcode in a business address (lab, supplier, practice, hospital)' };
  if ([...block, ownLine].some((line) => PERSON_LINE.test(line)) || TITLED_BEFORE.test(ownLine)) {
    return { confidence: 0.9, why: 'postcode in the address of a named person' };
  }
  if (scope.patientWords.nearest(start, end, NEAR)) return { confidence: 0.9, why: 'postcode near patient or home-address words' };
  if (scope.eventWords.nearest(start, end, NEAR)) return { confidence: 0.4, why: 'postcode of an event or venue' };
  return { confidence: 0.65, why: 'UK postcode without patient context' };
}
