import { describe, expect, it } from 'vitest';
import { detectHospitalNumber } from '../../../src/policies/hospital-number.js';
import { EMPTY_CONTEXT, type TextUnit } from '../../../src/policies/detector.js';

const HIGH = 0.9;
const LOW = 0.6;

const detect = (text: string, tabular?: boolean) => detectHospitalNumber({ location: 'body:text', text, tabular } satisfies TextUnit, EMPTY_CONTEXT);

const DISCHARGE_LETTER = `Oral and Maxillofacial Surgery
St James's University Hospital, Leeds

Patient: Mr David Green        DOB: 02/05/1958
Hospital No: RX1234567         NHS No: 943 476 5919

Dear Dr Patel,

Mr Green attended clinic on 4 March for removal of LL8 under LA. Healing is satisfactory.
Please continue routine care.

Yours sincerely,
Ms A Khan, Consultant Oral Surgeon
`;

describe('labelled hospital numbers in patient context', () => {
  it('hospital discharge letter', () => {
    const [f, ...rest] = detect(DISCHARGE_LETTER);
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('hospital_number');
    expect(f!.value).toBe('RX1234567');
    expect(f!.offset).toBe(DISCHARGE_LETTER.indexOf('RX1234567'));
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
  });

  it.each([
    ['Referral for patient Mrs Ann Lee. Unit number K123456.', 'K123456'],
    ['Discharge summary. Patient: J Smith\nMRN: 00123456', '00123456'],
    ['Patient seen in clinic. Hosp. no. A123456', 'A123456'],
    ['Patient: J Smith, DOB 01/01/1950\nHospital Number:\nRX1234567', 'RX1234567'],
    ['Patient: J Smith\nHospital number is K 123456', 'K 123456'],
    ['Patient: J Smith\nHospital No (MRN): 00123456', '00123456'],
    ['Patient: J Smith\nCase note number: 12345678', '12345678'],
    ['Referral, patient J Smith. Hospital No: 943 476 5919', '943 476 5919'],
    ['> Patient: J Smith\n> M.R.N. 7654321', '7654321'],
    ['Patient: J Smith, PAS number 1234567B', '1234567B'],
  ])('%j', (text, value) => {
    const findings = detect(text);
    expect(findings.map((f) => f.value)).toEqual([value]);
    expect(findings[0]!.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(text.slice(findings[0]!.offset, findings[0]!.offset + value.length)).toBe(value);
  });

  it('a Hospital No column in a CSV export', () => {
    const text = 'Surname,Forename,Hospital No,Clinic date\r\nGreen,David,RX1234567,04/03/2024\r\n"Lee, Jr",Ann,"K123456",05/03/2024\r\nKhan,Ali,,06/03/2024\r\n';
    const findings = detect(text, true);
    expect(findings.map((f) => f.value)).toEqual(['RX1234567', 'K123456']);
    for (const f of findings) {
      expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
      expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
    }
  });

  it('a key-value CSV: the label in the cell to the left', () => {
    const text = 'Field,Value\r\nPatient,Jane Doe\r\nHospital No,RX1234567\r\n';
    const findings = detect(text, true);
    expect(findings.map((f) => f.value)).toEqual(['RX1234567']);
    expect(findings[0]!.confidence).toBeGreaterThanOrEqual(HIGH);
  });

  it('labelled but without patient context: an MRN label is medium, a unit number low', () => {
    const [mrn] = detect('MRN: 00123456');
    expect(mrn!.confidence).toBeGreaterThanOrEqual(LOW);
    expect(mrn!.confidence).toBeLessThan(HIGH);
    const [unit] = detect('Unit number K123456');
    expect(unit!.confidence).toBeLessThan(LOW);
  });
});

describe('not hospital numbers', () => {
  it.each([
    ['unlabelled', 'Patient Mr Green, RX1234567, seen in clinic'],
    ['a business address', 'Riverside Dental Lab, Unit 4, Riverside Business Park, LS10 1AA'],
    ['a customs movement reference', 'Import declaration MRN: 24GB12345678901234 for your parcel'],
    ['too short', 'Patient MRN 123'],
    ['too long', 'Patient Hospital No: RX1234567890123'],
    ['no value', 'Patient: J Smith\nHospital No: not known\nDOB 01/01/1950'],
    ['prose', 'The patient did not know her hospital number, sorry.'],
    ['inside a longer token', 'Patient MRN: 00123456-2'],
  ])('%s: %j', (_why, text) => {
    expect(detect(text)).toEqual([]);
  });

  it('a unit number on a supplier invoice stays low', () => {
    const text = 'INVOICE 4471\nDeliver to: Unit No. 12345, Hilltop Industrial Estate\nPatient chairs x2';
    const findings = detect(text);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.confidence).toBeLessThan(LOW);
  });
});

describe('adversarial input', () => {
  const MB = 1 << 20;
  const fill = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);

  it.each([
    ['labels without values', fill('Hospital No: '), false, 0],
    ['labelled values with context', fill('MRN: 00123456 patient '), false, 47_663],
    ['unit labels and letters', fill('unit no k'), false, 0],
    ['a long CSV', `Name,Hospital No\n${fill('Jane Doe,RX1234567\n')}`, true, 55_188],
    ['a CSV on one line', `Name,Hospital No\n${fill('RX1234567,')}`, true, 1],
    ['digits', fill('9'), false, 0],
  ])('1 MB of %s returns', (_name, text, tabular, count) => {
    expect(detect(text, tabular)).toHaveLength(count);
  });
});
