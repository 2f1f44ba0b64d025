
/**
 * Layout of a text unit as the personal-detail detectors (date of birth, postcode, phone,
 * patient name) read it: lines, signature blocks, labelled sections of a referral ("Patient
 * details" versus "Referrer details", or a block of fields holding a DOB or NHS number), header
 * lines of quoted messages, tables (a CSV/TSV attachment, or a tab- or pipe-separated table in
 * a body) with their column headers, and keyword positions. Each is built once per unit in
 * linear time; lookups afterwards are binary searches or array reads, so detectors stay linear
 * however many candidate values a unit holds.
 */

/** Which party a labelled block of a letter or form describes. */
export type Section = 'patient' | 'other';

/** Leading quote markers of replies ("> > ") and indentation, stripped before line tests. */
const QUOTE_PREFIX = /^[ \t>]{0,40}/;

/** A whole line that closes a message and opens a signature. */
const SIGN_OFF =
  /^(?:(?:kind|kindest|best|warm|warmest|many|with)\s{1,3}(?:regards|wishes|thanks)|regards|best|thanks|thank\s{1,3}you|many\s{1,3}thanks|cheers|yours\s{1,3}(?:sincerely|faithfully|truly)|sincerely|all\s{1,3}the\s{1,3}best|thanks\s{1,3}(?:and|&)\s{1,3}(?:kind\s{1,3})?regards|speak\s{1,3}soon|take\s{1,3}care)[\s,.!]{0,5}$/i;

/** The conventional signature separator ("-- "). */
const SIG_DASHES = /^--\s{0,3}$/;

/** A line that starts an earlier, quoted or forwarded message: the signature above it ends. */
const QUOTE_MARKER =
  /^(?:-{2,}\s{0,3}(?:original|forwarded)\s{1,3}message\s{0,3}-{2,}|-{5,}\s{0,3}forwarded message|begin\s{1,3}forwarded\s{1,3}message|on\s.{1,200}\swrote:\s{0,3}$|(?:from|sent|to|cc|subject|date)\s{0,3}:\s|_{10,}\s{0,3}$)/i;

/** A header line of an embedded message (its names and dates belong to correspondents). */
const HEADER_LINE = /^(?:from|sent|to|cc|bcc|date|reply-to)\s{0,3}:/i;

