import addressparser from 'nodemailer/lib/addressparser';
import type { TextUnit } from './detector.js';

/**
 * Recipient chains (issue 3): forwarding or replying to a message quotes the header blocks
 * of the earlier messages, and with them every address they were sent to. This module
 * finds those blocks in the body text (every mail client's layout, at any quoting depth),
 * plus the real headers of attached message/rfc822 parts, and counts the distinct earlier
 * recipients (To and Cc; senders do not count) and those outside the practice's domains.
 *
 * Pure and linear: a bounded number of lines per text unit and of addresses per message;
 * every regex is anchored or has bounded repetitions over disjoint classes.
 */

export interface ChainInput {
  /** Text units of the message; only bodies ("body:…") and quoted text ("quoted:…") are read. */
  readonly units: readonly TextUnit[];
  /** Real headers of attached message/rfc822 parts. */
  readonly embeddedHeaders: readonly { readonly to: string; readonly cc: string; readonly from: string }[];
  /** The new message's own To and Cc headers (Bcc is never given). */
  readonly visible: { readonly to: string; readonly cc: string };
  readonly practiceDomains: readonly string[];
}

export interface ChainAnalysis {
  /** Distinct addresses in the To and Cc of earlier, embedded messages. */
  readonly earlierRecipients: number;
  /** Of those, how many are outside the practice's domains (subdomains count as internal). */
  readonly earlierExternalRecipients: number;
  /** Distinct external addresses in the new message's own To and Cc. */
  readonly visibleExternalRecipients: number;
  /** The earlier-recipient addresses, lower-cased, distinct, sorted: for reviewers only. */
  readonly earlierAddresses: string[];
}

/** Lines examined per text unit. */
export const MAX_LINES_PER_UNIT = 20_000;
/** Distinct addresses collected per message (earlier and visible, each). */
export const MAX_ADDRESSES = 10_000;
/** Characters of one header field value that are parsed (some two thousand recipients). */
const MAX_FIELD_CHARS = 64 * 1024;
/** A wrapped continuation line of a header field is never longer than this. */
const MAX_CONTINUATION_CHARS = 2_000;
/** Continuation lines accepted for a non-address field (a wrapped Subject or Date). */
const MAX_OTHER_CONTINUATIONS = 3;
/** Blank lines tolerated between two fields of one block (html-to-text puts one between divs). */
const MAX_BLANKS_IN_BLOCK = 2;
/** Lines (blank ones) allowed between a separator such as "Begin forwarded message:" and its block. */
const MAX_MARKER_GAP = 3;
/** Fields in one block (a real one has five or six; glued labels could otherwise make thousands). */
const MAX_FIELDS_PER_BLOCK = 64;
/** Bare words (a display name) allowed in one list entry of a wrapped To/Cc line. */
const MAX_NAME_WORDS = 6;

type Label = 'from' | 'sent' | 'date' | 'to' | 'cc' | 'bcc' | 'subject' | 'reply-to';

/**
 * A header label at the start of a (de-quoted) line: "From:", "*From:*" (Gmail's plain
 * text of bold), "**To:**", "To :", case-insensitive.
 */
const LINE_LABEL = /^[*_]{0,2}(reply-to|from|sent|date|to|cc|bcc|subject)[*_]{0,2}[ \t]{0,4}:[*_]{0,2}/i;

/**
 * A header label glued inside a line, as html-to-text renders Thunderbird's header table
 * ("Subject: ReferralDate: Tue, …From: Jane <j@x>To: …"). Case-sensitive, capitalised, and
 * followed by white space or the end, so prose ("to: ", "mailto:", "10:15") does not split.
 */
const GLUED_LABEL = /(Reply-To|REPLY-TO|From|FROM|Sent|SENT|Date|DATE|To|TO|Cc|CC|Bcc|BCC|Subject|SUBJECT):(?=[ \t]|$)/g;

/**
 * Separators that introduce an earlier message: Outlook's "-----Original Message-----",
 * Gmail's "---------- Forwarded message ---------", Thunderbird's "-------- Forwarded
 * Message --------" / "-------- Original Message --------", Yahoo's "----- Forwarded
 * Message -----", Lotus Notes' "----- Forwarded by … -----", Apple Mail's "Begin forwarded
 * message:", and Outlook's rule of underscores.
 */
