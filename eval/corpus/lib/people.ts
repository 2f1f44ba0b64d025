import {
  chiNumber,
  hcNumber,
  landline,
  mobile,
  nhsNumber,
  randomDate,
  townAndPostcode,
  type Region,
  type SimpleDate,
} from './identifiers.js';
import type { Rng } from './random.js';

export const PRACTICE_DOMAIN = 'brightsmile-dental.co.uk';
export const PRACTICE_NAME = 'Brightsmile Dental';
export const PRACTICE_ADDRESS = '12 High Street, Leeds LS1 4AB';
export const SECURE_DOMAIN = 'nhs.net';
export const CONSUMER_DOMAINS = ['gmail.com', 'hotmail.co.uk', 'outlook.com', 'yahoo.co.uk', 'icloud.com', 'btinternet.com'] as const;
export const PUBLISHING_DOMAINS = ['post.wordpress.com', 'flickr.com', 'tumblr.com', 'blogger.com'] as const;

export interface Address {
  readonly name: string;
  readonly email: string;
}

export interface Staff extends Address {
  readonly first: string;
  readonly role: string;
}

export const SARAH: Staff = { name: 'Dr Sarah Patel', first: 'Sarah', email: `sarah.patel@${PRACTICE_DOMAIN}`, role: 'Dentist' };
export const TOM: Staff = { name: 'Tom Brown', first: 'Tom', email: `tom.brown@${PRACTICE_DOMAIN}`, role: 'Practice Manager' };
export const EMMA: Staff = { name: 'Emma Wilson', first: 'Emma', email: `emma.wilson@${PRACTICE_DOMAIN}`, role: 'Receptionist' };
export const STAFF: readonly Staff[] = [SARAH, TOM, EMMA];
export const RECEPTION: Address = { name: 'Brightsmile Dental Reception', email: `reception@${PRACTICE_DOMAIN}` };
export const ACCOUNTS: Address = { name: 'Brightsmile Dental Accounts', email: `accounts@${PRACTICE_DOMAIN}` };
export const INFO: Address = { name: 'Brightsmile Dental', email: `info@${PRACTICE_DOMAIN}` };
/** Staff who appear only on payroll and rotas (not configured as known names). */
export const OTHER_STAFF = [
  { name: 'Chloe Adams', role: 'Dental Nurse' },
  { name: 'Priya Shah', role: 'Hygienist' },
  { name: 'Daniel Hughes', role: 'Dental Nurse' },
  { name: 'Megan Clarke', role: 'Trainee Dental Nurse' },
] as const;

export function isInternal(email: string): boolean {
  return email.toLowerCase().endsWith(`@${PRACTICE_DOMAIN}`);
}

export type RecipientClass = 'internal' | 'secure' | 'consumer' | 'publishing' | 'external';

export function classify(email: string): RecipientClass {
  const domain = (email.split('@')[1] ?? '').toLowerCase();
  if (domain === PRACTICE_DOMAIN) return 'internal';
  if (domain === SECURE_DOMAIN) return 'secure';
  if ((CONSUMER_DOMAINS as readonly string[]).includes(domain)) return 'consumer';
  if ((PUBLISHING_DOMAINS as readonly string[]).includes(domain)) return 'publishing';
  return 'external';
}

// ---- organisations ------------------------------------------------------------------------

export const NHS_CONTACTS: readonly Address[] = [
  { name: 'Oral Surgery Referrals LTHT', email: 'leedsth.oralsurgery@nhs.net' },
  { name: 'Leeds Dental Institute Restorative', email: 'ldi.restorative@nhs.net' },
  { name: 'Orthodontic Referrals', email: 'orthodontic.referrals@nhs.net' },
  { name: 'Mr James Okafor', email: 'james.okafor1@nhs.net' },
  { name: 'Community Dental Service Leeds', email: 'cds.leeds@nhs.net' },
  { name: 'Maxillofacial Unit Bradford', email: 'bth.maxfax@nhs.net' },
  { name: 'Dr Helen Marsh', email: 'helen.marsh4@nhs.net' },
  { name: 'Paediatric Dentistry LDI', email: 'ldi.paediatrics@nhs.net' },
  { name: 'Special Care Dentistry', email: 'specialcare.dentistry@nhs.net' },
];
export const SCOT_NHS: readonly Address[] = [
  { name: 'GGC Oral Surgery', email: 'ggc.oralsurgery@nhs.net' },
  { name: 'Edinburgh Dental Institute', email: 'edi.referrals@nhs.net' },
  { name: 'Dundee Dental Hospital', email: 'tayside.dentalhospital@nhs.net' },
];
export const NI_NHS: readonly Address[] = [
  { name: 'Belfast Trust Oral Surgery', email: 'belfast.oralsurgery@nhs.net' },
  { name: 'Royal Victoria Dental Hospital', email: 'rvdh.referrals@nhs.net' },
];
export const NHSBSA: Address = { name: 'NHSBSA Dental Services', email: 'nhsbsa.dentalservices@nhs.net' };

