import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { EMPTY_CONTEXT, type DetectorContext } from '../../../src/policies/detector.js';
import { detectPatientName } from '../../../src/policies/patient-name.js';

/** Staff and the message's own correspondents. */
const CONTEXT: DetectorContext = { practicePostcodes: [], practicePhones: [], knownNames: ['Sarah Jones', 'Tom Baker', 'Reception Team'] };

function run(text: string, context: DetectorContext = CONTEXT, tabular = false, location = 'body:text'): Finding[] {
  return detectPatientName({ location, text, tabular }, context);
}

function find(text: string, value: string, context: DetectorContext = CONTEXT): Finding | undefined {
  return run(text, context).find((f) => f.value === value);
}

describe('patient name: explicit labels are high confidence', () => {
  const cases: [string, string][] = [
    ['Patient: Mrs Jane Smith', 'Mrs Jane Smith'],
    ['Patient name: Jane Smith', 'Jane Smith'],
    ['Patient Name - SMITH, Jane', 'SMITH, Jane'],
    ["Patient's full name: Mary-Ann O'Brien", "Mary-Ann O'Brien"],
    ['Name of patient: Mr. John Brown', 'Mr. John Brown'],
    ['PATIENT: MRS JANE SMITH DOB 12/03/1967', 'MRS JANE SMITH'],
    ['Patient: Master Oliver Smith (age 9)', 'Master Oliver Smith'],
    ['Pt: Ms J. Smith', 'Ms J. Smith'],
    ['Patient: Mrs Smith, NHS 943 476 5919', 'Mrs Smith'],
    ['Patient details\nName: Mrs Jane Smith\nDOB: 12/03/1967', 'Mrs Jane Smith'],
    ['PATIENT DETAILS\n\nSurname: Smith\nForename: Jane\n', 'Smith'],
    ['Patient: Jane Smith.', 'Jane Smith'],
    ['Patient details\nMrs Jane Smith\n12 High Street, Leeds', 'Mrs Jane Smith'],
    ['PATIENT DETAILS\nName:            Jane Smith\nDOB:             12/03/1967', 'Jane Smith'],
    ['Patient details\nName            Jane Smith\nDate of birth   12/03/1967', 'Jane Smith'],
    ['Patient Name\tJane Smith', 'Jane Smith'],
  ];
  it.each(cases)('%j → %s', (text, value) => {
    const f = find(text, value);
    expect(f, JSON.stringify(run(text))).toBeDefined();
    expect(f!.kind).toBe('patient_name');
    expect(f!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(f!.offset).toBe(text.indexOf(value));
  });
});

describe('patient name: "Re:" lines and "our patient" are medium (high with a DOB)', () => {
  const medium: [string, string, string][] = [
    ['Re: Mrs Jane Smith', 'Mrs Jane Smith', 'body:text'],
    ['RE: FW: Mr John Brown', 'Mr John Brown', 'subject'],
    ['Re: Referral for Miss Emily Clarke', 'Miss Emily Clarke', 'body:text'],
    ['Re: Jane Smith', 'Jane Smith', 'subject'],
    ['I would be grateful if you could see our patient Jane Smith for an opinion.', 'Jane Smith', 'body:text'],
    ['Our mutual patient, Mr John Brown, attended today.', 'Mr John Brown', 'body:text'],
    ['I am referring Mrs Jane Smith for extraction of LL8.', 'Mrs Jane Smith', 'body:text'],
    ["Mrs Smith's crown is ready for fitting.", 'Mrs Smith', 'body:text'],
  ];
  it.each(medium)('%j → %s', (text, value, location) => {
    const f = run(text, CONTEXT, false, location).find((x) => x.value === value);
    expect(f, JSON.stringify(run(text))).toBeDefined();
    expect(f!.confidence).toBeGreaterThanOrEqual(0.6);
    expect(f!.confidence).toBeLessThan(0.9);
  });

  const high: [string, string][] = [
    ['Re: Mrs Jane Smith (DOB 12/03/1967)', 'Mrs Jane Smith'],
    ['Re: Jane Smith DOB 12/03/1967 NHS 943 476 5919', 'Jane Smith'],
    ['Re: Robert Chambers, D.O.B. 01.02.58', 'Robert Chambers'],
  ];
  it.each(high)('%j → %s', (text, value) => {
    const f = find(text, value);
    expect(f).toBeDefined();
    expect(f!.confidence).toBeGreaterThanOrEqual(0.85);
  });
});

describe('patient name: staff, correspondents and signatures are not patient names', () => {
  const cases: [string, string][] = [
    ['sign-off', 'See you on Tuesday.\n\nKind regards,\nDr Sarah Jones\nSmile Dental Practice'],
    ['sign-off, unknown name', 'Thanks for your help.\n\nBest wishes,\nMrs Helen Ward\nPractice Manager'],
    ['"--" signature', 'Done.\n\n-- \nMr Mike Brown\nAcme Dental Lab'],
    ['Dear line', 'Dear Mrs Smith,\n\nThank you for your letter.'],
    ['Dear line, no title', 'Dear Jane Smith,\n\nPlease find attached your invoice.'],
    ['quoted From/To headers', 'From: Jane Smith <jane@example.test>\nSent: Tuesday, 12 March 2024 10:15\nTo: Mr Tom Baker\nCc: Mrs Ann Lee\nSubject: Lunch'],
    ['known name as "patient"', 'Patient: Sarah Jones'],
    ['known name, other case and a title', 'Re: DR SARAH JONES'],
    ['known surname alone', 'Please ask Dr Jones to sign the form.'],
    ['referrer section', 'Referrer details\nName: Dr Ann Lee\nPractice: Riverside Dental\n'],
    ['referrer section, titled contact', 'Referring practice details\nContact: Mrs Helen Ward (referral coordinator)\nTel: 0113 496 0555\n'],
    ['practice name field', 'Practice name: Smile Dental'],
    ['account name', 'Account name: Smile Dental Ltd\nSort code: 12-34-56'],
    ['subject about an invoice', 'Re: Invoice March'],
    ['subject about the rota', 'RE: Staff Rota'],
    ['subject about a meeting', 'Fw: Re: Meeting Notes'],
    ['a number after the label', 'Patient: 943 476 5919'],
    ['a doctor mentioned in passing', 'Dr Patel will cover the afternoon list.'],
    ['GDC number', 'Dr Ann Lee, GDC No 123456'],
    ['FAO line', 'FAO Mrs Helen Ward'],
    ['signature at the end of a quoted reply', '> Thanks,\n> Mr Mike Brown\n> Acme Dental Lab'],
    ['sign-off and name on one line', 'All booked in for next week.\nKind regards, Mrs Helen Ward'],
    ['a colleague to see', 'Please see Mrs Ward in reception about the rota.'],
  ];
  it.each(cases)('%s', (_name, text) => {
    expect(run(text).filter((f) => f.confidence >= 0.6)).toEqual([]);
  });

  it('unlabelled capitalised words on a Re: line stay low', () => {
    for (const f of run('Re: Lunch Tomorrow')) expect(f.confidence).toBeLessThan(0.6);
  });

  it('a titled name with no patient context is reported low', () => {
    const f = find('Mr John Brown phoned about the parking.', 'Mr John Brown');
    expect(f).toBeDefined();
    expect(f!.confidence).toBeLessThan(0.6);
  });

  it('knownNames are compared case-insensitively, token by token', () => {
    const context: DetectorContext = { ...EMPTY_CONTEXT, knownNames: ['JONES, Sarah'] };
    expect(run('Patient: Sarah Jones', context)).toEqual([]);
    expect(run('Patient: Mrs Jones', context)).toEqual([]);
    expect(find('Patient: Jane Jones', 'Jane Jones', context)!.confidence).toBeGreaterThanOrEqual(0.9);
  });
});

describe('patient name: whole messages', () => {
  it('a referral letter reports the patient once per mention, not the staff', () => {
    const letter = [
      'Dear Dr Patel,',
      '',
      'Re: Mrs Jane Smith, DOB 12/03/1967',
      '',
      'Thank you for seeing our patient Jane Smith, who needs extraction of LR8.',
      '',
      'Patient details',
      'Name: Mrs Jane Smith',
      'Address: 12 High Street, Leeds LS6 2QQ',
      '',
      'Referrer details',
      'Name: Dr Sarah Jones',
      '',
      'Kind regards,',
      'Dr Sarah Jones',
      'Smile Dental Practice',
    ].join('\n');
    const found = run(letter);
    expect(found.map((f) => f.value)).toEqual(['Mrs Jane Smith', 'Jane Smith', 'Mrs Jane Smith']);
    expect(found.every((f) => f.confidence >= 0.6)).toBe(true);
  });

  it("a lab docket in a Gmail forward: the patient, not the lab's contact", () => {
    const mail = [
      '---------- Forwarded message ---------',
      'From: Acme Lab <orders@lab.test>',
      'Date: Tue, 12 Mar 2024 at 10:15',
      'Subject: Docket 4471',
      'To: <reception@practice.test>',
      '',
      'Docket 4471',
      'Patient: Mr John Brown',
      'Work: upper partial denture',
      '',
      'Thanks,',
      'Mike Brown',
      'Acme Dental Lab',
    ].join('\n');
    expect(run(mail).map((f) => f.value)).toEqual(['Mr John Brown']);
  });
});

describe('patient name: names in running text', () => {
  const cases: [string, string, string, number][] = [
    ['greeting, then a patient', 'Hi Sarah, the impression for Mr Rhys Kelly (DOB 10 November 1991) has a drag on the margin.', 'Mr Rhys Kelly', 0.85],
    ['greeting, then "your patient"', 'Dear Dr Patel, we saw your patient Dylan Chen in clinic today.', 'Dylan Chen', 0.8],
    ['quoted greeting and age', '> > Hi Sarah, the impression for Mr Gareth Robinson (age 32) has a drag.', 'Mr Gareth Robinson', 0.85],
    ['untitled name and date of birth', 'I would be grateful if you could see Stephen Brook (born 23 December 1952), tel. 07700 900026.', 'Stephen Brook', 0.85],
    ['a doctor as the patient, with an age', 'the impression for Dr Stephen Doherty (age 23) has a drag', 'Dr Stephen Doherty', 0.85],
    ['a doctor owning a denture', "Hi Adam, just to let you know Dr Arjun Evans's denture is back from the lab.", 'Dr Arjun Evans', 0.75],
    ['untitled owner of an appointment', "Jane Smith's appointment has moved to Tuesday.", 'Jane Smith', 0.65],
    ['testimonial', '"I was terrified of the dentist until I met Dr Patel" - Patricia Kaur, Sheffield', 'Patricia Kaur', 0.6],
    ['HTML fields run together', 'Patient:Zoë Illingworth Taken:16/10/2025', 'Zoë Illingworth', 0.9],
    ['HTML fields run together, initials', 'Name:Priyanka HUGHES D.O.B.:17.10.16 NHS number:674-365-1982', 'Priyanka HUGHES', 0.9],
    ['a field block without a heading', 'Please see the following patient.\n\nName: Ms Zoë Edwards\nDate of birth: July 18, 1987\nTel: 07700 900409', 'Ms Zoë Edwards', 0.9],
    ['given name and surname near "patient"', 'A huge congratulations to Emily Campbell from Halifax, our 5,000th patient!', 'Emily Campbell', 0.6],
  ];
  it.each(cases)('%s', (_name, text, value, min) => {
    const f = find(text, value);
    expect(f, JSON.stringify(run(text))).toBeDefined();
    expect(f!.confidence).toBeGreaterThanOrEqual(min);
  });

  const negatives: [string, string][] = [
    ['sentence-initial word', "Following Oliver's appointment we have updated your records."],
    ['a clinician with an NHS performer number', 'Dr Ann Lee (NHS Performer No. 718204) will see her.'],
    ['correspondents in a run-together header', 'Subject: Crown remake Date: Tue, 7 Jan 2025 From: Mark Fenton <mark@lab.test> To: Tom Brown <tom@practice.test> about the patient'],
    ['a colleague by role', 'Please welcome our new hygienist Priya Shah, who starts seeing patients on Monday.'],
    ['a street', 'Patient address: 12 Victoria Avenue, Leeds'],
    ['names split across table cells', 'Mon\tChloe\tPriya\nTue\tDaniel\tEmma\n'],
  ];
  it.each(negatives)('not a patient name: %s', (_name, text) => {
    expect(run(text).filter((f) => f.confidence >= 0.6)).toEqual([]);
  });
});

describe('patient name: tables', () => {
  it('a Name column of a patient list', () => {
    const csv = 'Name,DOB,Postcode\nJane Smith,12/03/1967,LS6 2QQ\n"Brown, John",01/02/1958,BD7 1AY\n';
    const found = run(csv, CONTEXT, true);
    expect(found.map((f) => [f.value, f.offset])).toEqual([
      ['Jane Smith', csv.indexOf('Jane Smith')],
      ['Brown, John', csv.indexOf('Brown, John')],
    ]);
    for (const f of found) expect(f.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('Surname and Forename columns, tab-separated', () => {
    const tsv = 'Patient Surname\tForename\tDOB\nSmith\tJane\t12/03/1967\n';
    expect(run(tsv, CONTEXT, true).map((f) => f.value)).toEqual(['Smith', 'Jane']);
  });

  it('a full-name column wins over Surname and Forename columns', () => {
    const csv = 'Surname,Forename,Patient Name,DOB\nFRASER,Jessica,Jessica Fraser,9 Nov 1943\n';
    expect(run(csv, CONTEXT, true).map((f) => f.value)).toEqual(['Jessica Fraser']);
  });

  it('a tab-separated table in a message body', () => {
    const body = 'List for tomorrow:\n\nTime\tPatient\tDOB\tPhone\n9:00\tOlivia Jackson\t07/11/1949\t07700 900285\n10:00\tDylan O\'Brien\t10 Aug 1974\t07700 900255\n\nThanks,\nEmma';
    const found = run(body);
    expect(found.map((f) => f.value)).toEqual(['Olivia Jackson', "Dylan O'Brien"]);
    for (const f of found) expect(f.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('other columns, staff names and empty cells are not reported', () => {
    const csv = 'Name,Clinician,Notes\nJane Smith,Sarah Jones,Crown prep\n,Tom Baker,\nSarah Jones,,\n';
    expect(run(csv, CONTEXT, true).map((f) => f.value)).toEqual(['Jane Smith']);
  });
});

describe('patient name: adversarial input', () => {
  const MB = 1 << 20;
  const repeat = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);
  const inputs: [string, string][] = [
    ['labels only', repeat('Patient: Name: Re: ')],
    ['capitalised words', repeat('Aa Bb Cc Dd Ee Ff ')],
    ['titles', repeat('Mrs A Mrs B Mr C ')],
    ['nested Re:', repeat('Re: RE: Fw: ')],
    ['labelled names', repeat('Patient: Mrs Jane Smith\n')],
    ['sign-offs', repeat('Kind regards,\nName: Jane Smith\n')],
    ['one long line', `Patient: ${'Jane '.repeat(MB / 5)}`],
  ];
  it.each(inputs)('%s: 1 MB finishes and stays well-formed', (_name, text) => {
    const found = run(text);
    expect(Array.isArray(found)).toBe(true);
    for (const f of found) expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
  });

  it('a 1 MB CSV finishes', () => {
    const csv = `Name,DOB\n${repeat('Jane Smith,12/03/1967\n')}`;
    expect(run(csv, CONTEXT, true).length).toBeGreaterThan(1000);
  });
});
