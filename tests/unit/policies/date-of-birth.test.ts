import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { createDateOfBirthDetector, detectDateOfBirth } from '../../../src/policies/date-of-birth.js';
import { EMPTY_CONTEXT, type TextUnit } from '../../../src/policies/detector.js';

/** A fixed "today" so plausibility (no future births, none over 120 years ago) is deterministic. */
const detect = createDateOfBirthDetector({ now: () => new Date('2026-06-01T12:00:00Z') });

function run(text: string, tabular = false): Finding[] {
  const unit: TextUnit = { location: 'body:text', text, tabular };
  return detect(unit, EMPTY_CONTEXT);
}

/** The finding whose value is `value` (it must be reported exactly as written). */
function find(text: string, value: string, tabular = false): Finding | undefined {
  return run(text, tabular).find((f) => f.value === value);
}

describe('date of birth: labelled dates in every common format are high confidence', () => {
  const cases: [string, string][] = [
    ['DOB: 12/03/1967', '12/03/1967'],
    ['D.O.B. 12-03-1967', '12-03-1967'],
    ['Date of birth: 12.03.67', '12.03.67'],
    ['DoB: 12 Mar 1967', '12 Mar 1967'],
    ['Date of Birth 12th March 1967', '12th March 1967'],
    ['born March 12, 1967 in Leeds', 'March 12, 1967'],
    ['Birth date: 1967-03-12', '1967-03-12'],
    ['DOB 19670312', '19670312'],
    ['dob 12/3/67', '12/3/67'],
    ['Mrs Jane Smith (b. 12/03/1967)', '12/03/1967'],
    ['Date of birth (dd/mm/yyyy): 03/12/1967', '03/12/1967'],
    ['D.O.B: 12-MAR-1967', '12-MAR-1967'],
    ['Birthdate: 1st January 2001', '1st January 2001'],
    ['DOB - 29/02/1964', '29/02/1964'],
    ['DOB: 03/25/1967 (system in US format)', '03/25/1967'],
    ['Date of birth:\n12/03/1967', '12/03/1967'],
    ['Date of Birth        12 March, 1967', '12 March, 1967'],
    ['D/O/B: 5.6.1990', '5.6.1990'],
    ['> DOB: 12/03/1967', '12/03/1967'],
    ['born on 7th of July 1985', '7th of July 1985'],
    ['DOB: 12/03/20', '12/03/20'],
  ];
  it.each(cases)('%j → %s', (text, value) => {
    const f = find(text, value);
    expect(f, text).toBeDefined();
    expect(f!.kind).toBe('dob');
    expect(f!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f!.offset).toBe(text.indexOf(value));
    expect(f!.location).toBe('body:text');
  });
});

describe('date of birth: a DOB keyword nearby is medium confidence', () => {
  const cases: [string, string][] = [
    ['Jane Smith was born in Leeds on 12/03/1967 and moved here later.', '12/03/1967'],
    ['Her DOB, as recorded on our system, is 12/03/1967.', '12/03/1967'],
    ['Jane Smith 12/03/1967 (DOB) attended', '12/03/1967'],
    ['Please check the date of birth we hold, which is 1967-03-12, against yours.', '1967-03-12'],
  ];
  it.each(cases)('%j → %s', (text, value) => {
    const f = find(text, value);
    expect(f, text).toBeDefined();
    expect(f!.confidence).toBeGreaterThanOrEqual(0.6);
    expect(f!.confidence).toBeLessThan(0.9);
  });
});

describe('date of birth: dates that are not dates of birth are not reported', () => {
  const cases: string[] = [
    'Appointment: 12/03/2024 at 10:30',
    'Your next appointment is on 12/03/2025.',
    'Invoice date: 12/03/2024\nInvoice no: INV-20240312\nTotal: £120.00',
    'Sent: Tuesday, 12 March 2024 10:15\nTo: Reception',
    'Date: 12/03/2024',
    'On Tue, 12 Mar 2024 at 10:15, Jane Smith <jane@example.test> wrote:',
    '2024-03-12T10:15:00Z INFO message delivered',
    '2024-03-12 10:15:03 queue flushed',
    'Order dispatched 12/03/2024, delivery expected 14/03/2024.',
    'See you on 12/03/1967.',
    'Version 1.2.23 released',
    'GDC No: 123456',
    'Payment received 01/04/2024, thank you.',
    'Issued: 3 March 2023. Valid until 3 March 2025.',
    'Staff training day is Friday 14 June 2024.',
  ];
  it.each(cases)('%j', (text) => {
    expect(run(text).filter((f) => f.confidence >= 0.3)).toEqual([]);
  });
});

describe('date of birth: implausible birth dates are rejected', () => {
  const cases: string[] = [
    'DOB: 12/03/2099', // future
    'DOB: 02/06/2026', // tomorrow
    'DOB: 12/03/1890', // over 120 years ago
    'DOB: 31/02/1967', // no such day
    'DOB: 29/02/1967', // not a leap year
    'DOB: 13/13/1967', // no month 13 either way round
    'DOB: 00/03/1967',
    'DOB: 1967-13-45',
    'DOB: 32 March 1967',
  ];
  it.each(cases)('%j', (text) => {
    expect(run(text)).toEqual([]);
  });

  it('uses the current date by default (a birth date in the future is never reported)', () => {
    const future = `DOB: 01/01/${new Date().getFullYear() + 2}`;
    expect(detectDateOfBirth({ location: 'subject', text: future }, EMPTY_CONTEXT)).toEqual([]);
    expect(detectDateOfBirth({ location: 'subject', text: 'DOB: 12/03/1967' }, EMPTY_CONTEXT)).toHaveLength(1);
  });
});

