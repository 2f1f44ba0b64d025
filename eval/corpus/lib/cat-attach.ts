/** Attachments: CSV patient lists and other CSVs, photos with and without GPS, DICOM radiographs; webmail, publishing, anonymised cases. */
import { anyBody, signature } from './common.js';
import { fields, lines, p, table, type Block } from './doc.js';
import { dicom, exifApp1, gpsLabel, jpeg, toDms, type GpsFix } from './binary.js';
import { addDays, formatDate, isoDate, lookalike10, pad2, type SimpleDate } from './identifiers.js';
import type { Labels } from './labels.js';
import { Msg, type Built } from './message.js';
import { binaryLeaf, textLeaf, type Leaf } from './mime.js';
import {
  ACCOUNTANT,
  COLLEAGUE_PRACTICES,
  EMMA,
  INFO,
  LABS,
  NHS_CONTACTS,
  OTHER_STAFF,
  SARAH,
  SOFTWARE,
  SPECIALISTS,
  STUDY_CLUB,
  SUPPLIERS,
  TOM,
  consumerAddress,
  otherName,
  person,
  publishingAddress,
  type Address,
  type Person,
} from './people.js';
import type { Rng } from './random.js';
import { dobStyle, numberStyle } from './cat-clinical.js';
import { greeting } from './cat-admin.js';
import { ANONYMISED_CASES, TEETH } from './clinical-text.js';