/** A heading (or first field) that opens the patient's details: "Patient details", "Patient:", "Re: Mrs …". */
const PATIENT_HEADING =
  /^(?:(?:(?:the\s{1,3})?patient(?:'s|’s|s)?(?:\s{1,3}(?:details|information|info|demographics|particulars|data|name|name\s{1,3}(?:and|&)\s{1,3}address|address|contact\s{1,3}details|identification))?|name\s{1,3}and\s{1,3}address\s{1,3}of\s{1,3}patient)\s{0,3}(?::|-|–|$)|(?:re|regarding)\s{0,3}:\s{0,3}(?:mrs?|ms|miss|master|mx)\.?\s)/i;

/** A heading that opens another party's details: the referrer, the GP, a lab, a supplier. */
const OTHER_HEADING =
  /^(?:(?:(?:referr(?:er|ing)|registered|usual|treating)(?:'s)?(?:\s{1,3}(?:dentist|practitioner|clinician|practice|gp|doctor|surgeon))?(?:\s{1,3}(?:details|information|info|address))?|(?:gp|dentist|practice|surgery|clinic|sender|lab|laboratory|supplier|billing|invoice|delivery|hospital|consultant|clinician|company)\s{1,3}(?:details|information|info|address))\s{0,3}(?::|-|–|$)|(?:gp|dentist|practice|surgery|clinic|sender|lab|laboratory|supplier|hospital|consultant|clinician|(?:invoice|deliver|ship|bill)\s{1,3}to)\s{0,3}:?\s{0,3}$)/i;

/** A field labelled with a patient identifier: it makes its block of fields the patient's. */
const IDENTIFIER_FIELD =
  /^(?:d\.?\s?o\.?\s?b\.?|date\s{1,3}of\s{1,3}birth|birth\s{0,3}date|nhs\s{0,3}(?:no\.?|number|#)|chi(?:\s{1,3}(?:no\.?|number))?|h\s?&\s?c(?:\s{1,3}(?:no\.?|number))?|health\s{1,3}and\s{1,3}care\s{1,3}number|hospital\s{1,3}(?:no\.?|number)|mrn|patient(?:'s)?(?:\s{1,3}[\p{L}]{1,15})?)\s{0,3}:/iu;
/** "Label: value" lines: a blank line followed by one stays inside a labelled block. */
const FIELD_LINE = /^[\p{L}][\p{L}\d .'’()/#&-]{0,40}:/u;

/** How much of a line {@link TextLayout.bareLine} returns. */
const BARE_LIMIT = 300;
/** Lines longer than this are prose or data, never headings or sign-offs. */
const SHORT_LINE = 200;
/** How many lines after a sign-off still count as its signature. */
const SIGNATURE_LINES = 10;
/** Prose: at least this many words, this many of them function words. */
const PROSE_WORDS = 8;
const PROSE_FUNCTION_WORDS = 3;
const FUNCTION_WORDS = new Set(
  'the a an to and of is are was were for you we i he she it this that be will can could would please with on in at as if our your her his they them have has had not'.split(' '),
);
/** How many lines a labelled section may run without a new heading. */
const SECTION_LINES = 25;

/**
 * A line of running text rather than a signature line (a name, a role, an address, numbers,
 * "Practice | 1 Park Row | Leeds"): several words, several of them function words.
 */
function isProse(bare: string): boolean {
  const words = bare.toLowerCase().split(/\s+/);
  if (words.length < PROSE_WORDS) return false;
  let functionWords = 0;
  for (const w of words) if (FUNCTION_WORDS.has(w)) functionWords++;
  return functionWords >= PROSE_FUNCTION_WORDS;
}

export class TextLayout {
  readonly text: string;
  private readonly starts: number[] = [0];
  private signature: Uint8Array | null = null;
  private sections: (Section | null)[] | null = null;
  /** Bare lines, computed on first use. */
  private readonly bare: (string | undefined)[] = [];

  constructor(text: string) {
    this.text = text;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Index of the line holding `offset`. */
  lineIndexOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  lineStart(index: number): number {
    return this.starts[index] ?? this.text.length;
  }

  /** End of line `index`, before its "\n" (and "\r"). */
  lineEnd(index: number): number {
    const next = this.starts[index + 1];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > this.lineStart(index) && this.text[end - 1] === '\r') end--;
    return end;
  }

  /** Line `index` as written. */
  line(index: number): string {
    return this.text.slice(this.lineStart(index), this.lineEnd(index));
  }

  /** Length of line `index` (without its line break). */
  lineLength(index: number): number {
    return this.lineEnd(index) - this.lineStart(index);
  }

  /**
   * Line `index` without reply quote markers and indentation, trimmed; only its first
   * {@link BARE_LIMIT} characters (line-level tests look at how a line starts, and a bound
   * keeps per-match work constant on a megabyte-long line).
   */
  bareLine(index: number): string {
    const cached = this.bare[index];
    if (cached !== undefined) return cached;
    const start = this.lineStart(index);
    const bare = this.text.slice(start, Math.min(this.lineEnd(index), start + BARE_LIMIT)).replace(QUOTE_PREFIX, '').trim();
    this.bare[index] = bare;
    return bare;
  }

  /** Offset in the text where {@link bareLine} of line `index` begins (after quote markers and indentation). */
  bareStart(index: number): number {
    const start = this.lineStart(index);
    const raw = this.text.slice(start, Math.min(this.lineEnd(index), start + BARE_LIMIT));
    return start + raw.length - raw.replace(QUOTE_PREFIX, '').trimStart().length;
  }

  /** The part of the line holding `offset` within `reach` characters either side of it. */
  lineAround(offset: number, reach: number): string {
    const index = this.lineIndexOf(offset);
    return this.text.slice(Math.max(this.lineStart(index), offset - reach), Math.min(this.lineEnd(index), offset + reach));
  }

  /** True when `offset` lies in a signature: after a sign-off line or "--", before the next quoted message. */
  inSignature(offset: number): boolean {
    this.signature ??= this.computeSignature();
    return this.signature[this.lineIndexOf(offset)] === 1;
  }

  /** True when the line is a sign-off line ("Kind regards,") or the "--" separator. */
  isSignOffLine(index: number): boolean {
    const bare = this.bareLine(index);
    return SIGN_OFF.test(bare) || SIG_DASHES.test(bare);
  }

  /** True when `offset` lies on a header line of an embedded message (From:, To:, Cc:, Sent:, Date:). */
  onHeaderLine(offset: number): boolean {
    return HEADER_LINE.test(this.bareLine(this.lineIndexOf(offset)));
  }

  /** The labelled block holding `offset`: the patient's details, another party's, or none. */
  section(offset: number): Section | null {
    this.sections ??= this.computeSections();
    return this.sections[this.lineIndexOf(offset)] ?? null;
  }

  /**
   * The address-like block holding `offset`: its line and up to `maxUp` contiguous non-blank
   * lines above it (stopping at a blank line), bare (quote markers stripped).
   */
  blockAbove(offset: number, maxUp: number): string[] {
    const index = this.lineIndexOf(offset);
    const lines = [this.bareLine(index)];
    for (let i = index - 1; i >= 0 && i >= index - maxUp; i--) {
      const bare = this.bareLine(i);
      if (bare === '') break;
      lines.unshift(bare);
    }
    return lines;
  }

  /**
   * A signature starts at a sign-off line (or "--") that follows some message text, and runs
   * for at most {@link SIGNATURE_LINES} lines; it ends early at an earlier message's header
   * (a quoted reply), a patient heading, or a line of prose (signatures are short lines).
   */
  private computeSignature(): Uint8Array {
    const marks = new Uint8Array(this.starts.length);
    let remaining = 0;
    let hasText = false;
    for (let i = 0; i < this.starts.length; i++) {
      if (this.lineLength(i) > SHORT_LINE) {
        remaining = 0;
        hasText = true;
        continue;
      }
      const bare = this.bareLine(i);
      if ((SIGN_OFF.test(bare) && hasText) || SIG_DASHES.test(bare)) {
        marks[i] = 1;
        remaining = SIGNATURE_LINES;
      } else if (remaining > 0 && (QUOTE_MARKER.test(bare) || PATIENT_HEADING.test(bare) || isProse(bare))) {
        remaining = 0;
      } else if (remaining > 0) {
        marks[i] = 1;
        remaining--;
      }
      if (QUOTE_MARKER.test(bare)) hasText = false;
      else if (bare !== '' && !marks[i]) hasText = true;
    }
    return marks;
  }

  private computeSections(): (Section | null)[] {
    const sections: (Section | null)[] = new Array<Section | null>(this.starts.length).fill(null);
    let current: Section | null = null;
    let run = 0;
    let afterBlank = false;
    for (let i = 0; i < this.starts.length; i++) {
      const bare = this.bareLine(i);
      if (bare === '') {
        afterBlank = true;
        sections[i] = current;
        continue;
      }
      const short = this.lineLength(i) <= SHORT_LINE;
      if (short && PATIENT_HEADING.test(bare)) {
        current = 'patient';
        run = 0;
      } else if (short && OTHER_HEADING.test(bare)) {
        current = 'other';
        run = 0;
      } else if (short && (SIGN_OFF.test(bare) || SIG_DASHES.test(bare) || QUOTE_MARKER.test(bare))) {
        current = null;
      } else if (current !== null && ((afterBlank && !FIELD_LINE.test(bare)) || ++run > SECTION_LINES)) {
        current = null;
      }
      afterBlank = false;
      sections[i] = current;
    }
    this.markFieldBlocks(sections);
    return sections;
  }

  /**
   * A block of "Label: value" lines with no heading is still the patient's details when one of
   * its labels is a patient identifier ("Name: …", "D.O.B.: …", "NHS number: …", "Tel: …").
   */
  private markFieldBlocks(sections: (Section | null)[]): void {
    let start = 0;
    while (start < this.starts.length) {
      if (sections[start] !== null || this.lineLength(start) > SHORT_LINE || this.bareLine(start) === '') {
        start++;
        continue;
      }
      let end = start;
      let fields = 0;
      let identifier = false;
      for (; end < this.starts.length && end - start < SECTION_LINES; end++) {
        if (sections[end] !== null || this.lineLength(end) > SHORT_LINE) break;
        const bare = this.bareLine(end);
        if (bare === '') break;
        if (FIELD_LINE.test(bare)) fields++;
        if (IDENTIFIER_FIELD.test(bare)) identifier = true;
      }
      if (fields >= 2 && identifier) sections.fill('patient', start, end);
      start = Math.max(end, start + 1);
    }
  }
}

/**
 * A table: a CSV or TSV attachment (the whole unit), or a tab- or pipe-separated table inside a
 * body ("Time<TAB>Patient<TAB>DOB" then rows). Columns carry their header's meaning.
 */
export interface Table {
  readonly headerLine: number;
  /** The table's last row (inclusive). */
  readonly lastLine: number;
  readonly delimiter: string;
  /** Header cells, lower-cased, quotes and surrounding spaces removed. */
  readonly headers: readonly string[];
}

/** One cell of a table row: its column and its value (quotes and spaces trimmed). */
export interface Cell {
  readonly column: number;
  readonly value: string;
  /** Offset of `value` in the unit's text. */
  readonly offset: number;
}

const DELIMITERS = [',', '\t', ';', '|'] as const;
/** Delimiters of tables embedded in running text (commas and semicolons are prose). */
const EMBEDDED_DELIMITERS = ['\t', '|'] as const;
/** Lines longer than this are not looked at as embedded table headers or rows. */
const TABLE_LINE = 2000;

/**
 * The tables of a unit. A tabular unit is one table whose header is its first non-blank line
 * with a delimiter; other units may hold tab- or pipe-separated tables. A header must hold
 * labels rather than values (a CSV without a header row has no columns to read).
 */
export function findTables(layout: TextLayout, tabular: boolean | undefined): Table[] {
  if (tabular) {
    const table = unitTable(layout);
    return table ? [table] : [];
  }
  const tables: Table[] = [];
  for (let i = 0; i < layout.lineCount; i++) {
    if (layout.lineLength(i) > TABLE_LINE) continue;
    const line = layout.line(i);
    const delimiter = commonest(line, EMBEDDED_DELIMITERS, 2);
    if (delimiter === null) continue;
    let last = i;
    while (last + 1 < layout.lineCount && layout.lineLength(last + 1) <= TABLE_LINE && layout.line(last + 1).includes(delimiter)) last++;
    const headers = last > i ? headerCells(layout, i, delimiter) : null;
    if (headers) tables.push({ headerLine: i, lastLine: last, delimiter, headers });
    i = last;
  }
  return tables;
}

function unitTable(layout: TextLayout): Table | null {
  for (let i = 0; i < layout.lineCount && i < 20; i++) {
    const line = layout.line(i);
    if (line.trim() === '') continue;
    const delimiter = commonest(line, DELIMITERS, 1);
    if (delimiter === null) continue;
    const headers = headerCells(layout, i, delimiter);
    return headers ? { headerLine: i, lastLine: layout.lineCount - 1, delimiter, headers } : null;
  }
  return null;
}

/** The delimiter occurring most often in `line`, if at least `min` times. */
function commonest(line: string, delimiters: readonly string[], min: number): string | null {
  let best: string | null = null;
  let bestCount = min - 1;
  for (const d of delimiters) {
    let count = 0;
    for (let at = line.indexOf(d); at !== -1; at = line.indexOf(d, at + d.length)) count++;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Line `index` as header cells, or null when it holds values rather than labels. */
function headerCells(layout: TextLayout, index: number, delimiter: string): string[] | null {
  const cells = splitCells(layout, index, delimiter).map((c) => c.value);
  const filled = cells.filter((c) => c !== '');
  const values = filled.filter((c) => (c.match(/\d/g)?.length ?? 0) >= 2);
  if (filled.length < 2 || values.length * 2 >= filled.length) return null;
  return cells.map((c) => c.toLowerCase().replace(/\s+/g, ' '));
}

/** The cells of line `index`, split on `delimiter` outside double quotes. */
export function splitCells(layout: TextLayout, index: number, delimiter: string): Cell[] {
  const start = layout.lineStart(index);
  const end = layout.lineEnd(index);
  const text = layout.text;
  const cells: Cell[] = [];
  let cellStart = start;
  let inQuotes = false;
  for (let i = start; i <= end; i++) {
    const ch = i < end ? text[i] : delimiter;
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === delimiter && (!inQuotes || i === end)) {
      cells.push(trimCell(text, cells.length, cellStart, i));
      cellStart = i + 1;
    }
  }
  return cells;
}

function trimCell(text: string, column: number, from: number, to: number): Cell {
  let a = from;
  let b = to;
  while (a < b && /\s/.test(text[a]!)) a++;
  while (b > a && /\s/.test(text[b - 1]!)) b--;
  if (b - a >= 2 && text[a] === '"' && text[b - 1] === '"') {
    a++;
    b--;
  }
  return { column, value: text.slice(a, b), offset: a };
}

/** Where a value stands in a table: the table and its column's header. */
export interface ColumnHit {
  readonly table: Table;
  readonly header: string;
}

/**
 * Column lookups for a unit's tables, memoised per line so that many matches on one long line
 * cost one split of that line.
 */
export class ColumnFinder {
  private readonly memo = new Map<number, Cell[]>();
  constructor(
    private readonly layout: TextLayout,
    readonly tables: readonly Table[],
  ) {}

  /** The table and column header of the data cell holding `offset`, or null (not in a table's rows). */
  columnAt(offset: number): ColumnHit | null {
    const index = this.layout.lineIndexOf(offset);
    const table = this.tableOf(index);
    if (!table || index === table.headerLine) return null;
    let cells = this.memo.get(index);
    if (!cells) {
      cells = splitCells(this.layout, index, table.delimiter);
      this.memo.set(index, cells);
    }
    // The last cell starting at or before the offset (binary search: lines may hold many cells).
    let lo = 0;
    let hi = cells.length - 1;
    let column = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cells[mid]!.offset <= offset) {
        column = cells[mid]!.column;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const header = column < 0 ? undefined : table.headers[column];
    return header === undefined ? null : { table, header };
  }

  /** The header of the column holding `offset`, or null. */
  headerAt(offset: number): string | null {
    return this.columnAt(offset)?.header ?? null;
  }

  private tableOf(line: number): Table | null {
    let lo = 0;
    let hi = this.tables.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = this.tables[mid]!;
      if (line < t.headerLine) hi = mid - 1;
      else if (line > t.lastLine) lo = mid + 1;
      else return t;
    }
    return null;
  }
}
