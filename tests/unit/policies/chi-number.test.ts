import { describe, expect, it } from 'vitest';
import { detectChiNumber } from '../../../src/policies/chi-number.js';
import { detectNhsNumber } from '../../../src/policies/nhs-number.js';
import { EMPTY_CONTEXT, type TextUnit } from '../../../src/policies/detector.js';

const HIGH = 0.9;
const LOW = 0.6;

const unit = (text: string, tabular?: boolean): TextUnit => ({ location: 'body:text', text, tabular });
const detect = (text: string, tabular?: boolean) => detectChiNumber(unit(text, tabular), EMPTY_CONTEXT);
const nhs = (text: string, tabular?: boolean) => detectNhsNumber(unit(text, tabular), EMPTY_CONTEXT);

// Fixtures (computed independently):
//   1203671237  12/03/67, modulus 11 check digit 7 (also a valid NHS number)
//   1203671233  12/03/67, modulus 10 check digit 3 only (the 2026 method)
//   2902001231  29/02/00, modulus 11 (leap day)
//   1710234566  17/10/23, modulus 10 only
//   3104991235  modulus 11 valid, but 31/04 is no date
const SCOTTISH_REFERRAL = `Dear Colleague,

Referral to the Oral Surgery Department, NHS Lothian

Patient: Mr Ewan Macleod
Date of birth: 12/03/1967
CHI: 1203671237

Please assess LL8 for removal under LA. Thank you.

Dr Fiona Reid, Leith Walk Dental Care, Edinburgh
`;

describe('CHI numbers in context', () => {
  it('Scottish referral letter: labelled CHI (valid as NHS too) is a CHI number, not an NHS number', () => {
    const [f, ...rest] = detect(SCOTTISH_REFERRAL);
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('chi_number');
    expect(f!.value).toBe('1203671237');
    expect(f!.offset).toBe(SCOTTISH_REFERRAL.indexOf('1203671237'));
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(nhs(SCOTTISH_REFERRAL)).toEqual([]);
  });

  it.each([
    ['CHI: 1203671233', '1203671233', /modulus 10/],
    ['CHI number 2902001231', '2902001231', /modulus 11/],
    ['Patient CHI No. 1710234566', '1710234566', /modulus 10/],
    ['Community Health Index number: 1203671237', '1203671237', /modulus 11/],
    ['CHI 120367 1237', '120367 1237', /DDMMYY NNNN/],
    ['CHI 120367-1233', '120367-1233', /modulus 10/],
    ['CHI number:\n1203671233', '1203671233', /modulus 10/],
  ])('labelled: %j', (text, value, why) => {
    const [f, ...rest] = detect(text);
    expect(rest).toEqual([]);
    expect(f!.value).toBe(value);
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(f!.why).toMatch(why);
  });

  it('a CHI column in a CSV export', () => {
    const text = 'CHI,Surname,Forename,Postcode\r\n1203671237,Macleod,Ewan,EH6 8AA\r\n2902001231,Stewart,Isla,G12 8QQ\r\n1710234566,Brown,Rory,AB10 1AA\r\n';
    const findings = detect(text, true);
    expect(findings.map((f) => f.value)).toEqual(['1203671237', '2902001231', '1710234566']);
    for (const f of findings) expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(nhs(text, true)).toEqual([]);
  });

  it('a modulus-10-only CHI number is CHI wherever it is, since it cannot be an NHS number', () => {
    const text = 'Patient: Isla Stewart, DOB 12/03/67, number 1203671233';
    const [f] = detect(text);
    expect(f!.kind).toBe('chi_number');
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(nhs(text)).toEqual([]);
  });
});

describe('ambiguity with NHS numbers (date prefix + modulus 11): decided by context', () => {
  it.each([
    ['CHI keyword nearby', 'Scottish patient, CHI below.\nPatient number 1203671237'],
    ['Scotland', 'Patient moved from Scotland last year: 1203671237'],
    ['an NHS Scotland health board', 'Referral from NHS Grampian for patient 1203671237'],
    ['the CHI layout DDMMYY NNNN', 'Patient 120367 1237'],
  ])('%s → chi_number', (_why, text) => {
    expect(detect(text).map((f) => f.kind)).toEqual(['chi_number']);
    expect(nhs(text)).toEqual([]);
  });

  it.each([
    ['no Scottish context', 'Patient 1203671237'],
    ['an NHS label wins over Scottish context', 'Patient from Scotland. NHS No: 1203671237'],
    ['Chi as a name is not the CHI keyword', 'Dear Chi, the patient number is 1203671237'],
  ])('%s → nhs_number', (_why, text) => {
    expect(detect(text)).toEqual([]);
    expect(nhs(text).map((f) => f.kind)).toEqual(['nhs_number']);
  });
});

describe('look-alikes', () => {
  it.each([
    ['CHI: 3104991235', 'modulus 11 valid but no date: not CHI'],
    ['CHI: 1203671230', 'valid date, no valid check digit'],
    ['CHI: 1111111111', 'all-same digits'],
    ['CHI 120367  1237', 'double space'],
    ['CHI 12036 71237', 'not a CHI layout'],
    ['CHI ref CHI-1203671237-A', 'inside a longer token'],
  ])('%j is not a CHI number (%s)', (text) => {
    expect(detect(text)).toEqual([]);
  });

  it.each([
    'Invoice 1203671233 from Scotland Dental Supplies (CHI branch)',
    'Order no. 1710234566, shipped to Glasgow, Scotland',
    'ts=1710234566 level=info msg="CHI sync finished" 2024-10-17T09:12:44Z',
    '{"timestamp": 1710234566, "source": "Scotland"}',
    'Tel: 1203671233 (Scotland office)',
  ])('stays low: %j', (text) => {
    const findings = detect(text);
    expect(findings).toHaveLength(1);
    for (const f of findings) expect(f.confidence).toBeLessThan(LOW);
  });

  it('a CHI-valid number without any context is low', () => {
    const [f] = detect('Batch 1203671233 arrived');
    expect(f!.confidence).toBeLessThan(LOW);
  });
});

describe('adversarial input', () => {
  const MB = 1 << 20;
  const fill = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);

  it.each([
    ['modulus-10 CHI numbers', fill('1203671233 '), 95_325],
    ['CHI layouts', fill('CHI 120367 1237\n'), 65_536],
    ['CHI keywords', fill('CHI '), 0],
    ['dates without check digits', fill('120367 '), 0],
  ])('1 MB of %s returns', (_name, text, count) => {
    expect(detect(text)).toHaveLength(count);
  });
});