function simpleDate(ms: number): SimpleDate {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const EMMA_HOME: Address = { name: 'Emma Wilson', email: 'emma.wilson.leeds@gmail.com' };
const SARAH_HOME: Address = { name: 'Sarah Patel', email: 'sarahpatel.dds@hotmail.co.uk' };

type Dest = 'internal' | 'nhs' | 'software' | 'staff-webmail' | 'accountant' | 'publishing' | 'lab' | 'specialist' | 'colleague-webmail';

function destination(rng: Rng, dest: Dest): Address {
  switch (dest) {
    case 'internal':
      return rng.pick([TOM, SARAH, EMMA]);
    case 'nhs':
      return rng.pick(NHS_CONTACTS);
    case 'software':
      return rng.pick(SOFTWARE.contacts);
    case 'staff-webmail':
      return rng.pick([EMMA_HOME, SARAH_HOME]);
    case 'accountant':
      return rng.pick(ACCOUNTANT.contacts);
    case 'publishing':
      return publishingAddress(rng);
    case 'lab':
      return rng.pick(LABS).contacts[0] ?? TOM;
    case 'specialist':
      return rng.pick(SPECIALISTS).contacts[0] ?? TOM;
    case 'colleague-webmail': {
      const o = otherName(rng);
      return consumerAddress(rng, o.first, o.last);
    }
  }
}

// ---- CSV patient lists ---------------------------------------------------------------------------

export function csvPatientList(rng: Rng, i: number): Built {
  const sender = rng.pick([EMMA, TOM]);
  const m = new Msg(rng, 'csv-patient-list', sender);
  const L = m.labels;
  const dests: Dest[] = ['internal', 'nhs', 'software', 'staff-webmail', 'accountant', 'internal', 'nhs', 'software', 'staff-webmail', 'colleague-webmail', 'publishing', 'internal', 'software', 'staff-webmail'];
  const dest = dests[i % dests.length] ?? 'internal';
  const to = destination(rng, dest);
  m.to = [to.email === sender.email ? TOM : to];
  const layout = i % 8;
  const n = rng.int(4, 12);
  const pts: Person[] = [];
  for (let k = 0; k < n; k++) pts.push(person(rng, layout === 6 ? { region: 'scotland', chiScheme: rng.chance(0.2) ? 'mod10' : 'mod11' } : layout === 7 ? { region: 'northernIreland' } : {}));
  const today = simpleDate(m.date);
  let header: string[];
  let rows: string[][];
  const dob = rng.chance(0.2) ? 'compact' : dobStyle(rng);
  const nhsStyle = numberStyle(rng);
  switch (layout) {
    case 0:
      header = ['Patient Name', 'DOB', 'NHS Number', 'Postcode', 'Mobile'];
      rows = pts.map((pt) => [L.name(pt, 'full'), L.dob(pt, dob), L.nhs(pt, nhsStyle), L.postcode(pt), L.phone(pt, 'mobile', 'spaced')]);
      break;
    case 1:
      header = ['Name', 'Date of Birth', 'Address', 'Postcode', 'Phone', 'Last Visit'];
      rows = pts.map((pt) => [L.name(pt, 'title'), L.dob(pt, dob), `${pt.street}, ${pt.town}`, L.postcode(pt), L.phone(pt, 'landline', 'spaced'), formatDate(addDays(today, -rng.int(30, 700)), 'dmy_slash')]);
      break;
    case 2:
      header = ['Patient', 'NHS No', 'Recall Due'];
      rows = pts.map((pt) => [L.name(pt, 'last_first'), L.nhs(pt, nhsStyle), formatDate(addDays(today, rng.int(1, 200)), 'dmy_slash')]);
      break;
    case 3:
      header = ['Time', 'Patient', 'D.O.B.', 'Treatment', 'Clinician'];
      rows = pts.map((pt, k) => [`${8 + Math.floor(k / 2)}:${k % 2 ? '30' : '00'}`, L.name(pt, 'last_first'), L.dob(pt, dob), rng.pick(['Exam', 'Scale & polish', `Filling ${rng.pick(TEETH)}`, 'Crown prep', 'Extraction']), rng.pick(['SP', 'Hyg'])]);
      break;
    case 4:
      header = ['Patient', 'Recall Due', 'Mobile'];
      rows = pts.map((pt) => [L.name(pt, 'full'), formatDate(addDays(today, rng.int(1, 120)), 'd_mon_y'), L.phone(pt, 'mobile', rng.pick(['plain', 'spaced']))]);
      m.note('names and phone numbers only: not identifiable by the definition');
      break;
    case 6:
      header = ['Patient', 'CHI Number', 'Postcode', 'Practice'];
      rows = pts.map((pt) => [L.name(pt, 'full'), L.chi(pt, rng.pick(['plain', 'plain', 'split'])), L.postcode(pt), 'Brightsmile Dental']);
      m.note('Scottish patients with CHI numbers');
      break;
    case 7:
      header = ['Name', 'H&C Number', 'Date of Birth'];
      rows = pts.map((pt) => [L.name(pt, 'title'), L.hc(pt, rng.pick(['plain', 'space'])), L.dob(pt, dob)]);
      m.note('Northern Irish patients with H&C numbers');
      break;
    default:
      header = ['Surname', 'Forename', 'Patient Name', 'DOB', 'Postcode', 'Balance'];
      rows = pts.map((pt) => [pt.last.toUpperCase(), pt.first, L.name(pt, 'full'), L.dob(pt, dob), L.postcode(pt, rng.pick(['normal', 'nospace'])), `£${rng.int(0, 400)}.${pad2(rng.int(0, 99))}`]);
      m.note('separate Surname/Forename columns are labelled through the Patient Name column value');
      break;
  }
  const [file, subject, what] = rng.pick([
    ['patients.csv', 'Patient list', 'patient list'],
    ['recall-list.csv', 'Recall list export', 'recall list'],
    [`daylist-${isoDate(addDays(today, 1))}.csv`, 'Day list for tomorrow', 'day list for tomorrow'],
    ['export.csv', 'Data export as requested', 'export'],
    ['patient-export.csv', 'Export for the migration', 'first export file'],
  ] as const);
  m.subject = subject;
  const blocks: Block[] = [p(greeting(rng, m.to[0])), p(`Attached is the ${what} (${n} patients) as a CSV file.`), signature(rng, sender)];
  m.note(`CSV (${header.join('|')}) to ${dest}`);
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), [textLeaf('text/csv', csv(header, rows), { filename: file, encoding: rng.pick(['base64', 'base64', 'quoted-printable', '7bit']) })]));
}

