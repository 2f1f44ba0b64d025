/** Mail with no patient data, full of look-alikes: suppliers, payroll, newsletters, IT, finance, staff mail. */
import { anyBody, disclaimer, orgSignature, reSubject, signature } from './common.js';
import { chain, fields, lines, list, p, pre, table, type Block, type Earlier, type Recip } from './doc.js';
import { addDays, chiLookalike, formatDate, format334, lookalike10, pad2, type SimpleDate } from './identifiers.js';
import { Msg, type Built } from './message.js';
import { textLeaf, type Leaf } from './mime.js';
import {
  ACCOUNTANT,
  ACCOUNTS,
  COLLEAGUE_PRACTICES,
  EMMA,
  INFO,
  IT_SUPPORT,
  MISC_EXTERNAL,
  NHSBSA,
  OTHER_FIRST,
  OTHER_LAST,
  OTHER_STAFF,
  RECEPTION,
  SARAH,
  SOFTWARE,
  STAFF,
  STUDY_CLUB,
  SUPPLIERS,
  TOM,
  person,
  type Address,
  type Staff,
} from './people.js';
import type { Rng } from './random.js';
import { patientFields } from './cat-clinical.js';

export function simpleDate(ms: number): SimpleDate {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function money(rng: Rng, min: number, max: number): string {
  const pence = rng.int(min * 100, max * 100);
  const pounds = String(Math.floor(pence / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `£${pounds}.${pad2(pence % 100)}`;
}

function sortCode(rng: Rng): string {
  return `${rng.int(10, 99)}-${pad2(rng.int(0, 99))}-${pad2(rng.int(0, 99))}`;
}

function niNumber(rng: Rng): string {
  const first = 'ABCEGHJKLMNOPRSTWXYZ';
  const second = 'ABCEGHJKLMNPRSTWXYZ';
  for (;;) {
    const prefix = (first[rng.int(0, first.length - 1)] ?? 'A') + (second[rng.int(0, second.length - 1)] ?? 'B');
    if (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(prefix)) continue;
    return `${prefix} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)} ${rng.pick(['A', 'B', 'C', 'D'])}`;
  }
}

/** An invoice or order number: 10 digits, sometimes passing the NHS checksum by chance, sometimes written 3-3-4. */
function invoiceNumber(rng: Rng, m: Msg): string {
  const passes = rng.chance(0.5);
  const chiLike = passes && rng.chance(0.3);
  const n = chiLike ? chiLookalike(rng) : lookalike10(rng, passes, rng.pick(['4', '6', '7', '9', '1', '2', '3', '5']));
  const grouped = rng.chance(0.2);
  if (chiLike) m.note('invoice number reads as a valid CHI (date + modulus 11) by chance');
  else if (passes) m.note(`invoice/order number ${grouped ? 'in 3-3-4 form ' : ''}passes modulus 11 by chance`);
  return grouped ? format334(n, rng.pick(['space', 'dash'])) : n;
}

/** "Hi Lisa," for a person, "Hello," for a team or when the name starts with a title. */
export function greeting(rng: Rng, to: Address | undefined): string {
  const words = (to?.name ?? '').split(' ');
  const first = words[0] ?? '';
  const team = /Orders|Accounts|Sales|Service|Helpdesk|Cases|Lab|Dental|Control|Payroll|Referrals|Reception|Clinic|Team/.test(to?.name ?? '');
  if (!first || team || /^(Dr|Mr|Mrs|Ms|Miss)$/.test(first) || words.length < 2) return rng.pick(['Hello,', 'Good morning,', 'Hi,']);
  return rng.pick([`Hi ${first},`, `Dear ${first},`, `Hello ${first},`]);
}

function externalPerson(rng: Rng, domain: string): Address {
  const first = rng.pick(OTHER_FIRST);
  const last = rng.pick(OTHER_LAST);
  return { name: `${first} ${last}`, email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}` };
}

const PRODUCTS: readonly [string, string][] = [
  ['Nitrile gloves M (box 100)', '4.99'],
  ['Nitrile gloves S (box 100)', '4.99'],
  ['Composite A2 syringe 4g', '18.40'],
  ['Local anaesthetic articaine 4% (50)', '39.95'],
  ['Saliva ejectors (100)', '3.25'],
  ['Alginate 500g', '9.80'],
  ['Prophy paste mint (200)', '21.00'],
  ['Sterilisation pouches 90x230 (200)', '11.60'],
  ['Face masks Type IIR (50)', '6.75'],
  ['Endo files 25mm assorted (6)', '14.20'],
  ['Surface disinfectant wipes (200)', '8.90'],
  ['X-ray sensor sleeves (500)', '27.50'],
];

// ---- supplier orders -----------------------------------------------------------------------------

export function supplierOrder(rng: Rng): Built {
  const supplier = rng.pick(SUPPLIERS);
  const sender = rng.pick([TOM, TOM, EMMA]);
  const m = new Msg(rng, 'supplier-order', rng.chance(0.3) ? ACCOUNTS : sender);
  const contact = rng.pick(supplier.contacts);
  m.to = [contact];
  const today = simpleDate(m.date);
  const kind = rng.pick(['order', 'order', 'invoice', 'invoice', 'delivery']);
  const account = rng.chance(0.5) ? lookalike10(rng, rng.chance(0.5)) : `BSD${rng.digits(5)}`;
  const blocks: Block[] = [p(greeting(rng, contact))];
  if (kind === 'order') {
    const po = `PO-2025-${rng.digits(4)}`;
    m.subject = rng.pick([`Order ${po}`, `New order - Brightsmile Dental (${account})`, 'Stock order']);
    blocks.push(p('Please could you process the order below for delivery to the practice this week.'));
    blocks.push(fields([['Customer account', account], ['PO number', po], ['Delivery address', 'Brightsmile Dental, 12 High Street, Leeds LS1 4AB'], ['Contact', 'Tom Brown, 0113 496 0123']]));
    const items = rng.sample(PRODUCTS, rng.int(3, 6));
    blocks.push(table(['Code', 'Description', 'Qty', 'Unit price'], items.map(([d, price]) => [rng.digits(7), d, String(rng.int(1, 30)), `£${price}`])));
  } else if (kind === 'invoice') {
    const a = invoiceNumber(rng, m);
    const b = invoiceNumber(rng, m);
    const amount = money(rng, 80, 900);
    m.subject = rng.pick([`Invoice query ${a}`, 'Duplicate invoice', `Credit request - account ${account}`]);
    blocks.push(p(`We appear to have been invoiced twice for the same order: invoice ${a} dated ${formatDate(addDays(today, -rng.int(10, 20)), 'dmy_slash')} and invoice ${b} dated ${formatDate(addDays(today, -rng.int(1, 9)), 'dmy_slash')}, both for ${amount}.`));
    blocks.push(p(`Please could you credit one of them. If a refund is easier, our bank details are sort code ${sortCode(rng)}, account number ${rng.digits(8)} (Brightsmile Dental Ltd).`));
    m.note('sort code and account number');
  } else {
    const order = `SO-${rng.digits(6)}`;
    m.subject = `Missing items from ${order}`;
    blocks.push(p(`Our delivery for order ${order} arrived on ${formatDate(addDays(today, -1), 'd_month_y')} but two boxes were missing (consignment ${rng.digits(14)}, DPD ref ${rng.digits(10)}).`));
    blocks.push(list(rng.sample(PRODUCTS, 2).map(([d]) => d)));
  }
  blocks.push(signature(rng, sender));
  if (rng.chance(0.4)) {
    const other = externalPerson(rng, supplier.domain);
    const earlierTo: Recip[] = [{ addr: sender, show: rng.pick(['both', 'name', 'addr']) }];
    const cc: Recip[] = rng.chance(0.6) ? [{ addr: other, show: rng.pick(['both', 'addr', 'mailto']) }] : [];
    const earlier: Earlier = {
      from: contact,
      to: earlierTo,
      cc,
      date: m.earlier(rng.int(2, 48)),
      subject: m.subject,
      body: [p('Thanks for your email, I have passed this to our accounts team and will come back to you today.'), orgSignature(rng, supplier, contact.name)],
    };
    const style = rng.pick(['outlook', 'gmail', 'apple', 'thunderbird', 'outlook-old'] as const);
    blocks.push(chain(earlier, rng.chance(0.7) ? 'reply' : 'forward', style));
    m.subject = reSubject(rng, m.subject, false);
    m.note('quoted supplier reply');
  }
  return m.build(m.body(blocks, anyBody(rng)));
}

// ---- payroll ---------------------------------------------------------------------------------

export function payroll(rng: Rng): Built {
  const m = new Msg(rng, 'payroll', TOM);
  const accountant = rng.pick(ACCOUNTANT.contacts);
  m.to = [accountant];
  if (rng.chance(0.3)) m.cc = [SARAH];
  const month = formatDate(simpleDate(m.date), 'd_month_y').split(' ').slice(1).join(' ');
  m.subject = rng.pick([`Payroll ${month}`, `${month} payroll and changes`, 'Payroll - hours and new bank details']);
  const staff = [...OTHER_STAFF.map((s) => s.name), 'Emma Wilson', 'Tom Brown'];
  const rows = staff.map((name) => [name, niNumber(rng), rng.pick(['1257L', '1257L', 'BR', 'K475', '1100L']), String(rng.int(60, 170)) + rng.pick(['', '.5']), money(rng, 900, 3200)]);
  const blocks: Block[] = [p(`Hi ${accountant.name.split(' ')[0] === 'Hargreaves' ? 'Julia' : (accountant.name.split(' ')[0] ?? '')},`), p(`Please find the ${month} payroll details below. Pay date is the 28th as usual.`)];
  const attachments = [];
  if (rng.chance(0.4)) {
    const csv = ['Employee,NI Number,Tax Code,Hours,Gross Pay', ...rows.map((r) => r.map((c) => (c.includes(',') ? `"${c}"` : c)).join(','))].join('\r\n') + '\r\n';
    attachments.push(textLeaf('text/csv', csv, { filename: `payroll-${month.replace(' ', '-').toLowerCase()}.csv`, encoding: rng.pick(['base64', '7bit']) }));
    blocks.push(p('Hours and gross pay are in the attached CSV.'));
    m.note('payroll CSV: staff names and NI numbers, not patient data');
  } else {
    blocks.push(table(['Employee', 'NI number', 'Tax code', 'Hours', 'Gross'], rows));
  }
  const changer = rng.pick(OTHER_STAFF).name;
  blocks.push(p(`${changer} has changed bank: new details from this month are sort code ${sortCode(rng)}, account ${rng.digits(8)}.`));
  if (rng.chance(0.5)) blocks.push(p(`Dr Patel's employer pension contribution goes up to 5% from April; her GDC number is 104512 if the pension provider needs it.`));
  if (rng.chance(0.4)) blocks.push(p(`HMRC reference: ${rng.digits(3)}/${rng.token(6).toUpperCase()}, accounts office reference ${rng.digits(3)}P${rng.token(8).toUpperCase()}.`));
  blocks.push(signature(rng, TOM));
  m.note('staff names, NI numbers, sort codes and account numbers: no patient data');
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), attachments));
}

