/** Referrals (England, Scotland, Northern Ireland), patient letters, appointment reminders, lab dockets. */
import { disclaimer, anyBody, signature } from './common.js';
import { fields, lines, p, type Block } from './doc.js';
import { addDays, DOB_STYLES, formatDate, weekday, ageOn, type DateStyle, type NumberStyle, type SimpleDate } from './identifiers.js';
import type { Labels, NameStyle } from './labels.js';
import { Msg, type Built } from './message.js';
import { binaryLeaf, textLeaf, type Leaf } from './mime.js';
import { docx, pdf } from './binary.js';
import {
  consumerAddress,
  EMMA,
  LABS,
  NHS_CONTACTS,
  NI_NHS,
  otherName,
  person,
  RECEPTION,
  SARAH,
  SCOT_NHS,
  SPECIALISTS,
  TOM,
  type Address,
  type Person,
} from './people.js';
import type { Rng } from './random.js';
import { LAB_WORK, MEDICAL_HISTORY, REFERRAL_REASONS, TEETH, TREATMENT_ITEMS } from './clinical-text.js';

export interface PatientDetails {
  readonly id: 'nhs' | 'chi' | 'hc' | 'none';
  readonly dob: boolean;
  readonly postcode: boolean;
  readonly phone: boolean;
  readonly hosp: boolean;
  readonly nameStyle: NameStyle;
}

export function numberStyle(rng: Rng): NumberStyle {
  return rng.pick(['space', 'space', 'space', 'plain', 'plain', 'dash', 'dot']);
}

export function dobStyle(rng: Rng): DateStyle {
  return rng.pick(DOB_STYLES.filter((s) => s !== 'compact'));
}

function idField(rng: Rng, L: Labels, pt: Person, id: PatientDetails['id']): [string, string] | undefined {
  switch (id) {
    case 'nhs':
      return [rng.pick(['NHS number', 'NHS No', 'NHS No.', 'NHS Number', 'NHS #']), L.nhs(pt, numberStyle(rng))];
    case 'chi':
      return [rng.pick(['CHI number', 'CHI No', 'CHI', 'Community Health Index']), L.chi(pt, rng.pick(['plain', 'plain', 'split', 'space334']))];
    case 'hc':
      return [rng.pick(['H&C number', 'Health and Care Number', 'HCN', 'H&C No']), L.hc(pt, rng.pick(['space', 'plain', 'space', 'dash']))];
    case 'none':
      return undefined;
  }
}

/** The patient block of a referral: labelled fields. */
export function patientFields(rng: Rng, L: Labels, pt: Person, d: PatientDetails): Block {
  const rows: [string, string][] = [[rng.pick(['Patient name', 'Patient', 'Name']), L.name(pt, d.nameStyle)]];
  if (d.dob) rows.push([rng.pick(['Date of birth', 'DOB', 'D.O.B.', 'Date of Birth']), L.dob(pt, dobStyle(rng))]);
  const id = idField(rng, L, pt, d.id);
  if (id) rows.push(id);
  if (d.hosp) rows.push([rng.pick(['Hospital number', 'Hosp No', 'MRN', 'Unit number']), L.hospitalNo(pt)]);
  if (d.postcode) rows.push(['Address', `${pt.street}, ${pt.town} ${L.postcode(pt, rng.pick(['normal', 'normal', 'normal', 'nospace']))}`]);
  if (d.phone) rows.push([rng.pick(['Tel', 'Telephone', 'Mobile', 'Contact number']), L.phone(pt, 'mobile', rng.pick(['spaced', 'plain', 'intl']))]);
  return fields(rows);
}

/** The same details written into a sentence. */
export function patientProse(rng: Rng, L: Labels, pt: Person, d: PatientDetails, reason: string): Block {
  const bits: string[] = [];
  if (d.dob) bits.push(`${rng.pick(['DOB', 'date of birth', 'born', 'D.O.B.'])} ${L.dob(pt, dobStyle(rng))}`);
  const id = idField(rng, L, pt, d.id);
  if (id) bits.push(`${id[0]} ${id[1]}`);
  if (d.hosp) bits.push(`hospital no. ${L.hospitalNo(pt)}`);
  let text = `I would be grateful if you could see ${L.name(pt, d.nameStyle)}${bits.length ? ` (${bits.join(', ')})` : ''}`;
  if (d.postcode) text += ` of ${pt.street}, ${pt.town} ${L.postcode(pt)}`;
  if (d.phone) text += `, tel. ${L.phone(pt, 'mobile', rng.pick(['spaced', 'plain']))}`;
  return p(`${text}. ${reason}`);
}