export function csvOther(rng: Rng, i: number): Built {
  const m = new Msg(rng, 'csv-other', TOM);
  const kind = i % 3;
  let header: string[];
  let rows: string[][];
  let file: string;
  if (kind === 0) {
    m.to = [rng.pick(SUPPLIERS).contacts[0] ?? TOM];
    m.subject = 'Stock count';
    header = ['Product code', 'Barcode', 'Description', 'Qty', 'Supplier ref'];
    rows = Array.from({ length: rng.int(5, 12) }, () => [rng.digits(7), `50${rng.digits(11)}`, rng.pick(['Gloves M', 'Masks IIR', 'Bibs', 'Cups', 'Composite A2', 'Alginate']), String(rng.int(0, 50)), lookalike10(rng, rng.chance(0.5))]);
    file = 'stock-count.csv';
    m.note('10-digit supplier refs, some passing modulus 11');
  } else if (kind === 1) {
    m.to = [rng.pick(ACCOUNTANT.contacts)];
    m.subject = 'Staff hours';
    header = ['Staff', 'Role', 'Week commencing', 'Hours'];
    rows = [...OTHER_STAFF, { name: 'Emma Wilson', role: 'Receptionist' }].map((s) => [s.name, s.role, formatDate(simpleDate(m.date), 'dmy_slash'), String(rng.int(16, 40))]);
    file = 'hours.csv';
    m.note('staff names with dates: not patients');
  } else {
    m.to = [rng.pick(IT_ASSETS)];
    m.subject = 'Asset register';
    header = ['Asset', 'Serial', 'Installed', 'IP'];
    rows = ['Reception PC', 'Surgery 1 PC', 'Surgery 2 PC', 'Autoclave', 'X-ray sensor', 'NAS'].map((a) => [a, rng.digits(10), formatDate(addDays(simpleDate(m.date), -rng.int(100, 2000)), 'iso'), `192.168.1.${rng.int(10, 200)}`]);
    file = 'assets.csv';
    m.note('10-digit serial numbers and ISO dates');
  }
  const blocks: Block[] = [p('Hi,'), p('CSV attached as requested.'), signature(rng, TOM)];
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), [textLeaf('text/csv', csv(header, rows), { filename: file, encoding: rng.pick(['base64', '7bit']) })]));
}

const IT_ASSETS: readonly Address[] = [{ name: 'Pennine IT Helpdesk', email: 'support@pennine-it.co.uk' }];

// ---- photos ------------------------------------------------------------------------------------

const PLACES: readonly [number, number][] = [
  [53.796512, -1.547834], // the practice
  [53.819321, -1.577512],
  [53.841087, -1.63921],
  [53.807644, -1.520981],
  [53.78422, -1.60154],
  [53.864511, -1.48327],
  [53.380712, -1.470111],
  [52.370216, 4.895168],
  [54.597285, -5.93012],
  [55.953251, -3.188267],
];

function photo(rng: Rng, gps: boolean, exif: boolean, L: Labels): { bytes: Buffer; label?: string } {
  const greys = Array.from({ length: 4 }, () => rng.int(40, 230));
  if (!exif) return { bytes: jpeg(greys, 2, 2) };
  const [lat, lon] = rng.pick(PLACES);
  const jitter = () => (rng.int(-500, 500) / 1_000_000);
  const la = lat + jitter();
  const lo = lon + jitter();
  const fix: GpsFix = { lat: toDms(la), latRef: la < 0 ? 'S' : 'N', lon: toDms(lo), lonRef: lo < 0 ? 'W' : 'E' };
  const when = new Date(Date.UTC(2025, rng.int(0, 10), rng.int(1, 28), rng.int(8, 18), rng.int(0, 59), rng.int(0, 59)));
  const stamp = `${when.getUTCFullYear()}:${pad2(when.getUTCMonth() + 1)}:${pad2(when.getUTCDate())} ${pad2(when.getUTCHours())}:${pad2(when.getUTCMinutes())}:${pad2(when.getUTCSeconds())}`;
  const [make, model] = rng.pick([
    ['Apple', 'iPhone 14'],
    ['Apple', 'iPhone 13 Pro'],
    ['samsung', 'SM-S911B'],
    ['Canon', 'Canon EOS 250D'],
    ['Google', 'Pixel 8'],
  ] as const);
  const app1 = exifApp1(make, model, stamp, gps ? fix : undefined);
  if (!gps) return { bytes: jpeg(greys, 2, 2, app1) };
  const label = gpsLabel(fix);
  L.gps(label);
  return { bytes: jpeg(greys, 2, 2, app1), label };
}