// ---- newsletters -------------------------------------------------------------------------------

export function newsletter(rng: Rng): Built {
  const m = new Msg(rng, 'newsletter', INFO);
  m.to = [INFO];
  const count = rng.int(3, 40);
  for (let i = 0; i < count; i++) {
    const pt = person(rng);
    m.bcc.push({ name: '', email: pt.email });
  }
  const season = rng.pick(['Spring', 'Summer', 'Autumn', 'Winter']);
  m.subject = rng.pick([`Brightsmile Dental ${season} newsletter`, 'News from Brightsmile Dental', `${season} at Brightsmile: opening hours and offers`]);
  const blocks: Block[] = [
    p('Dear Patient,'),
    p(`Welcome to our ${season.toLowerCase()} newsletter. We are delighted to welcome Priya Shah, our new hygienist, who joins Dr Sarah Patel and the team from ${rng.pick(['March', 'April', 'May', 'September'])}.`),
    p(rng.pick([
      'Refer a friend: when a friend registers with us, you both get £20 off your next hygiene appointment.',
      'National Smile Month runs from 15 May to 15 June: pop in for a free toothbrush and a chat about brushing.',
      'We now offer late appointments until 19:30 on Tuesdays and Thursdays.',
      'Our new treatment room opened on 3 March with a new digital X-ray sensor, meaning lower radiation doses.',
    ])),
    fields([
      ['Check-up (NHS Band 1)', '£27.40'],
      ['Hygiene visit (private)', '£55.00'],
      ['Whitening (private)', '£295.00'],
    ]),
    p(`"${rng.pick(['Brilliant with my nervous son', 'Friendly team and no waiting', 'Best dentist I have been to'])}" - a patient from ${rng.pick(['Headingley', 'Horsforth', 'Chapel Allerton', 'Roundhay'])}`),
    lines(['Brightsmile Dental', '12 High Street, Leeds LS1 4AB', 'Tel: 0113 496 0123', 'Mon-Fri 8:30-17:30, Sat 9:00-13:00', 'To unsubscribe, reply with UNSUBSCRIBE.']),
  ];
  m.note(`${count} patients in Bcc: no visible external recipients`);
  return m.build(m.body(blocks, anyBody(rng, rng.pick(['plain', 'outlook', 'gmail']), ['html', 'alt', 'alt'])));
}