function letterLines(rng: Rng, L: Labels, pt: Person, d: PatientDetails, reason: string, history: string, today: SimpleDate): string[] {
  const out = ['Brightsmile Dental, 12 High Street, Leeds LS1 4AB. Tel 0113 496 0123', '', `Date: ${formatDate(today, 'dmy_slash')}`, '', 'REFERRAL LETTER', ''];
  out.push(`Patient: ${L.name(pt, d.nameStyle)}`);
  if (d.dob) out.push(`Date of birth: ${L.dob(pt, dobStyle(rng))}`);
  const id = idField(rng, L, pt, d.id);
  if (id) out.push(`${id[0]}: ${id[1]}`);
  if (d.postcode) out.push(`Address: ${pt.street}, ${pt.town}, ${L.postcode(pt)}`);
  if (d.phone) out.push(`Telephone: ${L.phone(pt, 'mobile', 'spaced')}`);
  out.push('', `Reason for referral: ${reason}`, history, '', 'Yours sincerely,', 'Dr Sarah Patel BDS, GDC No. 104512');
  return out;
}

function simpleDate(ms: number): SimpleDate {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function details(rng: Rng, id: PatientDetails['id']): PatientDetails {
  return {
    id,
    dob: rng.chance(0.9),
    postcode: rng.chance(0.75),
    phone: rng.chance(0.45),
    hosp: rng.chance(0.12),
    nameStyle: rng.pick(['title', 'title', 'full', 'upper_last', 'title_upper_last', 'last_first']),
  };
}

// ---- referrals ---------------------------------------------------------------------------------

export function referral(rng: Rng, region: 'england' | 'scotland' | 'northernIreland'): Built {
  const category = region === 'england' ? 'referral' : region === 'scotland' ? 'referral-scotland' : 'referral-ni';
  const sender = rng.chance(0.75) ? SARAH : EMMA;
  const m = new Msg(rng, category, sender);
  const child = rng.chance(0.15);
  const pt = person(rng, {
    child,
    ...(region === 'scotland' ? { region: 'scotland', chiScheme: rng.chance(0.25) ? ('mod10' as const) : ('mod11' as const) } : {}),
    ...(region === 'northernIreland' ? { region: 'northernIreland' } : {}),
  });
  const L = m.labels;
  const id: PatientDetails['id'] = region === 'scotland' ? 'chi' : region === 'northernIreland' ? 'hc' : rng.chance(0.93) ? 'nhs' : 'none';
  const d = details(rng, id);
  const contacts = region === 'scotland' ? SCOT_NHS : region === 'northernIreland' ? NI_NHS : NHS_CONTACTS;
  // Where it goes decides the verdict: nhs.net is secure; anything else outside the practice is not.
  const route = rng.pick(['nhs', 'nhs', 'nhs', 'nhs', 'nhs', 'nhs', 'specialist', 'nhs+patient', 'colleague-webmail']);
  const to: Address[] = [];
  if (route === 'specialist') {
    const org = rng.pick(SPECIALISTS);
    to.push(org.contacts[0] ?? { name: org.name, email: `referrals@${org.domain}` });
    m.note('identifiable referral to a private specialist (not a secure domain)');
  } else if (route === 'colleague-webmail') {
    const o = otherName(rng);
    to.push(consumerAddress(rng, o.first, o.last));
    m.note('identifiable referral sent to a colleague\'s personal webmail');
  } else {
    to.push(rng.pick(contacts));
  }
  m.to = to;
  if (route === 'nhs+patient') {
    L.correspondent(pt);
    m.cc = [{ name: `${pt.first} ${pt.last}`, email: pt.email }];
    m.note('patient copied in at their webmail address: the patient is a correspondent, the data is still identifiable');
  }
  if (rng.chance(0.3) && sender !== TOM) m.cc = [...m.cc, TOM];
  const reason = child ? rng.pick([REFERRAL_REASONS[3], REFERRAL_REASONS[4], REFERRAL_REASONS[9]].filter((x): x is string => x !== undefined)) : rng.pick(REFERRAL_REASONS);
  const history = rng.pick(MEDICAL_HISTORY);
  const urgent = reason.includes('2WW');
  const today = simpleDate(m.date);
  const subjectName = rng.chance(0.45);
  m.subject = subjectName
    ? `${urgent ? 'URGENT ' : ''}Referral: ${L.name(pt, rng.pick(['title', 'full', 'title_upper_last']))}${d.dob && rng.chance(0.4) ? ` DOB ${L.dob(pt, 'dmy_slash')}` : ''}`
    : rng.pick([`${urgent ? 'Urgent suspected cancer referral' : 'New referral'} from Brightsmile Dental`, 'Referral for assessment', `Referral - ${rng.pick(TEETH)}`, 'Patient referral']);
  if (subjectName) m.note('patient named in the subject');

  const greeting = p(to[0]?.name === 'Mr James Okafor' ? 'Dear Mr Okafor,' : rng.pick(['Dear Colleague,', 'Dear Sir/Madam,', 'Hello,', 'Dear Referrals Team,']));
  const blocks: Block[] = [greeting];
  const attachments: Leaf[] = [];
  const form = rng.pick(['fields', 'fields', 'prose', 'pdf', 'docx']);
  if (form === 'fields') {
    blocks.push(p(rng.pick(['Please accept this referral for the patient below.', 'I would be grateful if you could see the following patient.', 'Please find the referral details below.'])));
    blocks.push(patientFields(rng, L, pt, d));
    blocks.push(p(`Reason for referral: ${reason}`), p(history));
  } else if (form === 'prose') {
    blocks.push(patientProse(rng, L, pt, d, reason), p(history));
  } else {
    const letter = letterLines(rng, L, pt, d, reason, history, today);
    const file = `Referral_${formatDate(today, 'compact')}_${rng.digits(4)}.${form}`;
    blocks.push(p(`Please find attached a referral letter for ${rng.chance(0.5) ? L.name(pt, 'title') : 'our patient'}. ${rng.pick(['The OPG will follow separately.', 'Radiographs available on request.', ''])}`.trim()));
    attachments.push(
      form === 'pdf'
        ? binaryLeaf('application/pdf', file, pdf(letter, 'Referral letter'))
        : binaryLeaf(
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
            file,
            docx(letter.map((l) => (l.includes(': ') ? [{ text: l.slice(0, l.indexOf(': ') + 2), bold: true }, { text: l.slice(l.indexOf(': ') + 2) }] : [{ text: l }]))),
          ),
    );
    m.note(`referral letter as a ${form.toUpperCase()} attachment`);
  }
  blocks.push(p(rng.pick(['Many thanks for seeing this patient.', 'Thank you for your help.', 'Please contact me if you need anything further.'])));
  blocks.push(signature(rng, sender === SARAH ? SARAH : EMMA));
  if (rng.chance(0.4)) blocks.push(lines([`Practice code: V${rng.digits(5)}  |  Contract no. ${rng.digits(6)}/0001  |  Performer no. 718204`]));
  blocks.push(...disclaimer(rng));
  m.note(`patient details as ${form}`);
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), attachments));
}