function photoName(rng: Rng): string {
  return rng.pick([`IMG_${rng.int(1000, 9999)}.jpg`, `IMG_${rng.int(1000, 9999)}.JPG`, `PXL_2025${pad2(rng.int(1, 12))}${pad2(rng.int(1, 28))}_${rng.digits(9)}.jpg`, `DSC0${rng.int(1000, 9999)}.jpg`, `photo-${rng.int(1, 30)}.jpeg`]);
}

export function photoMessage(rng: Rng, gps: boolean, i: number): Built {
  const m = new Msg(rng, gps ? 'photo-gps' : 'photo', rng.pick([SARAH, SARAH, EMMA, TOM]));
  const L = m.labels;
  const scenario = i % 5;
  const blocks: Block[] = [];
  const attachments: Leaf[] = [];
  const count = rng.int(1, 3);
  const addPhotos = (exif: boolean): void => {
    for (let k = 0; k < count; k++) {
      const { bytes } = photo(rng, gps, gps || (exif && rng.chance(0.6)), L);
      attachments.push(binaryLeaf('image/jpeg', photoName(rng), bytes));
    }
  };
  if (scenario === 0) {
    const pt = person(rng);
    m.to = [rng.pick(LABS).contacts[0] ?? TOM];
    m.subject = `Shade photos - ${L.name(pt, 'full')}`;
    blocks.push(p(`Shade photos for ${L.nameAgain(pt)}'s ${rng.pick(['UR1', 'UL1', 'UR2'])} crown attached, shade tab A2 in the picture.`));
    addPhotos(true);
    m.note('clinical photos to a lab with the patient\'s name only: not identifiable');
  } else if (scenario === 1) {
    m.to = [publishingAddress(rng)];
    m.subject = rng.pick(['Smile makeover before and after', 'Another happy patient!', 'Whitening results']);
    blocks.push(p(rng.pick(['Another fantastic smile makeover by Dr Patel: six weeks of aligners and whitening. #smilemakeover #leeds', 'Before and after: composite bonding on the upper front teeth. Book a consultation on 0113 496 0123.'])));
    addPhotos(true);
    m.note(gps ? 'patient photo posted to a publishing address with GPS in the EXIF' : 'patient photo posted without any metadata or identifier');
  } else if (scenario === 2) {
    m.to = [rng.pick([SARAH_HOME, EMMA_HOME])];
    m.subject = rng.pick(['Photos from today', 'pics', 'Photos for the case study']);
    blocks.push(p('Sending these to myself to sort out at home.'));
    addPhotos(true);
    m.note('photos to a member of staff\'s own webmail');
  } else if (scenario === 3) {
    m.to = [rng.pick([TOM, EMMA, SARAH].filter((a) => a.email !== m.from.email))];
    m.subject = rng.pick(['Domiciliary visit photos', 'Photos of the new surgery', 'Waiting room refurb']);
    blocks.push(p(rng.pick(['Photos from the care home visit this morning, for the notes.', 'Here are the photos of the refurbished waiting room for the website.'])));
    addPhotos(true);
  } else if (gps) {
    m.to = [rng.pick(COLLEAGUE_PRACTICES).contacts[0] ?? TOM];
    m.subject = rng.pick(['Photos from the care home', 'Domiciliary visit - photos']);
    blocks.push(p('Photos from this morning\'s domiciliary visit, as discussed. The resident\'s denture has a fractured flange on the left.'));
    addPhotos(true);
    m.note('domiciliary photos with GPS to another practice: the location is a finding, not identifiable on its own');
  } else {
    m.to = [publishingAddress(rng)];
    m.subject = rng.pick(['Our new reception', 'Team photo', 'Charity fun run']);
    blocks.push(p(rng.pick(['Our newly refurbished reception area is open! Come and see us at 12 High Street.', 'The Brightsmile team at the Leeds 10K, raising money for Smile Train.'])));
    addPhotos(rng.chance(0.5));
    m.note('practice photo to a publishing address without GPS');
  }
  blocks.push(signature(rng, m.from === SARAH ? SARAH : m.from === TOM ? TOM : EMMA));
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), attachments));
}