export interface Org {
  readonly name: string;
  readonly domain: string;
  readonly contacts: readonly Address[];
  readonly address: string;
  readonly phone: string;
}

function org(name: string, domain: string, address: string, phone: string, people: readonly [string, string][]): Org {
  return { name, domain, address, phone, contacts: people.map(([n, local]) => ({ name: n, email: `${local}@${domain}` })) };
}

export const LABS: readonly Org[] = [
  org('Airedale Dental Laboratory', 'airedale-dental-lab.co.uk', 'Unit 4, Canal Wharf, Keighley BD21 3QT', '01535 496 021', [['Airedale Dental Lab', 'orders'], ['Mark Fenton', 'mark']]),
  org('SmileCraft Ceramics', 'smilecraft-ceramics.co.uk', '88 Kirkstall Road, Leeds LS3 1HR', '0113 496 0877', [['SmileCraft Cases', 'cases'], ['Jo Whitaker', 'jo.whitaker']]),
  org('Precision Dentures Ltd', 'precision-dentures.com', '3 Mill Lane, Wakefield WF1 2PL', '01924 496 330', [['Precision Dentures', 'lab'], ['Gary Lodge', 'gary']]),
];

export const SUPPLIERS: readonly Org[] = [
  org('Northern Dental Supplies', 'northern-dental-supplies.co.uk', 'Park House, 40 Trafford Way, Manchester M17 1AB', '0161 496 0555', [['Northern Dental Orders', 'orders'], ['Northern Dental Accounts', 'accounts'], ['Lisa Grant', 'lisa.grant']]),
  org('Clinident Supply', 'clinident-supply.co.uk', '7 Enterprise Park, Sheffield S9 1XU', '0114 496 0200', [['Clinident Sales', 'sales'], ['Clinident Credit Control', 'creditcontrol']]),
  org('Medisteril UK', 'medisteril.co.uk', 'Building 2, Riverside, Birmingham B7 4BP', '0121 496 0744', [['Medisteril Customer Service', 'service'], ['Paul Dean', 'paul.dean']]),
];

export const ACCOUNTANT = org('Hargreaves & Co Accountants', 'hargreaves-accountants.co.uk', '21 Park Square, Leeds LS1 2NE', '0113 496 0810', [['Hargreaves Payroll', 'payroll'], ['Julia Hargreaves', 'julia']]);
export const IT_SUPPORT = org('Pennine IT Support', 'pennine-it.co.uk', 'Suite 5, Calls Landing, Leeds LS2 7EW', '0113 496 0990', [['Pennine IT Helpdesk', 'support'], ['Ryan Cole', 'ryan.cole']]);
export const SOFTWARE = org('DentalSoft Systems', 'dentalsoft-systems.co.uk', 'Tech Hub, Bristol BS1 6QH', '0117 496 0301', [['DentalSoft Helpdesk', 'helpdesk'], ['Anna Price', 'anna.price']]);
export const SPECIALISTS: readonly Org[] = [
  org('Leeds Endodontic Specialists', 'leeds-endo-specialists.co.uk', '5 Park Place, Leeds LS1 2RU', '0113 496 0640', [['Leeds Endo Referrals', 'referrals'], ['Dr Neil Carter', 'neil.carter']]),
  org('Yorkshire Implant Clinic', 'yorkshire-implant-clinic.co.uk', '14 Otley Road, Harrogate HG2 0DN', '01423 496 118', [['Implant Clinic Referrals', 'referrals'], ['Dr Fiona Blake', 'fiona.blake']]),
];
export const COLLEAGUE_PRACTICES: readonly Org[] = [
  org('Parkview Dental', 'parkview-dental.co.uk', '2 Park View, Leeds LS11 5AA', '0113 496 0455', [['Dr James Lee', 'james.lee'], ['Parkview Reception', 'reception']]),
  org('Roundhay Smiles', 'roundhaysmiles.co.uk', '61 Street Lane, Leeds LS8 2DQ', '0113 496 0382', [['Dr Aisha Rahman', 'aisha'], ['Roundhay Smiles', 'hello']]),
  org('Otley Family Dentistry', 'otleyfamilydentistry.com', '9 Kirkgate, Otley LS21 3HN', '01943 496 207', [['Dr Ben Foster', 'ben'], ['Otley Family Dentistry', 'info']]),
];
export const STUDY_CLUB = org('Leeds Dental Study Club', 'leeds-dental-study-club.org.uk', 'c/o 12 High Street, Leeds', '0113 496 0123', [['Leeds Dental Study Club', 'members'], ['Dr Owen Price', 'secretary']]);
export const MISC_EXTERNAL: readonly Address[] = [
  { name: 'CQC Enquiries', email: 'enquiries@cqc.org.uk' },
  { name: 'Yorkshire Clinical Waste', email: 'bookings@yorkshire-clinical-waste.co.uk' },
  { name: 'Harrison Property Management', email: 'lettings@harrison-property.co.uk' },
  { name: 'Dental Protection', email: 'advice@dentalprotection-uk.org' },
];

