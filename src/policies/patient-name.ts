import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { TextLayout, findTables, splitCells, type Table } from './text-layout.js';
import { KeywordIndex } from './keyword-index.js';
import { LiteralGate } from './literal-gate.js';
import {
  firstNameToken,
  GAP,
  isDoctor,
  isKnown,
  nameEndingAt,
  nameReader,
  nameTokens,
  readName,
  STOP_TOKENS,
  TOKEN_SOURCE,
  type NameMatch,
} from './name-reading.js';

/**
 * Patient names: a personal name where the text says it is a patient's.
 * - High: an explicit label ("Patient: Mrs Jane Smith", "Patient name: …"); "Name:" in a
 *   referral's patient section (a heading, or a block of fields with a DOB or NHS number) or
 *   next to an identifier; a name right before an identifier ("Jane Smith (DOB …", "Mr Gareth
 *   Robinson (age 32)"); a table column headed Name/Patient (or Surname/Forename when there is
 *   no full-name column).
 * - Medium: "Re: Mrs Jane Smith", "Referral: Jane Smith", "our patient Jane Smith", "referring
 *   Mrs Smith", "Mrs Smith's crown", a testimonial's author, a titled name near patient words,
 *   a common given name and a surname near the word patient.
 * - Low: a titled name (Mr, Mrs, Ms, Miss, Master) with no context; "Name:" with no context;
 *   "Re: Two Words" that look like a topic.
 * Never: names in `context.knownNames` (staff, the message's own correspondents), compared
 * case-insensitively token by token; names in signatures and on sign-off lines, the name a
 * greeting opens with ("Dear Mrs Smith,"), names on header lines of quoted messages or followed
 * by an e-mail address, names introduced by a staff role, "Name:" in another party's section.
 */

/** Identifiers only a patient (never a clinician) is written with: date of birth, age. */
const PERSONAL_IDENTIFIER_SOURCE = '[Dd]\\.?[Oo]\\.?[Bb]|[Dd]ate [Oo]f [Bb]irth|[Bb]orn|[Aa]ged?';

