import { describe, expect, it } from 'vitest';
import { detectHcNumber } from '../../../src/policies/hc-number.js';
import { detectNhsNumber } from '../../../src/policies/nhs-number.js';
import { detectChiNumber } from '../../../src/policies/chi-number.js';
import { EMPTY_CONTEXT, type TextUnit } from '../../../src/policies/detector.js';

const HIGH = 0.9;
const LOW = 0.6;

const unit = (text: string, tabular?: boolean): TextUnit => ({ location: 'body:text', text, tabular });
const detect = (text: string, tabular?: boolean) => detectHcNumber(unit(text, tabular), EMPTY_CONTEXT);
const others = (text: string, tabular?: boolean) => [...detectNhsNumber(unit(text, tabular), EMPTY_CONTEXT), ...detectChiNumber(unit(text, tabular), EMPTY_CONTEXT)];

// Fixtures (computed independently): 3200000015 (first stem 320000001, check 5),
// 3999999993 (last stem 399999999, check 3), 3456789017 (mid-range), 3200000007 (stem
// 320000000, just below the range: an NHS number), 4000000004 (stem 400000000: NHS).
const BELFAST_LETTER = `Dear Dr Murphy,

Re: Ms Aoife Kelly, D.O.B. 04/07/1985
Health and Care Number: 320 000 0015
12 Lisburn Road, Belfast BT9 6AA

Thank you for seeing Ms Kelly regarding her impacted LR8.

Yours sincerely,
Dr Conor Byrne
`;

describe('H&C numbers', () => {
  it('Northern Ireland referral letter', () => {
    const [f, ...rest] = detect(BELFAST_LETTER);
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('hc_number');
    expect(f!.value).toBe('320 000 0015');
    expect(f!.offset).toBe(BELFAST_LETTER.indexOf('320 000 0015'));
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(f!.why).toMatch(/H&C range/);
    expect(others(BELFAST_LETTER)).toEqual([]);
  });

  it.each([
    ['H&C No: 3200000015', '3200000015'],
    ['H & C number 399-999-9993', '399-999-9993'],
    ['HCN: 3456789017', '3456789017'],
    ['Patient H&C 399.999.9993', '399.999.9993'],
    // The H&C range is H&C even when labelled NHS (the issue: "report hc_number for the H&C range").
    ['NHS No: 3999999993', '3999999993'],
  ])('labelled: %j', (text, value) => {
    const [f, ...rest] = detect(text);
    expect(rest).toEqual([]);
    expect(f!.value).toBe(value);
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(others(text)).toEqual([]);
  });

  it('an HSC trust CSV export', () => {
    const text = 'Surname\tForename\tH&C Number\tDOB\nKelly\tAoife\t3200000015\t04/07/1985\nQuinn\tSean\t3999999993\t11/11/1971\n';
    const findings = detect(text, true);
    expect(findings.map((f) => f.value)).toEqual(['3200000015', '3999999993']);
    for (const f of findings) expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
  });

  it('an H&C-range number with patient context but no H&C word is still reported as H&C', () => {
    const [f] = detect('Patient seen today, number 3456789017, follow-up in 6 months');
    expect(f!.kind).toBe('hc_number');
    expect(f!.confidence).toBeGreaterThanOrEqual(HIGH);
  });
});

describe('range edges and look-alikes', () => {
  it.each([
    ['H&C No: 3200000007', 'stem 320000000 is below the range'],
    ['H&C No: 4000000004', 'stem 400000000 is above the range'],
    ['H&C No: 3200000016', 'wrong check digit'],
    ['H&C No: 3333333333', 'all-same digits'],
    ['H&C No: 32000000150', 'eleven digits'],
  ])('%j is no H&C number (%s)', (text) => {
    expect(detect(text)).toEqual([]);
  });

  it('the numbers just outside the range go to the NHS detector', () => {
    expect(others('H&C No: 3200000007').map((f) => f.kind)).toEqual(['nhs_number']);
    expect(others('H&C No: 4000000004').map((f) => f.kind)).toEqual(['nhs_number']);
  });

  it.each([
    'Order no: 3999999993 (Belfast depot)',
    'Invoice 3200000015, Health and Care supplies Ltd',
    'Tel: 345 678 9017',
    'Account 3456789017',
  ])('stays low: %j', (text) => {
    const findings = detect(text);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.confidence).toBeLessThan(LOW);
  });

  it('no context: low', () => {
    const [f] = detect('Reference list: 3456789017');
    expect(f!.confidence).toBeLessThan(LOW);
    const [g] = detect('3200000015');
    expect(g!.confidence).toBeLessThan(LOW);
  });

  it.each(['Call +44 320 000 0015', 'Mail 3200000015@example.test', 'HCN-3200000015-X'])('not at all: %j', (text) => {
    expect(detect(text)).toEqual([]);
  });
});

describe('adversarial input', () => {
  const MB = 1 << 20;
  const fill = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);

  it.each([
    ['H&C numbers on lines', fill('3200000015\n'), 95_325],
    ['labelled grouped H&C numbers', fill('H&C No: 320 000 0015, '), 47_662],
    ['H&C labels', fill('H&C '), 0],
  ])('1 MB of %s returns', (_name, text, count) => {
    expect(detect(text)).toHaveLength(count);
  });
});
