import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { chiValid, nhsCheckDigitValid } from './health-numbers.js';
import { fullYear, isoDate, MONTH_SOURCE, monthNumber, nameDobEntry, nameKey, normaliseNameToken, numberEntry, patientHash, TITLES } from './patient-entries.js';

/**
 * Exact data match against the practice's own patient list (issue 3, optional).
 *
 * An operator imports the practice system's CSV export (`mouthguard patients import`). Each
 * row becomes a few normalised *entries*, and only their keyed hashes are stored:
 *   - `number:<10 digits>` for each NHS, CHI or H&C number (valid check digit);
 *   - `name_dob:<forename> <surname>|<yyyy-mm-dd>` for the name together with the date of birth.
 * A name alone or a date alone is never stored, so a common name or a common birthday matches
 * nobody: only a number, or a name with that same patient's date of birth, is a match.
 *
 * Hashes are HMAC-SHA-256 under a random per-installation secret (kept in the store, never
 * logged), so the stored list cannot be compared with another installation's or tested by
 * someone without the secret. (Someone holding the whole database holds the secret too and could
 * test guesses: the data directory deserves the care of patient data.)
 *
 * Entries and their hashes are made in patient-entries.ts. Everything here is pure but
 * {@link loadPatientList}, which reads the store.
 */

/** The imported list in memory: its hashes (loaded once) and the secret to hash candidates with. */
export class PatientIndex {
  readonly #secret: Buffer;
  readonly #hashes: ReadonlySet<string>;

  constructor(secret: Buffer, hashes: ReadonlySet<string>) {
    this.#secret = Buffer.from(secret);
    this.#hashes = hashes;
  }

  get size(): number {
    return this.#hashes.size;
  }

  /** True when the normalised entry is on the list. */
  has(entry: string): boolean {
    return this.#hashes.has(patientHash(this.#secret, entry));
  }

  toJSON(): { size: number } {
    return { size: this.size };
  }
}

/** What identifies one loaded version of the list: it changes with every import or clear. */
export function patientListStamp(info: { count: number; importedAt: number | null }): string {
  return `${info.importedAt ?? 'none'}:${info.count}`;
}

/** The imported list as loaded from the store (what a PatientIndex is built from, in any thread). */
export interface PatientListData {
  readonly secret: Buffer;
  readonly hashes: ReadonlySet<string>;
}

/**
 * Where the list comes from: the store's patient-list side, described here so that policies
 * need nothing from `src/store` (the dependency rule of design.md).
 */
export interface PatientListSource {
  patientListSecret(): Promise<Buffer>;
  patientHashes(): Promise<Set<string>>;
  patientListInfo(): Promise<{ count: number; importedAt: number | null }>;
}

/**
 * The imported list from the store, or null when none is imported (no secret is created then).
 * `stamp` is the version loaded, for noticing a re-import later.
 */
export async function loadPatientList(
  store: PatientListSource,
): Promise<{ list: PatientListData | null; stamp: string }> {
  const info = await store.patientListInfo();
  if (info.count === 0) return { list: null, stamp: patientListStamp(info) };
  const [secret, hashes] = await Promise.all([store.patientListSecret(), store.patientHashes()]);
  return { list: hashes.size > 0 ? { secret, hashes } : null, stamp: patientListStamp(info) };
}

/** The index of a loaded list, or null for none. */
export function patientIndexOf(list: PatientListData | null): PatientIndex | null {
  return list ? new PatientIndex(list.secret, list.hashes) : null;
}

// ---------------------------------------------------------------------------------------------
// The detector
// ---------------------------------------------------------------------------------------------