// ---- IT ----------------------------------------------------------------------------------------

export function itMail(rng: Rng): Built {
  const vendor = rng.pick([IT_SUPPORT, SOFTWARE]);
  const m = new Msg(rng, 'it-mail', rng.pick([TOM, TOM, EMMA]));
  m.to = [rng.pick(vendor.contacts)];
  const epoch = Math.floor(m.date / 1000) - rng.int(3600, 86400);
  const iso = (offset: number) => new Date((epoch + offset) * 1000).toISOString();
  const ticket = rng.pick([`INC${rng.digits(7)}`, `#${rng.digits(6)}`, `Case ${rng.digits(10)}`, `Ticket ${rng.digits(10)}`]);
  const blocks: Block[] = [p(greeting(rng, m.to[0]))];
  const kind = rng.pick(['backup', 'backup', 'xray', 'printer', 'sync', 'leak']);
  const attachments: Leaf[] = [];
  if (kind === 'backup') {
    m.subject = `Backup failed again (${ticket})`;
    blocks.push(p(`The overnight backup failed again. Log excerpt below; job id ${epoch}.`));
    if (rng.chance(0.5)) {
      attachments.push(textLeaf('text/plain', [`${iso(0)} backup.job id=${epoch} start`, `${iso(7)} volume D: ${rng.int(40, 400)}GB, ${rng.int(10000, 99999)} files`, `${iso(3700)} upload ERROR 0x80070005 after ${rng.int(1000, 9999)}s, retry at ${epoch + 3900}`].join('\n'), { filename: 'backup.log', encoding: rng.pick(['7bit', 'base64']) }));
    }
    blocks.push(pre([
      `${iso(0)} INFO  backup.job start id=${epoch} target=\\\\NAS01\\backups`,
      `${iso(12)} INFO  snapshot vol=D: size=${rng.int(40, 400)}GB`,
      `${iso(3600 + rng.int(0, 500))} ERROR backup.job upload failed: ETIMEDOUT 10.0.${rng.int(0, 9)}.${rng.int(2, 250)}:443 after ${rng.int(1000, 9999)}s`,
      `[${epoch + 3601}] retry 1/3 scheduled`,
      `[${epoch + 3900}] retry 3/3 failed, exit code 0x80070005`,
    ]));
  } else if (kind === 'xray') {
    m.subject = 'X-ray sensor not detected in surgery 2';
    blocks.push(p(`The intraoral sensor in surgery 2 stopped working this morning. Device serial ${rng.digits(10)}, firmware 4.2.${rng.int(0, 20)}. The imaging bridge log says:`));
    blocks.push(pre([`${iso(0).replace('T', ' ').slice(0, 19)},${rng.digits(3)} WARN  usb.device ${rng.digits(4)}:${rng.digits(4)} disconnected`, `${iso(5).replace('T', ' ').slice(0, 19)},${rng.digits(3)} ERROR sensor.init timeout ts=${epoch + 5}`, `Event ID 7026, Service Control Manager, PC name SURGERY2-PC, IP 192.168.1.${rng.int(20, 90)}`]));
  } else if (kind === 'printer') {
    m.subject = `Printer in reception (${ticket})`;
    blocks.push(p(`The reception printer (HP LaserJet M404, serial VNB3${rng.digits(6)}, MAC 3C:52:82:${pad2(rng.int(10, 99))}:${pad2(rng.int(10, 99))}:${pad2(rng.int(10, 99))}) shows error 49.4C02 when printing FP17DC forms.`));
    blocks.push(p(`Our support contract number is ${lookalike10(rng, rng.chance(0.5))} and the site phone is 0113 496 0123.`));
  } else if (kind === 'sync') {
    m.subject = 'Cloud sync warnings';
    blocks.push(p('We are getting sync warnings on the practice management system since the update on Monday:'));
    blocks.push(pre([`sync[${rng.int(1000, 9999)}]: ${iso(0)} batch=${epoch} records=${rng.int(10, 900)} status=PARTIAL`, `sync[${rng.int(1000, 9999)}]: ${iso(61)} batch=${epoch + 61} conflict rows=${rng.int(1, 9)} code=E_CONFLICT`, `licence key ${rng.token(5).toUpperCase()}-${rng.token(5).toUpperCase()}-${rng.token(5).toUpperCase()}, version 7.2.${rng.int(100, 999)}`]));
  } else {
    const pt = person(rng);
    m.subject = `Error opening patient record (${ticket})`;
    blocks.push(p('When we open one particular patient record the software crashes. Details so you can find it:'));
    blocks.push(patientFields(rng, m.labels, pt, { id: 'nhs', dob: rng.chance(0.5), postcode: false, phone: false, hosp: false, nameStyle: 'full' }));
    blocks.push(pre([`${iso(0)} FATAL ui.record NullReferenceException at RecordView.Load() session=${epoch}`]));
    m.note('IT ticket that includes a patient\'s details: identifiable to a non-secure supplier');
  }
  blocks.push(p(`Remote access: TeamViewer ID ${rng.digits(3)} ${rng.digits(3)} ${rng.digits(3)} is available between ${rng.int(12, 13)}:00 and 14:00.`));
  blocks.push(signature(rng, TOM));
  if (kind !== 'leak') m.note('Unix timestamps, ISO log times, serial and ticket numbers');
  return m.build(m.mixed(m.body(blocks, anyBody(rng, undefined, ['text', 'text', 'alt'])), attachments));
}

