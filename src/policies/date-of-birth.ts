import type { Finding } from '../core/finding.js';
import { contextBoost } from './context-window.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { ColumnFinder, TextLayout, findTables } from './text-layout.js';
import { KeywordIndex, type KeywordHit } from './keyword-index.js';

/**
 * Dates of birth: a date is a date of birth only when the text says so. A date labelled as one
 * ("DOB: 12/03/1967", "Date of birth 12th March 1967", "born 1967-03-12") or in a table's DOB
 * column is high confidence; a date with a DOB keyword within {@link NEAR} characters is
 * medium; a date on a patient line ("Re: Jane Smith (12/03/1967)") is low; any other date is
 * not reported at all (appointments, invoices, "Sent:" lines, logs). A date labelled as
 * something else (appointment, invoice, sent, issued …), followed by a time or preceded by a
 * weekday is never a date of birth, nor is one in the future or more than 120 years ago.
 */

const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])';

/** 12/03/1967, 12-03-1967, 12.03.67, 12/3/67 (day first; month first when only that is valid). */
const NUMERIC_DMY = /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)/g;
/**
 * 1967-03-12, 1967/03/12. The lookbehind stands after the first digit (the same condition on the
 * character before it): a pattern that starts with a lookbehind stops V8 from skipping ahead to
 * the characters a match can start with, here digits (five times slower on 41 KB of prose).
 * Exported, as TEXT_MDY is, for the test that holds it to the plain form.
 */
export const NUMERIC_YMD = /(\d(?<![\d/.-]\d)\d{3})([/.-])(\d{1,2})\2(\d{1,2})(?!\d|[/.-]\d)/g;
/** 19670312 (or 12031967). */
const COMPACT = /(?<![\d/.-])(\d{8})(?!\d|[/.-]\d)/g;
/** 12 Mar 1967, 12th March 1967, 12-MAR-67, 12 March, 1967. */
const TEXT_DMY = new RegExp(`(?<![\\p{L}\\d])(\\d{1,2})(?:st|nd|rd|th)?[\\s/.-]{0,3}(?:of\\s{1,3})?${MONTH}\\.?[\\s/.,-]{0,3}(\\d{4}|'?\\d{2})(?!\\d)`, 'giu');
/**
 * March 12, 1967; Mar 12th 1967. Found at the day, with the month and the gap after it read
 * backwards (group 2): V8 skips ahead to digits, where trying every letter for a month cost four
 * times as much.
 * Groups: day, month with the gap after it, month, year.
 */
export const TEXT_MDY = new RegExp(`(\\d(?<=(?<![\\p{L}\\d])(${MONTH}\\.?\\s{1,3})\\d)\\d?)(?:st|nd|rd|th)?,?\\s{1,3}(\\d{4})(?!\\d)`, 'giu');

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

/** A DOB label right before the date: "DOB:", "D.O.B.", "Date of birth (dd/mm/yyyy):", "born on", "b.". */
const DOB_LABEL =
  /(?:(?<![\p{L}])d\.?\s?o\.?\s?b\.?|(?<![\p{L}])d\/o\/b|date\s{1,3}of\s{1,3}birth|birth\s{0,3}date|(?<![\p{L}])born(?:\s{1,3}on)?|(?<![\p{L}])b\.)[ \t]{0,3}(?:\([ \t]{0,3}[a-z/. \t-]{2,14}\))?[ \t]{0,3}[:=\-–]?\s{0,30}$/iu;

/** A label that makes the date something else: appointments, invoices, message dates, events. */
const OTHER_LABEL =
  /(?<![\p{L}])(?:appointments?|appt|invoice|inv|date|dated|sent|received|issued?|due|order(?:ed)?|delivery|delivered|despatch(?:ed)?|dispatch(?:ed)?|seen|saw|visit(?:ed)?|attend(?:ed|ance)|booked|expiry|expires?|valid|effective|starts?|ends?|w\/c|commencing|paid|payment|statement|created|updated|modified|printed|generated|referred|referral|review|recall|exam(?:ination)?|treatment|surgery|operation|extraction|taken|wrote|last|next|today|yesterday|tomorrow)\b[^\n]{0,20}$/iu;

