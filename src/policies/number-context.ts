/**
 * Context around a candidate number: keywords near it, a label right before it ("NHS No:",
 * "Invoice no.", "Tel:") and table columns. Shared by the health-number and hospital-number detectors.
 */

export const ALNUM = /[\p{L}\p{N}]/u;

// ---------------------------------------------------------------------------------------------
// Keywords (shared with the hospital-number detector)
// ---------------------------------------------------------------------------------------------

/** Characters either side of a number within which keywords count as its context. */
export const KEYWORD_WINDOW = 300;
/** Keywords this close count as near (higher confidence). */
export const NEAR = 150;

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
export const LOOKALIKE_KEYWORDS = keywordPattern(
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
export const TIMESTAMP_KEYWORDS = keywordPattern(
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

/**
 * Every occurrence of a keyword pattern (one regular expression) in a text, found in one pass;
 * nearest lookups by binary search. (The personal-detail detectors use keyword-index.ts, for
 * word lists.)
 */
export class KeywordPatternIndex {
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
