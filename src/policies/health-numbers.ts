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
export interface Checks {
  /** NHS modulus 11 check digit valid (all-same digits excluded). */
  readonly mod11: boolean;
  /** CHI: date prefix valid and a check digit valid by modulus 11 or modulus 10. */
  readonly chi: boolean;
  readonly chiMethod: 'mod11' | 'mod10' | null;
  /** H&C: modulus 11 valid and stem in the H&C range. */
  readonly hc: boolean;
}

export function checksOf(digits: string): Checks {
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