// ---- finance -----------------------------------------------------------------------------------

export function finance(rng: Rng): Built {
  const m = new Msg(rng, 'finance', TOM);
  const toBsa = rng.chance(0.5);
  m.to = [toBsa ? NHSBSA : rng.pick(ACCOUNTANT.contacts)];
  const today = simpleDate(m.date);
  const schedule = lookalike10(rng, rng.chance(0.6));
  if (rng.chance(0.6)) m.note('schedule or remittance number passes modulus 11 by chance');
  m.subject = rng.pick([`Schedule query ${schedule}`, 'FP17 claims and UDA position', 'Contract year-end figures']);
  const blocks: Block[] = [
    p('Hello,'),
    p(`Please see our figures for ${formatDate(today, 'd_month_y').split(' ').slice(1).join(' ')}. Contract number ${rng.digits(6)}/0001, performer number 718204 (Dr S Patel, GDC 104512).`),
    fields([
      ['FP17 claims submitted', String(rng.int(250, 600))],
      ['UDAs delivered', `${rng.int(900, 2000)}.${rng.pick(['0', '5'])}`],
      ['Schedule reference', schedule],
      ['Payment date', formatDate(addDays(today, rng.int(3, 20)), 'dmy_slash')],
      ['Amount', money(rng, 8000, 40000)],
      ['Remittance no.', rng.digits(10)],
    ]),
    p(`Bank: Brightsmile Dental Ltd, sort code ${sortCode(rng)}, account ${rng.digits(8)}. VAT reg. 162 4471 85.`),
    signature(rng, TOM),
  ];
  return m.build(m.body(blocks, anyBody(rng)));
}

