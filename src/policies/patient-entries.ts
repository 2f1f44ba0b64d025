import { createHmac } from 'node:crypto';
import { chiValid, nhsCheckDigitValid } from './health-numbers.js';

/**
 * The entries of the practice's patient list (see patient-list.ts): how a name, a date of birth
 * or a health number is normalised, the entry strings built from them, and their keyed hash.
 * The CSV import and the detector build entries with the same functions, so that what is
 * stored and what is looked up in mail always agree. Pure.
 */

/** Titles dropped from the front of a name ("Mrs Jane Smith", "SMITH, Dr Jane"). */
export const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'master', 'dr', 'prof', 'professor', 'rev', 'revd', 'sir', 'dame', 'lady', 'lord']);

/** One word of a name: accents removed, lower case, letters only ("O'Brien" → "obrien", "Zoë" → "zoe"). */
export function normaliseNameToken(token: string): string {
  return token
    .replace(/['’]s$/u, '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}]/gu, '');
}

/** The normalised words of a name field, leading titles removed. */
function nameWords(field: string): string[] {
  const words = field
    .split(/[\s,]+/u)
    .map(normaliseNameToken)
    .filter((w) => w.length > 0);
  while (words.length > 0 && TITLES.has(words[0]!)) words.shift();
  return words;
}

/** A name key: the first forename and the whole surname, "jane smith", "jane lloydjones". */
export function nameKey(forename: string, surname: string): string {
  return `${forename} ${surname}`;
}

/** Name keys of a record with separate forename and surname fields: first forename, whole surname. */
export function nameKeysFromParts(forenames: string, surname: string): string[] {
  const f = nameWords(forenames)[0];
  const s = nameWords(surname).join('');
  return f && s ? [nameKey(f, s)] : [];
}

/**
 * Name keys of a full-name field: "Jane Smith", "Mrs Jane Mary Smith", "SMITH, Jane",
 * "SMITH Jane" (a surname in capitals first). Without a comma the surname may be the last word
 * or every word after the forename ("Jane Lloyd Jones"), so both keys are kept.
 */
export function nameKeysFromFullName(full: string): string[] {
  const comma = full.indexOf(',');
  if (comma >= 0) return nameKeysFromParts(full.slice(comma + 1), full.slice(0, comma));
  const raw = full.split(/\s+/u).filter((w) => normaliseNameToken(w).length > 0);
  while (raw.length > 0 && TITLES.has(normaliseNameToken(raw[0]!))) raw.shift();
  const words = raw.map(normaliseNameToken);
  if (words.length < 2) return [];
  const keys = new Set<string>();
  const upper = (w: string) => w === w.toUpperCase() && w !== w.toLowerCase();
  if (upper(raw[0]!) && raw.slice(1).some((w) => !upper(w))) keys.add(nameKey(words[1]!, words[0]!));
  keys.add(nameKey(words[0]!, words.slice(1).join('')));
  keys.add(nameKey(words[0]!, words[words.length - 1]!));
  return [...keys];
}

export const MONTH_SOURCE =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])';
const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

export function monthNumber(name: string): number {
  return MONTHS[name.slice(0, 3).toLowerCase()] ?? 0;
}

/** yyyy-mm-dd for a real calendar date, else null. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A two-digit year in the last hundred years (a birth is never in the future). */
export function fullYear(text: string, now: Date): number {
  const digits = text.replace(/['’]/u, '');
  if (digits.length !== 2) return Number(digits);
  const yy = Number(digits);
  const year = now.getUTCFullYear();
  const century = Math.floor(year / 100) * 100;
  return century + yy > year ? century - 100 + yy : century + yy;
}

const DOB_DMY = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$/;
const DOB_YMD = /^(\d{4})([/.-])(\d{1,2})\2(\d{1,2})$/;
const DOB_COMPACT = /^(\d{8})$/;
const DOB_TEXT_DMY = new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)?[\\s/.-]{0,3}(?:of\\s{1,3})?${MONTH_SOURCE}\\.?[\\s/.,-]{0,3}(\\d{4}|['’]?\\d{2})$`, 'iu');
const DOB_TEXT_MDY = new RegExp(`^${MONTH_SOURCE}\\.?\\s{1,3}(\\d{1,2})(?:st|nd|rd|th)?,?\\s{1,3}(\\d{4})$`, 'iu');
/** A time after the date, as spreadsheets export it ("12/03/1967 00:00", "1967-03-12T00:00:00Z"). */
const TRAILING_TIME = /[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:\s?[ap]m)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A date of birth as a calendar date "yyyy-mm-dd", from the formats UK practice systems and
 * spreadsheets export: 12/03/1967, 12-03-1967, 12.03.67, 1967-03-12, 19670312, 12 Mar 1967,
 * 12th March 1967, 12-MAR-1967, March 12, 1967, with or without a time after it. Numeric dates
 * are day first (UK); a date in the future is refused. Null when it is not a date.
 */
export function normaliseDob(value: string, now: Date = new Date()): string | null {
  const text = value.trim().replace(TRAILING_TIME, '').trim();
  if (text.length > 40) return null;
  let iso: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = DOB_DMY.exec(text))) iso = isoDate(fullYear(m[4]!, now), Number(m[3]), Number(m[1]));
  else if ((m = DOB_YMD.exec(text))) iso = isoDate(Number(m[1]), Number(m[3]), Number(m[4]));
  else if ((m = DOB_COMPACT.exec(text))) {
    const s = m[1]!;
    iso = /^(?:18|19|20)/.test(s) ? isoDate(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8))) : null;
    iso ??= isoDate(Number(s.slice(4, 8)), Number(s.slice(2, 4)), Number(s.slice(0, 2)));
  } else if ((m = DOB_TEXT_DMY.exec(text))) iso = isoDate(fullYear(m[3]!, now), monthNumber(m[2]!), Number(m[1]));
  else if ((m = DOB_TEXT_MDY.exec(text))) iso = isoDate(Number(m[3]), monthNumber(m[1]!), Number(m[2]));
  if (iso === null) return null;
  return iso > now.toISOString().slice(0, 10) ? null : iso;
}

/**
 * An NHS, CHI or H&C number as ten digits (spaces, dashes and dots removed), when it has a
 * valid check digit (modulus 11, or CHI's modulus 10 alternative); else null.
 */
export function normaliseHealthNumber(value: string): string | null {
  const digits = value.trim().replace(/[ \u00a0.-]/g, '');
  if (!/^\d{10}$/.test(digits)) return null;
  return nhsCheckDigitValid(digits) || chiValid(digits) ? digits : null;
}

// ---------------------------------------------------------------------------------------------
// Keyed hashing and the index
// ---------------------------------------------------------------------------------------------

/** The entry for a health number (ten digits). */
export function numberEntry(digits: string): string {
  return `number:${digits}`;
}

/** The entry for a name key together with a date of birth (yyyy-mm-dd). */
export function nameDobEntry(key: string, dob: string): string {
  return `name_dob:${key}|${dob}`;
}

/** The stored form of an entry: HMAC-SHA-256 under the installation's secret, lowercase hex. */
export function patientHash(secret: Buffer, entry: string): string {
  return createHmac('sha256', secret).update(entry, 'utf8').digest('hex');
}
