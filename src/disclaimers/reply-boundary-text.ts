import {
  MAX_SEPARATOR_LINE,
  SeparatorScanner,
  isAttributionLine,
  opensAttribution,
} from './reply-boundary-lines.js';

/**
 * Where the earlier messages begin in a plain-text body: the index of the first line of the
 * topmost of
 *
 * - a separator line outside any quote ("-----Original Message-----", "---------- Forwarded
 *   message ---------", "-------- Forwarded Message --------", "Begin forwarded message:"),
 *   or a quoted header block ("From: / Sent: / To: / Subject:", Outlook's underscore rule
 *   above it included);
 * - the trailing quote: the run of "> " lines (and blank lines) that ends the text, moved up
 *   to its attribution line ("On … wrote:", possibly wrapped over two lines) when that stands
 *   just above it. Apple Mail quotes its attribution itself, so its run already starts there.
 *
 * A quote followed by more of the sender's own text is an interleaved reply, not the start of
 * the earlier messages: it is ignored (the caller then puts the disclaimer at the bottom,
 * under the last answer). A signature ("-- ") is the sender's own text, never a boundary.
 *
 * Returns null when there is none. Linear in the length of the text; constant extra memory.
 */
export function textReplyBoundary(text: string): number | null {
  const trailing = trailingQuoteStart(text);
  const limit = trailing ?? text.length;
  const scanner = new SeparatorScanner();
  for (let start = 0; start < limit; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (isQuotedAt(text, start, end)) {
      scanner.interrupt();
    } else {
      const found = scanner.push(lineAt(text, start, end), start);
      if (found !== null) return found;
    }
    start = end + 1;
  }
  return trailing;
}

/** Blank lines allowed between an attribution line and the quote it introduces. */
const MAX_ATTRIBUTION_GAP = 2;

/**
 * The start of the trailing quote (moved up to its attribution), or null. Walks backwards
 * from the end over blank and quoted lines only, so it costs O(length of that tail).
 */
function trailingQuoteStart(text: string): number | null {
  let firstQuoted: number | null = null;
  let blanksAbove = 0;
  let end = text.length;
  // Lines are visited bottom-up; `start` is the index of the line that ends at `end`.
  while (end >= 0) {
    const start = end === 0 ? 0 : text.lastIndexOf('\n', end - 1) + 1;
    if (isBlankAt(text, start, end)) {
      blanksAbove++;
    } else if (isQuotedAt(text, start, end)) {
      firstQuoted = start;
      blanksAbove = 0;
    } else {
      if (firstQuoted === null) return null;
      if (blanksAbove > MAX_ATTRIBUTION_GAP) return firstQuoted;
      return attributionStart(text, start, end) ?? firstQuoted;
    }
    if (start === 0) break;
    end = start - 1;
  }
  return firstQuoted;
}

/**
 * When the line [start, end) ends an attribution, the index where that attribution begins
 * (this line, or the line above when the client wrapped it: "On Tue, 3 Mar 2026 at 10:00,
 * Jane Smith <" / "jane@example.com> wrote:"); otherwise null.
 */
function attributionStart(text: string, start: number, end: number): number | null {
  const line = lineAt(text, start, end);
  if (!isAttributionLine(line)) return null;
  if (opensAttribution(line) || start === 0) return start;
  const aboveStart = text.lastIndexOf('\n', start - 2) + 1;
  if (isBlankAt(text, aboveStart, start - 1) || isQuotedAt(text, aboveStart, start - 1)) return start;
  const above = lineAt(text, aboveStart, start - 1);
  if (opensAttribution(above) && isAttributionLine(`${above} ${line}`)) return aboveStart;
  return start;
}

/** The trimmed line [start, end), or a stand-in (never a separator) for one too long to be one. */
function lineAt(text: string, start: number, end: number): string {
  if (end - start > MAX_SEPARATOR_LINE * 4) return '\u0000';
  return text.slice(start, end).trim();
}

/**
 * A quoted line: ">" after at most three spaces. An mbox-escaped ">From " (the sender's own
 * line that happened to start with "From ") is not a quote.
 */
function isQuotedAt(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && i - start < 3 && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= end || text[i] !== '>') return false;
  return !(i === start && text.startsWith('>From ', i));
}

function isBlankAt(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\u00a0') return false;
  }
  return true;
}
