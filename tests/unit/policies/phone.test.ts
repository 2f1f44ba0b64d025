import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { EMPTY_CONTEXT, type DetectorContext } from '../../../src/policies/detector.js';
import { detectPhone, normalisePhone } from '../../../src/policies/phone.js';

const PRACTICE: DetectorContext = { practicePostcodes: ['LS1 4AB'], practicePhones: ['0113 496 0000', '+44 (0)7700 900999'], knownNames: ['Sarah Jones'] };

function run(text: string, context: DetectorContext = PRACTICE, tabular = false): Finding[] {
  return detectPhone({ location: 'body:text', text, tabular }, context);
}

function only(text: string, context: DetectorContext = PRACTICE, tabular = false): Finding {
  const found = run(text, context, tabular);
  expect(found, text).toHaveLength(1);
  return found[0]!;
}

describe('phone: UK formats are found, as written', () => {
  const cases: string[] = [
    '07700 900123',
    '07700-900-123',
    '07700900123',
    '077 0090 0123',
    '+44 7700 900123',
    '+447700900123',
    '+44 (0)7700 900123',
    '0044 7700 900123',
    '0113 496 0123',
    '(0113) 496 0123',
    '020 7946 0123',
    '(020) 7946 0123',
    '+44 20 7946 0123',
    '0300 123 4567',
    '01632.960.123',
    '016977 3456',
  ];
  it.each(cases)('%s', (value) => {
    const text = `You can reach me on ${value}, thanks.`;
    const f = only(text, EMPTY_CONTEXT);
    expect(f.kind).toBe('phone');
    expect(f.value).toBe(value);
    expect(f.offset).toBe(text.indexOf(value));
  });

  it('normalises to national digits', () => {
    expect(normalisePhone('+44 (0)7700 900123')).toBe('07700900123');
    expect(normalisePhone('0044 113 496 0000')).toBe('01134960000');
    expect(normalisePhone('0800 123 4567')).toBeNull();
    expect(normalisePhone('12345')).toBeNull();
  });
});

describe('phone: look-alikes are not phone numbers', () => {
  const cases: string[] = [
    'Sort code 12-34-56, account number 12345678',
    'NHS No: 943 476 5919',
    'NHS number 4010232137',
    'CHI 0101701234',
    'Unix time 1710238500',
    'Dated 01/02/2024 and 01-02-2024 and 01.02.2024',
    'Invoice INV-01234567890',
    'Order no. 012345678901',
    'Card 4111 1111 1111 1111',
    'Freephone 0800 123 4567 or 0845 123 4567',
    'GDC No: 123456',
    'Ref #07700900123',
    'Tracking 2024031207700900123',
  ];
  it.each(cases)('%j', (text) => {
    expect(run(text, EMPTY_CONTEXT)).toEqual([]);
  });
});

describe("phone: the practice's own numbers are never reported", () => {
  const cases: string[] = ['0113 496 0000', '(0113) 4960000', '+44 113 496 0000', '+44 (0)113 496 0000', '07700 900999', '+447700900999'];
  it.each(cases)('%s', (value) => {
    expect(run(`Patient's mobile: ${value}`)).toEqual([]);
    expect(run(`Call us on ${value}`)).toEqual([]);
  });
});

