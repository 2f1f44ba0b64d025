import { nameDobEntry, nameKeysFromFullName, nameKeysFromParts, normaliseDob, normaliseHealthNumber, numberEntry, patientHash } from './patient-entries.js';

/* Reading the practice system's CSV export for `mouthguard patients import`: only hashes leave here. */


/**
 * Bytes of an exported file as text: a UTF-8, UTF-16LE or UTF-16BE byte order mark is honoured
 * and removed; without one, UTF-8 if it is valid, else Windows-1252 (older practice systems).
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** The delimiter of a CSV file: whichever of comma, semicolon and tab its first line has most of, outside quotes. */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

/**
 * RFC 4180 records: fields separated by `delimiter`, records by CRLF, LF or CR; a field in
 * double quotes may hold delimiters, line breaks and doubled quotes. Lenient as spreadsheets
 * are: a quote inside an unquoted field is a character, text after a closing quote is kept.
 * Blank lines come back as records with one empty field. An unterminated quote is an error.
 */
export function parseCsv(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field.trim() === '') {
      // A quoted field: up to the closing quote, "" standing for one quote.
      const opened = records.length + 1;
      field = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new CsvFormatError(`row ${opened}: a quoted field is never closed`);
        field += text.slice(i, close);
        if (text[close + 1] === '"') {
          field += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      continue;
    }
    if (c === delimiter) {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      // Up to the next delimiter, line break or quote in one slice.
      let blank = field.trim() === '' && (c === ' ' || c === '\t');
      let j = i + 1;
      while (j < n) {
        const d = text[j]!;
        if (d === delimiter || d === '\n' || d === '\r' || (d === '"' && blank)) break;
        blank &&= d === ' ' || d === '\t';
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export type PatientColumn = 'forename' | 'surname' | 'name' | 'dob' | 'number';

const COLUMN_NAMES: Record<PatientColumn, readonly string[]> = {
  forename: ['forename', 'forenames', 'firstname', 'firstnames', 'givenname', 'givennames', 'christianname', 'first'],
  surname: ['surname', 'lastname', 'familyname', 'last'],
  name: ['name', 'patient', 'patientname', 'fullname', 'patientfullname'],
  dob: ['dob', 'dateofbirth', 'birthdate', 'birthdate', 'dateofbirthddmmyyyy', 'born'],
  number: [
    'nhsnumber', 'nhsno', 'nhs', 'nhsnum', 'nhsnumb', 'chi', 'chinumber', 'chino', 'chinum',
    'h&c', 'h&cnumber', 'h&cno', 'hcnumber', 'hcno', 'handc', 'hcn', 'healthandcarenumber', 'health&carenumber', 'healthandcareno', 'health&careno',
  ],
};

/** The role of a column from its header ("First name", "Patient Surname", "D.O.B.", "NHS No."), or null. */
export function columnRole(header: string): PatientColumn | null {
  let key = header.toLowerCase().replace(/[^a-z0-9&]/g, '');
  if (key.startsWith('patients') && key.length > 8) key = key.slice(8);
  else if (key.startsWith('patient') && key.length > 7) key = key.slice(7);
  for (const role of Object.keys(COLUMN_NAMES) as PatientColumn[]) {
    if (COLUMN_NAMES[role].includes(key)) return role;
  }
  return null;
}

export interface RowProblem {
  /** The row number as a spreadsheet shows it (the header is row 1). */
  readonly row: number;
  /** Why, never a value from the row. */
  readonly reason: string;
}

export interface PatientCsvImport {
  /** The roles of the recognised columns, in file order. */
  readonly columns: readonly PatientColumn[];
  /** Data rows read (blank rows not counted). */
  readonly rowsRead: number;
  /** Rows that gave at least one entry. */
  readonly recordsStored: number;
  /** Rows that gave nothing, with why. */
  readonly skipped: readonly RowProblem[];
  /** Rows used, but with a field that could not be (a number, a date). */
  readonly partial: readonly RowProblem[];
  /** The distinct keyed hashes to store. */
  readonly hashes: readonly string[];
}

const EXPECTED_COLUMNS =
  'expected a header row naming the columns: Forename/First name and Surname/Last name (or Name), DOB/Date of birth, NHS number/CHI/H&C';

/**
 * Reads the practice system's CSV export (header row first) into keyed hashes. Throws
 * CsvFormatError when the file cannot be read as a patient list; the message never quotes the
 * file's contents, nor does any reason in the report.
 */
export function importPatientCsv(text: string, secret: Buffer, now: Date = new Date()): PatientCsvImport {
  const records = parseCsv(text, detectDelimiter(text.replace(/^(?:[ \t]*\r?\n)+/, '')));
  const headerIndex = records.findIndex((r) => r.some((f) => f.trim() !== ''));
  if (headerIndex < 0) throw new CsvFormatError('the file is empty');
  const roles = records[headerIndex]!.map(columnRole);
  const has = (role: PatientColumn) => roles.includes(role);
  const named = has('name') || (has('forename') && has('surname'));
  if (!has('number') && !(named && has('dob'))) throw new CsvFormatError(`no usable columns: ${EXPECTED_COLUMNS}`);
  const hashes = new Set<string>();
  const skipped: RowProblem[] = [];
  const partial: RowProblem[] = [];
  let rowsRead = 0;
  let recordsStored = 0;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const fields = records[r]!;
    if (fields.every((f) => f.trim() === '')) continue;
    rowsRead++;
    const row = r + 1;
    const cell = (role: PatientColumn): string[] => roles.flatMap((x, i) => (x === role && fields[i]?.trim() ? [fields[i].trim()] : []));
    const problems: string[] = [];
    const entries: string[] = [];

    for (const raw of cell('number')) {
      const digits = normaliseHealthNumber(raw);
      if (digits) entries.push(numberEntry(digits));
      else problems.push('the NHS/CHI/H&C number is not 10 digits with a valid check digit');
    }
    const keys = new Set<string>();
    const [forename] = cell('forename');
    const [surname] = cell('surname');
    if (forename && surname) nameKeysFromParts(forename, surname).forEach((k) => keys.add(k));
    for (const full of cell('name')) nameKeysFromFullName(full).forEach((k) => keys.add(k));
    const [dobText] = cell('dob');
    const dob = dobText ? normaliseDob(dobText, now) : null;
    if (dobText && !dob) problems.push('the date of birth is not a recognised date (day first: dd/mm/yyyy, yyyy-mm-dd, d Mon yyyy)');
    if (named && keys.size === 0) problems.push('no forename and surname');
    if (has('dob') && !dobText) problems.push('no date of birth');
    if (dob) for (const key of keys) entries.push(nameDobEntry(key, dob));

    if (entries.length === 0) {
      skipped.push({ row, reason: problems.length ? problems.join('; ') : 'nothing usable' });
      continue;
    }
    recordsStored++;
    for (const entry of entries) hashes.add(patientHash(secret, entry));
    if (problems.length) partial.push({ row, reason: problems.join('; ') });
  }
  return { columns: roles.filter((x): x is PatientColumn => x !== null), rowsRead, recordsStored, skipped, partial, hashes: [...hashes] };
}
