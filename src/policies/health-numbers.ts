/**
 * UK health service numbers: the checksum and format rules (pure functions, exported for
 * reuse and tests) and the one scanner the NHS, CHI and H&C detectors share, so that a
 * number is reported under exactly one kind.
 *
 * - NHS number (England, Wales, Isle of Man): 10 digits; modulus 11 with weights 10..2 on
 *   digits 1-9; check = 11 - (sum mod 11); 11 becomes 0; 10 means invalid. All-same digits
 *   are rejected (1111111111 and 3333333333 pass the arithmetic but are never issued).
 * - CHI number (Scotland): digits 1-6 are a date DDMMYY; the check digit is the NHS
 *   modulus 11 digit or, from February 2026, the modulus 10 alternative (see chiMod10CheckDigit).
 * - H&C number (Northern Ireland): NHS format and check digit, with the nine-digit stem in
 *   320 000 001 .. 399 999 999.
 *
 * Which kind a valid number gets (`classify`), so each number is reported once:
 * - stem in the H&C range (and modulus 11 valid): `hc_number`, whatever the context or label
 *   (an H&C stem starts 32..39, never a valid CHI day, so H&C and CHI never overlap);
 * - written DDMMYY NNNN (6-4, a CHI layout): `chi_number` if CHI-valid, else nothing;
 * - CHI-valid by the modulus 10 method only: `chi_number` (it cannot be an NHS number);
 * - CHI-valid by modulus 11 (so NHS-valid too): an "NHS No" label or column makes it
 *   `nhs_number`; a "CHI" label or column, or Scottish context within the keyword window
 *   ("CHI", "Community Health Index", "Scotland", "Scottish", "NHS Lothian" and the other
 *   boards), makes it `chi_number`; otherwise `nhs_number`;
 * - otherwise modulus 11 valid: `nhs_number`.
 *
 * Confidence (one scale for all three kinds): a label directly before the value ("NHS No:",
 * "CHI", "H&C No", also at the end of the line above) or a table column so labelled: 0.97;
 * a health-number keyword (NHS, CHI, H&C, HCN, HSC …) within 150 characters 0.93, within
 * 300 characters 0.9; patient context (patient, DOB, GP, referral, hospital, clinic …) 0.9 /
 * 0.85; an unlabelled column of a table of patient details 0.8; nothing: 0.4 (0.45 when
 * written 3-3-4, minus 0.05 for a leading 0), always below 0.6. Look-alikes: a label such
 * as invoice, order, ref, account, a/c, sort code, tel, phone, mob, fax, GDC or timestamp
 * (or such a column) gives 0.1; a timestamp-like plain number (1000000000..2147483647) with
 * log context (a clock time on the line, "timestamp", "epoch", "created_at" … within 120
 * characters) 0.1; a hospital-number label 0.55; the practice's own phone number 0.05;
 * invoice/order/phone words nearer than any context word lower the score by 0.15 (0.35
 * when on the same line just before). Numbers that are part of something else are not
 * reported at all: inside a longer digit run or token ("INV-9434765919", "9434765919-01"),
 * after "+44", "0044" or "(0)", after a currency sign, inside a URL or an email address.
 *
 * Scanning is linear: one regex pass for candidates (bounded quantifiers only), one pass per
 * keyword list, an incremental column locator for tables; per candidate only bounded slices
 * (at most a few hundred characters) are examined and keyword lookups are binary searches.
 */
import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextUnit } from './detector.js';

// ---------------------------------------------------------------------------------------------
// Checksums and formats
// ---------------------------------------------------------------------------------------------

/** First and last nine-digit stems of the Northern Ireland H&C range. */
export const HC_STEM_MIN = 320_000_001;
export const HC_STEM_MAX = 399_999_999;

/** Separators people put inside a written number ("943 476 5919", "943-476-5919", "943.476.5919"). */
const FORMAT_SEPARATORS = /[ \u00a0.\-\u2010\u2011\u2012\u2013]/g;

/** The digits of a number as written, separators removed; anything else left in place (so it fails `^\d{10}$`). */
export function normaliseDigits(value: string): string {
  return value.replace(FORMAT_SEPARATORS, '');
}

function tenDigits(value: string): string | null {
  const digits = normaliseDigits(value);
  return /^\d{10}$/.test(digits) ? digits : null;
}

function allSame(digits: string): boolean {
  for (let i = 1; i < digits.length; i++) if (digits[i] !== digits[0]) return false;
  return true;
}

/**
 * The modulus 11 check digit of a nine-digit stem: weights 10..2, check = 11 - (sum mod 11),
 * 11 becomes 0; null when the result is 10 (no valid number has that stem).
 */