// ---- DICOM -------------------------------------------------------------------------------------

export function dicomMessage(rng: Rng, i: number): Built {
  const m = new Msg(rng, 'dicom', rng.pick([SARAH, SARAH, EMMA]));
  const L = m.labels;
  const dests: Dest[] = ['nhs', 'specialist', 'nhs', 'lab', 'staff-webmail', 'internal', 'nhs', 'colleague-webmail', 'specialist', 'publishing', 'nhs', 'internal', 'specialist', 'nhs'];
  const dest = dests[i % dests.length] ?? 'nhs';
  const to = destination(rng, dest);
  m.to = [to.email === m.from.email ? TOM : to];
  const pt = person(rng);
  const today = simpleDate(m.date);
  const modality = rng.pick(['IO', 'PX'] as const);
  const useNhs = rng.chance(0.6);
  const files = rng.int(1, modality === 'IO' ? 3 : 1);
  const attachments: Leaf[] = [];
  const pn = rng.chance(0.7) ? `${pt.last.toUpperCase().replace(/[^A-Z'-]/g, '')}^${pt.first.toUpperCase()}` : `${pt.last}^${pt.first}`;
  const patientId = useNhs ? pt.nhs : `BSD${rng.digits(6)}`;
  const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const pnAscii = ascii(pn);
  for (let k = 0; k < files; k++) {
    const name = modality === 'PX' ? rng.pick([`OPG_${formatDate(today, 'compact')}.dcm`, 'OPG.dcm', `PAN${rng.digits(5)}.dcm`]) : `${rng.pick(['BW_L', 'BW_R', 'PA_UR1', 'PA_LL6', 'IMG'])}${k}_${rng.digits(4)}.dcm`;
    const size = 16;
    const pixels = Buffer.alloc(size * size);
    for (let j = 0; j < pixels.length; j++) pixels[j] = (j * 7 + rng.int(0, 40)) & 0xff;
    const bytes = dicom({
      patientName: pnAscii,
      patientId,
      birthDate: formatDate(pt.dob, 'compact'),
      sex: pt.female ? 'F' : 'M',
      studyDate: formatDate(today, 'compact'),
      modality,
      instanceUid: `1.2.826.0.1.3680043.9.7433.${rng.digits(8)}.${k + 1}`,
      pixels,
      rows: size,
      cols: size,
    });
    L.dicom(name);
    attachments.push(binaryLeaf(rng.chance(0.8) ? 'application/dicom' : 'application/octet-stream', name, bytes));
  }
  L.nameAs(pt, pnAscii);
  L.dobAs(pt, formatDate(pt.dob, 'compact'));
  if (useNhs) L.nhs(pt, 'plain');
  else L.hospitalNo({ ...pt, hospitalNo: patientId });
  const blocks: Block[] = [];
  if (dest === 'publishing') {
    m.subject = 'Radiograph of the week';
    blocks.push(p('Radiograph of the week: can you spot the supernumerary tooth? Answers in the comments!'));
  } else {
    m.subject = rng.choose([() => `Radiographs for ${L.name(pt, rng.pick(['title', 'full']))}`, () => (modality === 'PX' ? 'OPG attached' : 'Bitewings attached'), () => 'Images as requested']);
    blocks.push(p(rng.pick(['Please find the radiographs attached as requested.', 'Images attached (DICOM). Let me know if you cannot open them.', 'Attached are the pre-operative radiographs.'])));
    if (rng.chance(0.5)) blocks.push(fields([['Patient', L.name(pt, 'full')], ['Taken', formatDate(today, 'dmy_slash')]]));
  }
  blocks.push(signature(rng, m.from === SARAH ? SARAH : EMMA));
  m.note(`DICOM ${modality} with patient name, ${useNhs ? 'NHS number' : 'practice patient ID'} and birth date in the header; to ${dest}`);
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), attachments));
}

// ---- identifiable data to consumer webmail ----------------------------------------------------------