// ---- patient letters ---------------------------------------------------------------------------

export function patientLetter(rng: Rng): Built {
  const sender = rng.pick([SARAH, EMMA, RECEPTION]);
  const m = new Msg(rng, 'patient-letter', sender);
  const L = m.labels;
  const kind = rng.pick(['plan', 'plan', 'child', 'postop', 'records', 'exemption']);
  const staff = sender === SARAH ? SARAH : EMMA;
  const blocks: Block[] = [];
  if (kind === 'child') {
    const parent = person(rng);
    const kid = person(rng, { child: true });
    L.correspondent(parent);
    m.to = [{ name: `${parent.first} ${parent.last}`, email: parent.email }];
    m.subject = rng.choose([() => `Your child's treatment`, () => `Appointment letter for ${L.name(kid, 'full')}`, () => 'Orthodontic referral update']);
    blocks.push(p(`Dear ${parent.title} ${parent.last},`));
    blocks.push(p(`Re: ${L.name(kid, rng.pick(['full', 'title']))}, date of birth ${L.dob(kid, dobStyle(rng))}`));
    blocks.push(p(`Following ${kid.first}'s check-up we have referred ${kid.female ? 'her' : 'him'} to the orthodontic department at Leeds Dental Institute. They will write to you with an appointment; the waiting time is currently around 14 months.`));
    m.note('letter to a parent naming the child with date of birth');
  } else {
    const pt = person(rng);
    L.correspondent(pt);
    m.to = [{ name: `${pt.first} ${pt.last}`, email: rng.chance(0.85) ? pt.email : `${pt.first.toLowerCase()}.${pt.last.replace(/[^A-Za-z]/g, '').toLowerCase()}@leeds-council-staff.org.uk` }];
    const address = rng.chance(0.6);
    if (address) blocks.push(lines([`${pt.title} ${pt.first} ${pt.last}`, pt.street, pt.town, L.postcode(pt)]));
    blocks.push(p(`Dear ${pt.title} ${pt.last},`));
    if (kind === 'plan') {
      m.subject = rng.pick(['Your treatment plan', 'Treatment plan and estimate', 'Your dental treatment estimate']);
      if (rng.chance(0.45)) blocks.push(fields([['Date of birth', L.dob(pt, dobStyle(rng))]]));
      blocks.push(p(`Thank you for attending your examination with ${rng.pick(['Dr Sarah Patel', 'Dr Patel'])}. As discussed, your treatment plan is below.`));
      const items = rng.sample(TREATMENT_ITEMS, rng.int(2, 4));
      blocks.push(fields(items.map(([item, band]) => [item, band])));
      blocks.push(p(`NHS charges from 1 April 2025: Band 1 £27.40, Band 2 £75.30, Band 3 £326.70. Please call 0113 496 0123 to book.`));
    } else if (kind === 'postop') {
      m.subject = 'Aftercare following your extraction';
      blocks.push(p(`We hope you are feeling better after your extraction of ${rng.pick(TEETH)} today. Please avoid hot drinks and rinsing for 24 hours, and do not smoke.`));
      blocks.push(p('If bleeding does not stop after 30 minutes of firm pressure, call us on 0113 496 0123 or NHS 111 out of hours.'));
    } else if (kind === 'records') {
      m.subject = 'Your dental records request';
      blocks.push(p('Thank you for your subject access request. A summary of your record is below; the full record will be sent by post.'));
      blocks.push(fields([['Date of birth', L.dob(pt, dobStyle(rng))], ['NHS number', L.nhs(pt, numberStyle(rng))], ['Registered since', formatDate(addDays(simpleDate(m.date), -rng.int(400, 4000)), 'd_month_y')]]));
      m.note('records summary to the patient\'s own webmail: identifiable (hold by default policy)');
    } else {
      m.subject = 'NHS exemption evidence';
      blocks.push(p('When you attended we were unable to see evidence of your exemption from NHS charges. NHSBSA may check your claim.'));
      blocks.push(fields([['NHS number', L.nhs(pt, numberStyle(rng))], ['Exemption claimed', rng.pick(['Universal Credit', 'Maternity exemption', 'HC2 certificate'])]]));
    }
    if (address) m.note('address block with the patient\'s postcode');
  }
  blocks.push(signature(rng, staff));
  return m.build(m.body(blocks, anyBody(rng)));
}

