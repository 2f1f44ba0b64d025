import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { EMPTY_CONTEXT, type TextUnit } from '../../../src/policies/detector.js';
import { columnRole, CsvFormatError, decodeCsvBytes, detectDelimiter, importPatientCsv, parseCsv } from '../../../src/policies/patient-csv.js';
import {
  nameDobEntry,
  nameKeysFromFullName,
  nameKeysFromParts,
  normaliseDob,
  normaliseHealthNumber,
  normaliseNameToken,
  numberEntry,
  patientHash,
} from '../../../src/policies/patient-entries.js';
import { loadPatientList, PatientIndex, patientIndexOf, patientListDetector } from '../../../src/policies/patient-list.js';
import { defaultDetectors } from '../../../src/policies/registry.js';

const SECRET = Buffer.alloc(32, 0x5a);
const NOW = new Date('2025-06-01T12:00:00Z');
const NHS = '943 476 5919';
const OTHER_NHS = '401 023 2137'; // valid check digit, not on the list
const CHI = '120367 1237';

const LIST_CSV = [
  'Title,Forename,Surname,Date of birth,NHS number',
  `Mrs,Jane,Smith,12/03/1967,${NHS}`,
  'Mr,Gareth,Lloyd Jones,1980-07-01,',
  'Ms,Zoë,O’Brien,05.11.92,',
  'Mr,Tom,Brown,,', // nothing usable: skipped
  '',
].join('\r\n');

function indexOf(csv: string, secret = SECRET): PatientIndex {
  return new PatientIndex(secret, new Set(importPatientCsv(csv, secret, NOW).hashes));
}

const INDEX = indexOf(LIST_CSV);
const detect = patientListDetector(INDEX, { now: () => NOW });

function run(text: string, tabular = false, index?: PatientIndex): Finding[] {
  const unit: TextUnit = { location: 'body:text', text, tabular };
  return (index ? patientListDetector(index, { now: () => NOW }) : detect)(unit, EMPTY_CONTEXT);
}

function values(text: string, tabular = false): string[] {
  return run(text, tabular).map((f) => f.value);
}

describe('patient list: normalisation', () => {
  it.each([
    ['Jane', 'jane'],
    ['SMITH', 'smith'],
    ["O'Brien", 'obrien'],
    ['O’Brien', 'obrien'],
    ['Smith-Jones', 'smithjones'],
    ['Zoë', 'zoe'],
    ['Seán', 'sean'],
    ["Smith's", 'smith'],
    ['J.', 'j'],
  ])('name word %j → %j', (raw, expected) => {
    expect(normaliseNameToken(raw)).toBe(expected);
  });

  it('separate fields: the first forename and the whole surname, titles removed', () => {
    expect(nameKeysFromParts('Jane Mary', 'Smith')).toEqual(['jane smith']);
    expect(nameKeysFromParts('Mrs Jane', 'Lloyd Jones')).toEqual(['jane lloydjones']);
    expect(nameKeysFromParts('  ', 'Smith')).toEqual([]);
    expect(nameKeysFromParts('Jane', '')).toEqual([]);
  });

  it.each([
    ['Jane Smith', ['jane smith']],
    ['Mrs Jane Smith', ['jane smith']],
    ['SMITH, Jane', ['jane smith']],
    ['Smith, Mrs Jane Mary', ['jane smith']],
    ['SMITH Jane', ['jane smith', 'smith jane']],
    ['Jane Mary Smith', ['jane marysmith', 'jane smith']],
    ['Jane', []],
    ['Mrs Smith', []],
  ])('full name %j', (full, keys) => {
    expect(nameKeysFromFullName(full).sort()).toEqual([...keys].sort());
  });

  it.each([
    '12/03/1967',
    '12-03-1967',
    '12.03.1967',
    '12/3/1967',
    '12/03/67',
    '12.03.67',
    '1967-03-12',
    '1967/03/12',
    '19670312',
    '12031967',
    '12 Mar 1967',
    '12 March 1967',
    '12th March 1967',
    '12-MAR-1967',
    '12-Mar-67',
    'March 12, 1967',
    'Mar 12th 1967',
    '12/03/1967 00:00',
    '12/03/1967 00:00:00',
    '1967-03-12T00:00:00Z',
    '  12/03/1967  ',
  ])('date of birth %j → 1967-03-12', (text) => {
    expect(normaliseDob(text, NOW)).toBe('1967-03-12');
  });

  it.each(['31/02/1967', '29/02/1967', '12/13/1967', '1967-13-01', '12/03/2030', 'not known', '', '12/03', '1234567890'])(
    'not a date of birth: %j',
    (text) => {
      expect(normaliseDob(text, NOW)).toBeNull();
    },
  );

  it('numeric dates are read day first; two-digit years are never in the future', () => {
    expect(normaliseDob('03/12/1967', NOW)).toBe('1967-12-03');
    expect(normaliseDob('29/02/2000', NOW)).toBe('2000-02-29');
    expect(normaliseDob('01/01/24', NOW)).toBe('2024-01-01');
    expect(normaliseDob('01/01/26', NOW)).toBe('1926-01-01');
  });

  it.each([
    ['943 476 5919', '9434765919'],
    ['943-476-5919', '9434765919'],
    ['943.476.5919', '9434765919'],
    ['9434765919', '9434765919'],
    [CHI, '1203671237'],
  ])('health number %j → %j', (raw, digits) => {
    expect(normaliseHealthNumber(raw)).toBe(digits);
  });

  it.each(['943 476 5918', '1234567890', '0000000000', '943 476 591', 'unknown'])('not a health number: %j', (raw) => {
    expect(normaliseHealthNumber(raw)).toBeNull();
  });
});