const MARKERS: readonly RegExp[] = [
  /^-{2,40}[ \t]{0,4}(?:original|forwarded)[ \t]{1,4}message[ \t]{0,4}-{0,40}$/i,
  /^-{2,40}[ \t]{0,4}forwarded[ \t]by[ \t]/i,
  /^begin[ \t]{1,4}forwarded[ \t]{1,4}message[ \t]{0,4}:?$/i,
  /^_{10,200}$/,
];
const MAX_MARKER_CHARS = 300;

/** A mailbox address as it is written in text (bounded parts; domain labels exclude '.'). */
const EMAIL_IN_TEXT = /[\p{L}\p{N}._%+'!#$&*=?^`{|}~-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu;
/** "[addr]" or "[mailto:addr]" as html-to-text and Outlook render mailto links. */
const BRACKETED_LINK = /\[(?:mailto:)?[^[\]\s]{1,320}\]/gi;
const MAILTO = /mailto:/gi;
const DOMAIN_LABEL = /^[\p{L}\p{N}-]{1,63}$/u;
const BAD_LOCAL_CHAR = /[\s<>()[\],;:"@\\]/;

interface Field {
  readonly label: Label;
  readonly parts: string[];
  length: number;
  continuations: number;
}

/** The earlier-recipient and visible-recipient counts of a message. */
export function analyseChain(input: ChainInput): ChainAnalysis {
  const practice = input.practiceDomains.map(normaliseDomain).filter((d) => d !== '');
  const earlier = new Set<string>();

  for (const unit of input.units) {
    if (earlier.size >= MAX_ADDRESSES) break;
    if (!unit.location.startsWith('body:') && !unit.location.startsWith('quoted:')) continue;
    for (const value of embeddedRecipientFields(unit.text)) {
      addAll(earlier, disclosedAddresses(value));
      if (earlier.size >= MAX_ADDRESSES) break;
    }
  }
  for (const headers of input.embeddedHeaders) {
    if (earlier.size >= MAX_ADDRESSES) break;
    addAll(earlier, disclosedAddresses(headers.to));
    addAll(earlier, disclosedAddresses(headers.cc));
  }

  const visible = new Set<string>();
  addAll(visible, headerAddresses(input.visible.to));
  addAll(visible, headerAddresses(input.visible.cc));

  const earlierAddresses = [...earlier].sort();
  const isExternal = (address: string) => !isInternal(address, practice);
  return {
    earlierRecipients: earlierAddresses.length,
    earlierExternalRecipients: earlierAddresses.filter(isExternal).length,
    visibleExternalRecipients: [...visible].filter(isExternal).length,
    earlierAddresses,
  };
}

/**
 * The values of the To and Cc fields of every header block of an earlier message embedded
 * in `text` (wrapped lines joined). Exported for tests and for the scan tool's explanations.
 */
export function embeddedRecipientFields(text: string): string[] {
  const lines = firstLines(text, MAX_LINES_PER_UNIT).map(dequote);
  const values: string[] = [];
  let lastMarker = -1;
  let lastNonBlank = -1;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line === '') {
      i++;
      continue;
    }
    if (isMarker(line)) {
      lastMarker = i;
      lastNonBlank = i;
      i++;
      continue;
    }
    if (!LINE_LABEL.test(line)) {
      lastNonBlank = i;
      i++;
      continue;
    }
    const afterMarker = lastMarker >= 0 && lastMarker === lastNonBlank && i - lastMarker <= MAX_MARKER_GAP + 1;
    const { fields, end } = readBlock(lines, i);
    if (isHeaderBlock(fields, afterMarker)) {
      for (const field of fields) {
        if (field.label === 'to' || field.label === 'cc') values.push(field.parts.join(' '));
      }
    }
    lastNonBlank = end - 1;
    i = end;
  }
  return values;
}

/**
 * A run of header fields starting at `start` (a line that begins with a label): following
 * label lines, wrapped continuation lines, and at most a couple of blank lines between
 * fields. Returns the fields and the index of the first line after the run.
 */