/** Ten digits: plain, 3-3-4 with one kind of separator (NHS, H&C), or 6-4 (CHI: "120367 1237"). */
const NUMBER = /(?<!\d)(?:(\d{3})([ \u00a0.-]?)(\d{3})\2(\d{4})|(\d{6})[ \u00a0-](\d{4}))(?!\d)/g;
const TEXT_NUMERIC_DMY = /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)/g;
const TEXT_NUMERIC_YMD = /(?<![\d/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?!\d|[/.-]\d)/g;
const TEXT_COMPACT = /(?<![\d/.-])(\d{8})(?!\d|[/.-]\d)/g;
const TEXT_DMY = new RegExp(`(?<![\\p{L}\\d])(\\d{1,2})(?:st|nd|rd|th)?[\\s/.-]{0,3}(?:of\\s{1,3})?${MONTH_SOURCE}\\.?[\\s/.,-]{0,3}(\\d{4}|['’]?\\d{2})(?!\\d)`, 'giu');
const TEXT_MDY = new RegExp(`(?<![\\p{L}\\d])${MONTH_SOURCE}\\.?\\s{1,3}(\\d{1,2})(?:st|nd|rd|th)?,?\\s{1,3}(\\d{4})(?!\\d)`, 'giu');
/** A word (letters, apostrophes, hyphens; at most 41 characters). */
const WORD = /(?<![\p{L}\p{N}'’-])\p{L}[\p{L}'’-]{0,40}(?![\p{L}\p{N}])/gu;
/** Lower-case words that belong inside surnames ("van der Berg", "de la Cruz"). */
const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'da', 'di', 'du', 'del', 'della', 'la', 'le', 'ter', 'ten', 'bin', 'al', 'el', 'ap']);
/** What may separate the words of one name: spaces, or a cell boundary (comma, semicolon, tab, bar, quotes). */
const NAME_GAP = /^[ \t\u00a0,;|".]{1,6}$/u;

/** How far (characters) a date may stand after / before a name and still be read with it. */
const DATE_AFTER_REACH = 200;
const DATE_BEFORE_REACH = 120;
/** At most this many dates each side of a name are tried, and lines crossed (0 in tables). */
const DATES_EACH_SIDE = 3;
const MAX_LINES_CROSSED = 2;
/** A bound on keyed hashes per text unit (each costs a few microseconds): beyond it, names are no longer tried. */
const MAX_NAME_LOOKUPS = 60_000;
const MAX_NUMBER_LOOKUPS = 60_000;

const CONFIDENCE = 0.99;

interface Span {
  readonly start: number;
  readonly end: number;
}

interface DateCandidate extends Span {
  /** yyyy-mm-dd readings (two when day and month could be either way round). */
  readonly isos: readonly string[];
}

export interface PatientListDetectorOptions {
  /** The current date, for two-digit years. */
  readonly now?: () => Date;
}

/**
 * A text detector matching the imported patient list: a health number on the list, or a name
 * with the date of birth of the same record (a date within a couple of lines of the name; in a
 * table, on the same row). Findings are `patient_list_match` at 0.99, one for each matched value
 * as written (for a name and date, both). A name alone never matches.
 */
export function patientListDetector(index: PatientIndex, options: PatientListDetectorOptions = {}): TextDetector {
  const now = options.now ?? (() => new Date());
  return (unit: TextUnit, _context: DetectorContext): Finding[] => {
    if (index.size === 0) return [];
    const found: Finding[] = [...matchNumbers(unit, index)];
    const dates = findDates(unit.text, now());
    if (dates.length > 0) found.push(...matchNamesWithDates(unit, index, dates));
    return found;
  };
}

function finding(unit: TextUnit, span: Span, field: string): Finding {
  return {
    kind: 'patient_list_match',
    value: unit.text.slice(span.start, span.end),
    confidence: CONFIDENCE,
    location: unit.location,
    offset: span.start,
    why: `matches the practice patient list (${field})`,
  };
}

function matchNumbers(unit: TextUnit, index: PatientIndex): Finding[] {
  const found: Finding[] = [];
  const seen = new Map<string, boolean>();
  for (const m of unit.text.matchAll(NUMBER)) {
    const digits = m[1] !== undefined ? `${m[1]}${m[3]}${m[4]}` : `${m[5]}${m[6]}`;
    let hit = seen.get(digits);
    if (hit === undefined) {
      if (seen.size >= MAX_NUMBER_LOOKUPS) break;
      hit = (nhsCheckDigitValid(digits) || chiValid(digits)) && index.has(numberEntry(digits));
      seen.set(digits, hit);
    }
    if (hit) found.push(finding(unit, { start: m.index, end: m.index + m[0].length }, 'NHS/CHI/H&C number'));
  }
  return found;
}

function matchNamesWithDates(unit: TextUnit, index: PatientIndex, dates: readonly DateCandidate[]): Finding[] {
  const text = unit.text;
  const lines = new LineCounter(text);
  const maxLines = unit.tabular ? 0 : MAX_LINES_CROSSED;
  const checked = new Map<string, boolean>();
  let budget = MAX_NAME_LOOKUPS;
  const names: Span[] = [];
  const matchedDates = new Map<number, DateCandidate>();
  forEachName(text, (name, keysOf) => {
    const near = datesNear(dates, name, lines, maxLines);
    if (near.length === 0) return true;
    const keys = keysOf();
    for (const date of near) {
      let hit = false;
      for (const key of keys) {
        for (const iso of date.isos) {
          const entry = nameDobEntry(key, iso);
          let known = checked.get(entry);
          if (known === undefined) {
            budget--;
            known = index.has(entry);
            checked.set(entry, known);
          }
          hit ||= known;
        }
      }
      if (hit) {
        names.push(name);
        matchedDates.set(date.start, date);
      }
    }
    return budget > 0;
  });
  const field = 'name and date of birth';
  return [...longestFirst(names).map((n) => finding(unit, n, field)), ...[...matchedDates.values()].map((d) => finding(unit, d, field))];
}

/** Matched name spans without overlaps: at each start the longest, later overlapping ones dropped. */
function longestFirst(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const s of sorted) {
    const last = kept[kept.length - 1];
    if (last && s.start < last.end) continue;
    kept.push(s);
  }
  return kept;
}