// ---- patients ----------------------------------------------------------------------------

const FEMALE = ['Jane', 'Margaret', 'Olivia', 'Amelia', 'Sophie', 'Fatima', 'Aisha', 'Hannah', 'Grace', 'Emily', 'Lucy', 'Zoë', 'Siân', 'Niamh', 'Chloé', 'Joanne', 'Karen', 'Deborah', 'Patricia', 'Ruth', 'Agnieszka', 'Mei', 'Priyanka', 'Bethany', 'Eilidh', 'Mairead', 'Jessica', 'Kirsty', 'Sandra', 'Wendy'];
const MALE = ['John', 'David', 'Oliver', 'Harry', 'Mohammed', 'Ahmed', 'Jack', 'George', 'Liam', 'Ewan', 'Callum', 'Gareth', 'Rhys', 'Sean', 'Ciaran', 'Paul', 'Stephen', 'Michael', 'Andrew', 'Raj', 'Tomasz', 'Kwame', 'Dylan', 'Finlay', 'Arjun', 'Stuart', 'Keith', 'Brian', 'Noah', 'Leo'];
const SURNAMES = ['Smith', 'Jones', 'Taylor', 'Williams', 'Davies', 'Evans', 'Thomas', 'Johnson', 'Roberts', 'Walker', 'Wright', 'Thompson', 'Robinson', 'White', 'Hughes', 'Edwards', 'Green', 'Hall', 'Wood', 'Harris', 'Martin', 'Jackson', 'Clarke', 'Khan', 'Hussain', 'Ali', 'Begum', 'Akhtar', 'Kowalski', 'Nowak', "O'Brien", "O'Neill", 'McDonald', 'MacLeod', 'Campbell', 'Stewart', 'Murray', 'Fraser', 'Kelly', 'Quinn', 'McCann', 'Doherty', 'Ndlovu', 'Mensah', 'Okonkwo', 'Chen', 'Wong', 'Singh', 'Kaur', 'Sharma', 'Smith-Jones', 'Ashworth', 'Sutcliffe', 'Greenwood', 'Haigh', 'Barraclough', 'Illingworth', 'Pickles', 'Brook', 'Ackroyd'];
const STREETS = ['Oak Road', 'Victoria Avenue', 'Church Lane', 'Station Road', 'Ash Grove', 'Moor View', 'Park Crescent', 'Mill Street', 'Cardigan Road', 'Otley Road', 'Harehills Lane', 'Woodhouse Street', 'Beech Walk', 'Springfield Mount', 'Kirkgate', 'Manor Drive', 'Hollin Lane', 'Meadow Close', 'Queens Road', 'Chapel Street'];

export interface Person {
  readonly id: string;
  readonly title: string;
  readonly first: string;
  readonly last: string;
  readonly female: boolean;
  readonly dob: SimpleDate;
  readonly street: string;
  readonly town: string;
  readonly postcode: string;
  readonly mobile: string;
  readonly landline: string;
  readonly email: string;
  readonly nhs: string;
  readonly chi: string;
  readonly hc: string;
  readonly hospitalNo: string;
}

export interface PersonOptions {
  readonly region?: Region;
  readonly child?: boolean;
  readonly chiScheme?: 'mod11' | 'mod10';
}

let personCounter = 0;

const STAFF_FULL_NAMES = new Set(['sarah patel', 'tom brown', 'emma wilson', ...OTHER_STAFF.map((s) => s.name.toLowerCase())]);