// ---- appointment reminders ---------------------------------------------------------------------

export function appointmentReminder(rng: Rng): Built {
  const software = rng.chance(0.5);
  const m = new Msg(rng, 'appointment-reminder', software ? { name: 'Brightsmile Dental', email: 'noreply@brightsmile-dental.co.uk' } : rng.pick([EMMA, RECEPTION]));
  const L = m.labels;
  const pt = person(rng);
  L.correspondent(pt);
  m.to = [{ name: `${pt.first} ${pt.last}`, email: pt.email }];
  const when = addDays(simpleDate(m.date), rng.int(1, 21));
  const time = `${rng.int(8, 17)}:${rng.pick(['00', '15', '30', '45'])}`;
  const dateText = rng.pick([
    `${weekday(when)} ${formatDate(when, 'd_month_y')}`,
    formatDate(when, 'dmy_slash'),
    `${weekday(when)}, ${formatDate(when, 'dth_month_y')}`,
    formatDate(when, 'd_mon_y'),
  ]);
  const who = rng.pick(['Dr Sarah Patel', 'Dr Patel', 'our hygienist', 'Priya (hygienist)']);
  m.subject = rng.pick([`Appointment reminder: ${dateText} at ${time}`, 'Your appointment at Brightsmile Dental', 'Reminder: dental appointment', `See you on ${dateText}`]);
  const blocks: Block[] = [p(rng.pick([`Dear ${pt.title} ${pt.last},`, `Dear ${pt.first},`, `Hi ${pt.first},`]))];
  blocks.push(p(`This is a reminder of your appointment with ${who} on ${dateText} at ${time}.`));
  if (rng.chance(0.5)) blocks.push(fields([['Booking reference', rng.pick([`APT-2025-${rng.digits(6)}`, rng.digits(10), `${rng.digits(4)}-${rng.digits(4)}`])], ['Appointment type', rng.pick(['Check-up', 'Hygiene', 'Filling', 'Crown fit', 'Review'])], ['Duration', `${rng.pick([15, 20, 30, 40, 60])} minutes`]]));
  blocks.push(p('If you cannot attend, please give us at least 24 hours\' notice by calling 0113 496 0123 or replying to this email. Missed appointments may be charged.'));
  if (rng.chance(0.3)) blocks.push(p(`Your last visit was on ${formatDate(addDays(simpleDate(m.date), -rng.int(150, 400)), 'dmy_slash')}.`));
  blocks.push(lines(['Brightsmile Dental', '12 High Street, Leeds LS1 4AB', '0113 496 0123']));
  m.note('appointment and last-visit dates are not dates of birth; the patient is the addressee');
  return m.build(m.body(blocks, software ? { shape: rng.pick(['html', 'alt']), flavour: 'plain', htmlEncoding: rng.pick(['quoted-printable', 'base64', '7bit']) } : anyBody(rng)));
}

