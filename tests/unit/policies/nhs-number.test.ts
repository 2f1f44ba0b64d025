import { describe, expect, it } from 'vitest';
import { detectNhsNumber } from '../../../src/policies/nhs-number.js';
import { EMPTY_CONTEXT, type DetectorContext, type TextUnit } from '../../../src/policies/detector.js';

const HIGH = 0.9;
const LOW = 0.6;

function detect(text: string, options: { tabular?: boolean; location?: string; context?: DetectorContext } = {}) {
  const unit: TextUnit = { location: options.location ?? 'body:text', text, tabular: options.tabular };
  return detectNhsNumber(unit, options.context ?? EMPTY_CONTEXT);
}

/** The single finding for `value` (as written) in `text`. */
function findingFor(text: string, value: string, options: Parameters<typeof detect>[1] = {}) {
  const found = detect(text, options).filter((f) => f.value === value);
  expect(found, `one finding for ${value}`).toHaveLength(1);
  const f = found[0]!;
  expect(f.kind).toBe('nhs_number');
  expect(text.slice(f.offset, f.offset + value.length)).toBe(value);
  return f;
}

const REFERRAL_LETTER = `Dear Dr Okafor,

Re: Mrs Jane Doe, DOB 12/03/1967
NHS Number: 943 476 5919
Address: 1 Any Street, Leeds LS1 1AA

I would be grateful if you could see this patient for assessment of a
non-healing socket following extraction of UL6 on 2 February.

Medical history: type 2 diabetes, metformin 500 mg bd. No known allergies.

Kind regards,
Dr Sam Patel BDS
GDC 123456
Riverside Dental Practice, 4 Market Street, Leeds LS2 8AA
Tel: 0113 496 0000
`;

const OUTLOOK_REPLY = `Hi Tom, yes please go ahead with the crown.

Thanks
Amy

-----Original Message-----
From: Tom Lab <tom@smiles-lab.test>
Sent: 12 March 2024 10:02
To: Amy Reception <amy@practice.test>
Subject: RE: Crown for Mr Brown

> Can you confirm the patient details for the docket?
> Patient: Mr Peter Brown
> NHS no. 401-023-2137
> Shade A2, due 19/03
`;

const CSV_EXPORT_HEADER = 'Surname,Forename,DOB,NHS Number,Postcode,Last visit';

function csvExport(rows: number): { text: string; numbers: string[] } {
  // Valid NHS numbers with varied check digits (computed independently).
  const numbers = ['9434765919', '4010232137', '9876543210', '5551234568', '4000000004', '3200000007'];
  const lines = [CSV_EXPORT_HEADER];
  const used: string[] = [];
  for (let i = 0; i < rows; i++) {
    const n = numbers[i % numbers.length]!;
    used.push(n);
    lines.push(`Doe${i},Jane,01/02/19${50 + (i % 40)},${n},LS${1 + (i % 9)} 1AA,12/03/2024`);
  }
  return { text: `${lines.join('\r\n')}\r\n`, numbers: used };
}

