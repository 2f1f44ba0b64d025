import type { Finding } from '../core/finding.js';
import { nearestKeyword } from './context-window.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { TextLayout, findTable, splitCells, type Table } from './text-layout.js';

/**
 * Patient names: a personal name where the text says it is a patient's.
 * - High: an explicit label ("Patient: Mrs Jane Smith", "Patient name: …"), "Name:" inside a
 *   referral's patient section, a table column headed Name/Patient/Surname/Forename.
 * - Medium: "Re: Mrs Jane Smith", "Re: Jane Smith (DOB …)", "our patient Jane Smith",
 *   "referring Mrs Smith"; "Name:" outside any section.
 * - Low: a name with a personal title (Mr, Mrs, Ms, Miss, Master) and no label, higher with
 *   patient words nearby; "Re: Two Words" with no other sign of a person.
 * Never: names in `context.knownNames` (staff, the message's own correspondents), compared
 * case-insensitively token by token; names in signatures, "Dear …" lines, header lines of
 * quoted messages; "Name:" in another party's section (referrer, GP, lab).
 */

/** A capitalised name token: "Jane", "O'Brien", "Smith-Jones", "SMITH", "J." */
const TOKEN_SOURCE = "\\p{Lu}[\\p{L}'’\\-]{0,30}\\.?";
const TITLE_SOURCE = '(?:Mrs|MRS|Mr|MR|Ms|MS|Miss|MISS|Mx|MX|Master|MASTER|Dr|DR)';
/** A name at a given position: optional title, one to four tokens (a comma allowed once: "SMITH, Jane"). */
const NAME_AT_SOURCE = `(?:(${TITLE_SOURCE})\\.?[ \\t]{1,3})?(${TOKEN_SOURCE}(?:(?:,[ \\t]{0,3}|[ \\t]{1,3})${TOKEN_SOURCE}){0,3})`;
const TOKEN = new RegExp(TOKEN_SOURCE, 'gu');