export function nhsCheckDigit(stem: string): number | null {
  if (!/^\d{9}$/.test(stem)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** True for ten digits (separators allowed) whose last digit is the modulus 11 check digit of the first nine; all-same digits are rejected. */
export function nhsCheckDigitValid(value: string): boolean {
  const digits = tenDigits(value);
  if (!digits || allSame(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when six digits are a calendar date DDMMYY. The century is unknown, so 29 February is
 * accepted whenever YY is a multiple of 4 (YY = 00 may be 2000, a leap year).
 */
export function chiDateValid(ddmmyy: string): boolean {
  if (!/^\d{6}$/.test(ddmmyy)) return false;
  const day = Number(ddmmyy.slice(0, 2));
  const month = Number(ddmmyy.slice(2, 4));
  const year = Number(ddmmyy.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return year % 4 === 0;
  return day <= DAYS_IN_MONTH[month - 1]!;
}

/**
 * The modulus 10 check digit of a nine-digit CHI stem (the alternative introduced in February
 * 2026), read exactly as the issue words it: "double digits 9, 7, 5, 3, 1; subtract 9 from
 * results over 9; sum all nine; check = (10 - sum mod 10) mod 10".
 *
 * Interpretation: "digits 9, 7, 5, 3, 1" are digit *positions* counted from the left, as in
 * "digits 1-6 are a date" (position 1 is the first digit, position 9 the last digit of the
 * stem). Those five digits are doubled (minus 9 when the product is over 9); the digits at
 * positions 2, 4, 6, 8 are taken as they are; all nine are summed. Because position 9 sits
 * next to the check digit, this is the Luhn algorithm over the ten digits.
 */
export function chiMod10CheckDigit(stem: string): number | null {
  if (!/^\d{9}$/.test(stem)) return null;
  let sum = 0;
  for (let position = 1; position <= 9; position++) {
    const digit = Number(stem[position - 1]);
    if (position % 2 === 1) {
      const doubled = digit * 2;
      sum += doubled > 9 ? doubled - 9 : doubled;
    } else {
      sum += digit;
    }
  }
  return (10 - (sum % 10)) % 10;
}

/** Which CHI check digit method a number satisfies, if any (date prefix not tested). */
export function chiCheckMethod(value: string): 'mod11' | 'mod10' | null {
  const digits = tenDigits(value);
  if (!digits || allSame(digits)) return null;
  const stem = digits.slice(0, 9);
  const check = Number(digits[9]);
  if (nhsCheckDigit(stem) === check) return 'mod11';
  if (chiMod10CheckDigit(stem) === check) return 'mod10';
  return null;
}

/** True for a CHI number: digits 1-6 a valid DDMMYY date, check digit by modulus 11 or the 2026 modulus 10 method; all-same digits rejected. */
export function chiValid(value: string): boolean {
  const digits = tenDigits(value);
  if (!digits || !chiDateValid(digits.slice(0, 6))) return false;
  return chiCheckMethod(digits) !== null;
}

/** Every check of a clean ten-digit string at once, with char codes (the scanner's hot path). */
interface Checks {
  /** NHS modulus 11 check digit valid (all-same digits excluded). */
  readonly mod11: boolean;
  /** CHI: date prefix valid and a check digit valid by modulus 11 or modulus 10. */
  readonly chi: boolean;
  readonly chiMethod: 'mod11' | 'mod10' | null;
  /** H&C: modulus 11 valid and stem in the H&C range. */
  readonly hc: boolean;
}

function checksOf(digits: string): Checks {
  let sum11 = 0;
  let sum10 = 0;
  let same = true;
  const first = digits.charCodeAt(0);
  for (let i = 0; i < 9; i++) {
    const code = digits.charCodeAt(i);
    if (code !== first) same = false;
    const d = code - 48;
    sum11 += d * (10 - i);
    if (i % 2 === 0) sum10 += d * 2 > 9 ? d * 2 - 9 : d * 2;
    else sum10 += d;
  }
  const check = digits.charCodeAt(9) - 48;
  if (digits.charCodeAt(9) !== first) same = false;
  if (same) return { mod11: false, chi: false, chiMethod: null, hc: false };
  const r = 11 - (sum11 % 11);
  const mod11 = (r === 11 ? 0 : r) === check && r !== 10;
  const mod10 = (10 - (sum10 % 10)) % 10 === check;
  const chiMethod = mod11 ? 'mod11' : mod10 ? 'mod10' : null;
  const chi = chiMethod !== null && chiDateValid(digits.slice(0, 6));
  const stem = mod11 ? Number(digits.slice(0, 9)) : 0;
  return { mod11, chi, chiMethod: chi ? chiMethod : null, hc: mod11 && stem >= HC_STEM_MIN && stem <= HC_STEM_MAX };
}

/** True for an H&C number: the NHS format and check digit with the stem in 320 000 001 .. 399 999 999. */
export function hcValid(value: string): boolean {
  const digits = tenDigits(value);
  if (!digits || !nhsCheckDigitValid(digits)) return false;
  const stem = Number(digits.slice(0, 9));
  return stem >= HC_STEM_MIN && stem <= HC_STEM_MAX;
}

// ---------------------------------------------------------------------------------------------
// Keywords (shared with the hospital-number detector)
// ---------------------------------------------------------------------------------------------

/** Characters either side of a number within which keywords count as its context. */
export const KEYWORD_WINDOW = 300;
/** Keywords this close count as near (higher confidence). */
const NEAR = 150;

const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';

function keywordPattern(words: readonly string[], flags: string): RegExp {
  return new RegExp(`${B}(?:${words.join('|')})${E}`, `g${flags}u`);
}

/**
 * Words naming a health service number. "NHS" is case-sensitive and not counted inside a
 * domain (nhs.net, nhs.uk: every practice signature has those); "CHI" is case-sensitive
 * (Chi is a name, tai chi an exercise).
 */
export const HEALTH_KEYWORDS = keywordPattern(
  [
    'NHS(?!\\.[A-Za-z])',
    'CHI',
    'H\\s?&\\s?C',
    'HCN',
    'HSC',
    '[Cc]ommunity [Hh]ealth [Ii]ndex',
    '[Hh]ealth (?:and|&) [Cc]are (?:[Nn]o|[Nn]umber)',
    '[Nn]ational [Hh]ealth [Ss]ervice',
  ],
  '',
);

/** Scottish context: a CHI-and-NHS-valid number near these is reported as a CHI number. */
export const SCOTTISH_KEYWORDS = keywordPattern(
  [
    'CHI',
    '[Cc]ommunity [Hh]ealth [Ii]ndex',
    'Scotland',
    'Scottish',
    'NHS (?:Lothian|Grampian|Tayside|Lanarkshire|Ayrshire|Highland|Fife|Borders|Orkney|Shetland|Western Isles|Forth Valley|Dumfries|Greater Glasgow)',
  ],
  '',
);

/** Words that put a number in a patient's context. */
export const PATIENT_KEYWORDS = keywordPattern(
  [
    'patients?',
    'pt',
    'dob',
    'd\\.o\\.b',
    'date of birth',
    'born',
    'gp',
    'referrals?',
    'referred',
    'referring',
    'hospital',
    'consultant',
    'clinic',
    'ward',
    'diagnosis',
    'allerg(?:y|ies)',
    'medications?',
    'medical history',
    'x-?rays?',
    'radiographs?',
    'opg',
    'extractions?',
    'orthodontic',
    'oral surgery',
  ],
  'i',
);

/** Words of invoices, orders, banking, phones: numbers near them are look-alikes. */
const LOOKALIKE_KEYWORDS = keywordPattern(
  [
    'invoices?',
    'inv',
    'orders?',
    'po',
    'purchase order',
    'ref',
    'reference',
    'accounts?',
    'a/c',
    'sort code',
    'iban',
    'tel',
    'telephone',
    'phone',
    'mob',
    'mobile',
    'fax',
    'gdc',
    'vat',
    'remittance',
    'statement',
    'payment',
    'amount due',
    'balance',
    'tracking',
    'parcel',
    'customer',
  ],
  'i',
);

/** Words of logs and machine data: a timestamp-like number near them is a timestamp. */
const TIMESTAMP_KEYWORDS = keywordPattern(
  ['timestamp', 'epoch', 'unix', 'ts', 'logs?', 'logged', 'created(?:_at)?', 'updated(?:_at)?', 'modified', 'expires', 'iat', 'exp', 'nbf', 'utc'],
  'i',
);

export interface KeywordHit {
  /** The keyword as matched (one of a fixed list, never patient data). */
  readonly keyword: string;
  readonly start: number;
  readonly end: number;
  readonly distance: number;
}

/** Every occurrence of a keyword pattern in a text, found in one pass; nearest lookups by binary search. */
export class KeywordIndex {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly words: string[] = [];

  constructor(text: string, pattern: RegExp) {
    const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      this.starts.push(m.index);
      this.ends.push(m.index + m[0].length);
      this.words.push(m[0]);
    }
  }

  get size(): number {
    return this.starts.length;
  }

  /** Index of the first occurrence starting at or after `offset`. */
  private firstFrom(offset: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private hit(i: number, distance: number): KeywordHit {
    return { keyword: this.words[i]!, start: this.starts[i]!, end: this.ends[i]!, distance };
  }

  /**
   * The nearest occurrence within `window` characters of [start, end), or null. Occurrences
   * starting inside [start, end) are ignored (a label's own words are not its context).
   */
  nearest(start: number, end: number, window: number): KeywordHit | null {
    let best: KeywordHit | null = null;
    const before = this.firstFrom(start) - 1;
    if (before >= 0) {
      const distance = Math.max(0, start - this.ends[before]!);
      if (distance <= window) best = this.hit(before, distance);
    }
    const after = this.firstFrom(end);
    if (after < this.starts.length) {
      const distance = this.starts[after]! - end;
      if (distance <= window && (!best || distance < best.distance)) best = this.hit(after, distance);
    }
    return best;
  }
}

// ---------------------------------------------------------------------------------------------
// Labels ("NHS No:", "Invoice no.", "Tel:") directly before a value, and table columns
// ---------------------------------------------------------------------------------------------

export type LabelClass = 'nhs' | 'chi' | 'hc' | 'hospital' | 'lookalike';

const NUMBER_WORD = '(?:\\s?(?:number|num|nr|no|id|ref|#))?';
/** What may stand between a label and its value: punctuation, spaces, "is". */
const LABEL_TAIL = '[^\\p{L}\\p{N}\\n]{0,8}(?:(?:is|was)[^\\p{L}\\p{N}\\n]{1,4})?$';

const NHS_LABEL = '(?:nhs|national\\shealth\\sservice|health\\sservice)';
const CHI_LABEL = '(?:chi|community\\shealth\\sindex)';
const HC_LABEL = '(?:h\\s?&\\s?c|hcn|health\\s(?:and|&)\\scare)';
export const HOSPITAL_LABEL =
  '(?:hosp(?:ital)?\\.?\\s?(?:number|num|nr|no|id|ref)|unit\\s?(?:number|num|nr|no)|mrn|m\\.r\\.n|medical\\srecords?\\s?(?:number|no)|case\\s?notes?\\s?(?:number|no)|pas\\s?(?:number|no|id))';
const LOOKALIKE_LABEL =
  '(?<!patient\\s)(?:invoice|inv|order|ord|po|p\\.o|purchase\\sorder|ref|reference|account|acc|acct|a/c|sort\\scode|iban|bic|tel|telephone|phone|mob|mobile|cell|fax|call(?:\\sme)?(?:\\son)?|whatsapp|contact\\s(?:number|no)|gdc|vat|company|customer|cust|supplier|tracking|consignment|parcel|shipment|serial|batch|job|quote|quotation|transaction|txn|receipt|booking|ticket|claim|licen[cs]e|policy|member(?:ship)?|payment|payroll|employee|registration|timestamp|ts|epoch|created(?:_at)?|updated(?:_at)?|modified|expires|exp|iat|nbf|unix)';

function labelEnd(label: string): RegExp {
  return new RegExp(`${B}${label}${NUMBER_WORD}${LABEL_TAIL}`, 'iu');
}

const LABEL_ENDS: readonly (readonly [LabelClass, RegExp])[] = [
  ['nhs', labelEnd(NHS_LABEL)],
  ['chi', labelEnd(CHI_LABEL)],
  ['hc', labelEnd(HC_LABEL)],
  ['hospital', new RegExp(`${B}${HOSPITAL_LABEL}${LABEL_TAIL}`, 'iu')],
  ['lookalike', labelEnd(LOOKALIKE_LABEL)],
  // Single-letter phone labels of signatures ("T: ", "M: ", "F: "): only with a colon.
  ['lookalike', /(?<![\p{L}\p{N}])[tmf]\s?:\s{0,3}$/iu],
];

/** How far back on the line a label may stand. */
const LABEL_REACH = 64;

/**
 * Start of the line containing `pos`, looking back at most `reach` characters (so a text
 * without line breaks costs no more per lookup); `pos - reach` when no break is that near.
 */
export function lineStartWithin(text: string, pos: number, reach: number): number {
  const stop = Math.max(0, pos - reach);
  for (let i = pos - 1; i >= stop; i--) if (text.charCodeAt(i) === 10) return i + 1;
  return stop;
}

/** End of the line containing `pos` (offset of its line break), looking ahead at most `reach` characters. */
export function lineEndWithin(text: string, pos: number, reach: number): number {
  const stop = Math.min(text.length, pos + reach);
  for (let i = pos; i < stop; i++) if (text.charCodeAt(i) === 10) return i;
  return stop;
}

/**
 * The class of the label standing directly before `start` on its line ("NHS No: ", "Order
 * number ", "Tel: "), or, when the value opens its line, at the end of the line before.
 */
export function labelBefore(text: string, start: number, sameLineOnly = false): LabelClass | null {
  const from = lineStartWithin(text, start, LABEL_REACH);
  let prefix = text.slice(from, start);
  const lineStart = from === 0 || text.charCodeAt(from - 1) === 10 ? from : -1;
  if (!sameLineOnly && lineStart > 0 && /^[\s>|]*$/.test(prefix)) {
    // The value opens its line (after quote markers): a label may end the previous line.
    let prevEnd = lineStart - 1;
    if (prevEnd > 0 && text[prevEnd - 1] === '\r') prevEnd--;
    const prevStart = lineStartWithin(text, prevEnd, LABEL_REACH);
    prefix = text.slice(prevStart, prevEnd).replace(/\s+$/, ' ');
  }
  if (!mayEndWithLabel(prefix)) return null;
  for (const [cls, re] of LABEL_ENDS) if (re.test(prefix)) return cls;
  return null;
}

const LETTER = /\p{L}/u;

/**
 * Cheap pre-test for the label regexes: a label's last character is a letter, followed by at
 * most 8 non-alphanumeric characters (and perhaps "is"). A prefix ending "…5919, " is no label.
 */
function mayEndWithLabel(prefix: string): boolean {
  let i = prefix.length - 1;
  const stop = Math.max(0, prefix.length - 9);
  while (i >= stop && !ALNUM.test(prefix[i]!)) i--;
  return i >= 0 && LETTER.test(prefix[i]!);
}

function cellPattern(label: string, numberWord: boolean): RegExp {
  return new RegExp(`^(?:patient\\s|patients\\s|pt\\s)?${label}${numberWord ? NUMBER_WORD : ''}[^\\p{L}\\p{N}]{0,3}$`, 'iu');
}

const CELL_CLASSES: readonly (readonly [LabelClass, RegExp])[] = [
  ['nhs', cellPattern(NHS_LABEL, true)],
  ['chi', cellPattern(CHI_LABEL, true)],
  ['hc', cellPattern(HC_LABEL, true)],
  ['hospital', cellPattern(HOSPITAL_LABEL, false)],
  ['lookalike', cellPattern(LOOKALIKE_LABEL, true)],
];

/** Column headers that make a table a list of patients. */
const PATIENT_CELL =
  /^(?:patient(?:\s(?:name|id|no|number))?|(?:full\s|first\s|last\s|family\s|given\s)?names?|surname|forename|title|dob|d\.o\.b\.?|date\sof\sbirth|birth\s?date|postcode|post\scode|address(?:\s?\d)?|gender|sex)$/i;

/** The class of a table header cell ("NHS No", "nhs_number", "Order Number"), or null. */
export function classifyHeaderCell(raw: string): LabelClass | null {
  const cell = raw.trim().replace(/^["']|["']$/g, '').replace(/[_\s]+/g, ' ').trim();
  if (cell.length === 0 || cell.length > 60) return null;
  for (const [cls, re] of CELL_CLASSES) if (re.test(cell)) return cls;
  return null;
}

export interface TableHeader {
  /** Offset of the header line's first character. */
  readonly lineStart: number;
  /** Offset of the character after the header line. */
  readonly lineEnd: number;
  /** Offset where the table ends (a blank line, or the end of the text). */
  readonly end: number;
  readonly delimiter: string;
  /** Class of each column by index (null: unlabelled or other). */
  readonly columns: readonly (LabelClass | null)[];
  /** True when the columns describe people (name, DOB, postcode, a health number …). */
  readonly patient: boolean;
}

const DELIMITERS = ['\t', '|', ';', ','] as const;
const MAX_HEADER_LINE = 4000;

function splitHeader(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function headerOf(line: string, lineStart: number, lineEnd: number, end: number, requireLabel: boolean): TableHeader | null {
  if (line.length > MAX_HEADER_LINE) return null;
  let delimiter: string | null = null;
  let most = 0;
  for (const d of DELIMITERS) {
    let count = 0;
    for (let i = line.indexOf(d); i !== -1; i = line.indexOf(d, i + 1)) count++;
    if (count > most) {
      most = count;
      delimiter = d;
    }
  }
  if (!delimiter) return null;
  const cells = splitHeader(line, delimiter);
  if (cells.length < 2 || cells.length > 200) return null;
  const columns = cells.map(classifyHeaderCell);
  const labelled = columns.filter((c) => c !== null).length;
  const patientCells = cells.filter((c) => PATIENT_CELL.test(c.trim().replace(/^["']|["']$/g, '').replace(/[_\s]+/g, ' ').trim())).length;
  // Outside a CSV unit, a header needs a labelled cell and one more labelled or personal-detail cell.
  if (requireLabel && (labelled === 0 || labelled + patientCells < 2)) return null;
  // Prose with commas is not a header: most cells of a header are short.
  if (requireLabel && cells.filter((c) => c.trim().length <= 30).length * 2 < cells.length) return null;
  const patient = patientCells > 0 || columns.some((c) => c === 'nhs' || c === 'chi' || c === 'hc' || c === 'hospital');
  return { lineStart, lineEnd, end, delimiter, columns, patient };
}

/**
 * Table headers in a text unit. In a tabular unit (a CSV attachment) the first non-empty line
 * is the header and the table runs to the end. Elsewhere a delimited line (tab, |, ;, ,) with
 * at least one labelled cell ("NHS No", "Hospital No", "Order No") starts a table that runs
 * to the next blank line.
 */
export function findTableHeaders(text: string, tabular: boolean | undefined): TableHeader[] {
  const headers: TableHeader[] = [];
  let lineStart = 0;
  let current: { lineStart: number; lineEnd: number; line: string } | null = null;
  const close = (end: number): void => {
    if (!current) return;
    const header = headerOf(current.line, current.lineStart, current.lineEnd, end, true);
    if (header) headers.push(header);
    current = null;
  };
  while (lineStart <= text.length) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? text.length : nl;
    const line = text.slice(lineStart, Math.min(lineEnd, lineStart + MAX_HEADER_LINE + 1)).replace(/\r$/, '');
    const blank = line.trim().length === 0;
    if (tabular) {
      if (!blank) {
        const header = headerOf(line, lineStart, lineEnd, text.length, false);
        if (header) headers.push(header);
        return headers;
      }
    } else if (blank) {
      close(lineStart);
    } else if (line.length <= MAX_HEADER_LINE && /[\t|;,]/.test(line) && headerOf(line, lineStart, lineEnd, text.length, true)) {
      close(lineStart);
      current = { lineStart, lineEnd, line };
    }
    if (nl === -1) break;
    lineStart = nl + 1;
  }
  close(text.length);
  return headers;
}

/**
 * Finds which table column an offset falls in. Queries must come in non-decreasing offset
 * order (they do: matches are found left to right); the text is walked once overall.
 */
export class ColumnLocator {
  private pos = 0;
  private lineStart = 0;
  private column = 0;
  private quoted = false;
  private headerIndex = -1;
  private active: TableHeader | null = null;

  constructor(
    private readonly text: string,
    private readonly headers: readonly TableHeader[],
  ) {
    this.enterLine(0);
  }

  /** The header and column index of the data cell containing `offset`, or null outside a table (or on a header line). */
  locate(offset: number): { header: TableHeader; column: number } | null {
    if (this.headers.length === 0) return null;
    if (offset < this.pos) this.reset(offset);
    const { text } = this;
    while (this.pos < offset) {
      const ch = text[this.pos];
      if (ch === '\n') {
        this.pos++;
        this.enterLine(this.pos);
        continue;
      }
      if (this.active) {
        if (ch === '"') this.quoted = !this.quoted;
        else if (ch === this.active.delimiter && !this.quoted) this.column++;
      }
      this.pos++;
    }
    return this.active ? { header: this.active, column: this.column } : null;
  }

  private reset(offset: number): void {
    this.pos = this.text.lastIndexOf('\n', offset - 1) + 1;
    this.headerIndex = -1;
    this.enterLine(this.pos);
  }

  private enterLine(start: number): void {
    this.lineStart = start;
    this.column = 0;
    this.quoted = false;
    while (this.headerIndex + 1 < this.headers.length && this.headers[this.headerIndex + 1]!.lineStart < start) this.headerIndex++;
    const header = this.headerIndex >= 0 ? this.headers[this.headerIndex]! : null;
    this.active = header && start >= header.lineEnd && start < header.end ? header : null;
  }
}

// ---------------------------------------------------------------------------------------------
// The shared scanner
// ---------------------------------------------------------------------------------------------

export type HealthNumberKind = 'nhs_number' | 'chi_number' | 'hc_number';

const SEP = '[ \\u00a0.\\-\\u2010\\u2011\\u2012\\u2013]';
/**
 * Candidates: 3-3-4 with single separators (a line break may stand for one, when a number is
 * wrapped), 6-4 (the CHI layout DDMMYY NNNN), or 10 plain digits; never inside a longer run of
 * digits or letters. Every quantifier is bounded. The lookarounds are ASCII (Unicode property
 * lookarounds are an order of magnitude slower); non-ASCII letters and digits next to a
 * candidate are rejected in `partOfSomethingElse`.
 */
const CANDIDATE = new RegExp(
  `(?<![A-Za-z0-9])(?:\\d{3}(${SEP}|\\r?\\n)\\d{3}(?:${SEP}|\\r?\\n)\\d{4}|\\d{6}([ \\u00a0\\-])\\d{4}|\\d{10})(?![A-Za-z0-9])`,
  'g',
);

const JOINERS = new Set(['-', '/', '_', '\\', '\u2010', '\u2011', '\u2013']);
/** Characters that make a following number a phone number, an amount or a handle. */
const PREFIXES = new Set(['+', '£', '$', '€', '@']);
const ALNUM = /[\p{L}\p{N}]/u;
const DIGIT = /\d/;

/** International or "(0)" phone prefixes directly before a number. */
const PHONE_PREFIX = /(?:\+\s?\d{1,3}|(?<!\d)00\d{2,3}|\(0\))[\s.-]{0,2}(?:\(0\)[\s.-]{0,2})?$/;
const CLOCK_TIME = /\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}/;

/** Unix timestamps (seconds) that fit a signed 32-bit value and have ten digits. */
const TIMESTAMP_MIN = 1_000_000_000;
const TIMESTAMP_MAX = 2_147_483_647;

type Layout = 'plain' | 'grouped' | 'chi';

interface Candidate {
  readonly value: string;
  readonly offset: number;
  readonly digits: string;
  readonly layout: Layout;
  readonly checks: Checks;
}

function insideUrl(text: string, offset: number): boolean {
  let i = offset - 1;
  const stop = Math.max(0, offset - 256);
  while (i >= stop && !/[\s<>"'()[\]]/.test(text[i]!)) i--;
  const token = text.slice(i + 1, offset).toLowerCase();
  return token.includes('://') || token.startsWith('www.') || token.startsWith('mailto:');
}

/** Rejects candidates that are part of a longer token, a phone number, a money amount or a URL. */
function partOfSomethingElse(text: string, c: Candidate, label: LabelClass | null): boolean {
  const { offset } = c;
  const end = offset + c.value.length;
  const before = offset > 0 ? text[offset - 1]! : '';
  const before2 = offset > 1 ? text[offset - 2]! : '';
  const after = end < text.length ? text[end]! : '';
  const after2 = end + 1 < text.length ? text[end + 1]! : '';
  if ((before !== '' && ALNUM.test(before)) || (after !== '' && ALNUM.test(after))) return true;
  if (PREFIXES.has(before)) return true;
  if (JOINERS.has(before) && ALNUM.test(before2) && !(label === 'nhs' || label === 'chi' || label === 'hc')) return true;
  if (before === '.' && DIGIT.test(before2)) return true;
  // "9434765919-01", "9434765919/2", "9434765919.50", "9434765919@host"; a full stop ending a sentence is fine.
  if (after === '@' || after === '%') return true;
  if (JOINERS.has(after) && ALNUM.test(after2)) return true;
  if (after === '.' && DIGIT.test(after2)) return true;
  if (PHONE_PREFIX.test(text.slice(Math.max(0, offset - 12), offset))) return true;
  if (c.layout !== 'plain') {
    // A grouped number continuing a longer grouped number: "44 943 476 5919", "943 476 5919 12".
    const sep = c.value[3] === '\n' || c.value[3] === '\r' ? ' ' : c.layout === 'chi' ? c.value[6]! : c.value[3]!;
    if (before === sep && DIGIT.test(before2)) return true;
    if (after === sep && /^\d{1,4}(?![\d/.:-])/.test(text.slice(end + 1, end + 6))) return true;
  }
  return insideUrl(text, offset);
}

function phoneDigits(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  const national = digits.startsWith('44') ? `0${digits.slice(2)}` : digits;
  return [digits, national, national.replace(/^0/, '')];
}

interface Scored {
  readonly confidence: number;
  readonly reason: string;
}

interface Indexes {
  readonly health: KeywordIndex;
  readonly scottish: KeywordIndex;
  readonly patient: KeywordIndex;
  readonly lookalike: KeywordIndex;
  readonly timestamp: KeywordIndex;
}

const SCHEME_TEXT: Record<HealthNumberKind, string> = {
  nhs_number: 'passes the NHS modulus 11 check',
  chi_number: 'valid CHI date prefix and check digit',
  hc_number: 'in the H&C range (stem 320000001-399999999) with a valid modulus 11 check digit',
};

const PATIENT_TABLE_OTHER_COLUMN = 0.8;

function score(
  text: string,
  c: Candidate,
  label: LabelClass | null,
  cell: { header: TableHeader; column: number } | null,
  idx: Indexes,
  practicePhones: ReadonlySet<string>,
): Scored {
  const end = c.offset + c.value.length;
  if (practicePhones.has(c.digits)) return { confidence: 0.05, reason: "matches the practice's own phone number" };

  const column = cell ? (cell.header.columns[cell.column] ?? null) : null;
  if (label === 'nhs' || label === 'chi' || label === 'hc') return { confidence: 0.97, reason: 'labelled as a health service number' };
  if (column === 'nhs' || column === 'chi' || column === 'hc') return { confidence: 0.97, reason: 'in a table column labelled as a health service number' };
  if (label === 'lookalike') return { confidence: 0.1, reason: 'labelled as an invoice, order, reference, account, phone or timestamp value' };
  if (column === 'lookalike') return { confidence: 0.1, reason: 'in a table column of invoice, order, account or phone values' };
  if (label === 'hospital') return { confidence: 0.55, reason: 'labelled as a hospital number' };
  if (column === 'hospital') return { confidence: 0.55, reason: 'in a table column of hospital numbers' };

  const value = Number(c.digits);
  if (c.layout === 'plain' && value >= TIMESTAMP_MIN && value <= TIMESTAMP_MAX) {
    const line = text.slice(lineStartWithin(text, c.offset, 120), lineEndWithin(text, end, 120));
    const healthNear = idx.health.nearest(c.offset, end, 60);
    if (!healthNear && (CLOCK_TIME.test(line) || idx.timestamp.nearest(c.offset, end, 120))) {
      return { confidence: 0.1, reason: 'looks like a Unix timestamp in log or machine context' };
    }
  }

  if (cell?.header.patient) return { confidence: PATIENT_TABLE_OTHER_COLUMN, reason: 'in a table of patient details' };

  const health = idx.health.nearest(c.offset, end, KEYWORD_WINDOW);
  const patient = idx.patient.nearest(c.offset, end, KEYWORD_WINDOW);
  const lookalike = idx.lookalike.nearest(c.offset, end, KEYWORD_WINDOW);
  let confidence: number;
  let reason: string;
  if (health) {
    confidence = health.distance <= NEAR ? 0.93 : 0.9;
    reason = `health-number keyword "${health.keyword}" nearby`;
  } else if (patient) {
    confidence = patient.distance <= NEAR ? 0.9 : 0.85;
    reason = `patient context ("${patient.keyword}") nearby`;
  } else {
    confidence = c.layout === 'plain' ? 0.4 : 0.45;
    if (c.digits.startsWith('0')) confidence -= 0.05;
    reason = 'no patient context (about 1 in 11 random 10-digit numbers pass the checksum)';
  }
  const contextDistance = Math.min(health?.distance ?? Infinity, patient?.distance ?? Infinity);
  if (lookalike && lookalike.distance < contextDistance) {
    const sameLineBefore = lookalike.end <= c.offset && !text.slice(lookalike.end, c.offset).includes('\n');
    const penalty = sameLineBefore && lookalike.distance <= 40 ? 0.35 : 0.15;
    confidence = Math.max(0.1, confidence - penalty);
    reason += `; "${lookalike.keyword}" is nearer`;
  }
  return { confidence: Math.round(confidence * 100) / 100, reason };
}

function classify(c: Candidate, label: LabelClass | null, column: LabelClass | null, scottish: boolean): HealthNumberKind | null {
  const { mod11, chi, hc } = c.checks;
  if (c.layout === 'chi') return chi ? 'chi_number' : null;
  if (hc) return 'hc_number';
  if (chi && !mod11) return 'chi_number';
  if (chi && mod11) {
    // Valid both ways (date prefix + modulus 11): a label decides, then Scottish context.
    if (label === 'nhs' || column === 'nhs') return 'nhs_number';
    if (label === 'chi' || column === 'chi' || scottish) return 'chi_number';
    return 'nhs_number';
  }
  return mod11 ? 'nhs_number' : null;
}

/**
 * Every valid NHS, CHI and H&C number in a text unit, each classified under exactly one kind
 * and scored from its label, table column and keyword context. The three detectors filter
 * this list by kind.
 */
export function scanHealthNumbers(unit: TextUnit, context: DetectorContext): Finding[] {
  const { text } = unit;
  const findings: Finding[] = [];
  let idx: Indexes | null = null;
  let locator: ColumnLocator | null = null;
  const practicePhones = new Set<string>();
  for (const phone of context.practicePhones) for (const d of phoneDigits(phone)) if (d.length === 10) practicePhones.add(d);

  const re = new RegExp(CANDIDATE.source, CANDIDATE.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = m[0];
    const layout: Layout = m[2] !== undefined ? 'chi' : m[1] !== undefined ? 'grouped' : 'plain';
    const digits = layout === 'plain' ? value : value.replace(/\D/g, '');
    // Cheap validity test first: most 10-digit numbers fail every checksum.
    const checks = checksOf(digits);
    if (!checks.mod11 && !checks.chi) continue;
    const c: Candidate = { value, offset: m.index, digits, layout, checks };
    locator ??= new ColumnLocator(text, findTableHeaders(text, unit.tabular));
    const cell = locator.locate(c.offset);
    // In a table row the cell's column labels the value, not the end of the line above.
    const label = labelBefore(text, c.offset, cell !== null);
    if (partOfSomethingElse(text, c, label)) continue;

    idx ??= {
      health: new KeywordIndex(text, HEALTH_KEYWORDS),
      scottish: new KeywordIndex(text, SCOTTISH_KEYWORDS),
      patient: new KeywordIndex(text, PATIENT_KEYWORDS),
      lookalike: new KeywordIndex(text, LOOKALIKE_KEYWORDS),
      timestamp: new KeywordIndex(text, TIMESTAMP_KEYWORDS),
    };
    const column = cell ? (cell.header.columns[cell.column] ?? null) : null;
    const scottish = idx.scottish.nearest(c.offset, c.offset + value.length, KEYWORD_WINDOW) !== null;
    const kind = classify(c, label, column, scottish);
    if (!kind) continue;
    const scored = score(text, c, label, cell, idx, practicePhones);
    let scheme = SCHEME_TEXT[kind];
    if (kind === 'chi_number') {
      scheme = checks.chiMethod === 'mod10' ? 'valid CHI date prefix and 2026 modulus 10 check digit' : 'valid CHI date prefix and modulus 11 check digit';
      if (checks.mod11) scheme += layout === 'chi' ? ' (CHI layout DDMMYY NNNN)' : ' (also NHS-valid: Scottish context or label)';
    } else if (kind === 'nhs_number' && checks.chi) {
      scheme += ' (also a valid CHI; no Scottish context)';
    }
    findings.push({ kind, value, confidence: scored.confidence, location: unit.location, offset: c.offset, why: `${scheme}; ${scored.reason}` });
  }
  return findings;
}