describe("phone: a patient's number is medium or high", () => {
  const high: [string, string, string][] = [
    ['patient mobile label', "Patient's mobile: 07700 900123", '07700 900123'],
    ['patient contact number', 'Patient contact number - 0113 496 0123', '0113 496 0123'],
    [
      'Tel in the patient section of a referral',
      'Patient details\nName: Mrs Jane Smith\nDOB: 12/03/1967\nAddress: 12 High Street, Leeds\nTel: 07700 900123\n\nReferrer details\nName: Dr Ann Lee\nTel: 0113 496 0555\n',
      '07700 900123',
    ],
    ['CSV patient list', 'Surname,Forename,DOB,Mobile\nSmith,Jane,12/03/1967,07700 900123\n', '07700 900123'],
  ];
  it.each(high)('%s', (_name, text, value) => {
    const f = run(text, PRACTICE, text.startsWith('Surname')).find((x) => x.value === value);
    expect(f).toBeDefined();
    expect(f!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  const medium: [string, string][] = [
    ['family words', 'Please call her mum on 07700 900123 to rebook.'],
    ['titled name', 'Mrs Smith asked to be called back on 07700 900123.'],
    ['patient nearby', 'The patient has changed number, new one is 07700 900123.'],
  ];
  it.each(medium)('%s', (_name, text) => {
    const f = only(text);
    expect(f.confidence).toBeGreaterThanOrEqual(0.6);
    expect(f.confidence).toBeLessThan(0.9);
  });

  it('a block of fields with a date of birth, no heading', () => {
    const text = 'Please find the referral details below.\n\nName: Priyanka HUGHES\nD.O.B.: 17.10.16\nNHS number: 674-365-1982\nContact number: +44 7700 900082\n';
    expect(only(text).confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('a date of birth further away, and "limited" as an ordinary word', () => {
    const text =
      'I would be grateful if you could see Michael MURRAY (born 18.12.38, Health and Care Number 380 527 2995), tel. 07700 900688. Persistent TMJ pain and limited opening.';
    const f = only(text);
    expect(f.confidence).toBeGreaterThanOrEqual(0.6);
  });

  it('the referrer section of the same referral is low', () => {
    const text = 'Patient details\nName: Mrs Jane Smith\nTel: 07700 900123\n\nReferrer details\nName: Dr Ann Lee\nTel: 0113 496 0555\n';
    const f = run(text).find((x) => x.value === '0113 496 0555');
    expect(f!.confidence).toBeLessThan(0.6);
  });
});

describe('phone: signatures, labs and suppliers are low', () => {
  const cases: [string, string][] = [
    ['practice signature', 'See you then.\n\nKind regards,\nDr Sarah Jones\nSmile Dental Practice\nTel: 0113 496 0001'],
    ['signature after "--"', 'Thanks\n\n-- \nMike Brown | Acme\nM: 07700 900555'],
    ['lab label', 'Lab tel: 0113 496 0999'],
    ['lab line', 'Acme Dental Lab Ltd, Unit 3, Leeds LS9 8AB, tel 0113 496 0999'],
    ['supplier block', 'Henry Dental Supplies Ltd\nOrders: 0300 123 4567'],
    ['hospital', 'Leeds Teaching Hospitals NHS Trust switchboard 0113 243 3144'],
    ['reception', 'For anything else, reception: 0113 496 0001'],
    ['Gmail-style signature with a company', 'Cheers,\nMike\n\nMike Brown\nSales Manager, Dental Direct Ltd\nMobile: 07700 900555\nwww.dentaldirect.example'],
  ];
  it.each(cases)('%s', (_name, text) => {
    const found = run(text);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f.confidence).toBeLessThan(0.6);
  });

  it('a number with no context at all is plausible but low', () => {
    const mobile = only('07700 900123', EMPTY_CONTEXT);
    const landline = only('0113 496 0123', EMPTY_CONTEXT);
    expect(mobile.confidence).toBeLessThan(0.6);
    expect(landline.confidence).toBeLessThan(mobile.confidence);
  });

  it('an Outlook reply: the lab signature is low, the patient number in the quoted message is high', () => {
    const mail = [
      'Will do.',
      '',
      'Regards,',
      'Tom',
      'Acme Dental Lab',
      '0113 496 0999',
      '',
      '-----Original Message-----',
      'From: Reception <reception@practice.test>',
      'Sent: Tuesday, 12 March 2024 10:15',
      'Subject: Denture ready?',
      '',
      "Patient's mobile 07700 900123 if you need to arrange a try-in.",
    ].join('\n');
    expect(run(mail).map((f) => [f.value, f.confidence >= 0.9])).toEqual([
      ['0113 496 0999', false],
      ['07700 900123', true],
    ]);
  });
});

describe('phone: adversarial input', () => {
  const MB = 1 << 20;
  const repeat = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);
  const inputs: [string, string][] = [
    ['zeros and separators', repeat('0 0-0.0 0(0)')],
    ['long digit run', repeat('0')],
    ['plus signs', repeat('+44+44 (0)')],
    ['many numbers', repeat('07700 900123 ')],
    ['labelled numbers', repeat("Patient's mobile: 07700 900123\n")],
  ];
  it.each(inputs)('%s: 1 MB finishes and stays well-formed', (_name, text) => {
    const found = run(text);
    expect(Array.isArray(found)).toBe(true);
    for (const f of found) expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
  });
});
