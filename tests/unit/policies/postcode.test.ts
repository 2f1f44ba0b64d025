import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { EMPTY_CONTEXT, type DetectorContext } from '../../../src/policies/detector.js';
import { detectPostcode, normalisePostcode } from '../../../src/policies/postcode.js';

const PRACTICE: DetectorContext = { practicePostcodes: ['LS1 4AB', 'ls28 9zz'], practicePhones: [], knownNames: ['Sarah Jones'] };

function run(text: string, context: DetectorContext = PRACTICE, tabular = false): Finding[] {
  return detectPostcode({ location: 'body:text', text, tabular }, context);
}

function only(text: string, context: DetectorContext = PRACTICE, tabular = false): Finding {
  const found = run(text, context, tabular);
  expect(found, text).toHaveLength(1);
  return found[0]!;
}

describe('postcode: every valid full format is found, as written', () => {
  const cases: [string, string][] = [
    ['A9 9AA', 'M1 1AE'],
    ['A99 9AA', 'M60 1NW'],
    ['AA9 9AA', 'CR2 6XH'],
    ['AA99 9AA', 'DN55 1PT'],
    ['A9A 9AA', 'W1A 1HQ'],
    ['AA9A 9AA', 'EC1A 1BB'],
    ['no space', 'EC1A1BB'],
    ['lower case', 'ec1a 1bb'],
    ['lower case, no space', 'ls62qq'],
    ['two spaces', 'LS6  2QQ'],
    ['Girobank', 'GIR 0AA'],
  ];
  it.each(cases)('%s: %s', (_format, value) => {
    const text = `Please post it to 3 Mill Lane, Somewhere ${value}.`;
    const f = only(text, EMPTY_CONTEXT);
    expect(f.kind).toBe('postcode');
    expect(f.value).toBe(value);
    expect(f.offset).toBe(text.indexOf(value));
  });
});

describe('postcode: look-alikes are not postcodes', () => {
  const cases: string[] = [
    'QA1 1AA', // Q never starts a postcode
    'AB1 1CI', // C and I never appear in the inward code
    'EC1A 1B', // incomplete
    'LS1 on its own is only a district',
    'Order ABC123 shipped',
    'ref X12 3AB9',
    'https://example.test/ls6-2qq/index',
    'user@ls62qq.example',
    'car reg AB12 CDE',
    'tooth UR6 and LL8',
    'sort code 12-34-56, account 12345678',
    'NHS No 943 476 5919',
    'GDC No: 123456',
  ];
  it.each(cases)('%j', (text) => {
    expect(run(text, EMPTY_CONTEXT)).toEqual([]);
  });
});

describe("postcode: the practice's own postcodes are never reported", () => {
  const cases: string[] = ['LS1 4AB', 'ls14ab', 'LS1  4AB', 'LS28 9ZZ', 'Ls28 9zz'];
  it.each(cases)('%s', (value) => {
    expect(run(`Our address: 1 Park Row, Leeds ${value}`)).toEqual([]);
    expect(run(`Patient lives at 1 Park Row, Leeds ${value}`)).toEqual([]);
  });

  it('normalises for comparison (upper case, no spaces)', () => {
    expect(normalisePostcode(' ls1  4ab ')).toBe('LS14AB');
  });
});

describe('postcode: patient context is high confidence', () => {
  const cases: [string, string, string][] = [
    ['referral patient section', 'Patient details\nName: Mrs Jane Smith\nDOB: 12/03/1967\nAddress: 12 High Street\nLeeds\nLS6 2QQ\n', 'LS6 2QQ'],
    ['address block under a name', 'Please send the appointment letter to:\n\nMrs Jane Smith\n12 High Street\nLeeds\nLS6 2QQ\n', 'LS6 2QQ'],
    ['name and address on one line', 'Mr John Brown, 4 Oak Road, Bradford BD7 1AY', 'BD7 1AY'],
    ['lives at', 'The patient now lives at 4 Oak Road, Bradford BD7 1AY and has moved practice.', 'BD7 1AY'],
    ['home address', 'Home address: 4 Oak Road, Bradford BD7 1AY', 'BD7 1AY'],
    ['our patient', 'Our patient (4 Oak Road, Bradford BD7 1AY) asked for a copy of her notes.', 'BD7 1AY'],
    ['Re line', 'Re: Mrs Jane Smith, 12 High Street, Leeds LS6 2QQ\n\nI would be grateful if you could see her.', 'LS6 2QQ'],
  ];
  it.each(cases)('%s', (_name, text, value) => {
    const f = only(text);
    expect(f.value).toBe(value);
    expect(f.confidence).toBeGreaterThanOrEqual(0.9);
  });
});