// ---- lab dockets -------------------------------------------------------------------------------

export function labDocket(rng: Rng): Built {
  const lab = rng.pick(LABS);
  const sender = rng.pick([SARAH, SARAH, EMMA]);
  const m = new Msg(rng, 'lab-docket', sender);
  const L = m.labels;
  const pt = person(rng);
  m.to = [rng.pick(lab.contacts)];
  const work = rng.pick(LAB_WORK);
  const returnDate = addDays(simpleDate(m.date), rng.int(5, 14));
  const withDob = rng.chance(0.18);
  const withNhs = !withDob && rng.chance(0.08);
  const caseNo = rng.pick([`BSD/${rng.digits(5)}`, `2025-${rng.digits(5)}`, rng.digits(10)]);
  m.subject = rng.choose([() => `Lab docket - ${L.name(pt, rng.pick(['full', 'upper_last']))}`, () => `New case: ${work.split(',')[0] ?? work}`, () => `Lab work for ${L.name(pt, 'title')}`, () => `Case ${caseNo}`]);
  const rows: [string, string][] = [
    ['Patient', L.name(pt, rng.pick(['full', 'upper_last', 'last_first']))],
    ['Age/Sex', `${ageOn(pt.dob, simpleDate(m.date))} ${pt.female ? 'F' : 'M'}`],
  ];
  if (withDob) rows.push(['DOB', L.dob(pt, dobStyle(rng))]);
  if (withNhs) rows.push(['NHS No', L.nhs(pt, numberStyle(rng))]);
  rows.push(['Work required', work], ['Return date', `${formatDate(returnDate, 'dmy_slash')} (patient booked ${rng.int(9, 16)}:${rng.pick(['00', '30'])})`], ['Clinician', 'Dr Sarah Patel, GDC 104512'], ['Case no.', caseNo]);
  const blocks: Block[] = [p(rng.pick(['Hi,', `Hi ${lab.contacts[1]?.name.split(' ')[0] ?? 'there'},`, 'Hello,'])), p('Please find the lab docket below; impressions going out with the courier today.'), fields(rows)];
  if (rng.chance(0.3)) blocks.push(p(`Please could you also check the bite registration for ${rng.pick(TEETH)}, it felt high at try-in.`));
  blocks.push(signature(rng, sender));
  if (withDob || withNhs) m.note('lab docket with a date of birth or NHS number: identifiable to a non-secure lab');
  else m.note('name only with clinical context: not identifiable');
  return m.build(m.body(blocks, anyBody(rng)));
}

// ---- attachments for other categories ----------------------------------------------------------

export function csvLeaf(name: string, text: string, rng: Rng): Leaf {
  return textLeaf('text/csv', text, { filename: name, encoding: rng.pick(['base64', 'quoted-printable', '7bit']) });
}
