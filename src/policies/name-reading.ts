/**
 * Reading a personal name in text: the name that starts at a position (after a label or a
 * phrase) or ends at one (before an identifier), token by token, stopping at words that are not
 * names; and comparing names with the known ones. Used by the patient-name detector.
 */

/** A capitalised name token: "Jane", "O'Brien", "Smith-Jones", "SMITH", "J." */
export const TOKEN_SOURCE = "\\p{Lu}[\\p{L}'’\\-]{0,30}\\.?";
/** Between the words of a name: spaces (a tab separates table cells, never a name's words). */
export const GAP = '[ \\u00a0]{1,3}';
const TITLE_SOURCE = '(?:Mrs|MRS|Mr|MR|Ms|MS|Miss|MISS|Mx|MX|Master|MASTER|Dr|DR)';
/** A name at a given position (used sticky): optional title, one to four tokens (a comma allowed once: "SMITH, Jane"). */
const NAME_AT_SOURCE = `(?:(${TITLE_SOURCE})\\.?${GAP})?(${TOKEN_SOURCE}(?:(?:,[ \\u00a0]{0,3}|${GAP})${TOKEN_SOURCE}){0,3})`;
const TOKEN = new RegExp(TOKEN_SOURCE, 'gu');

/** A sticky reader of the name at a position, for `readName` (one per detector call: it carries lastIndex). */
export function nameReader(): RegExp {
  return new RegExp(NAME_AT_SOURCE, 'uy');
}

/** Words that end a name being read: labels, function words, months, treatments, street words … */
export const STOP_TOKENS = new Set(
  (
    'dob d.o.b nhs chi born date address tel telephone mobile mob phone email e-mail age aged ref hospital no number dear re fw fwd and or the on at in of for ' +
    'with from to is was has had who attended attend referral refer urgent patient pt dentist practice dental surgery clinic lab gdc postcode please thanks thank ' +
    'regards kind best i we he she they his her our your a an this that these those would could will can may be been needs need requires required today yesterday ' +
    'tomorrow monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october november december jan feb ' +
    'mar apr jun jul aug sep sept oct nov dec yes n/a unknown tbc none invoice order meeting update appointment staff rota team all new urgent reminder treatment ' +
    'plan x-ray radiograph extraction implant crown denture ortho orthodontic referral hello hi hey morning afternoon evening fyi notes note details information ' +
    'info summary report letter request query question issue payment account statement quote quotation delivery booking confirmation cancellation ' +
    'rct opg cbct dpt bw gp uk ltd plc llp inv asap fyi cc bcc nb ps dds bds mfds mjdf frcs msc bsc phd ur ul lr ll fdi ' +
    'avenue road street lane close drive crescent terrace gardens grove mews boulevard st rd ave ' +
    'following after before during since regarding concerning further about unfortunately sadly as per given also so if when while once now then ' +
    'here there just both each every some any many most more less kindly sorry apologies unless until whilst although though because but yet'
  ).split(' '),
);

export interface NameMatch {
  readonly start: number;
  readonly end: number;
  readonly title: string | null;
  /** Name tokens (no title), lower-case, for comparison with known names. */
  readonly tokens: readonly string[];
}

export interface ReadOptions {
  /** A surname alone ("Surname: Smith", "Mrs Smith") may count. */
  readonly allowSingle: boolean;
  /** "SMITH, Jane" may count (comma after the first token only). */
  readonly allowComma: boolean;
}

/**
 * The name (a title and two to four capitalised words, or a title and a surname) that ends at
 * `end`, read backwards word by word (constant work per call), then forwards with `readName`.
 */
export function nameEndingAt(nameAt: RegExp, text: string, end: number): NameMatch | null {
  let i = end;
  let first = -1;
  for (let words = 0; words < 5; words++) {
    let j = i;
    while (j > 0 && i - j <= 32 && /[\p{L}'’.-]/u.test(text[j - 1]!)) j--;
    if (j === i || i - j > 32 || !/\p{Lu}/u.test(text[j]!)) break;
    first = j;
    let k = j;
    while (k > 0 && j - k < 3 && (text[k - 1] === ' ' || text[k - 1] === '\u00a0')) k--;
    if (k === j) break;
    i = k;
  }
  if (first < 0) return null;
  const at = firstNameToken(text.slice(first, end));
  if (at < 0) return null;
  const match = readName(nameAt, text, first + at, { allowSingle: false, allowComma: false });
  return match !== null && match.end === end ? match : null;
}

/** Offset in `phrase` of its first token that is not a stop word ("Thanks Jane Smith" → "Jane"), or -1. */
export function firstNameToken(phrase: string): number {
  for (const t of phrase.matchAll(TOKEN)) {
    if (!STOP_TOKENS.has(t[0].replace(/\.$/u, '').toLowerCase())) return t.index;
  }
  return -1;
}

/** A name titled Dr: most often a clinician's. */
export function isDoctor(match: NameMatch): boolean {
  return match.title !== null && match.title.toLowerCase() === 'dr';
}

/** The name starting exactly at `at` (after a label or phrase; `nameAt` from nameReader()), trimmed at the first non-name word, or null. */
export function readName(nameAt: RegExp, text: string, at: number, options: ReadOptions): NameMatch | null {
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
    // A word glued to what follows is not a name: "D.O.B.", "Taken:16/10/2025".
    const next = text[bodyStart + t.index + t[0].length];
    if (next !== undefined && /[\p{L}\p{N}.:]/u.test(next)) break;
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
export function nameTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^\p{L}'’-]+/u)
    .filter((t) => t.length > 1 && !['mr', 'mrs', 'ms', 'miss', 'mx', 'master', 'dr', 'prof'].includes(t));
}

/** True when every token of the name belongs to one known name ("Dr Jones" and "Sarah Jones"). */
export function isKnown(tokens: readonly string[], known: readonly string[][]): boolean {
  const own = tokens.filter((t) => t.length > 1);
  if (own.length === 0) return false;
  return known.some((k) => own.every((t) => k.includes(t)));
}