/** "Patient:", "Patient name:", "Patient's full name -", "Name of patient:", "Pt:"; or a table cell's label and a wide gap ("Patient      Jane Smith"). */
const PATIENT_LABEL =
  /(?<![\p{L}])(?:patient(?:'s|’s)?(?:[ \t]{1,3}(?:full[ \t]{1,3})?name|[ \t]{1,3}details|[ \t]{1,3}information)?|name[ \t]{1,3}of[ \t]{1,3}(?:the[ \t]{1,3})?patient|pt(?:[ \t]{1,3}name)?)(?:[ \t]{0,3}[:\-–][ \t]{0,30}|[ \t]{2,30}|\t)/giu;
/** "Name:", "Full name:", "Surname:", "Forename(s):", "First name:", "Last name:". */
const NAME_LABEL = /(?<![\p{L}])(?:(?:full|first|last|given|family|christian)[ \t]{0,3}names?|names?|surname|forenames?)(?:\(s\))?(?:[ \t]{0,3}[:\-–][ \t]{0,30}|[ \t]{2,30}|\t)/giu;
/** Whose name a "Name:" field is, when the word before says it is not the patient's. */
const OTHER_NAME_OWNER =
  /(?<![\p{L}])(?:practice|lab|laboratory|company|account|user|file|dentist|clinician|referrer|referring|doctor|gp|business|bank|payee|supplier|product|contact|sender|staff|employee|consultant|surgeon|practitioner|signed|print|your|my)(?:'s)?[ \t]{0,3}$/iu;
/** "Re:" lines (letters' patient line, mail subjects), skipping "RE: FW:" and "Referral for"; "Referral: …", "referral for …". */
const RE_LINE =
  /(?<![\p{L}])(?:(?:re|regarding|ref)[ \t]{0,3}:[ \t]{0,3}(?:(?:re|fw|fwd|aw|sv)[ \t]{0,3}:[ \t]{0,3}){0,5}(?:(?:urgent[ \t]{1,3})?(?:referral|patient|ref|treatment|appointment)[ \t]{0,3}(?:for|of|re|:|-|–)?[ \t]{0,3})?|(?:urgent[ \t]{1,3})?referral[ \t]{0,3}(?::|-|–|for|of)[ \t]{0,3})/giu;
/**
 * "our patient Jane Smith", "my patient, Mrs Smith", "patient Mrs Smith", "referring Mrs Smith":
 * the phrase that ends right before `lastIndex` (used sticky; group 1 is the possessive form).
 * A name read after it starts with a capital, so the phrase is looked for only before a capital
 * that follows a space (SPACE_BEFORE_CAPITAL): scanned for from every letter that may begin one
 * of its words, it took 40% of the detector's time over 41 KB of prose.
 */
const PATIENT_PHRASE_BEFORE =
  /(?<=(?<![\p{L}])(?:((?:our|my|your|the|this|mutual|a|new|joint)[ \t]{1,3}(?:mutual[ \t]{1,3}|new[ \t]{1,3}|joint[ \t]{1,3})?patient,?)|(patient|refer|referring|referred|regarding|concerning|re|treat|treating|treated|examined|examine))[ \t]{1,3})/iuy;
/** A space and a capital: where a name can start (readName reads nothing else). Not case-insensitive. */
const SPACE_BEFORE_CAPITAL = /[ \t]\p{Lu}/gu;
/** A personal title anywhere (Dr excluded: clinicians are mostly staff). */
const TITLED = /(?<![\p{L}])(?:Mrs|MRS|Mr|MR|Ms|MS|Miss|MISS|Mx|MX|Master|MASTER)\.?[ \u00a0]{1,3}(?=\p{Lu})/gu;
/** Every "Name:" label (NAME_LABEL) holds the word: without it, that pattern is not run. */
const NAME_LABEL_GATE = new LiteralGate(['name']);

/** Common UK given names: untitled capitalised words starting with one ("Re: Jane Smith") are more likely a person than a topic. */
const COMMON_FIRST_NAMES = new Set(
  (
    'aaliyah abigail adam aiden alan albert alex alexander alfie alice alison amanda amelia amy andrew angela ann anna anne anthony archie arthur ava barbara ben ' +
    'benjamin beth brian callum carol caroline catherine charles charlie charlotte chloe chris christine christopher claire daniel david deborah dennis diane ' +
    'dorothy edward eleanor elizabeth ella ellie emily emma eric ethan evie florence frank freddie freya gary george georgia grace graham hannah harry harvey ' +
    'heather helen henry holly ian isabella isla jack jacob jake james jane janet jasmine jason jean jennifer jessica joan joanne john jonathan joseph joshua ' +
    'joyce julie karen kate katherine kathleen keith kevin laura lauren leo lily linda lisa logan louise lucy luke margaret maria mark martin mary matthew ' +
    'megan mia michael michelle mohammed muhammad nancy natalie neil nicholas nicola noah oliver olivia oscar patricia paul pauline peter philip poppy rachel ' +
    'rebecca richard robert rosie ruby ryan samuel sandra sarah scarlett sharon simon sophia sophie stephen steven stuart susan teresa thomas tom tony tracey ' +
    'victoria william zara zoe ' +
    // Names common in the UK's Welsh, Scottish, Irish, South Asian, African, Polish and other communities.
    'agnieszka ahmed aisha ali amir amira anil anita arjun asif ayesha bethan bilal ceri chidi ciaran deepak dylan eilidh emeka fatima fiona gareth ' +
    'gurpreet hamza harpreet hassan ibrahim imran iwan jamal jas kamal kasia katarzyna kwame lowri mairead malik marek maryam mohammad nadia naveen niamh ' +
    'nia oisin olu omar piotr priya priyanka rahul rajesh rhys rhiannon rohan ruth sadia saoirse seren sean shauna sian siobhan sunita tariq tomasz usman ' +
    'wendy yusuf zainab zofia angus aoife bronwen caitlin calum connor darren declan dean derek elaine eleri euan ewan gavin ' +
    'gemma gillian gordon hamish hayley iain isobel jade jamie jenna joanna jordan kayleigh kirsty kieran leanne liam lindsay lorna lynn mhairi ' +
    'morag moira nathan nicole owen patrick rory ross sally sam samantha shona stacey stephanie stewart tara tegan terry trevor vicky wayne'
  ).split(' '),
);
const PATIENT_WORDS = [
  'patient', "patient's", 'patients', 'pt', 'dob', 'd.o.b', 'date of birth', 'nhs', 'referral', 'refer', 'referring', 'treatment', 'appointment', 'attended',
  'consent', 'radiograph', 'radiographs', 'x-ray', 'x-rays', 'extraction', 'extractions', 'crown', 'crowns', 'denture', 'dentures', 'implant', 'implants',
  'filling', 'fillings', 'root canal', 'rct', 'bridge', 'veneer', 'veneers', 'orthodontic', 'braces', 'aligners', 'abscess', 'try-in', 'impression',
  'bill', 'balance', 'recall', 'rebook', 'booked in', 'cancelled', 'check-up', 'checkup', 'hygienist', 'toothache', 'emergency', 'records', 'notes',
];
const FOLLOWED_BY_IDENTIFIER = /^[^\n]{0,40}?(?:d\.?o\.?b|date\s{1,3}of\s{1,3}birth|born|nhs|chi\b|hospital\s{1,3}(?:no|number)|\(\s{0,3}\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})/iu;
/** Words of a patient identifier: a name next to one is a patient's. */
const IDENTIFIER_WORDS = ['dob', 'd.o.b', 'date of birth', 'born', 'nhs', 'nhs no', 'nhs number', 'chi', 'h&c', 'health and care number', 'hospital number'];
/**
 * An identifier right after a name: "Stephen Brook (born …", "Jane Smith, DOB …", "Mr Gareth Robinson (age 32)"
 * (found at the bracket, comma or dash, the name read backwards from the end of its last word, the
 * match's index less group 1). Here and below, a lookbehind comes after the match's first character:
 * a leading one stops V8 from skipping ahead to the characters a match can start with (3 to 6 times
 * slower on a 50 KB text); and the first is the rarest one a match must hold (starting at a space
 * was 1.5 to 3 times slower).
 */
export const IDENTIFIER_AFTER_NAME = new RegExp(
  `[(,–-](?<=[\\p{L}.]([ \\t]{0,2})[(,–-])[ \\t]{0,2}` +
    `(?:(${PERSONAL_IDENTIFIER_SOURCE})|NHS(?:[ \\t]{0,2}(?:[Nn]o|[Nn]umber|#)|:|[ \\t]{0,2}\\d)|CHI|H&C|[Hh]ealth and [Cc]are)(?![\\p{L}])`,
  'gu',
);
/** Treatment a name owns: "Dr Arjun Evans's denture", "Mrs Smith's appointment", "Jane Smith's x-rays" (found at the "'s"). */
const POSSESSIVE_TREATMENT = new RegExp(
  `['’](?<=\\p{L}['’])s${GAP}(?:[\\p{L}-]{1,20}${GAP}){0,2}` +
    '(?:dentures?|crowns?|bridge|implants?|appointments?|[xX]-rays?|radiographs?|treatment|fillings?|extraction|notes|records|impressions?|veneers?|aligners?|retainer|braces|recall|check-?up|referral|consent|bill|balance|results?)(?![\\p{L}])',
  'gu',
);
/** A closing quotation mark and a dash: what follows names who said it ("… the best dentist" - Olivia Johnson, Leeds). */
const QUOTE_ATTRIBUTION = /["”]\s{0,3}[-–—]\s{0,3}/gu;
/** Two or three capitalised words: an untitled name when the first is a common given name. */
const UNTITLED_NAME = new RegExp(`(?<![\\p{L}])${TOKEN_SOURCE}(?:${GAP}${TOKEN_SOURCE}){1,2}`, 'gu');
/** Words that make an untitled name a patient's on their own. */
const STRONG_PATIENT_WORDS = ['patient', "patient's", 'pt', 'dob', 'd.o.b', 'date of birth', 'nhs number', 'nhs no', 'born'];
/** A staff role or colleague word just before a name ("our hygienist Priya Shah"), or an address just after it ("Gary Lodge <gary@…>"). */
const ROLE_BEFORE = /(?<![\p{L}])(?:hygienist|dentist|nurse|receptionist|manager|therapist|technician|colleague|associate|principal|partner|owner|director|consultant|surgeon|clinician|registrar|trainee|foundation|locum|orthodontist|team|staff|welcome|joined|joining|congratulations\s{1,3}to\s{1,3}our)[\s,:]{1,5}(?:[\p{L}]{1,20}\s{1,3}){0,2}$/iu;
const ADDRESS_AFTER = /^[ \t]{0,3}(?:<|\[|\(?[\w.+-]{1,64}@)/u;
/** How far (characters) patient words may stand from an untitled name. */
const NEAR_UNTITLED = 80;
/** A greeting: the name it opens with is the correspondent's (up to the first comma, or the whole line). */
const GREETING = /^(?:dear|hi|hello|hey|good\s{1,3}(?:morning|afternoon|evening)|morning|afternoon|fao|attn|attention|for\s{1,3}the\s{1,3}attention\s{1,3}of)(?![\p{L}])/iu;
/** Header lines of an embedded message: every name on them is a correspondent's. */
const HEADER_FIELD = /^(?:from|to|cc|bcc|sent|reply-to)\s{0,3}:/iu;
/** A sign-off line, possibly with the signer's name on it ("Kind regards, Dr Sarah Jones"). */
const SIGN_OFF_PHRASE =
  /^(?:(?:kind|kindest|best|warm|warmest|many)\s{1,3}(?:regards|wishes|thanks)|regards|thanks|thank\s{1,3}you|yours\s{1,3}(?:sincerely|faithfully|truly)|sincerely|cheers|signed)[\s,.!:-]{0,5}/i;
const NAME_ONLY = /^(?:\p{Lu}[\p{L}'’.-]{0,30}(?:[ \t]{1,3}|$)){0,5}$/u;
const FULL_NAME_HEADER = /^(?:patient(?:\s(?:full\s)?name)?|(?:full\s?)?names?|pt\s?name|patient\s?name)$/u;
const NAME_PART_HEADER = /^(?:patient\s)?(?:surname|forenames?|first\s?name|last\s?name|given\s?names?|family\s?name|christian\s?name)$/u;
const PERSONAL_HEADER = /(?:^|[^\p{L}])(?:dob|d\.o\.b\.?|date\s?of\s?birth|nhs|chi|postcode|address|phone|mobile|tel)(?:$|[^\p{L}])/u;
const NAME_CELL = /^[\p{L}][\p{L}'’\-. ,]{0,60}$/u;

/** How far (characters) patient words may stand from an unlabelled titled name. */
const NEAR = 100;
/** How far (characters) identifier words may stand from a "Name:" field outside any section. */
const NEAR_IDENTIFIER = 150;

interface Candidate {
  readonly match: NameMatch;
  readonly confidence: number;
  readonly why: string;
}

export const detectPatientName: TextDetector = (unit: TextUnit, context: DetectorContext): Finding[] => {
  const text = unit.text;
  const layout = new TextLayout(text);
  // Sticky, so it carries state: one per call (detectors keep no shared state).
  const nameAt = nameReader();
  const known = context.knownNames.map(nameTokens).filter((t) => t.length > 0);
  const patientWords = new KeywordIndex(text, PATIENT_WORDS);
  const strongWords = new KeywordIndex(text, STRONG_PATIENT_WORDS);
  const identifierWords = new KeywordIndex(text, IDENTIFIER_WORDS);
  const best = new Map<number, Candidate>();
  const offer = (candidate: Candidate | null): void => {
    if (!candidate || isKnown(candidate.match.tokens, known)) return;
    const prior = best.get(candidate.match.start);
    if (!prior || prior.confidence < candidate.confidence) best.set(candidate.match.start, candidate);
  };

  for (const table of findTables(layout, unit.tabular)) tableNames(layout, table, offer);

  for (const m of text.matchAll(PATIENT_LABEL)) {
    const match = readName(nameAt, text, m.index + m[0].length, { allowSingle: true, allowComma: true });
    if (match) offer({ match, confidence: 0.95, why: "name labelled as the patient's" });
  }
  for (const m of NAME_LABEL_GATE.admits(text) ? text.matchAll(NAME_LABEL) : []) {
    const at = m.index + m[0].length;
    // Here and below, the name is read before the line is judged: most matches have none after them.
    const match = readName(nameAt, text, at, { allowSingle: true, allowComma: true });
    if (!match || !plausibleLine(layout, at)) continue;
    const lineStart = layout.lineStart(layout.lineIndexOf(m.index));
    if (OTHER_NAME_OWNER.test(text.slice(Math.max(lineStart, m.index - 25), m.index)) || /patient/iu.test(text.slice(Math.max(lineStart, m.index - 25), m.index))) continue;
    const section = layout.section(at);
    if (section === 'patient') offer({ match, confidence: 0.92, why: "name field in the patient's details" });
    else if (section === null && identifierWords.nearest(match.start, match.end, NEAR_IDENTIFIER)) {
      offer({ match, confidence: 0.9, why: 'name field next to a date of birth or health number' });
    } else if (section === null) offer({ match, confidence: 0.55, why: 'name field outside a patient section' });
  }
  for (const m of text.matchAll(IDENTIFIER_AFTER_NAME)) {
    const match = nameEndingAt(nameAt, text, m.index - m[1]!.length);
    if (!match || !plausibleLine(layout, match.start) || layout.section(match.start) === 'other') continue;
    // "Dr Ann Lee (NHS …)" is a clinician; "Dr Stephen Doherty (age 23)" is a patient.
    if (isDoctor(match) && m[2] === undefined) continue;
    offer({ match, confidence: match.title !== null ? 0.9 : 0.85, why: 'name followed by a date of birth, age or health number' });
  }
  for (const m of text.matchAll(RE_LINE)) {
    const at = m.index + m[0].length;
    const match = readName(nameAt, text, at, { allowSingle: false, allowComma: true });
    if (match && plausibleLine(layout, at)) offer(gradeRe(text, match));
  }
  for (const { at, possessive } of patientPhrases(text)) {
    const match = readName(nameAt, text, at, { allowSingle: false, allowComma: false });
    if (!match || (match.title === null && !possessive) || isDoctor(match)) continue;
    if (!plausibleLine(layout, at) || layout.section(at) === 'other') continue;
    offer({ match, confidence: possessive ? 0.82 : 0.75, why: possessive ? 'name after "our patient"' : 'titled name after a patient or referral verb' });
  }
  for (const m of text.matchAll(TITLED)) {
    const section = layout.section(m.index);
    if (!plausibleLine(layout, m.index) || section === 'other') continue;
    const match = readName(nameAt, text, m.index, { allowSingle: true, allowComma: false });
    if (!match || (best.get(match.start)?.confidence ?? 0) >= 0.7) continue;
    if (section === 'patient' && !best.has(match.start)) {
      offer({ match, confidence: 0.9, why: "titled name in the patient's details" });
      continue;
    }
    if (isCorrespondentOrStaff(text, match)) continue;
    const near = patientWords.nearest(match.start, match.end, NEAR);
    offer(near ? { match, confidence: 0.7, why: 'titled name near patient words' } : { match, confidence: 0.45, why: 'titled name without patient context' });
  }
  for (const m of text.matchAll(POSSESSIVE_TREATMENT)) {
    const match = nameEndingAt(nameAt, text, m.index);
    if (!match || !plausibleLine(layout, match.start) || layout.section(match.start) === 'other' || isCorrespondentOrStaff(text, match)) continue;
    offer({ match, confidence: match.title !== null ? 0.8 : 0.7, why: "name owning treatment or an appointment (\"…'s denture\")" });
  }
  for (const m of text.matchAll(QUOTE_ATTRIBUTION)) {
    const at = m.index + m[0].length;
    const match = readName(nameAt, text, at, { allowSingle: false, allowComma: false });
    if (match && !isDoctor(match) && plausibleLine(layout, at)) offer({ match, confidence: 0.65, why: 'name attributed to a quotation (a testimonial)' });
  }
  for (const m of text.matchAll(UNTITLED_NAME)) {
    const at = firstNameToken(m[0]);
    if (at < 0 || best.has(m.index + at)) continue;
    const first = /^\p{L}+/u.exec(m[0].slice(at))?.[0].toLowerCase() ?? '';
    if (!COMMON_FIRST_NAMES.has(first) || !plausibleLine(layout, m.index + at) || layout.section(m.index + at) === 'other') continue;
    const match = readName(nameAt, text, m.index + at, { allowSingle: false, allowComma: false });
    if (!match || match.title !== null || isCorrespondentOrStaff(text, match)) continue;
    if (strongWords.nearest(match.start, match.end, NEAR_UNTITLED)) {
      offer({ match, confidence: 0.65, why: 'given name and surname near the word patient or an identifier' });
    } else if (patientWords.nearest(match.start, match.end, NEAR_UNTITLED)) {
      offer({ match, confidence: 0.5, why: 'given name and surname near treatment words' });
    }
  }

  return [...best.values()]
    .sort((a, b) => a.match.start - b.match.start)
    .map((c) => ({
      kind: 'patient_name' as const,
      value: text.slice(c.match.start, c.match.end),
      confidence: c.confidence,
      location: unit.location,
      offset: c.match.start,
      why: c.why,
    }));
};

function gradeRe(text: string, match: NameMatch): Candidate {
  const identified = FOLLOWED_BY_IDENTIFIER.test(text.slice(match.end, match.end + 60));
  if (isDoctor(match)) return { match, confidence: identified ? 0.8 : 0.45, why: 'doctor named on a "Re:" line' };
  if (match.title !== null) return { match, confidence: identified ? 0.92 : 0.82, why: 'titled name on a "Re:" line' };
  if (identified) return { match, confidence: 0.85, why: 'name on a "Re:" line followed by a date of birth or number' };
  if (COMMON_FIRST_NAMES.has(match.tokens[0] ?? '') || COMMON_FIRST_NAMES.has(match.tokens[match.tokens.length - 1] ?? '')) {
    return { match, confidence: 0.65, why: 'personal name on a "Re:" line' };
  }
  return { match, confidence: 0.4, why: 'capitalised words on a "Re:" line' };
}

/** True for a name introduced by a staff role ("our hygienist Priya Shah") or followed by an e-mail address (a correspondent). */
function isCorrespondentOrStaff(text: string, match: NameMatch): boolean {
  return ROLE_BEFORE.test(text.slice(Math.max(0, match.start - 40), match.start)) || ADDRESS_AFTER.test(text.slice(match.end, match.end + 70));
}

/**
 * False where a name is a correspondent's or staff's: in a signature, on a sign-off line or a
 * header line of an embedded message (From:, To:, Cc:), or in a greeting ("Dear Mrs Smith," —
 * the rest of "Hi Sarah, the impression for Mr Jones …" is still read).
 */
function plausibleLine(layout: TextLayout, offset: number): boolean {
  if (layout.inSignature(offset)) return false;
  const index = layout.lineIndexOf(offset);
  const bare = layout.bareLine(index);
  if (HEADER_FIELD.test(bare) || isSignOffLine(bare)) return false;
  const greeting = GREETING.exec(bare);
  if (!greeting) return true;
  const stop = bare.slice(greeting[0].length).search(/[,!:;]/u);
  const greetingEnd = layout.bareStart(index) + greeting[0].length + (stop < 0 ? bare.length : stop);
  return offset >= greetingEnd;
}

function isSignOffLine(bare: string): boolean {
  const m = SIGN_OFF_PHRASE.exec(bare);
  return m !== null && NAME_ONLY.test(bare.slice(m[0].length));
}

/** Where a name may follow a patient phrase ("our patient ", "referring "), and whether the phrase was possessive. */
export function* patientPhrases(text: string): Generator<{ at: number; possessive: boolean }> {
  // Own copies: both carry lastIndex, and a generator can be left part-way.
  const starts = new RegExp(SPACE_BEFORE_CAPITAL);
  const phrase = new RegExp(PATIENT_PHRASE_BEFORE);
  for (let start = starts.exec(text); start !== null; start = starts.exec(text)) {
    const at = start.index + 1;
    phrase.lastIndex = at;
    const m = phrase.exec(text);
    if (m) yield { at, possessive: m[1] !== undefined };
  }
}

/**
 * Names in a table's name columns: a full-name column (Name, Patient, Patient Name) when there
 * is one, otherwise the parts (Surname, Forename …), each cell a finding.
 */
function tableNames(layout: TextLayout, table: Table, offer: (c: Candidate | null) => void): void {
  const headers = table.headers.map((h) => h.replace(/[_-]/gu, ' ').trim());
  const full = new Set<number>();
  const parts = new Set<number>();
  headers.forEach((h, i) => {
    if (FULL_NAME_HEADER.test(h)) full.add(i);
    else if (NAME_PART_HEADER.test(h)) parts.add(i);
  });
  const nameColumns = full.size > 0 ? full : parts;
  if (nameColumns.size === 0) return;
  const personal = headers.some((h, i) => !full.has(i) && !parts.has(i) && PERSONAL_HEADER.test(h));
  const confidence = personal ? 0.95 : 0.9;
  for (let line = table.headerLine + 1; line <= table.lastLine; line++) {
    for (const cell of splitCells(layout, line, table.delimiter)) {
      if (!nameColumns.has(cell.column) || !NAME_CELL.test(cell.value)) continue;
      const tokens = nameTokens(cell.value);
      if (tokens.length === 0 || tokens.every((t) => STOP_TOKENS.has(t))) continue;
      offer({
        match: { start: cell.offset, end: cell.offset + cell.value.length, title: null, tokens },
        confidence,
        why: `name in a table column headed "${table.headers[cell.column] ?? ''}"`,
      });
    }
  }
}