export function person(rng: Rng, options: PersonOptions = {}): Person {
  const region = options.region ?? (rng.chance(0.85) ? 'yorkshire' : 'elsewhere');
  const female = rng.chance(0.5);
  let first: string;
  let last: string;
  do {
    first = rng.pick(female ? FEMALE : MALE);
    last = rng.pick(SURNAMES);
  } while (STAFF_FULL_NAMES.has(`${first} ${last}`.toLowerCase()));
  const dob = options.child ? randomDate(rng, 2010, 2020) : randomDate(rng, 1938, 2004);
  const title = options.child ? (female ? 'Miss' : 'Master') : female ? rng.pick(['Mrs', 'Mrs', 'Miss', 'Ms']) : rng.pick(['Mr', 'Mr', 'Mr', 'Dr']);
  const asciiFirst = first.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const asciiLast = last.replace(/[^A-Za-z]/g, '').toLowerCase();
  const email = `${asciiFirst}.${asciiLast}${rng.chance(0.6) ? String(rng.int(1, 99)) : ''}@${rng.pick(CONSUMER_DOMAINS)}`;
  const areaCode = region === 'scotland' ? rng.pick(['0141', '0131'] as const) : region === 'northernIreland' ? '028' : region === 'elsewhere' ? rng.pick(['0161', '020'] as const) : '0113';
  personCounter++;
  const place = townAndPostcode(rng, region);
  return {
    id: `p${personCounter}`,
    title,
    first,
    last,
    female,
    dob,
    street: `${rng.int(1, 220)} ${rng.pick(STREETS)}`,
    town: place.town,
    postcode: place.postcode,
    mobile: mobile(rng),
    landline: landline(rng, areaCode),
    email,
    nhs: nhsNumber(rng),
    chi: chiNumber(rng, dob, female, options.chiScheme ?? 'mod11'),
    hc: hcNumber(rng),
    hospitalNo: hospitalNumber(rng),
  };
}

function hospitalNumber(rng: Rng): string {
  const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
  switch (rng.int(0, 3)) {
    case 0:
      return `${letters[rng.int(0, letters.length - 1)] ?? 'K'}${rng.digits(7)}`;
    case 1:
      return `RR8${rng.digits(7)}`;
    case 2:
      return `${rng.digits(8)}`;
    default:
      return `H${rng.digits(6)}${letters[rng.int(0, letters.length - 1)] ?? 'A'}`;
  }
}

/** A consumer webmail address for someone who is not a patient here (a locum, a relative, a friend). */
export function consumerAddress(rng: Rng, first: string, last: string): Address {
  const local = `${first.toLowerCase()}${rng.pick(['.', '_', ''])}${last.replace(/[^A-Za-z]/g, '').toLowerCase()}${rng.chance(0.5) ? String(rng.int(1, 990)) : ''}`;
  return { name: `${first} ${last}`, email: `${local}@${rng.pick(CONSUMER_DOMAINS)}` };
}

export const OTHER_FIRST = ['Rebecca', 'Lewis', 'Natalie', 'Craig', 'Victoria', 'Sam', 'Laura', 'Adam', 'Kerry', 'Jamal', 'Helen', 'Ian', 'Nadia', 'Robert', 'Claire', 'Martin', 'Anita', 'Joe'];
export const OTHER_LAST = ['Marsden', 'Holt', 'Bairstow', 'Rowe', 'Iqbal', 'Fletcher', 'Lund', 'Crossley', 'Kaye', 'Moran', 'Dale', 'Norton', 'Patterson', 'Sykes', 'Tan', 'Varley'];

/** Someone external who is not a patient: a colleague, a supplier contact, a club member. */
export function otherName(rng: Rng): { first: string; last: string } {
  return { first: rng.pick(OTHER_FIRST), last: rng.pick(OTHER_LAST) };
}

export function publishingAddress(rng: Rng): Address {
  switch (rng.int(0, 3)) {
    case 0:
      return { name: 'Brightsmile Blog', email: `brightsmile${rng.digits(3)}@post.wordpress.com` };
    case 1:
      return { name: 'Flickr Upload', email: `upload-${rng.token(6)}@flickr.com` };
    case 2:
      return { name: 'Tumblr', email: `brightsmile-${rng.token(5)}@tumblr.com` };
    default:
      return { name: 'Blogger', email: `brightsmile.${rng.digits(4)}@blogger.com` };
  }
}
