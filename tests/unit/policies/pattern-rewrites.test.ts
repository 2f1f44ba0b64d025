import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NUMERIC_YMD, TEXT_MDY } from '../../../src/policies/date-of-birth.js';
import { LiteralGate } from '../../../src/policies/literal-gate.js';
import { detectHospitalNumber } from '../../../src/policies/hospital-number.js';
import { detectPatientName, IDENTIFIER_AFTER_NAME, patientPhrases } from '../../../src/policies/patient-name.js';
import { POSTCODE } from '../../../src/policies/postcode.js';
import { everyTestMessage } from '../../helpers/eml-files.js';

// Some detector patterns are written so that V8 can skip ahead through text (the lookbehind after
// the first character, or after the whole match), and some run only behind a literal gate. Each
// must find exactly what the plain form finds; the plain forms are written out here as the reference.

const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])';
const PLAIN_TEXT_MDY = new RegExp(`(?<![\\p{L}\\d])${MONTH}\\.?\\s{1,3}(\\d{1,2})(?:st|nd|rd|th)?,?\\s{1,3}(\\d{4})(?!\\d)`, 'giu');
const PLAIN_NUMERIC_YMD = /(?<![\d/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?!\d|[/.-]\d)/g;
const PLAIN_POSTCODE = new RegExp(
  '(?<![\\p{L}\\p{N}_\\-/@.=%+#&])(GIR ?0AA|' +
    '(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])' +
    '[ \\t]{0,2}[0-9][ABD-HJLNP-UW-Z]{2})(?![\\p{L}\\p{N}_@]|[-/.=][\\p{L}\\p{N}])',
  'giu',
);

/** "our patient", "referring" …: the phrase as it was scanned for, from every letter that may begin it. */
const PLAIN_PATIENT_PHRASE =
  /(?<![\p{L}])(?:((?:our|my|your|the|this|mutual|a|new|joint)[ \t]{1,3}(?:mutual[ \t]{1,3}|new[ \t]{1,3}|joint[ \t]{1,3})?patient,?)|(patient|refer|referring|referred|regarding|concerning|re|treat|treating|treated|examined|examine))[ \t]{1,3}/giu;

/** An identifier after a name's last letter, found at the space or the mark after it. */
const PLAIN_IDENTIFIER_AFTER_NAME =
  /(?<=[\p{L}.])(?:[ \t]{1,2}[(,–-]|[(,–-])[ \t]{0,2}(?:([Dd]\.?[Oo]\.?[Bb]|[Dd]ate [Oo]f [Bb]irth|[Bb]orn|[Aa]ged?)|NHS(?:[ \t]{0,2}(?:[Nn]o|[Nn]umber|#)|:|[ \t]{0,2}\d)|CHI|H&C|[Hh]ealth and [Cc]are)(?![\p{L}])/gu;

/** Every combination of the given parts, joined. */
function combinations(...parts: readonly (readonly string[])[]): string[] {
  return parts.reduce<string[]>((acc, options) => acc.flatMap((a) => options.map((o) => a + o)), ['']);
}

const corpus = everyTestMessage().map((file) => readFileSync(file, 'latin1'));

/** Texts to compare on: every test message, and the synthetic cases joined three ways (apart, by line, run together). */
function texts(synthetic: readonly string[]): string[] {
  return [...corpus, synthetic.join(' | '), synthetic.join('\n'), synthetic.join('')];
}

function matches(pattern: RegExp, text: string, shape: (m: RegExpExecArray) => string): string[] {
  return [...text.matchAll(pattern)].map(shape);
}

describe('detector patterns rewritten for speed', () => {
  it('the month-first date (found at its day, the month read backwards) matches what the plain pattern matches', () => {
    const synthetic = combinations(
      ['', 'x', '3', ' ', '(', 'é'],
      ['jan', 'January', 'FEB', 'Mar', 'march', 'may', 'June', 'jul', 'Sept', 'sep', 'September', 'dec'],
      [' ', '. ', '.  ', '   ', '    ', '\t', '\n', '.'],
      ['1', '12', '123', '3rd', '22nd,'],
      [' ', ', ', '    '],
      ['1987', '87', '19871'],
    );
    let found = 0;
    for (const text of texts(synthetic)) {
      const plain = matches(PLAIN_TEXT_MDY, text, (m) => [m.index, m[0], m[1], m[2], m[3]].join('|'));
      const fast = matches(TEXT_MDY, text, (m) => {
        const start = m.index - m[2]!.length;
        return [start, text.slice(start, m.index + m[0].length), m[3], m[1], m[4]].join('|');
      });
      expect(fast).toEqual(plain);
      found += plain.length;
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('the year-first numeric date and the postcode match what their plain patterns match', () => {
    const dates = combinations(['', '1', '/', '.', '-', 'a', ' '], ['1967', '196', '19671'], ['-', '/', '.'], ['03-12', '3/1', '03.12', '03-12-', '3/1/5', '12.3']);
    const postcodes = combinations(['', 'a', '1', '-', '/', '@', '.', '=', '%', '+', '#', '&', '_', ' ', '('], ['LS1 4AP', 'ls14ap', 'GIR 0AA', 'EC1A 1BB', 'W1 1AA', 'SW1A  2AA'], ['', 'x', '-1', '.', ' ', '@']);
    let found = 0;
    for (const text of texts(dates)) {
      const plain = matches(PLAIN_NUMERIC_YMD, text, (m) => `${m.index}|${m.join('|')}`);
      expect(matches(NUMERIC_YMD, text, (m) => `${m.index}|${m.join('|')}`)).toEqual(plain);
      found += plain.length;
    }
    for (const text of texts(postcodes)) {
      const plain = matches(PLAIN_POSTCODE, text, (m) => `${m.index}|${m.join('|')}`);
      expect(matches(POSTCODE, text, (m) => `${m.index}|${m.join('|')}`)).toEqual(plain);
      found += plain.length;
    }
    expect(found).toBeGreaterThan(500);
  });
});

describe('patient phrases, looked for only before a capital that follows a space', () => {
  it('are where the plain pattern matches and a capital follows (the only place a name can be read), possessive alike', () => {
    const synthetic = combinations(
      ['', 'x', '(', 're '],
      ['our', 'OUR', 'a', 'new', 'xthe'],
      [' ', '    ', '\t', ''],
      ['', 'new '],
      ['patient', 'Patient', 'patient,', 'referring', 're', 'conſerning', 'xre'],
      [' ', '   ', '    ', ', ', ''],
      ['Mrs Smith', 'jane', 'Élodie', '\u{1D400}x', 'Re Mr X'],
    );
    let found = 0;
    for (const text of texts(synthetic)) {
      const plain = matches(PLAIN_PATIENT_PHRASE, text, (m) => `${m.index + m[0].length}|${m[1] !== undefined}`).filter((key) =>
        /^\p{Lu}/u.test(text.slice(Number(key.split('|')[0]))),
      );
      expect([...patientPhrases(text)].map((p) => `${p.at}|${p.possessive}`)).toEqual(plain);
      found += plain.length;
    }
    expect(found).toBeGreaterThan(2000);
  });
});

describe('an identifier after a name, found at the mark before it', () => {
  it('matches what the plain pattern matches: the name ends where the plain match starts', () => {
    const synthetic = combinations(
      ['Smith', 'SMITH.', 'Élodie', '12', 'x:'],
      ['', ' ', '  ', '   ', '\t'],
      ['(', ',', '–', '-', ':'],
      ['', ' ', '   '],
      ['DOB', 'd.o.b', 'Date of Birth', 'born', 'Aged', 'age', 'NHS No', 'NHS:', 'NHS  9', 'NHS#', 'CHI', 'H&C', 'Health and Care', 'DOBS'],
      ['', ' 1', 'x', ', NHS 1'],
    );
    let found = 0;
    for (const text of texts(synthetic)) {
      const plain = matches(PLAIN_IDENTIFIER_AFTER_NAME, text, (m) => `${m.index}|${m[0].length}|${m[1]}`);
      const fast = matches(IDENTIFIER_AFTER_NAME, text, (m) => {
        const nameEnd = m.index - m[1]!.length;
        return `${nameEnd}|${m[0].length + m[1]!.length}|${m[2]}`;
      });
      expect(fast).toEqual(plain);
      found += plain.length;
    }
    expect(found).toBeGreaterThan(1000);
  });
});

describe('literal gates', () => {
  it('admit a text holding one of the words, compared as the gated pattern compares (iu: ſ is s, the Kelvin sign k)', () => {
    const gate = new LiteralGate(['hosp', 'm.r.n']);
    expect(gate.admits('Hospital No')).toBe(true);
    expect(gate.admits('HOSP. NO.')).toBe(true);
    expect(gate.admits('hoſpital')).toBe(true);
    expect(gate.admits('M.R.N: 1234567')).toBe(true);
    expect(gate.admits('mxrxn 1234567')).toBe(false); // the dots are literal
    expect(gate.admits('the host pays')).toBe(false);
    expect(new LiteralGate(['kin']).admits('next of \u212Ain')).toBe(true);
    // Every character a word may hold is taken literally, whatever it means in a pattern.
    const marks = new LiteralGate(['x-ray', 'a/c', '(k)', 'h&c', 'no.', '#1', 'c++', '$5', '[1]', 'a|b', 'x{2}', 'back\\slash', 'q?', '^up']);
    for (const word of ['X-RAY', 'A/C', '(K)', 'H&C', 'NO.', '#1', 'C++', '$5', '[1]', 'A|B', 'X{2}', 'BACK\\SLASH', 'Q?', '^UP']) expect(marks.admits(`see ${word} here`), word).toBe(true);
    expect(marks.admits('xray ac k hc no #2 c $ 1 ab xx back slash q up')).toBe(false);
  });

  it('let through every spelling the gated patterns find', () => {
    const none = { practicePostcodes: [], practicePhones: [], knownNames: [] };
    for (const label of ['Hospital No', 'Hosp. no.', 'HOSPITAL NUMBER', 'Hoſpital No', 'Unit number', 'MRN', 'M.R.N', 'Medical records no', 'Case notes number', 'PAS no']) {
      const found = detectHospitalNumber({ location: 'body:text', text: `Patient referral.\n${label}: RX1234567\n` }, none);
      expect(found.map((f) => f.value), label).toEqual(['RX1234567']);
    }
    // A column headed so in a table is found too, however "s" is written (the iu patterns read ſ as s).
    for (const header of ['Hospital No', 'Hoſpital No', 'Caſe notes no', 'MRN']) {
      const found = detectHospitalNumber({ location: 'body:text', text: `Name,${header}\nJane,RX1234567\n` }, none);
      expect(found.map((f) => f.value), header).toEqual(['RX1234567']);
    }
    for (const label of ['Name', 'NAME', 'Full name', 'Surname', 'Forename(s)', 'ſurname']) {
      const found = detectPatientName({ location: 'body:text', text: `Patient details\n${label}: Jane Smith\nDOB: 12/03/1967\n` }, none);
      expect(found.map((f) => f.value), label).toContain('Jane Smith');
    }
  });
});