/** "Patient:", "Patient name:", "Patient's full name -", "Name of patient:", "Pt:"; or a table cell's label and a wide gap ("Patient      Jane Smith"). */
const PATIENT_LABEL =
  /(?<![\p{L}])(?:patient(?:'s|’s)?(?:[ \t]{1,3}(?:full[ \t]{1,3})?name|[ \t]{1,3}details|[ \t]{1,3}information)?|name[ \t]{1,3}of[ \t]{1,3}(?:the[ \t]{1,3})?patient|pt(?:[ \t]{1,3}name)?)(?:[ \t]{0,3}[:\-–][ \t]{0,30}|[ \t]{2,30}|\t)/giu;
/** "Name:", "Full name:", "Surname:", "Forename(s):", "First name:", "Last name:". */
const NAME_LABEL = /(?<![\p{L}])(?:(?:full|first|last|given|family|christian)[ \t]{0,3}names?|names?|surname|forenames?)(?:\(s\))?(?:[ \t]{0,3}[:\-–][ \t]{0,30}|[ \t]{2,30}|\t)/giu;
/** Whose name a "Name:" field is, when the word before says it is not the patient's. */
const OTHER_NAME_OWNER =
  /(?<![\p{L}])(?:practice|lab|laboratory|company|account|user|file|dentist|clinician|referrer|referring|doctor|gp|business|bank|payee|supplier|product|contact|sender|staff|employee|consultant|surgeon|practitioner|signed|print|your|my)(?:'s)?[ \t]{0,3}$/iu;
/** "Re:" lines (letters' patient line, mail subjects), skipping "RE: FW:" and "Referral for". */
const RE_LINE =
  /(?<![\p{L}])(?:re|regarding|ref)[ \t]{0,3}:[ \t]{0,3}(?:(?:re|fw|fwd|aw|sv)[ \t]{0,3}:[ \t]{0,3}){0,5}(?:(?:urgent[ \t]{1,3})?(?:referral|patient|ref|treatment|appointment)[ \t]{0,3}(?:for|of|re|:|-|–)?[ \t]{0,3})?/giu;
/** "our patient Jane Smith", "my patient, Mrs Smith", "patient Mrs Smith", "referring Mrs Smith". */
const PATIENT_PHRASE =
  /(?<![\p{L}])(?:((?:our|my|your|the|this|mutual|a|new|joint)[ \t]{1,3}(?:mutual[ \t]{1,3}|new[ \t]{1,3}|joint[ \t]{1,3})?patient,?)|(patient|refer|referring|referred|regarding|concerning|re|treat|treating|treated|examined|examine))[ \t]{1,3}/giu;
/** A personal title anywhere (Dr excluded: clinicians are mostly staff). */
const TITLED = /(?<![\p{L}])(?:Mrs|MRS|Mr|MR|Ms|MS|Miss|MISS|Mx|MX|Master|MASTER)\.?[ \t]{1,3}(?=\p{Lu})/gu;

const STOP_TOKENS = new Set(
  (
    'dob d.o.b nhs chi born date address tel telephone mobile mob phone email e-mail age aged ref hospital no number dear re fw fwd and or the on at in of for ' +
    'with from to is was has had who attended attend referral refer urgent patient pt dentist practice dental surgery clinic lab gdc postcode please thanks thank ' +
    'regards kind best i we he she they his her our your a an this that these those would could will can may be been needs need requires required today yesterday ' +
    'tomorrow monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october november december jan feb ' +
    'mar apr jun jul aug sep sept oct nov dec yes n/a unknown tbc none invoice order meeting update appointment staff rota team all new urgent reminder treatment ' +
    'plan x-ray radiograph extraction implant crown denture ortho orthodontic referral hello hi hey morning afternoon evening fyi notes note details information ' +
    'info summary report letter request query question issue payment account statement quote quotation delivery booking confirmation cancellation ' +
    'rct opg cbct dpt bw gp uk ltd plc llp inv asap fyi cc bcc nb ps dds bds mfds mjdf frcs msc bsc phd ur ul lr ll fdi'
  ).split(' '),
);
/** Tokens that are not names when alone after "Re:" (subjects). */
const COMMON_FIRST_NAMES = new Set(
  (
    'aaliyah abigail adam aiden alan albert alex alexander alfie alice alison amanda amelia amy andrew angela ann anna anne anthony archie arthur ava barbara ben ' +
    'benjamin beth brian callum carol caroline catherine charles charlie charlotte chloe chris christine christopher claire daniel david deborah dennis diane ' +
    'dorothy edward eleanor elizabeth ella ellie emily emma eric ethan evie florence frank freddie freya gary george georgia grace graham hannah harry harvey ' +
    'heather helen henry holly ian isabella isla jack jacob jake james jane janet jasmine jason jean jennifer jessica joan joanne john jonathan joseph joshua ' +
    'joyce julie karen kate katherine kathleen keith kevin laura lauren leo lily linda lisa logan louise lucy luke margaret maria mark martin mary matthew ' +
    'megan mia michael michelle mohammed muhammad nancy natalie neil nicholas nicola noah oliver olivia oscar patricia paul pauline peter philip poppy rachel ' +
    'rebecca richard robert rosie ruby ryan samuel sandra sarah scarlett sharon simon sophia sophie stephen steven stuart susan teresa thomas tom tony tracey ' +
    'victoria william zara zoe'
  ).split(' '),
);
const PATIENT_WORDS = [
  'patient', "patient's", 'pt', 'dob', 'd.o.b', 'date of birth', 'nhs', 'referral', 'refer', 'referring', 'treatment', 'appointment', 'attended', 'consent',
  'radiograph', 'x-ray', 'extraction', 'crown', 'denture', 'implant', 'filling', 'root canal', 'rct', 'bridge', 'veneer', 'orthodontic', 'abscess', 'try-in', 'impression',
];
const FOLLOWED_BY_IDENTIFIER = /^[^\n]{0,40}?(?:d\.?o\.?b|date\s{1,3}of\s{1,3}birth|born|nhs|chi\b|hospital\s{1,3}(?:no|number)|\(\s{0,3}\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})/iu;
/** Lines whose names are correspondents, not patients. */
const CORRESPONDENT_LINE = /^(?:dear|hi|hello|hey|good\s{1,3}(?:morning|afternoon|evening)|morning|afternoon|fao|attn|attention|for\s{1,3}the\s{1,3}attention\s{1,3}of|(?:from|to|cc|bcc|sent|reply-to)\s{0,3}:)/iu;
/** A sign-off line, possibly with the signer's name on it ("Kind regards, Dr Sarah Jones"). */
const SIGN_OFF_PHRASE =
  /^(?:(?:kind|kindest|best|warm|warmest|many)\s{1,3}(?:regards|wishes|thanks)|regards|thanks|thank\s{1,3}you|yours\s{1,3}(?:sincerely|faithfully|truly)|sincerely|cheers|signed)[\s,.!:-]{0,5}/i;
const NAME_ONLY = /^(?:\p{Lu}[\p{L}'’.-]{0,30}(?:[ \t]{1,3}|$)){0,5}$/u;
const NAME_HEADER =
  /^(?:patient(?:\s(?:name|surname|forename|first\s?name|last\s?name|full\s?name))?|(?:full|first|last|given|family|christian)\s?names?|names?|surname|forenames?|pt\s?name)$/u;
const PERSONAL_HEADER = /(?:^|[^\p{L}])(?:dob|d\.o\.b\.?|date\s?of\s?birth|nhs|chi|patient|postcode|address)(?:$|[^\p{L}])/u;
const NAME_CELL = /^[\p{L}][\p{L}'’\-. ,]{0,60}$/u;

/** How far (characters) patient words may stand from an unlabelled titled name. */
const NEAR = 100;

interface NameMatch {
  readonly start: number;
  readonly end: number;
  readonly title: string | null;
  /** Name tokens (no title), lower-case, for comparison with known names. */
  readonly tokens: readonly string[];
}

interface Candidate {
  readonly match: NameMatch;
  readonly confidence: number;
  readonly why: string;
}

export const detectPatientName: TextDetector = (unit: TextUnit, context: DetectorContext): Finding[] => {
  const text = unit.text;
  const layout = new TextLayout(text);
  // Sticky, so it carries state: one per call (detectors keep no shared state).
  const nameAt = new RegExp(NAME_AT_SOURCE, 'uy');
  const known = context.knownNames.map(nameTokens).filter((t) => t.length > 0);
  const best = new Map<number, Candidate>();
  const offer = (candidate: Candidate | null): void => {
    if (!candidate || isKnown(candidate.match.tokens, known)) return;
    const prior = best.get(candidate.match.start);
    if (!prior || prior.confidence < candidate.confidence) best.set(candidate.match.start, candidate);
  };

  const table = findTable(layout, unit.tabular);
  if (table) tableNames(layout, table, offer);

  for (const m of text.matchAll(PATIENT_LABEL)) {
    const match = readName(nameAt, text, m.index + m[0].length, { allowSingle: true, allowComma: true });
    if (match) offer({ match, confidence: 0.95, why: "name labelled as the patient's" });
  }
  for (const m of text.matchAll(NAME_LABEL)) {
    const at = m.index + m[0].length;
    if (!plausibleLine(layout, at)) continue;
    const lineStart = layout.lineStart(layout.lineIndexOf(m.index));
    if (OTHER_NAME_OWNER.test(text.slice(Math.max(lineStart, m.index - 25), m.index)) || /patient/iu.test(text.slice(Math.max(lineStart, m.index - 25), m.index))) continue;
    const match = readName(nameAt, text, at, { allowSingle: true, allowComma: true });
    if (!match) continue;
    const section = layout.section(at);
    if (section === 'patient') offer({ match, confidence: 0.92, why: "name field in the patient's details" });
    else if (section === null) offer({ match, confidence: 0.55, why: 'name field outside a patient section' });
  }
  for (const m of text.matchAll(RE_LINE)) {
    const at = m.index + m[0].length;
    if (!plausibleLine(layout, at)) continue;
    const match = readName(nameAt, text, at, { allowSingle: false, allowComma: true });
    if (match) offer(gradeRe(text, match));
  }
  for (const m of text.matchAll(PATIENT_PHRASE)) {
    const at = m.index + m[0].length;
    if (!plausibleLine(layout, at)) continue;
    const possessive = m[1] !== undefined;
    const match = readName(nameAt, text, at, { allowSingle: false, allowComma: false });
    if (!match || (match.title === null && !possessive) || isDoctor(match)) continue;
    offer({ match, confidence: possessive ? 0.82 : 0.75, why: possessive ? 'name after "our patient"' : 'titled name after a patient or referral verb' });
  }
  for (const m of text.matchAll(TITLED)) {
    if (!plausibleLine(layout, m.index)) continue;
    const match = readName(nameAt, text, m.index, { allowSingle: true, allowComma: false });
    if (!match || (best.get(match.start)?.confidence ?? 0) >= 0.7) continue;
    const near = nearestKeyword(text, match.start, match.end, PATIENT_WORDS, NEAR);
    offer(near ? { match, confidence: 0.7, why: 'titled name near patient words' } : { match, confidence: 0.45, why: 'titled name without patient context' });
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

function isDoctor(match: NameMatch): boolean {
  return match.title !== null && match.title.toLowerCase() === 'dr';
}

/** False for lines whose names are correspondents or staff: signatures, "Dear …", quoted header lines, sign-off lines. */
function plausibleLine(layout: TextLayout, offset: number): boolean {
  if (layout.inSignature(offset)) return false;
  const bare = layout.bareLine(layout.lineIndexOf(offset));
  return !CORRESPONDENT_LINE.test(bare) && !isSignOffLine(bare);
}

function isSignOffLine(bare: string): boolean {
  const m = SIGN_OFF_PHRASE.exec(bare);
  return m !== null && NAME_ONLY.test(bare.slice(m[0].length));
}

interface ReadOptions {
  /** A surname alone ("Surname: Smith", "Mrs Smith") may count. */
  readonly allowSingle: boolean;
  /** "SMITH, Jane" may count (comma after the first token only). */
  readonly allowComma: boolean;
}

/** The name starting exactly at `at` (after a label; `nameAt` is a sticky NAME_AT_SOURCE), trimmed at the first non-name word, or null. */
function readName(nameAt: RegExp, text: string, at: number, options: ReadOptions): NameMatch | null {
  nameAt.lastIndex = at;
  const m = nameAt.exec(text);
  if (!m) return null;
  const title = m[1] ?? null;
  const body = m[2]!;
  const bodyStart = m.index + m[0].length - body.length;
  const tokens: string[] = [];
  let end = bodyStart;
  for (const t of body.matchAll(TOKEN)) {
    let word = t[0];
    const gap = body.slice(end - bodyStart, t.index);
    if (tokens.length > 0 && gap.includes(',') && (!options.allowComma || title !== null || tokens.length > 1)) break;
    const possessive = /['’]s$/u.test(word);
    if (possessive) word = word.slice(0, -2);
    const bare = word.replace(/\.$/u, '');
    const lower = bare.toLowerCase();
    if (STOP_TOKENS.has(lower) || bare.length === 0) break;
    tokens.push(lower);
    // Keep an initial's full stop ("J."), drop a sentence's ("Smith.").
    end = bodyStart + t.index + (bare.length === 1 ? word.length : bare.length);
    if (possessive) break;
  }
  const initials = tokens.filter((t) => t.length === 1).length;
  if (tokens.length - initials === 0) return null;
  if (title === null && tokens.length < 2 && !options.allowSingle) return null;
  return { start: title !== null ? m.index : bodyStart, end, title, tokens };
}

/** Lower-case name tokens, titles and initials removed. */
function nameTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^\p{L}'’-]+/u)
    .filter((t) => t.length > 1 && !['mr', 'mrs', 'ms', 'miss', 'mx', 'master', 'dr', 'prof'].includes(t));
}

/** True when every token of the name belongs to one known name ("Dr Jones" and "Sarah Jones"). */
function isKnown(tokens: readonly string[], known: readonly string[][]): boolean {
  const own = tokens.filter((t) => t.length > 1);
  if (own.length === 0) return false;
  return known.some((k) => own.every((t) => k.includes(t)));
}

/** Names in a table's name columns (Name, Patient, Surname, Forename …). */
function tableNames(layout: TextLayout, table: Table, offer: (c: Candidate | null) => void): void {
  const nameColumns = new Set<number>();
  table.headers.forEach((h, i) => {
    if (NAME_HEADER.test(h.replace(/[_-]/gu, ' ').trim())) nameColumns.add(i);
  });
  if (nameColumns.size === 0) return;
  const personal = table.headers.some((h, i) => !nameColumns.has(i) && PERSONAL_HEADER.test(h));
  const confidence = personal ? 0.95 : 0.9;
  for (let line = table.headerLine + 1; line < layout.lineCount; line++) {
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