function readBlock(lines: readonly string[], start: number): { fields: Field[]; end: number } {
  const fields: Field[] = [];
  let current: Field | null = null;
  let j = start;
  while (j < lines.length) {
    const line = lines[j]!;
    if (line === '') {
      let k = j;
      while (k < lines.length && lines[k] === '' && k - j < MAX_BLANKS_IN_BLOCK) k++;
      if (k < lines.length && lines[k] !== '' && LINE_LABEL.test(lines[k]!)) {
        j = k;
        continue;
      }
      break;
    }
    const label = LINE_LABEL.exec(line);
    if (label) {
      if (fields.length >= MAX_FIELDS_PER_BLOCK) break;
      current = newField(label[1]!.toLowerCase() as Label);
      fields.push(current);
      current = addGlued(fields, current, line.slice(label[0].length));
      j++;
      continue;
    }
    if (!current || line.length > MAX_CONTINUATION_CHARS) break;
    const head = beforeGluedLabel(line);
    const accepted = isAddressField(current.label)
      ? looksLikeAddressList(head)
      : current.continuations < MAX_OTHER_CONTINUATIONS;
    if (!accepted) break;
    current.continuations++;
    current = addGlued(fields, current, line);
    j++;
  }
  return { fields, end: Math.max(j, start + 1) };
}

/**
 * A block of an earlier message's headers: To or Cc, and either a separator just above it
 * or a From together with Sent, Date or Subject. Prose that happens to start a line with
 * "From:" or "To:" is not a block.
 */
function isHeaderBlock(fields: readonly Field[], afterMarker: boolean): boolean {
  const labels = new Set(fields.map((f) => f.label));
  if (!labels.has('to') && !labels.has('cc')) return false;
  if (afterMarker) return true;
  return labels.has('from') && (labels.has('sent') || labels.has('date') || labels.has('subject'));
}

function newField(label: Label): Field {
  return { label, parts: [], length: 0, continuations: 0 };
}

function isAddressField(label: Label): boolean {
  return label === 'to' || label === 'cc' || label === 'from' || label === 'bcc' || label === 'reply-to';
}

/** Appends `text` to `current`, opening new fields at labels glued inside it; returns the field now open. */
function addGlued(fields: Field[], current: Field, text: string): Field {
  let field = current;
  let from = 0;
  GLUED_LABEL.lastIndex = 0;
  for (let m = GLUED_LABEL.exec(text); m !== null && fields.length < MAX_FIELDS_PER_BLOCK; m = GLUED_LABEL.exec(text)) {
    append(field, text.slice(from, m.index));
    field = newField(m[1]!.toLowerCase() as Label);
    fields.push(field);
    from = m.index + m[0].length;
  }
  append(field, text.slice(from));
  return field;
}

function append(field: Field, text: string): void {
  const t = text.trim();
  if (t === '' || field.length >= MAX_FIELD_CHARS) return;
  const room = MAX_FIELD_CHARS - field.length;
  const piece = t.length > room ? t.slice(0, room) : t;
  field.parts.push(piece);
  field.length += piece.length + 1;
}

function beforeGluedLabel(line: string): string {
  GLUED_LABEL.lastIndex = 0;
  const m = GLUED_LABEL.exec(line);
  return m ? line.slice(0, m.index) : line;
}

/**
 * True when a line could be the wrapped rest of a To/Cc list rather than the body that
 * follows: every entry (split at ';' and ',') is a display name of a few words, an address
 * in brackets with an optional name ("Jones <b@y>", "Zed [z@y]"), or a bare address alone.
 * "Please email bob@example.com" is not.
 */
function looksLikeAddressList(fragment: string): boolean {
  for (const entry of fragment.split(/[;,]/)) {
    let words = 0;
    let bare = 0;
    for (const token of entry.split(/[ \t]+/)) {
      if (token === '' || /^[<>[\]()]{1,4}$/.test(token)) continue;
      if (token.includes('@')) {
        const bracketed = /^[<[(]|[>\])]$/.test(token) || token.toLowerCase().startsWith('mailto:');
        if (!bracketed) bare++;
        continue;
      }
      if (/[:!?]/.test(token)) return false;
      words++;
    }
    if (bare > 1 || (bare === 1 && words > 0) || words > MAX_NAME_WORDS) return false;
  }
  return true;
}

function isMarker(line: string): boolean {
  return line.length <= MAX_MARKER_CHARS && MARKERS.some((re) => re.test(line));
}