describe('date of birth: mixed dates keep only the date of birth', () => {
  it('a DOB next to an appointment date', () => {
    const found = run('DOB: 12/03/1967 Appointment: 14/05/2025');
    expect(found.map((f) => f.value)).toEqual(['12/03/1967']);
  });

  it('the keyword belongs to the nearer date', () => {
    const found = run('Patient DOB 12/03/1967, seen 14/05/2025 and 20/05/2025 for review.');
    expect(found.map((f) => f.value)).toEqual(['12/03/1967']);
  });

  it('a visit date just before a labelled DOB is not taken for one', () => {
    const found = run('I saw her on 14/05/2025. DOB 12/03/1967.');
    expect(found.map((f) => f.value)).toEqual(['12/03/1967']);
  });

  it('a referral letter', () => {
    const letter = [
      'Leeds Dental Institute',
      'Date: 14/05/2025',
      '',
      'Dear Dr Patel,',
      '',
      'Re: Mrs Jane Smith, D.O.B. 12th March 1967, NHS No 943 476 5919',
      '',
      'I would be grateful if you could see this patient, last seen 02/04/2025, for extraction of LL8.',
      'Next appointment: 12/06/2025.',
      '',
      'Kind regards,',
      'Dr Sarah Jones',
    ].join('\n');
    const found = run(letter);
    expect(found.map((f) => f.value)).toEqual(['12th March 1967']);
    expect(found[0]!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('an Outlook reply chain with a DOB in the quoted message', () => {
    const mail = [
      'Thanks, booked in.',
      '',
      'From: Reception <reception@practice.test>',
      'Sent: Tuesday, 12 March 2024 10:15',
      'To: Lab <lab@lab.test>',
      'Subject: RE: Crown',
      '',
      'Patient: John Brown DOB 01/02/1958, crown due 19/03/2024.',
    ].join('\n');
    expect(run(mail).map((f) => f.value)).toEqual(['01/02/1958']);
  });

  it('a date on a patient line without a keyword is reported low', () => {
    const f = find('Re: Jane Smith (12/03/1967)', '12/03/1967');
    expect(f).toBeDefined();
    expect(f!.confidence).toBeLessThan(0.6);
  });
});

describe('date of birth: tables', () => {
  const csv = ['Surname,Forename,DOB,Last visit,Next appointment', 'Smith,Jane,12/03/1967,14/05/2025,12/06/2026', 'Brown,John,1958-02-01,02/04/2025,'].join('\n');

  it('dates in the DOB column are high, other date columns are not reported', () => {
    const found = run(csv, true);
    expect(found.map((f) => f.value)).toEqual(['12/03/1967', '1958-02-01']);
    for (const f of found) expect(f.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('a "Date of Birth" header with quoted cells and semicolons', () => {
    const text = '"Patient";"Date of Birth";"Postcode"\n"Jane Smith";"12.03.1967";"LS6 2QQ"\n';
    const found = run(text, true);
    expect(found.map((f) => [f.value, f.offset])).toEqual([['12.03.1967', text.indexOf('12.03.1967')]]);
  });

  it('a CSV without a header row falls back to the text rules', () => {
    expect(run('Jane Smith,12/03/1967,LS6 2QQ\nJohn Brown,DOB 01/02/1958,BD7 1AY\n', true).map((f) => f.value)).toEqual(['01/02/1958']);
  });

  it('a tab-separated table in a message body', () => {
    const body = 'Time\tPatient\tDOB\tLast visit\n9:00\tOlivia Jackson\t07/11/1949\t02/04/2025\n10:00\tDylan Brien\tJune 1, 1973\t03/04/2025\n';
    const found = run(body);
    expect(found.map((f) => f.value)).toEqual(['07/11/1949', 'June 1, 1973']);
    for (const f of found) expect(f.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('a table without a DOB column reports nothing', () => {
    expect(run('Invoice,Date,Amount\nINV-1,12/03/2024,120.00\nINV-2,13/03/2024,80.00\n', true)).toEqual([]);
  });
});

describe('date of birth: adversarial input', () => {
  const MB = 1 << 20;
  const repeat = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);
  const inputs: [string, string][] = [
    ['separators', repeat('1/1/1/1/1-1.1.1-')],
    ['digits', repeat('1234567890')],
    ['labels', repeat('DOB: DOB: D.O.B. born b. ')],
    ['labelled dates', repeat('DOB: 12/03/1967 ')],
    ['month names', repeat('12th of March 12 Mar 1 ')],
    ['one long line of spaces', `DOB:${' '.repeat(MB)}12/03/1967`],
  ];
  it.each(inputs)('%s: 1 MB finishes and stays well-formed', (_name, text) => {
    const found = run(text);
    expect(Array.isArray(found)).toBe(true);
    for (const f of found) {
      expect(f.kind).toBe('dob');
      expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
    }
  });
});