// ---- many recipients -------------------------------------------------------------------------

function colleagues(rng: Rng, n: number): Address[] {
  const out: Address[] = [];
  const domains = [...COLLEAGUE_PRACTICES.map((o) => o.domain), 'moortown-dental.co.uk', 'kirkstalldental.com', 'wetherby-smiles.co.uk', 'guiseleydental.co.uk', 'meanwoodfamilydental.co.uk', 'pudseydentalcare.co.uk', 'gmail.com', 'nhs.net', 'yahoo.co.uk', 'hotmail.co.uk'];
  const seen = new Set<string>();
  while (out.length < n) {
    const first = rng.pick(OTHER_FIRST);
    const last = rng.pick(OTHER_LAST);
    const email = `${first.toLowerCase()}.${last.toLowerCase()}@${rng.pick(domains)}`;
    if (seen.has(email)) continue;
    seen.add(email);
    out.push({ name: rng.chance(0.7) ? `${first} ${last}` : '', email });
  }
  return out;
}

export function manyRecipients(rng: Rng, i: number): Built {
  const m = new Msg(rng, 'many-recipients', rng.pick([SARAH, TOM]));
  const variant = i % 5;
  let external: number;
  if (variant === 0) external = 10;
  else if (variant === 1) external = 9;
  else external = rng.int(11, 18);
  const people = colleagues(rng, external);
  if (variant === 3) {
    m.to = [m.from];
    m.bcc = people;
    m.note(`${external} external recipients in Bcc only: not visible`);
  } else if (variant === 1) {
    m.to = people.slice(0, 5);
    m.cc = [...people.slice(5), EMMA, TOM].filter((a) => a.email !== m.from.email);
    m.note('9 external plus internal addresses visible: just under the threshold');
  } else {
    const split = rng.int(3, external);
    m.to = people.slice(0, split);
    m.cc = people.slice(split);
    m.note(`${external} external addresses visible in To and Cc`);
  }
  m.subject = rng.pick(['Leeds Dental Study Club: next meeting', 'CPD evening - medical emergencies update', 'Local practices: shared out-of-hours rota', 'Invitation: practice open evening']);
  const date = addDays(simpleDate(m.date), rng.int(7, 40));
  const blocks: Block[] = [
    p('Dear all,'),
    p(`Our next meeting is on ${formatDate(date, 'dth_month_y')} at 19:00 at the Queens Hotel, City Square, Leeds LS1 1PJ. ${rng.pick(['Two hours verifiable CPD.', 'Buffet from 18:30.', 'Speaker: Dr Owen Price on rubber dam in general practice.'])}`),
    p(`Please reply to ${STUDY_CLUB.contacts[0]?.email ?? 'members@leeds-dental-study-club.org.uk'} by ${formatDate(addDays(date, -5), 'd_month_y')}. Cost £25, payable to Leeds Dental Study Club, sort code 60-83-71, account 20456711.`),
    signature(rng, m.from === SARAH ? SARAH : TOM),
  ];
  return m.build(m.body(blocks, anyBody(rng)));
}