/** Counts line breaks between two positions by binary search over their positions. */
class LineCounter {
  readonly #breaks: number[] = [];

  constructor(text: string) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) this.#breaks.push(at);
  }

  /** Line breaks before `pos`. */
  #before(pos: number): number {
    let lo = 0;
    let hi = this.#breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#breaks[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  between(from: number, to: number): number {
    return this.#before(to) - this.#before(from);
  }
}

/** The dates to try with a name: the nearest few after it and before it, within reach. */
function datesNear(dates: readonly DateCandidate[], name: Span, lines: LineCounter, maxLines: number): DateCandidate[] {
  // First date starting at or after the name's end (binary search).
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]!.start < name.end) lo = mid + 1;
    else hi = mid;
  }
  const near: DateCandidate[] = [];
  for (let i = lo; i < dates.length && i < lo + DATES_EACH_SIDE; i++) {
    const d = dates[i]!;
    if (d.start - name.end > DATE_AFTER_REACH || lines.between(name.end, d.start) > maxLines) break;
    near.push(d);
  }
  for (let i = lo - 1; i >= 0 && i >= lo - DATES_EACH_SIDE; i--) {
    const d = dates[i]!;
    if (d.end > name.start) continue;
    if (name.start - d.end > DATE_BEFORE_REACH || lines.between(d.end, name.start) > maxLines) break;
    near.push(d);
  }
  return near;
}

/** Every date in the text with its readings as calendar dates, in order of position. */
function findDates(text: string, now: Date): DateCandidate[] {
  const found: DateCandidate[] = [];
  const add = (m: RegExpExecArray, isos: (string | null)[]): void => {
    const kept = [...new Set(isos.filter((i): i is string => i !== null))];
    if (kept.length > 0) found.push({ start: m.index, end: m.index + m[0].length, isos: kept });
  };
  for (const m of text.matchAll(TEXT_NUMERIC_DMY)) {
    const year = fullYear(m[4]!, now);
    add(m, [isoDate(year, Number(m[3]), Number(m[1])), isoDate(year, Number(m[1]), Number(m[3]))]);
  }
  for (const m of text.matchAll(TEXT_NUMERIC_YMD)) add(m, [isoDate(Number(m[1]), Number(m[3]), Number(m[4]))]);
  for (const m of text.matchAll(TEXT_COMPACT)) {
    const s = m[1]!;
    add(m, [isoDate(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8))), isoDate(Number(s.slice(4, 8)), Number(s.slice(2, 4)), Number(s.slice(0, 2)))]);
  }
  for (const m of text.matchAll(TEXT_DMY)) add(m, [isoDate(fullYear(m[3]!, now), monthNumber(m[2]!), Number(m[1]))]);
  for (const m of text.matchAll(TEXT_MDY)) add(m, [isoDate(Number(m[3]), monthNumber(m[1]!), Number(m[2]))]);
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  return found;
}

interface Word extends Span {
  readonly norm: string;
}

/**
 * Candidate names: runs of capitalised words (with surname particles inside) separated by
 * spaces or cell boundaries. `visit` gets every window of two to four words, with its name
 * keys computed on demand: forename + rest, forename + last word, and last word + the rest
 * ("SMITH, Jane"). It returns false to stop.
 */
function forEachName(text: string, visit: (span: Span, keysOf: () => string[]) => boolean): void {
  let run: Word[] = [];
  let going = true;
  const flush = (): void => {
    for (let i = 0; going && i + 1 < run.length; i++) {
      for (let size = 2; going && size <= 4 && i + size <= run.length; size++) {
        const w = run.slice(i, i + size);
        going = visit({ start: w[0]!.start, end: w[size - 1]!.end }, () => keysOfWindow(w));
      }
    }
    run = [];
  };
  for (const m of text.matchAll(WORD)) {
    if (!going) return;
    const raw = m[0];
    const norm = normaliseNameToken(raw);
    const capitalised = raw[0] !== raw[0]!.toLowerCase();
    const inName = norm.length > 0 && !TITLES.has(norm) && (capitalised || (PARTICLES.has(norm) && run.length > 0));
    const previous = run[run.length - 1];
    if (!inName || (previous && !isNameGap(text, previous.end, m.index))) flush();
    if (inName) run.push({ start: m.index, end: m.index + raw.length, norm });
  }
  flush();
}

function isNameGap(text: string, from: number, to: number): boolean {
  return to - from <= 6 && NAME_GAP.test(text.slice(from, to));
}

function keysOfWindow(w: readonly Word[]): string[] {
  const first = w[0]!;
  const last = w[w.length - 1]!;
  const keys = new Set<string>();
  if (!PARTICLES.has(first.norm)) {
    keys.add(nameKey(first.norm, w.slice(1).map((x) => x.norm).join('')));
    keys.add(nameKey(first.norm, last.norm));
  }
  if (!PARTICLES.has(last.norm)) keys.add(nameKey(last.norm, w.slice(0, -1).map((x) => x.norm).join('')));
  return [...keys];
}