export function consumerWebmail(rng: Rng, i: number): Built {
  const scenario = i % 6;
  const sender = rng.pick([EMMA, SARAH, TOM]);
  const m = new Msg(rng, 'consumer-webmail', sender);
  const L = m.labels;
  const blocks: Block[] = [];
  const today = simpleDate(m.date);
  if (scenario === 0) {
    m.from = EMMA;
    m.to = [EMMA_HOME];
    m.subject = 'tomorrow';
    const pts = Array.from({ length: rng.int(3, 8) }, () => person(rng));
    blocks.push(p('List for tomorrow so I can ring round from home:'));
    blocks.push(table(['Time', 'Patient', 'DOB', 'Phone'], pts.map((pt, k) => [`${9 + k}:00`, L.name(pt, 'full'), L.dob(pt, dobStyle(rng)), L.phone(pt, 'mobile', 'spaced')])));
    m.note('day list sent to a member of staff\'s personal webmail');
  } else if (scenario === 1) {
    const o = otherName(rng);
    m.from = SARAH;
    m.to = [consumerAddress(rng, o.first, o.last)];
    const pt = person(rng);
    m.subject = 'Patient for Monday';
    blocks.push(p(`Hi ${o.first}, thanks for covering Monday. The first patient is below, could you check the plan before you come in?`));
    blocks.push(fields([['Patient', L.name(pt, 'title')], ['DOB', L.dob(pt, dobStyle(rng))], ['NHS No', L.nhs(pt, numberStyle(rng))], ['Plan', `RCT ${rng.pick(['UR6', 'LL6', 'LR7'])} completion`]]));
    m.note('patient details sent to a locum\'s personal webmail');
  } else if (scenario === 2) {
    const mum = person(rng);
    const daughter = { first: rng.pick(['Claire', 'Helen', 'Nadia', 'Laura']), last: mum.last };
    m.to = [consumerAddress(rng, daughter.first, daughter.last)];
    m.subject = `Your mother's treatment`;
    blocks.push(p(`Dear ${daughter.first},`));
    blocks.push(p(`Thank you for calling about your mother, ${L.name(mum, 'title')} (date of birth ${L.dob(mum, dobStyle(rng))}). Her new denture will be ready on ${formatDate(addDays(today, 7), 'd_month_y')}.`));
    if (rng.chance(0.5)) blocks.push(p(`We have her address as ${mum.street}, ${mum.town} ${L.postcode(mum)}.`));
    m.note('a relative at webmail: the patient is not a correspondent, name and DOB are identifiable');
  } else if (scenario === 3) {
    const pt = person(rng);
    L.correspondent(pt);
    m.to = [{ name: `${pt.first} ${pt.last}`, email: pt.email }];
    m.subject = 'Your NHS dental claim';
    blocks.push(p(`Dear ${pt.title} ${pt.last},`));
    blocks.push(p(`As requested, your NHS number is ${L.nhs(pt, numberStyle(rng))} and your course of treatment was claimed on ${formatDate(addDays(today, -20), 'dmy_slash')}.`));
    m.note('patient\'s own webmail with their NHS number: still a hold by the default policy');
  } else if (scenario === 4) {
    const mum = person(rng);
    const son = { first: rng.pick(['Robert', 'Ian', 'Adam', 'Joe']), last: mum.last };
    m.to = [consumerAddress(rng, son.first, son.last)];
    m.subject = 'Denture ready to collect';
    blocks.push(p(`Hi ${son.first}, just to let you know ${L.name(mum, 'title')}'s denture is back from the lab and ready to collect any weekday 9-5.`));
    m.note('patient name only to webmail: not identifiable, delivered');
  } else {
    m.from = TOM;
    m.to = [consumerAddress(rng, 'Tom', 'Brown')];
    m.subject = 'Rota and CQC checklist';
    blocks.push(p('Sending this to my home email to finish tonight. Rota: Mon-Wed Sarah, Thu Priya, Fri closed for training. CQC visit 14/06/2025.'));
    m.note('staff admin to webmail: no patient data');
  }
  blocks.push(signature(rng, m.from === SARAH ? SARAH : m.from === TOM ? TOM : EMMA));
  m.mailFrom = m.from.email;
  return m.build(m.body(blocks, anyBody(rng)));
}