const WEEKDAY = /(?<![\p{L}])(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?,?\s{0,3}$/iu;
const TIME_AFTER = /^\s{0,3}(?:at\s{1,3})?\d{1,2}[:.]\d{2}(?!\d)|^T\d{2}:\d{2}/i;
/** "Re: Jane Smith (12/03/1967": a date right after a name on a "Re:" line. */
const RE_NAME_BEFORE = /^[ \t>]{0,10}re[ \t]{0,3}:[^\n]{0,80}\p{L}[ \t]{0,2}[(,][ \t]{0,2}$/iu;
const PATIENT_LINE = /(?<![\p{L}])(?:patient|pt(?![\p{L}])|name\s{0,3}:|re\s{0,3}:\s{0,3}(?:mr|mrs|ms|miss|master|mx)(?![\p{L}]))/iu;

const DOB_KEYWORDS = ['dob', 'd.o.b', 'd/o/b', 'date of birth', 'birth date', 'birthdate', 'born', 'b.', 'birthday'];
const DOB_HEADER = /(?:^|[^\p{L}])(?:dob|d\.o\.b\.?|d\/o\/b|date\s?of\s?birth|birth\s?date|born|birthday)(?:$|[^\p{L}])/iu;

/** How far a DOB keyword may stand from the date and still make it a date of birth. */
const NEAR = 60;
const MAX_AGE_YEARS = 120;
/** A keyword this close before a date labels that date. */
const LABEL_REACH = 25;

interface DateMatch {
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly day: number;
  readonly month: number;
  readonly year: number;
}

export interface DateOfBirthOptions {
  /** The current time, for plausibility (no future births, none over 120 years ago). */
  readonly now?: () => Date;
}

export function createDateOfBirthDetector(options: DateOfBirthOptions = {}): TextDetector {
  const now = options.now ?? (() => new Date());
  return (unit: TextUnit, _context: DetectorContext): Finding[] => detect(unit, now());
}

/** Dates of birth, with the current date as "now". */
export const detectDateOfBirth: TextDetector = createDateOfBirthDetector();

function detect(unit: TextUnit, today: Date): Finding[] {
  const text = unit.text;
  const dates = findDates(text, today);
  if (dates.length === 0) return [];
  const layout = new TextLayout(text);
  const tables = findTables(layout, unit.tabular);
  const columns = tables.length > 0 ? new ColumnFinder(layout, tables) : null;
  const keywords = new KeywordIndex(text, DOB_KEYWORDS);
  const findings: Finding[] = [];
  for (let i = 0; i < dates.length; i++) {
    const date = dates[i]!;
    const graded = grade(text, layout, columns, keywords, dates, i);
    if (!graded) continue;
    findings.push({ kind: 'dob', value: date.value, confidence: graded.confidence, location: unit.location, offset: date.start, why: graded.why });
  }
  return findings;
}

function grade(
  text: string,
  layout: TextLayout,
  columns: ColumnFinder | null,
  keywords: KeywordIndex,
  dates: readonly DateMatch[],
  index: number,
): { confidence: number; why: string } | null {
  const date = dates[index]!;
  const lineStart = layout.lineStart(layout.lineIndexOf(date.start));
  // Labels may sit on the line above (a table rendered as text, "DOB:" then the value).
  const before = text.slice(Math.max(0, date.start - 60), date.start);
  const sameLineBefore = text.slice(Math.max(lineStart, date.start - 40), date.start);
  if (DOB_LABEL.test(before)) return { confidence: 0.95, why: 'date labelled as a date of birth' };
  if (columns) {
    const header = columns.headerAt(date.start);
    if (header !== null && DOB_HEADER.test(header)) return { confidence: 0.95, why: 'date in a date-of-birth column' };
    if (header !== null) return null;
  }
  if (OTHER_LABEL.test(sameLineBefore) || WEEKDAY.test(sameLineBefore)) return null;
  if (TIME_AFTER.test(text.slice(date.end, date.end + 12))) return null;
  if (layout.onHeaderLine(date.start)) return null;

  const hit = keywords.nearest(date.start, date.end, NEAR);
  if (hit && !belongsToAnotherDate(dates, index, hit)) {
    return { confidence: Math.min(0.88, 0.62 + contextBoost(hit, NEAR, 0.26)), why: 'date near a date-of-birth keyword' };
  }
  const lineBefore = date.start - lineStart <= 100 ? text.slice(lineStart, date.start) : '';
  if (PATIENT_LINE.test(layout.lineAround(date.start, 80)) || RE_NAME_BEFORE.test(lineBefore)) return { confidence: 0.45, why: 'date on a patient line without a date-of-birth label' };
  return null;
}

/**
 * True when the DOB keyword belongs to another date: one lies between the keyword and this
 * date ("DOB: 12/03/1967, seen 14/05/2025"), or the keyword stands after this date and labels
 * the next one ("seen 14/05/2025. DOB 12/03/1967").
 */
function belongsToAnotherDate(dates: readonly DateMatch[], index: number, hit: KeywordHit): boolean {
  const date = dates[index]!;
  if (hit.end <= date.start) {
    const prev = dates[index - 1];
    return prev !== undefined && prev.end > hit.end;
  }
  if (hit.start >= date.end) {
    const next = dates[index + 1];
    return next !== undefined && next.start < hit.end + LABEL_REACH;
  }
  return false;
}

/** Every plausible birth date in the text, in order, overlaps removed (the longest at a start wins). */
function findDates(text: string, today: Date): DateMatch[] {
  const found: DateMatch[] = [];
  const addAt = (start: number, value: string, day: number, month: number, yearText: string): void => {
    const year = fullYear(yearText, today);
    if (year === null || !isPlausible(year, month, day, today)) return;
    found.push({ start, end: start + value.length, value, day, month, year });
  };
  const add = (m: RegExpExecArray, day: number, month: number, yearText: string): void => addAt(m.index, m[0], day, month, yearText);
  for (const m of text.matchAll(NUMERIC_DMY)) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (isValidDay(a, b)) add(m, a, b, m[4]!);
    else if (isValidDay(b, a)) add(m, b, a, m[4]!);
  }
  for (const m of text.matchAll(NUMERIC_YMD)) add(m, Number(m[4]), Number(m[3]), m[1]!);
  for (const m of text.matchAll(COMPACT)) {
    const s = m[1]!;
    if (/^(?:19|20)/.test(s) && isValidDay(Number(s.slice(6, 8)), Number(s.slice(4, 6)))) add(m, Number(s.slice(6, 8)), Number(s.slice(4, 6)), s.slice(0, 4));
    else add(m, Number(s.slice(0, 2)), Number(s.slice(2, 4)), s.slice(4, 8));
  }
  for (const m of text.matchAll(TEXT_DMY)) add(m, Number(m[1]), monthNumber(m[2]!), m[3]!);
  for (const m of text.matchAll(TEXT_MDY)) {
    const start = m.index - m[2]!.length;
    addAt(start, text.slice(start, m.index + m[0].length), Number(m[1]), monthNumber(m[3]!), m[4]!);
  }
  found.sort((x, y) => x.start - y.start || y.end - x.end);
  const kept: DateMatch[] = [];
  for (const d of found) {
    const last = kept[kept.length - 1];
    if (last && d.start < last.end) continue;
    kept.push(d);
  }
  return kept;
}

function monthNumber(name: string): number {
  return MONTHS[name.slice(0, 3).toLowerCase()] ?? 0;
}

/** A four-digit year as written; a two-digit one in the last 100 years (a birth is never in the future). */
function fullYear(text: string, today: Date): number | null {
  const digits = text.replace("'", '');
  if (digits.length === 4) return Number(digits);
  if (digits.length !== 2) return null;
  const yy = Number(digits);
  const century = Math.floor(today.getFullYear() / 100) * 100;
  return century + yy > today.getFullYear() ? century - 100 + yy : century + yy;
}

function isValidDay(day: number, month: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(2000, month, 0)).getUTCDate();
}

function isPlausible(year: number, month: number, day: number, today: Date): boolean {
  if (!isValidDay(day, month)) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month === 2 && day === 29 && !leap) return false;
  const birth = Date.UTC(year, month - 1, day);
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  return birth <= now && birth >= Date.UTC(today.getFullYear() - MAX_AGE_YEARS, today.getMonth(), today.getDate());
}
