/**
 * Line-level recognition of the separators mail clients put between a new reply and the
 * earlier messages it quotes or forwards. Shared by the plain-text finder (physical lines)
 * and the HTML finder (the visible lines it extracts from the markup).
 *
 * Every pattern is anchored, with bounded repetitions, and only ever sees a line of at most
 * MAX_SEPARATOR_LINE characters: classification costs O(line) however hostile the input.
 */

/** Lines longer than this are never a separator, attribution or header field. */
export const MAX_SEPARATOR_LINE = 400;

/**
 * A line that on its own starts an earlier message: Outlook's "-----Original Message-----",
 * Gmail's "---------- Forwarded message ---------", Thunderbird's "-------- Forwarded
 * Message --------" / "-------- Original Message --------", Apple Mail's "Begin forwarded
 * message:" (plus the French and German wording of the same, which costs nothing).
 */
const SEPARATORS: readonly RegExp[] = [
  /^-{2,40}[ \t]{0,4}(?:original|forwarded)[ \t]{1,4}message[ \t]{0,4}-{0,40}$/i,
  /^-{2,40}[ \t]{0,4}(?:message[ \t]{1,4}(?:d'origine|original|transf[ée]r[ée])|urspr[üu]ngliche[ \t]{1,4}nachricht|weitergeleitete[ \t]{1,4}nachricht)[ \t]{0,4}-{0,40}$/i,
  /^begin[ \t]{1,4}forwarded[ \t]{1,4}message[ \t]{0,4}:?$/i,
  /^d[ée]but[ \t]{1,4}du[ \t]{1,4}message[ \t]{1,4}r[ée]exp[ée]di[ée][ \t]{0,4}:?$/i,
];

/** Outlook's rule of underscores above a "From: / Sent:" block (it is never a separator alone). */
const RULE = /^_{10,200}$/;

type Role = 'from' | 'sent' | 'to' | 'subject';

/** Header labels of a quoted block ("From:", "*From:*", "**Sent:**", "De :", "Von:"). */
const FIELD = /^[*_]{0,2}(from|sent|date|to|cc|subject|de|envoy[ée]|[àa]|objet|von|gesendet|datum|an|betreff)[*_]{0,2}[ \t\u00a0]{0,4}:/i;

const ROLES: Readonly<Record<string, Role>> = {
  from: 'from', de: 'from', von: 'from',
  sent: 'sent', date: 'sent', 'envoyé': 'sent', envoye: 'sent', gesendet: 'sent', datum: 'sent',
  to: 'to', cc: 'to', 'à': 'to', a: 'to', an: 'to',
  subject: 'subject', objet: 'subject', betreff: 'subject',
};

/** Words that open an attribution line, for joining one that the client wrapped in two. */
const ATTRIBUTION_OPENERS = /^(?:on|le|am|el)[ \t\u00a0]/i;
const ATTRIBUTION_END = /(?:\bwrote|a[ \t\u00a0]écrit|escribió)[ \t\u00a0]{0,2}:$/i;

/** True for a separator line (already trimmed). */
export function isSeparatorLine(line: string): boolean {
  return line.length <= MAX_SEPARATOR_LINE && SEPARATORS.some((re) => re.test(line));
}

/** The role of a header-field line ("From: …" is 'from'), or null. */
export function fieldRole(line: string): Role | null {
  if (line.length > MAX_SEPARATOR_LINE * 4) return null;
  const m = FIELD.exec(line);
  return m ? (ROLES[m[1]!.toLowerCase()] ?? null) : null;
}

/**
 * True for the line that introduces a quote: "On Tue, 3 Mar 2026 at 10:00, Jane <j@x> wrote:",
 * "Jane Smith wrote:", "Le … a écrit :", "Am … schrieb Jane <j@x>:", "El … escribió:".
 * Only ever asked about the line just above a quote, so a bare "… wrote:" is enough.
 */
export function isAttributionLine(line: string): boolean {
  if (line.length === 0 || line.length > MAX_SEPARATOR_LINE) return false;
  if (ATTRIBUTION_END.test(line)) return true;
  return /^am[ \t\u00a0]/i.test(line) && line.includes(' schrieb ') && line.endsWith(':');
}

/** True when `line` can be the first half of an attribution the client wrapped over two lines. */
export function opensAttribution(line: string): boolean {
  return ATTRIBUTION_OPENERS.test(line);
}

/** Lines a header block may span (fields, wrapped addresses, one blank line). */
const MAX_BLOCK_LINES = 14;
/** Consecutive non-field lines (wrapped To/Cc values) tolerated inside a block. */
const MAX_STRAY_LINES = 2;
/** Blank lines allowed between Outlook's rule and the block under it. */
const MAX_RULE_GAP = 2;

interface Block {
  readonly start: number;
  readonly roles: Set<Role>;
  lines: number;
  stray: number;
  blanks: number;
}

/**
 * Streams lines (trimmed, in document order, with the index where each begins) and reports
 * the first separator: a separator line, or a block of an earlier message's headers (From
 * with Sent or Date, and To or Subject), preceded or not by Outlook's rule, in which case
 * the boundary is the rule. Prose that merely starts a line with "From:" is not a block.
 */
export class SeparatorScanner {
  private block: Block | null = null;
  private rule: number | null = null;
  private ruleGap = 0;

  /** Feeds one line; returns the boundary index once a separator is recognised. */
  push(line: string, start: number): number | null {
    if (line === '') {
      this.blank();
      return null;
    }
    if (isSeparatorLine(line)) return start;
    if (line.length <= MAX_SEPARATOR_LINE && RULE.test(line)) {
      this.block = null;
      this.rule = start;
      this.ruleGap = 0;
      return null;
    }
    const role = fieldRole(line);
    const rule = this.rule;
    this.rule = null;
    if (role === 'from' && (this.block === null || this.block.roles.has('from'))) {
      this.block = { start: rule ?? start, roles: new Set(['from']), lines: 1, stray: 0, blanks: 0 };
      return null;
    }
    const block = this.block;
    if (block === null) return null;
    block.lines++;
    if (role === null) {
      block.stray++;
    } else {
      block.roles.add(role);
      block.stray = 0;
      block.blanks = 0;
      if (block.roles.has('sent') && (block.roles.has('to') || block.roles.has('subject'))) return block.start;
    }
    if (block.stray > MAX_STRAY_LINES || block.lines > MAX_BLOCK_LINES) this.block = null;
    return null;
  }

  /** Something that is not a line of the sender's own text (a quoted line) breaks any block. */
  interrupt(): void {
    this.block = null;
    this.rule = null;
  }

  private blank(): void {
    if (this.rule !== null && ++this.ruleGap > MAX_RULE_GAP) this.rule = null;
    const block = this.block;
    if (block !== null && (++block.blanks > 1 || ++block.lines > MAX_BLOCK_LINES)) this.block = null;
  }
}