describe('postcode: street names and labels are not businesses', () => {
  const cases: [string, string][] = [
    ['Station Road', 'Mr Noah Singh\n117 Station Road\nHarrogate\nHG2 2EP\n\nDear Mr Singh,'],
    ['Church Lane in a field block', 'Name: Ms Zoë Edwards\nDate of birth: July 18, 1987\nAddress: 146 Church Lane, Harrogate HG2 6SY'],
    [
      '"hospital no." before the address',
      'Please see Mr Michael McDonald (DOB September 15, 1995, hospital no. H228656E) of 147 Woodhouse Street, Morley LS27 6EH, tel. 07700900276.',
    ],
    ['NHS number in the block above', 'Patient: CLARKE, Emily\nNHS #: 608 099 8815\nAddress: 10 Park Crescent, Castleford WF10 6DR'],
  ];
  it.each(cases)('%s', (_name, text) => {
    expect(only(text).confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('a venue of a meeting is low', () => {
    const text = 'Our next meeting is on 27th February 2025 at 19:00 at the Queens Hotel, City Square, Leeds LS1 1PJ.';
    expect(only(text).confidence).toBeLessThan(0.6);
  });
});

describe('postcode: on its own it is medium confidence', () => {
  it('a bare postcode in prose', () => {
    const f = only('Can you check which branch covers BD7 1AY?');
    expect(f.confidence).toBeGreaterThanOrEqual(0.6);
    expect(f.confidence).toBeLessThan(0.9);
  });
});

describe('postcode: business addresses and signatures are low confidence', () => {
  const cases: [string, string][] = [
    [
      'practice signature after a sign-off',
      'See you Tuesday.\n\nKind regards,\nDr Sarah Jones\nSmile Dental Practice\n12 Park Row\nLeeds LS2 8NG\nTel: 0113 496 0000',
    ],
    ['signature after "--"', 'Thanks for the update.\n\n-- \nMike Brown\nBrown & Co\n5 Mill Road, York YO1 7HH'],
    ['lab address', 'The crown will be returned by Acme Dental Laboratory, Unit 3, Leeds LS9 8AB.'],
    ['lab docket block', 'Acme Dental Lab\nUnit 3 Riverside\nLeeds\nLS9 8AB\n\nPatient: Mrs Jane Smith'],
    ['supplier', 'Invoice from Henry Dental Supplies Ltd, Centurion Close, Gillingham ME8 0SB'],
    ['hospital', 'Referral to Leeds Dental Institute, Clarendon Way, Leeds LS2 9LU'],
    ['another practice', 'Riverside Dental Practice\n1 Bridge St\nYork YO1 6DD'],
    ['surgery', 'Moortown Surgery, 5 Harrogate Road, Leeds LS17 6PQ'],
    ['referrer section', 'Referrer details\nName: Dr Ann Lee\nAddress: 5 Harrogate Road, Leeds LS17 6PQ\n'],
  ];
  it.each(cases)('%s', (_name, text) => {
    const found = run(text);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f.confidence).toBeLessThan(0.6);
  });

  it('a one-line signature with pipes is still a signature', () => {
    const text = 'See you then.\n\nKind regards,\nAmy\nRiverside Orthodontics | 5 Mill Road | York YO1 7HH | 01904 000000 | www.riverside.example';
    expect(only(text).confidence).toBeLessThan(0.6);
  });

  it('"Thanks" opening a message, or followed by prose, does not start a signature', () => {
    const opening = 'Thanks!\nMrs Jane Smith\n12 High Street\nLeeds LS6 2QQ';
    expect(only(opening).confidence).toBeGreaterThanOrEqual(0.9);
    const prose = 'Hi Tom,\n\nThanks\nCan you please send the crown back to the patient at 12 High Street, Leeds LS6 2QQ as she is housebound?';
    expect(only(prose).confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('a quoted reply: the signature ends at the earlier message, whose patient address is high', () => {
    const mail = [
      'Done, thanks.',
      '',
      'Kind regards,',
      'Tom',
      'Acme Dental Lab, Leeds LS9 8AB',
      '-----Original Message-----',
      'From: Reception <reception@practice.test>',
      'Sent: Tuesday, 12 March 2024 10:15',
      'Subject: Denture',
      '',
      'Please deliver the denture to the patient at home:',
      'Mrs Jane Smith',
      '12 High Street',
      'Leeds LS6 2QQ',
    ].join('\n');
    const found = run(mail);
    expect(found.map((f) => [f.value, f.confidence >= 0.9])).toEqual([
      ['LS9 8AB', false],
      ['LS6 2QQ', true],
    ]);
  });
});

describe('postcode: tables', () => {
  it('the postcode column of a patient list is high', () => {
    const csv = 'Surname,Forename,DOB,Postcode\nSmith,Jane,12/03/1967,LS6 2QQ\nBrown,John,01/02/1958,bd71ay\n';
    const found = run(csv, PRACTICE, true);
    expect(found.map((f) => f.value)).toEqual(['LS6 2QQ', 'bd71ay']);
    for (const f of found) expect(f.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it("a supplier list's postcode column is medium at most", () => {
    const csv = 'Supplier,Address,Postcode\nAcme,Unit 3,LS9 8AB\n';
    const f = only(csv, PRACTICE, true);
    expect(f.confidence).toBeLessThan(0.9);
  });
});

describe('postcode: adversarial input', () => {
  const MB = 1 << 20;
  const repeat = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);
  const inputs: [string, string][] = [
    ['alternating letters and digits', repeat('A1A1A1A1A9')],
    ['near misses', repeat('EC1A 1B EC1A1 ')],
    ['many postcodes', repeat('LS6 2QQ ')],
    ['postcodes with context on every line', repeat('Patient address: LS6 2QQ\n')],
    ['one long line', `Mrs Jane Smith ${'x '.repeat(MB / 2)}LS6 2QQ`],
  ];
  it.each(inputs)('%s: 1 MB finishes and stays well-formed', (_name, text) => {
    const found = run(text);
    expect(Array.isArray(found)).toBe(true);
    for (const f of found) expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
  });
});
