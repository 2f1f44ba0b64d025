import type { Rng } from './random.js';

/** Modulus 11 over nine digits, weights 10..2: the NHS, CHI (classic) and H&C check digit; null when 10 (invalid). */
export function mod11Check(nine: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** The CHI modulus 10 alternative (from February 2026): double digits 9, 7, 5, 3, 1. */
export function mod10Check(nine: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(nine[i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function passesMod11(ten: string): boolean {
  return /^\d{10}$/.test(ten) && mod11Check(ten.slice(0, 9)) === Number(ten[9]);
}

function allSame(s: string): boolean {
  return /^(\d)\1*$/.test(s);
}

/** A valid NHS number. First digit 4, 6, 7 or 9 so it can never read as a CHI date or an H&C stem. */
export function nhsNumber(rng: Rng): string {
  for (;;) {
    const nine = String(rng.pick([4, 4, 4, 6, 7, 9])) + rng.digits(8);
    const check = mod11Check(nine);
    if (check !== null && !allSame(nine + String(check))) return nine + String(check);
  }
}

/** A valid Northern Ireland H&C number: stem 320000001..399999999, NHS check digit. */
export function hcNumber(rng: Rng): string {
  for (;;) {
    const stem = rng.int(320000001, 399999999);
    const nine = String(stem);
    const check = mod11Check(nine);
    if (check !== null) return nine + String(check);
  }
}

export interface SimpleDate {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

/**
 * A valid CHI number for a date of birth: DDMMYY, two serial digits, a sex digit (odd male,
 * even female) and the check digit. `scheme` picks the classic modulus 11 check or the
 * modulus 10 alternative (then chosen so the number fails modulus 11, to exercise the new rule).
 */
export function chiNumber(rng: Rng, dob: SimpleDate, female: boolean, scheme: 'mod11' | 'mod10'): string {
  const ddmmyy = pad2(dob.d) + pad2(dob.m) + pad2(dob.y % 100);
  for (;;) {
    const sexDigit = female ? rng.pick([0, 2, 4, 6, 8]) : rng.pick([1, 3, 5, 7, 9]);
    const nine = ddmmyy + rng.digits(2) + String(sexDigit);
    if (scheme === 'mod11') {
      const check = mod11Check(nine);
      if (check !== null) return nine + String(check);
    } else {
      const ten = nine + String(mod10Check(nine));
      if (!passesMod11(ten)) return ten;
    }
  }
}

/** A 10-digit number that passes (or fails) the modulus 11 check: an invoice or order number look-alike. */
export function lookalike10(rng: Rng, passes: boolean, firstDigits?: string): string {
  for (;;) {
    const prefix = firstDigits ?? String(rng.int(1, 9));
    const ten = prefix + rng.digits(10 - prefix.length);
    if (allSame(ten)) continue;
    if (passesMod11(ten) === passes) return ten;
  }
}

/** A 10-digit number whose first six digits are a valid DDMMYY date and which passes modulus 11: a CHI look-alike. */
export function chiLookalike(rng: Rng): string {
  for (;;) {
    const d = randomDate(rng, 1940, 2024);
    const ten = `${pad2(d.d)}${pad2(d.m)}${pad2(d.y % 100)}${rng.digits(4)}`;
    if (passesMod11(ten)) return ten;
  }
}

export type NumberStyle = 'plain' | 'space' | 'dash' | 'dot';

/** 3-3-4 grouping (or plain) of a 10-digit number. */
export function format334(ten: string, style: NumberStyle): string {
  if (style === 'plain') return ten;
  const sep = style === 'space' ? ' ' : style === 'dash' ? '-' : '.';
  return `${ten.slice(0, 3)}${sep}${ten.slice(3, 6)}${sep}${ten.slice(6)}`;
}

/** CHI numbers are usually written plain or as DDMMYY NNNN. */
export function formatChi(ten: string, style: 'plain' | 'split' | 'space334'): string {
  if (style === 'plain') return ten;
  if (style === 'split') return `${ten.slice(0, 6)} ${ten.slice(6)}`;
  return format334(ten, 'space');
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function randomDate(rng: Rng, fromYear: number, toYear: number): SimpleDate {
  const y = rng.int(fromYear, toYear);
  const m = rng.int(1, 12);
  return { y, m, d: rng.int(1, daysInMonth(y, m)) };
}

export function isoDate(d: SimpleDate): string {
  return `${d.y}-${pad2(d.m)}-${pad2(d.d)}`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

export type DateStyle =
  | 'dmy_slash' // 12/03/1967
  | 'dmy_slash_short' // 12/3/1967
  | 'dmy_dot2' // 12.03.67
  | 'dmy_dash' // 12-03-1967
  | 'd_mon_y' // 12 Mar 1967
  | 'd_month_y' // 12 March 1967
  | 'dth_month_y' // 12th March 1967
  | 'month_d_y' // March 12, 1967
  | 'iso' // 1967-03-12
  | 'compact'; // 19670312

export const DOB_STYLES: readonly DateStyle[] = ['dmy_slash', 'dmy_slash', 'dmy_slash', 'dmy_slash_short', 'dmy_dot2', 'dmy_dash', 'd_mon_y', 'd_month_y', 'dth_month_y', 'month_d_y', 'iso', 'compact'];

export function formatDate(d: SimpleDate, style: DateStyle): string {
  const month = MONTHS[d.m - 1] ?? 'January';
  switch (style) {
    case 'dmy_slash':
      return `${pad2(d.d)}/${pad2(d.m)}/${d.y}`;
    case 'dmy_slash_short':
      return `${d.d}/${d.m}/${d.y}`;
    case 'dmy_dot2':
      return `${pad2(d.d)}.${pad2(d.m)}.${pad2(d.y % 100)}`;
    case 'dmy_dash':
      return `${pad2(d.d)}-${pad2(d.m)}-${d.y}`;
    case 'd_mon_y':
      return `${d.d} ${month.slice(0, 3)} ${d.y}`;
    case 'd_month_y':
      return `${d.d} ${month} ${d.y}`;
    case 'dth_month_y':
      return `${ordinal(d.d)} ${month} ${d.y}`;
    case 'month_d_y':
      return `${month} ${d.d}, ${d.y}`;
    case 'iso':
      return isoDate(d);
    case 'compact':
      return `${d.y}${pad2(d.m)}${pad2(d.d)}`;
  }
}

export function weekday(d: SimpleDate): string {
  return WEEKDAYS[new Date(Date.UTC(d.y, d.m - 1, d.d)).getUTCDay()] ?? 'Monday';
}

export function addDays(d: SimpleDate, days: number): SimpleDate {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Age in whole years on `on`. */
export function ageOn(dob: SimpleDate, on: SimpleDate): number {
  let age = on.y - dob.y;
  if (on.m < dob.m || (on.m === dob.m && on.d < dob.d)) age--;
  return age;
}

// ---- postcodes --------------------------------------------------------------------------

const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/** Towns with their outward codes, by region; together they cover every UK format: A9, A99, A9A, AA9, AA99, AA9A. */
export const TOWNS = {
  yorkshire: [
    ['Leeds', ['LS6', 'LS7', 'LS8', 'LS11', 'LS12', 'LS15', 'LS17']],
    ['Headingley, Leeds', ['LS6']],
    ['Horsforth, Leeds', ['LS18']],
    ['Pudsey', ['LS28']],
    ['Morley', ['LS27']],
    ['Bradford', ['BD7', 'BD10', 'BD18']],
    ['Wakefield', ['WF1', 'WF2']],
    ['Castleford', ['WF10']],
    ['Harrogate', ['HG2']],
    ['York', ['YO1', 'YO24']],
    ['Halifax', ['HX1']],
    ['Huddersfield', ['HD1']],
    ['Sheffield', ['S6', 'S10']],
    ['Doncaster', ['DN4']],
    ['Hull', ['HU5']],
  ],
  elsewhere: [
    ['Manchester', ['M1', 'M14']],
    ['Birmingham', ['B5', 'B15']],
    ['Liverpool', ['L8', 'L18']],
    ['London', ['N17', 'E1', 'W1A', 'E1W', 'N1C', 'W1D', 'SW1A', 'EC1V', 'WC2H', 'EC2A', 'SW19', 'SE15']],
    ['Newcastle upon Tyne', ['NE1', 'NE15']],
    ['Bristol', ['BS8']],
    ['Cardiff', ['CF10', 'CF5']],
    ['Oxford', ['OX4']],
    ['Cambridge', ['CB2']],
  ],
  scotland: [
    ['Edinburgh', ['EH3', 'EH10', 'EH11']],
    ['Glasgow', ['G4', 'G12', 'G41']],
    ['Aberdeen', ['AB10', 'AB25']],
    ['Dundee', ['DD1']],
    ['St Andrews', ['KY16']],
    ['Inverness', ['IV2']],
    ['Perth', ['PH1']],
    ['Stirling', ['FK8']],
  ],
  northernIreland: [
    ['Belfast', ['BT4', 'BT5', 'BT7', 'BT9', 'BT12', 'BT15']],
    ['Lisburn', ['BT28']],
    ['Bangor', ['BT20']],
    ['Derry/Londonderry', ['BT48']],
    ['Armagh', ['BT60']],
    ['Dungannon', ['BT71']],
  ],
} as const satisfies Record<string, readonly (readonly [string, readonly string[]])[]>;

export type Region = keyof typeof TOWNS;

export const PRACTICE_POSTCODE = 'LS1 4AB';

/** A town and a postcode in it. */
export function townAndPostcode(rng: Rng, region: Region): { town: string; postcode: string } {
  const [town, outwards] = rng.pick<readonly [string, readonly string[]]>(TOWNS[region]);
  for (;;) {
    const code = `${rng.pick(outwards)} ${rng.int(0, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
    if (code !== PRACTICE_POSTCODE) return { town, postcode: code };
  }
}

export type PostcodeStyle = 'normal' | 'nospace' | 'lower';

export function formatPostcode(pc: string, style: PostcodeStyle): string {
  if (style === 'nospace') return pc.replace(' ', '');
  if (style === 'lower') return pc.toLowerCase();
  return pc;
}

// ---- phones (Ofcom drama ranges only) ----------------------------------------------------

export const PRACTICE_PHONE = '0113 496 0123';

/** A mobile in the 07700 900xxx drama range, as 11 national digits. */
export function mobile(rng: Rng): string {
  return `07700900${String(rng.int(0, 999)).padStart(3, '0')}`;
}

/** A landline in a drama range, as national digits. */
export function landline(rng: Rng, area: '0113' | '0161' | '020' | '0141' | '0131' | '028'): string {
  for (;;) {
    const n = String(rng.int(0, 999)).padStart(3, '0');
    let digits: string;
    if (area === '020') digits = `02079460${n}`;
    else if (area === '028') digits = `02896496${n}`;
    else digits = `${area}4960${n}`;
    if (digits !== '01134960123') return digits;
  }
}

export type PhoneStyle = 'spaced' | 'plain' | 'intl' | 'brackets';

/** Writes national digits the way people do: "07700 900123", "07700900123", "+44 7700 900123", "(0113) 496 0123". */
export function formatPhone(digits: string, style: PhoneStyle): string {
  const mobileLike = digits.startsWith('07');
  const london = digits.startsWith('020') || digits.startsWith('028');
  let groups: string[];
  if (mobileLike) groups = [digits.slice(0, 5), digits.slice(5)];
  else if (london) groups = [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)];
  else groups = [digits.slice(0, 4), digits.slice(4, 7), digits.slice(7)];
  switch (style) {
    case 'plain':
      return digits;
    case 'spaced':
      return groups.join(' ');
    case 'intl':
      return `+44 ${(groups[0] ?? '').slice(1)} ${groups.slice(1).join(' ')}`;
    case 'brackets':
      return mobileLike ? groups.join(' ') : `(${groups[0] ?? ''}) ${groups.slice(1).join(' ')}`;
  }
}