// ---- publishing ------------------------------------------------------------------------------------

export function publishing(rng: Rng, i: number): Built {
  const m = new Msg(rng, 'publishing', rng.pick([TOM, EMMA, INFO]));
  const L = m.labels;
  m.to = [publishingAddress(rng)];
  const scenario = i % 4;
  const blocks: Block[] = [];
  if (scenario === 0) {
    const pt = person(rng);
    m.subject = rng.choose([() => `Congratulations ${L.name(pt, 'full')}!`, () => 'Our 5,000th patient!']);
    blocks.push(p(`A huge congratulations to ${L.name(pt, 'full')} from ${pt.town}, our 5,000th patient! ${pt.female ? 'She' : 'He'} received a free electric toothbrush.`));
    m.note('patient named in a public post');
  } else if (scenario === 1) {
    const pt = person(rng);
    m.subject = 'Patient story';
    blocks.push(p(`"I was terrified of the dentist until I met Dr Patel" - ${L.name(pt, 'full')}, ${pt.town} ${L.postcode(pt)}`));
    blocks.push(p(`${pt.female ? 'She' : 'He'} had ${rng.pick(['six veneers', 'two implants', 'Invisalign'])} and we are so proud of the result.`));
    m.note('testimonial with name and postcode in a public post');
  } else {
    m.subject = rng.pick(['Saturday opening', 'National Smile Month tips', 'Meet our new hygienist', 'Christmas opening hours']);
    blocks.push(p(rng.pick([
      'We are now open on Saturday mornings from 9:00 to 13:00. Call 0113 496 0123 to book.',
      'Top tip for National Smile Month: brush for two minutes twice a day and spit, don\'t rinse!',
      'Please welcome Priya Shah, our new hygienist, who joins us from Manchester. Priya has a special interest in gum health.',
      `We close at 13:00 on 24 December and reopen on ${formatDate({ y: 2026, m: 1, d: 2 }, 'd_month_y')}. Emergency line: 0113 496 0123.`,
    ])));
    blocks.push(lines(['Brightsmile Dental, 12 High Street, Leeds LS1 4AB']));
    m.note('harmless public post: practice details only');
  }
  return m.build(m.body(blocks, anyBody(rng, rng.pick(['plain', 'gmail', 'outlook']), ['text', 'html', 'alt'])));
}

// ---- anonymised case discussions ------------------------------------------------------------------

export function anonymisedCase(rng: Rng, i: number): Built {
  const m = new Msg(rng, 'anonymised-case', SARAH);
  const dest = i % 5;
  if (dest === 0) m.to = [STUDY_CLUB.contacts[0] ?? TOM];
  else if (dest === 1) m.to = [rng.pick(COLLEAGUE_PRACTICES).contacts[0] ?? TOM];
  else if (dest === 2) {
    const o = otherName(rng);
    m.to = [consumerAddress(rng, o.first, o.last)];
  } else if (dest === 3) m.to = [publishingAddress(rng)];
  else m.to = [rng.pick(NHS_CONTACTS)];
  const text = ANONYMISED_CASES[i % ANONYMISED_CASES.length] ?? [];
  m.subject = rng.pick(['Case for discussion', 'Interesting case', 'Advice please', 'Case report for the newsletter']);
  const blocks: Block[] = [p(rng.pick(['Hi all,', 'Dear colleagues,', 'Hi,'])), ...text.map((t) => p(t))];
  const attachments: Leaf[] = [];
  if (rng.chance(0.4)) {
    const greys = Array.from({ length: 4 }, () => rng.int(40, 230));
    attachments.push(binaryLeaf('image/jpeg', rng.pick(['radiograph.jpg', 'clinical-photo.jpg', 'case1.jpg']), rng.chance(0.5) ? jpeg(greys, 2, 2) : jpeg(greys, 2, 2, exifApp1('Canon', 'Canon EOS 250D', '2025:02:11 10:03:12'))));
    m.note('image without GPS');
  }
  blocks.push(signature(rng, SARAH));
  m.note('properly anonymised: ages, sex, tooth notation, no identifiers');
  return m.build(m.mixed(m.body(blocks, anyBody(rng)), attachments));
}