describe('NHS numbers in patient context are high confidence', () => {
  it('referral letter: the labelled number, reported as written with its offset', () => {
    const f = findingFor(REFERRAL_LETTER, '943 476 5919');
    expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(f.offset).toBe(REFERRAL_LETTER.indexOf('943 476 5919'));
    expect(f.location).toBe('body:text');
    expect(f.why).toMatch(/labelled/);
    // The practice phone and GDC number in the signature are not NHS numbers.
    expect(detect(REFERRAL_LETTER)).toHaveLength(1);
  });

  it('Outlook quoted reply: a dashed number after a "> NHS no." label', () => {
    const f = findingFor(OUTLOOK_REPLY, '401-023-2137', { location: 'quoted:text' });
    expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(f.location).toBe('quoted:text');
  });

  it('CSV export with a header row: every row of the NHS Number column, however far from the header', () => {
    const { text, numbers } = csvExport(200);
    const findings = detect(text, { tabular: true, location: 'attachment:patients.csv' });
    expect(findings.map((f) => f.value)).toEqual(numbers);
    for (const f of findings) {
      expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
      expect(f.why).toMatch(/column/);
    }
  });

  it('a CSV pasted into a message body is read by its header too', () => {
    const { text } = csvExport(60);
    const body = `Hi, here is the recall list you asked for:\n\n${text}\nThanks, Amy`;
    const findings = detect(body);
    expect(findings).toHaveLength(60);
    expect(Math.min(...findings.map((f) => f.confidence))).toBeGreaterThanOrEqual(HIGH);
  });

  it.each([
    ['NHS No: 9434765919', '9434765919'],
    ['NHS number 943.476.5919', '943.476.5919'],
    ['NHS no:943 476 5919.', '943 476 5919'],
    ['Patient NHS Number\t9434765919', '9434765919'],
    ['NHS number:\n943 476 5919', '943 476 5919'],
    ['NHS No    943 476 5919    DOB 12/03/1967', '943 476 5919'],
    ['NHS no 943 476\n5919 (wrapped)', '943 476\n5919'],
    ['NHS No: 943\u00a0476\u00a05919', '943\u00a0476\u00a05919'],
    ['Lab docket — Patient: J. Doe   NHS: 4010232137   Shade: A3', '4010232137'],
    ['nhs#9434765919', '9434765919'],
    ['Field,Value\nNHS number,9434765919\nSurname,Doe', '9434765919'],
  ])('labelled: %j', (text, value) => {
    const tabular = text.startsWith('Field,');
    expect(findingFor(text, value, { tabular }).confidence).toBeGreaterThanOrEqual(HIGH);
  });

  it.each([
    'Patient: Mrs Jane Doe\nDOB 12/03/1967\n4010232137',
    'Please book this patient in for a check-up (9434765919).',
    'Referral for 943 476 5919 — pain LR7, please see urgently.',
    'We saw your GP referral, number 9434765919.',
  ])('patient or health keywords within the window: %j', (text) => {
    const [f] = detect(text);
    expect(f?.confidence).toBeGreaterThanOrEqual(HIGH);
  });

  it('context a little further away is still medium-to-high, and closer is higher', () => {
    const near = detect(`Patient details below.\n${'x'.repeat(50)}\n9434765919`)[0]!;
    const far = detect(`Patient details below.\n${'x '.repeat(110)}\n9434765919`)[0]!;
    expect(far.confidence).toBeGreaterThanOrEqual(0.8);
    expect(near.confidence).toBeGreaterThan(far.confidence);
  });
});

describe('context-free and look-alike numbers stay below 0.6', () => {
  it('a checksum-valid number with no context at all', () => {
    for (const text of ['9434765919', 'Code 943 476 5919 applies.', 'The number 4010232137 came up twice.']) {
      const [f] = detect(text);
      expect(f, text).toBeDefined();
      expect(f!.confidence, text).toBeLessThan(LOW);
      expect(f!.why).toMatch(/no patient context/);
    }
  });

  it('keywords beyond the window do not count', () => {
    const text = `Patient NHS letter\n${'lorem ipsum '.repeat(40)}\n9434765919`;
    expect(detect(text)[0]!.confidence).toBeLessThan(LOW);
  });

  const INVOICE = `INVOICE

Bright Smile Supplies Ltd
Invoice No: 9876543210
Order number: 555-123-4568
PO 9434765919
Customer account: 4010232137

Nitrile gloves (M) x 10   £59.90
Total due                 £59.90

Payment by BACS: sort code 20-00-00, account 12345678.
`;

  it('supplier invoice whose invoice, order, PO and account numbers happen to pass modulus 11', () => {
    const findings = detect(INVOICE);
    expect(findings.map((f) => f.value).sort()).toEqual(['4010232137', '555-123-4568', '9434765919', '9876543210'].sort());
    for (const f of findings) expect(f.confidence, f.value).toBeLessThan(LOW);
  });

  it('lab invoice that also names a patient: the labelled invoice number stays low, the NHS number is high', () => {
    const text = 'Lab invoice for Patient: Mr P Brown (NHS No 401 023 2137)\nInvoice number 9876543210, crown UR1, £120.';
    const byValue = new Map(detect(text).map((f) => [f.value, f.confidence]));
    expect(byValue.get('401 023 2137')).toBeGreaterThanOrEqual(HIGH);
    expect(byValue.get('9876543210')).toBeLessThan(LOW);
  });

  it('supplier order CSV: numbers in an Order No column stay low even next to patient words', () => {
    const text = 'Order No,Item,Qty,Patient\n9876543210,Impression trays,2,n/a\n9434765919,Alginate,1,n/a\n';
    const findings = detect(text, { tabular: true });
    expect(findings).toHaveLength(2);
    for (const f of findings) expect(f.confidence).toBeLessThan(LOW);
  });

  it.each([
    ['Sort code 12-34-56, account number 12345678', 0],
    ['Bank: sort code 20-00-00 a/c 9434765919', 1],
    ['Account: 9434765919', 1],
    ['Ref: 9434765919 (patient refund)', 1],
    ['GDC No: 9434765919', 1],
    ['Your tracking number is 9434765919', 1],
    ['Tel: 943 476 5919', 1],
    ['Phone 9434765919', 1],
    ['Mob. 943-476-5919', 1],
    ['Fax: 9434765919', 1],
    ['T: 9434765919  E: reception@practice.test', 1],
  ])('banking, reference and phone labels: %j', (text, count) => {
    const findings = detect(`Patient DOB NHS letter. ${text}`);
    expect(findings).toHaveLength(count);
    for (const f of findings) expect(f.confidence).toBeLessThan(LOW);
  });

  it.each([
    'Call us on +44 943 476 5919',
    'Call us on +449434765919',
    'Call us on 0044 9434765919',
    'Call us on +44 (0)9434765919',
    'Ring 01 943 476 5919 for the patient line',
    'Invoice INV-9434765919 for patient',
    'Patient file 9434765919-01.pdf',
    'Patient ABC9434765919',
    'Patient 9434765919X',
    'Patient 94347659190',
    'Patient 19434765919',
    'Patient portal https://portal.example.test/orders?id=9434765919 link',
    'Patient www.example.test/9434765919',
    'Mail 9434765919@example.test about the patient',
    'Patient balance £9434765919',
    'Patient ratio 1.9434765919',
    'Patient ratio 9434765919.5',
    'NHS No: 943  476  5919 (double spaces)',
    'Patient 943 476 5919 123 (a longer grouped number)',
    'NHS No: 943 476 5918 (check digit wrong)',
    'NHS No: 111 111 1111',
    'NHS No: 3333333333',
    'NHS No: 1234567890',
    'Patient é9434765919',
  ])('not an NHS number at all: %j', (text) => {
    expect(detect(text)).toEqual([]);
  });

  it('Unix timestamps in logs and JSON', () => {
    const log = [
      '2024-10-17 09:12:44 INFO relay accepted message id=1710234563 size=20480',
      '{"event":"delivered","timestamp": 1710234563, "patient_count": 3}',
      'created_at=1710234563 updated_at=1710234571',
      'epoch 1710234563 patient sync job',
    ].join('\n');
    const findings = detect(log);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.confidence).toBeLessThan(LOW);
    }
  });

  it("the practice's own phone number, configured", () => {
    const context: DetectorContext = { ...EMPTY_CONTEXT, practicePhones: ['+44 943 476 5919'] };
    const [f] = detect('Please ask the patient to ring us on 943 476 5919 to book.', { context });
    expect(f!.confidence).toBeLessThan(LOW);
    // Without the configuration the same text would be high (patient context, no phone label).
    expect(detect('Please ask the patient to ring us on 943 476 5919 to book.')[0]!.confidence).toBeGreaterThanOrEqual(HIGH);
  });

  it('NHS inside an nhs.net address is not context', () => {
    const [f] = detect('Send to reception@nhs.net: 9434765919');
    expect(f!.confidence).toBeLessThan(LOW);
  });

  it('a number labelled as a hospital number is medium for this detector (the hospital detector owns it)', () => {
    const [f] = detect('Patient: J Doe\nHospital No: 9434765919');
    expect(f!.confidence).toBeGreaterThanOrEqual(0.5);
    expect(f!.confidence).toBeLessThan(LOW);
  });
});