// ---- staff mail ------------------------------------------------------------------------------

function otherStaff(rng: Rng, not: Staff): Staff {
  return rng.pick(STAFF.filter((s) => s !== not));
}

export function internal(rng: Rng): Built {
  const sender = rng.pick(STAFF);
  const m = new Msg(rng, 'internal', sender);
  const L = m.labels;
  const colleague = otherStaff(rng, sender);
  m.to = [colleague];
  if (rng.chance(0.3)) m.cc = [otherStaff(rng, colleague === TOM ? SARAH : TOM)].filter((a) => a.email !== sender.email && a.email !== colleague.email);
  const kind = rng.pick(['rota', 'callback', 'handover', 'handover', 'cqc', 'thread']);
  const blocks: Block[] = [p(`Hi ${colleague.first},`)];
  if (kind === 'rota') {
    m.subject = 'Rota next week';
    blocks.push(table(['Day', 'Surgery 1', 'Surgery 2', 'Reception'], ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => [d, 'Sarah / Chloe', rng.pick(['Priya', 'closed', 'Priya / Daniel']), rng.pick(['Emma', 'Megan'])])));
  } else if (kind === 'callback') {
    const pt = person(rng);
    m.subject = 'Call back please';
    blocks.push(p(`Could you call ${L.name(pt, rng.pick(['title', 'full']))} back on ${L.phone(pt, rng.chance(0.7) ? 'mobile' : 'landline', rng.pick(['spaced', 'plain']))} about ${pt.female ? 'her' : 'his'} ${rng.pick(['denture', 'crown', 'bill', 'appointment on Thursday'])}? ${pt.female ? 'She' : 'He'} rang at ${rng.int(9, 16)}:${rng.pick(['05', '20', '40'])}.`));
  } else if (kind === 'handover') {
    const pt = person(rng);
    m.subject = rng.pick(['Handover for tomorrow', 'Patient for Thursday - please read', 'Emergency patient seen today']);
    blocks.push(p('Quick handover for the morning session:'));
    blocks.push(patientFields(rng, L, pt, { id: rng.chance(0.6) ? 'nhs' : 'none', dob: true, postcode: rng.chance(0.5), phone: rng.chance(0.5), hosp: false, nameStyle: 'title' }));
    blocks.push(p(`Seen today with pain ${rng.pick(['UR6', 'LL7', 'LR6'])}; extirpated and dressed. Needs 60 minutes for RCT completion. Allergic to penicillin.`));
    m.note('identifiable patient data sent internally only: deliver');
  } else if (kind === 'cqc') {
    m.subject = 'CQC inspection prep';
    blocks.push(list(['Autoclave validation logs (serial 7734 0912 55)', 'Legionella risk assessment due 14/06/2025', 'Staff DBS certificates', 'Fire drill record', 'Radiation protection file: RPA ref 4412098731']));
  } else {
    m.subject = 'Re: Surgery 2 maintenance';
    const earlier: Earlier = {
      from: rng.pick(STAFF.filter((s) => s !== sender)),
      to: STAFF.map((s) => ({ addr: s, show: rng.pick(['both', 'name', 'addr'] as const) })),
      cc: [{ addr: RECEPTION, show: 'both' }],
      date: m.earlier(rng.int(1, 30)),
      subject: 'Surgery 2 maintenance',
      body: [p('The engineer is coming on Tuesday at 8am to service the chair in surgery 2. Please move the 8:15 patient to surgery 1.')],
    };
    blocks.push(p('Fine by me.'));
    blocks.push(signature(rng, sender));
    blocks.push(chain(earlier, 'reply', rng.pick(['outlook', 'outlook-old', 'gmail', 'thunderbird'] as const)));
    m.note('internal thread: earlier recipients are all internal');
    return m.build(m.body(blocks, anyBody(rng)));
  }
  blocks.push(signature(rng, sender));
  return m.build(m.body(blocks, anyBody(rng)));
}

export function signatureOnly(rng: Rng): Built {
  const sender = rng.pick(STAFF);
  const m = new Msg(rng, 'signature', sender);
  const to = rng.pick([...COLLEAGUE_PRACTICES.flatMap((o) => o.contacts), ...MISC_EXTERNAL, STUDY_CLUB.contacts[1] ?? INFO]);
  m.to = [to];
  m.subject = rng.pick(['Thanks for today', 'Re: meeting on Thursday', 'Quick question', 'Locum cover']);
  const blocks: Block[] = [
    p(rng.pick(['Thanks, that is all fine. See you on Thursday.', 'Just confirming we can host the next meeting here.', 'Could you let me know your availability for locum cover in August?', 'Thanks for sending that over, much appreciated.'])),
    signature(rng, sender),
    ...disclaimer(rng),
  ];
  if (rng.chance(0.5)) blocks.push(lines(['Brightsmile Dental is registered with the Care Quality Commission (provider ID 1-10234567891).', `Follow us: facebook.com/brightsmiledental | Registered in England and Wales, company number 08412375`]));
  m.note('only the practice\'s own address, phone, GDC and company numbers');
  return m.build(m.body(blocks, anyBody(rng)));
}