/** The first `max` lines of `text`, without their line ends. */
function firstLines(text: string, max: number): string[] {
  const lines: string[] = [];
  let from = 0;
  while (from <= text.length && lines.length < max) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    let line = text.slice(from, to);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lines.push(line);
    from = to + 1;
  }
  return lines;
}

const SKIPPED_LEADING = new Set([' ', '\t', '\u00a0', '\u200b', '\u200c', '\u200d', '\ufeff', '\u3000', '>']);

/** A line without its quote prefix ("> ", "> > ", ">>"), indentation and trailing space. */
function dequote(line: string): string {
  let i = 0;
  while (i < line.length && SKIPPED_LEADING.has(line[i]!)) i++;
  return (i === 0 ? line : line.slice(i)).trimEnd();
}

/**
 * Every address a To/Cc value of an embedded block discloses: the mailboxes nodemailer's
 * address parser finds, plus any address written elsewhere in the value (mailto links
 * rendered as "Name [mailto:a@b]" or "Name [a@b]", "(a@b)" comments, a display name
 * that is itself an address). A value of display names only discloses nothing.
 */
function disclosedAddresses(value: string): string[] {
  const text = value.length > MAX_FIELD_CHARS ? value.slice(0, MAX_FIELD_CHARS) : value;
  const found: string[] = [];
  if (!text.includes('@')) return []; // display names only: nothing to parse
  const cleaned = text.replace(BRACKETED_LINK, ' ').replace(MAILTO, '');
  for (const entry of safeParse(cleaned)) {
    const address = normaliseAddress(entry.address);
    if (address) found.push(address);
  }
  for (const m of text.matchAll(EMAIL_IN_TEXT)) {
    const address = normaliseAddress(m[0]);
    if (address) found.push(address);
  }
  return found;
}

/** The mailbox addresses of a real header value (the new message's To or Cc). */
function headerAddresses(value: string): string[] {
  if (!value.includes('@')) return [];
  const text = value.length > MAX_FIELD_CHARS ? value.slice(0, MAX_FIELD_CHARS) : value;
  const found: string[] = [];
  for (const entry of safeParse(text)) {
    const address = normaliseAddress(entry.address);
    if (address) found.push(address);
  }
  return found;
}

function safeParse(text: string): { address: string }[] {
  try {
    return addressparser(text, { flatten: true });
  } catch {
    return [];
  }
}

const LEADING_JUNK = new Set(['<', '"', "'", '(', '[', '`', '“', '‘']);
const TRAILING_JUNK = new Set(['>', '"', "'", ')', ']', '.', ',', ';', ':', '`', '”', '’']);

/** A lower-cased mailbox address, or null when `raw` is not one (an X.500 name, a display name). */
export function normaliseAddress(raw: string): string | null {
  let a = raw.trim().toLowerCase();
  let start = 0;
  let end = a.length;
  while (start < end && LEADING_JUNK.has(a[start]!)) start++;
  while (end > start && TRAILING_JUNK.has(a[end - 1]!)) end--;
  a = a.slice(start, end);
  if (a.startsWith('mailto:')) a = a.slice('mailto:'.length);
  const query = a.indexOf('?');
  if (query >= 0) a = a.slice(0, query);
  const at = a.lastIndexOf('@');
  if (at < 1 || a.length > 254) return null;
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  if (local.length > 64 || BAD_LOCAL_CHAR.test(local) || local.startsWith('.') || local.endsWith('.')) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  for (const label of labels) {
    if (!DOMAIN_LABEL.test(label) || label.startsWith('-') || label.endsWith('-')) return null;
  }
  const tld = labels[labels.length - 1]!;
  if (tld.length < 2 || !/\p{L}/u.test(tld)) return null;
  return `${local}@${domain}`;
}

function normaliseDomain(domain: string): string {
  let d = domain.trim().toLowerCase();
  while (d.startsWith('@') || d.startsWith('.')) d = d.slice(1);
  while (d.endsWith('.')) d = d.slice(0, -1);
  return d;
}

/** The practice's own domains and their subdomains are internal. */
function isInternal(address: string, practice: readonly string[]): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return practice.some((d) => domain === d || domain.endsWith(`.${d}`));
}

function addAll(set: Set<string>, addresses: readonly string[]): void {
  for (const address of addresses) {
    if (set.size >= MAX_ADDRESSES) return;
    set.add(address);
  }
}