describe('the NHS detector leaves CHI and H&C numbers to their detectors', () => {
  it.each(['H&C No: 3200000015', 'NHS No: 3999999993', 'CHI: 1203671237', 'CHI 1203671233', 'NHS Lothian patient 1203671237'])('%j', (text) => {
    expect(detect(text)).toEqual([]);
  });

  it('a number valid as both CHI and NHS with no Scottish context is an NHS number', () => {
    const f = findingFor('Patient NHS number 1203671237', '1203671237');
    expect(f.confidence).toBeGreaterThanOrEqual(HIGH);
    expect(f.why).toMatch(/also a valid CHI/);
  });

  it('edges of the H&C range: stem 320000000 is still NHS', () => {
    expect(findingFor('NHS No: 3200000007', '3200000007').confidence).toBeGreaterThanOrEqual(HIGH);
    expect(findingFor('NHS No: 4000000004', '4000000004').confidence).toBeGreaterThanOrEqual(HIGH);
  });
});

describe('adversarial input', () => {
  const MB = 1 << 20;
  const fill = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);

  it.each([
    ['valid numbers back to back', fill('9434765919 '), false, 95_325],
    ['grouped numbers on lines', fill('943 476 5919\n'), false, 80_659],
    ['one long run of digits', fill('1'), false, 0],
    ['half-numbers', fill('943 476 '), false, 0],
    ['labels without values', fill('NHS No: '), false, 0],
    ['a one-line CSV', fill('NHS No,9434765919,'), true, 58_254],
    ['quotes', fill('"'), true, 0],
    ['look-alike tokens', fill('+44 943 476 5919 INV-9434765919 9434765919-1 '), false, 0],
  ])('1 MB of %s returns', (_name, text, tabular, count) => {
    const findings = detect(text, { tabular });
    expect(findings).toHaveLength(count);
  });
});