describe('patient list: keyed hashing', () => {
  it('is HMAC-SHA-256 in lowercase hex (RFC 4231 test case 2)', () => {
    expect(patientHash(Buffer.from('Jefe'), 'what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('hashes the normalised entries under the secret', () => {
    expect(numberEntry('9434765919')).toBe('number:9434765919');
    expect(nameDobEntry('jane smith', '1967-03-12')).toBe('name_dob:jane smith|1967-03-12');
    const expected = createHmac('sha256', SECRET).update('name_dob:jane smith|1967-03-12').digest('hex');
    expect(patientHash(SECRET, nameDobEntry('jane smith', '1967-03-12'))).toBe(expected);
  });

  it('another secret gives other hashes: the list cannot be compared across installations', () => {
    const a = importPatientCsv(LIST_CSV, SECRET, NOW).hashes;
    const b = importPatientCsv(LIST_CSV, Buffer.alloc(32, 1), NOW).hashes;
    expect(a.length).toBe(b.length);
    expect(a.filter((h) => b.includes(h))).toEqual([]);
  });

  it('stores a number and a name with its date of birth, never a name or a date alone', () => {
    const { hashes } = importPatientCsv('Forename,Surname,DOB,NHS No\nJane,Smith,12/03/1967,943 476 5919\n', SECRET, NOW);
    const expected = [numberEntry('9434765919'), nameDobEntry('jane smith', '1967-03-12')].map((e) => patientHash(SECRET, e));
    expect([...hashes].sort()).toEqual(expected.sort());
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the index hides its secret', () => {
    expect(JSON.stringify(INDEX)).not.toContain(SECRET.toString('hex'));
    expect(JSON.stringify(INDEX)).toBe(JSON.stringify({ size: INDEX.size }));
    expect(INDEX.has(numberEntry('9434765919'))).toBe(true);
    expect(INDEX.has(numberEntry('4010232137'))).toBe(false);
  });
});

describe('patient list: the detector', () => {
  it('finds "Jane Smith, DOB 12/03/1967" when Jane Smith born 1967-03-12 is on the list', () => {
    const text = 'Re: our patient Jane Smith, DOB 12/03/1967, attended today.';
    const found = run(text);
    expect(found.map((f) => f.value).sort()).toEqual(['12/03/1967', 'Jane Smith']);
    for (const f of found) {
      expect(f.kind).toBe('patient_list_match');
      expect(f.confidence).toBe(0.99);
      expect(f.location).toBe('body:text');
      expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
      expect(f.why).toBe('matches the practice patient list (name and date of birth)');
    }
  });

  it('finds the NHS number alone, however it is written', () => {
    for (const written of [NHS, '9434765919', '943-476-5919', '943.476.5919']) {
      const text = `Please see ref ${written} attached.`;
      const found = run(text);
      expect(found, written).toHaveLength(1);
      expect(found[0]).toMatchObject({ kind: 'patient_list_match', value: written, confidence: 0.99, offset: text.indexOf(written) });
      expect(found[0]!.why).toBe('matches the practice patient list (NHS/CHI/H&C number)');
    }
  });

  it.each([
    ['the name alone', 'Jane Smith came in today.'],
    ['the name with another date of birth', 'Jane Smith, DOB 13/03/1967'],
    ['the name with the date of birth read the other way round', 'Jane Smith, DOB 1967-12-03'],
    ['the date of birth alone', 'DOB 12/03/1967'],
    ['another patient with that date of birth', 'John Smith, DOB 12/03/1967'],
    ['an initial for the forename', 'Mrs J. Smith, DOB 12/03/1967'],
    ['the surname alone', 'Mrs Smith, DOB 12/03/1967'],
    ['another valid NHS number', `NHS number ${OTHER_NHS}`],
    ['the NHS number with a digit more', 'ref 19434765919'],
    ['a name and a date far apart', `Jane Smith\n\n\n\n\nborn 12/03/1967`],
    ['a name and a date more than 200 characters apart', `Jane Smith ${'x'.repeat(220)} 12/03/1967`],
  ])('no finding: %s', (_why, text) => {
    expect(run(text)).toEqual([]);
  });

  it.each([
    ['comma, surname first', 'SMITH, Jane (12/03/1967)', ['SMITH, Jane', '12/03/1967']],
    ['capitals', 'JANE SMITH 12.03.67', ['JANE SMITH', '12.03.67']],
    ['a title and a written date', 'Re: Mrs Jane Smith (DOB 12th March 1967)', ['Jane Smith', '12th March 1967']],
    ['a middle name', 'Patient: Jane Mary Smith, born 1967-03-12', ['Jane Mary Smith', '1967-03-12']],
    ['the date on the next line', 'Name: Jane Smith\nD.O.B.: 12/03/1967', ['Jane Smith', '12/03/1967']],
    ['the date before the name', 'DOB 12/03/1967 Name Jane Smith', ['Jane Smith', '12/03/1967']],
    ['a two-word surname', 'Gareth Lloyd Jones (01/07/1980)', ['Gareth Lloyd Jones', '01/07/1980']],
    ['a hyphenated surname written with one', 'Gareth Lloyd-Jones (1 Jul 1980)', ['Gareth Lloyd-Jones', '1 Jul 1980']],
    ['accents and apostrophes', "Zoe O'Brien 05/11/1992", ["Zoe O'Brien", '05/11/1992']],
    ['US order', 'Jane Smith, March 12, 1967', ['Jane Smith', 'March 12, 1967']],
    ['a CSV row', 'Jane,Smith,12/03/1967,Leeds', ['Jane,Smith', '12/03/1967']],
    ['quoted CSV cells', '"Smith";"Jane";"12/03/1967"', ['Smith";"Jane', '12/03/1967']],
  ])('finds %s', (_why, text, expected) => {
    expect(values(text).sort()).toEqual([...expected].sort());
  });

  it('a CHI number from the list is found', () => {
    const index = indexOf(`CHI Number\n${CHI}\n`);
    expect(run(`CHI: ${CHI}`, false, index).map((f) => f.value)).toEqual([CHI]);
  });

  it('in a table, a date of birth counts on the name’s own row only', () => {
    const table = 'Forename,Surname,DOB\nJane,Smith,01/01/1990\nJohn,Brown,12/03/1967\n';
    expect(values(table, true)).toEqual([]);
    expect(values('Forename,Surname,DOB\nJane,Smith,12/03/1967\n', true).sort()).toEqual(['12/03/1967', 'Jane,Smith']);
  });

  it('a record imported without a date of birth never matches by name', () => {
    const index = indexOf('Name,DOB,NHS No\nJane Smith,,943 476 5919\n');
    expect(run('Jane Smith, DOB 12/03/1967', false, index)).toEqual([]);
    expect(run('Jane Smith', false, index)).toEqual([]);
    expect(run(`NHS ${NHS}`, false, index)).toHaveLength(1);
  });

  it('an empty index finds nothing, and the registry leaves the detector out', () => {
    const empty = new PatientIndex(SECRET, new Set());
    expect(run(`Jane Smith, DOB 12/03/1967, NHS ${NHS}`, false, empty)).toEqual([]);
    const limits = { maxTextChars: 1000, maxAttachmentBytes: 1000, pdfTimeoutMs: 1000 };
    expect(defaultDetectors(limits, empty).text.length).toBe(defaultDetectors(limits).text.length);
    expect(defaultDetectors(limits, INDEX).text.length).toBe(defaultDetectors(limits).text.length + 1);
  });

  it('the registry runs it: a list match among the default detectors', () => {
    const set = defaultDetectors({ maxTextChars: 1000, maxAttachmentBytes: 1000, pdfTimeoutMs: 1000 }, INDEX);
    const unit: TextUnit = { location: 'subject', text: `Jane Smith 12/03/1967 ${NHS}` };
    const kinds = set.text.flatMap((d) => d(unit, EMPTY_CONTEXT)).filter((f) => f.kind === 'patient_list_match');
    expect(kinds.map((f) => f.value).sort()).toEqual([NHS, '12/03/1967', 'Jane Smith'].sort());
  });

  it('finishes on 1 MB adversarial inputs (names and dates everywhere, digits, long words)', () => {
    const inputs = [
      'Ab Cd 1/1/1970 '.repeat(70_000),
      'Jane Smith Jones Brown '.repeat(45_000),
      '12/03/1967 '.repeat(95_000),
      '1234567890 '.repeat(95_000),
      '9'.repeat(1_000_000),
      'A'.repeat(1_000_000),
      'Aa, '.repeat(250_000),
      ('Jane Smith 12/03/1967\n').repeat(45_000),
      'Mrs '.repeat(250_000),
    ];
    for (const text of inputs) {
      expect(Array.isArray(run(text.slice(0, 1_000_000)))).toBe(true);
      expect(Array.isArray(run(text.slice(0, 1_000_000), true))).toBe(true);
    }
  });
});

describe('patient list: reading the CSV export', () => {
  it('parses quoted fields with delimiters, doubled quotes and line breaks; CRLF, LF and CR', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n"multi\r\nline",x\ny,z\rlast,row', ',')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['multi\r\nline', 'x'],
      ['y', 'z'],
      ['last', 'row'],
    ]);
    expect(parseCsv('a;b\n\n"c";"";d\n', ';')).toEqual([['a', 'b'], [''], ['c', '', 'd']]);
    expect(parseCsv('a, "b, c" ,d', ',')).toEqual([['a', 'b, c ', 'd']]);
    expect(parseCsv('5" tall,x', ',')).toEqual([['5" tall', 'x']]);
    expect(parseCsv('', ',')).toEqual([]);
  });

  it('an unclosed quote is an error naming the row, not the contents', () => {
    expect(() => parseCsv('Name,DOB\n"Jane Smith,12/03/1967\n', ',')).toThrow(CsvFormatError);
    expect(() => parseCsv('Name,DOB\n"Jane Smith,12/03/1967\n', ',')).toThrow(/^row 2: a quoted field is never closed$/);
  });

  it('detects the delimiter from the header line', () => {
    expect(detectDelimiter('Forename;Surname;DOB\nJane;Smith;1/1/1990')).toBe(';');
    expect(detectDelimiter('Forename\tSurname\tDOB')).toBe('\t');
    expect(detectDelimiter('Forename,Surname,DOB')).toBe(',');
    expect(detectDelimiter('"Name; full",DOB,NHS')).toBe(',');
  });

  it('decodes UTF-8 with or without a BOM, UTF-16 with one, and Windows-1252 otherwise', () => {
    expect(decodeCsvBytes(Buffer.from('\ufeffName,DOB\nZoë', 'utf8'))).toBe('Name,DOB\nZoë');
    expect(decodeCsvBytes(Buffer.from('Name,DOB\nZoë', 'utf8'))).toBe('Name,DOB\nZoë');
    expect(decodeCsvBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name\tDOB\nZoë', 'utf16le')]))).toBe('Name\tDOB\nZoë');
    expect(decodeCsvBytes(Buffer.from([0x5a, 0x6f, 0xeb]))).toBe('Zoë');
  });

  it.each([
    ['Forename', 'forename'],
    ['First name', 'forename'],
    ['Given Names', 'forename'],
    ['Patient Forename', 'forename'],
    ['Surname', 'surname'],
    ['Last Name', 'surname'],
    ['Family name', 'surname'],
    ['Name', 'name'],
    ['Patient Name', 'name'],
    ['Full name', 'name'],
    ['DOB', 'dob'],
    ['D.O.B.', 'dob'],
    ['Date of Birth', 'dob'],
    ['Birth date', 'dob'],
    ['Patient DOB', 'dob'],
    ['NHS Number', 'number'],
    ['NHS No.', 'number'],
    ['NHS', 'number'],
    ['CHI', 'number'],
    ['CHI Number', 'number'],
    ['H&C', 'number'],
    ['H&C Number', 'number'],
    ['Health and Care Number', 'number'],
    ['Title', null],
    ['Address', null],
    ['Registered', null],
  ])('column %j is %j', (header, role) => {
    expect(columnRole(header)).toBe(role);
  });

  it('reports rows read, stored and skipped by row number, with reasons that quote nothing from the file', () => {
    const result = importPatientCsv(LIST_CSV, SECRET, NOW);
    expect(result.columns).toEqual(['forename', 'surname', 'dob', 'number']);
    expect(result.rowsRead).toBe(4);
    expect(result.recordsStored).toBe(3);
    expect(result.skipped).toEqual([{ row: 5, reason: 'no date of birth' }]);
    expect(result.partial).toEqual([]);
    expect(result.hashes).toHaveLength(4);
  });

  it('keeps what it can of a row and says what it could not use', () => {
    const csv = ['Name;DOB;NHS No', 'Jane Smith;12/13/1967;943 476 5919', 'John Brown;01/01/1990;123', 'Alice;01/01/1990;', 'Bob Stone;;'].join('\n');
    const result = importPatientCsv(csv, SECRET, NOW);
    expect(result.rowsRead).toBe(4);
    expect(result.recordsStored).toBe(2);
    expect(result.partial.map((p) => p.row)).toEqual([2, 3]);
    expect(result.partial[0]!.reason).toMatch(/date of birth is not a recognised date/);
    expect(result.partial[1]!.reason).toMatch(/number is not 10 digits/);
    expect(result.skipped).toEqual([
      { row: 4, reason: 'no forename and surname' },
      { row: 5, reason: 'no date of birth' },
    ]);
    const text = JSON.stringify([result.skipped, result.partial]);
    for (const value of ['Jane', 'Smith', 'Brown', 'Alice', 'Bob', '12/13/1967', '943', '123']) expect(text).not.toContain(value);
  });

  it('a file without recognised headers is refused without quoting it', () => {
    const noHeader = 'Jane,Smith,12/03/1967,943 476 5919\n';
    expect(() => importPatientCsv(noHeader, SECRET, NOW)).toThrow(CsvFormatError);
    try {
      importPatientCsv(noHeader, SECRET, NOW);
    } catch (err) {
      expect((err as Error).message).not.toMatch(/Jane|Smith|1967|943/);
    }
    expect(() => importPatientCsv('Forename,Surname\nJane,Smith\n', SECRET, NOW)).toThrow(/no usable columns/);
    expect(() => importPatientCsv('\n\n', SECRET, NOW)).toThrow(/empty/);
  });

  it('a numbers-only list works', () => {
    const result = importPatientCsv(`NHS Number\n${NHS}\n${OTHER_NHS}\n`, SECRET, NOW);
    expect(result.recordsStored).toBe(2);
    const index = new PatientIndex(SECRET, new Set(result.hashes));
    expect(run(`NHS ${OTHER_NHS}`, false, index).map((f) => f.value)).toEqual([OTHER_NHS]);
  });
});

describe('patient list: loading from a store', () => {
  it('no list: null, and no secret is created', async () => {
    let secretAsked = false;
    const loaded = await loadPatientList({
      patientListInfo: () => Promise.resolve({ count: 0, importedAt: null }),
      patientListSecret: () => {
        secretAsked = true;
        return Promise.resolve(SECRET);
      },
      patientHashes: () => Promise.resolve(new Set<string>()),
    });
    expect(loaded.list).toBeNull();
    expect(patientIndexOf(loaded.list)).toBeNull();
    expect(secretAsked).toBe(false);
  });

  it('a list: its hashes and secret, and a stamp that changes with the import', async () => {
    const hashes = new Set(importPatientCsv(LIST_CSV, SECRET, NOW).hashes);
    const store = (importedAt: number) => ({
      patientListInfo: () => Promise.resolve({ count: hashes.size, importedAt }),
      patientListSecret: () => Promise.resolve(SECRET),
      patientHashes: () => Promise.resolve(hashes),
    });
    const a = await loadPatientList(store(1));
    const b = await loadPatientList(store(2));
    expect(a.stamp).not.toBe(b.stamp);
    expect(patientIndexOf(a.list)!.has(numberEntry('9434765919'))).toBe(true);
  });
});
