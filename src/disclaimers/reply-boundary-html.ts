import { SeparatorScanner, fieldRole, isAttributionLine, isSeparatorLine } from './reply-boundary-lines.js';
import { LineBuilder, isBlankText, scanHtml, tagAttributes } from './reply-boundary-html-scan.js';
import type { HtmlVisitor, Tag, VisibleLine } from './reply-boundary-html-scan.js';

/**
 * Where, in an HTML body, the disclaimer element goes so that it stands under the newest
 * reply and above the quoted or forwarded earlier messages: the index of the start tag of
 * the element that begins them (inside whatever wrappers hold it, so the disclaimer shares
 * the reply's container), or null when there are none.
 *
 * Recognised, topmost first wins:
 * - Outlook on the web, 365 and mobile: `<div id="divRplyFwdMsg">` (with the `<hr>` rule just
 *   above it), `<div id="mail-editor-reference-message-container">`; classic Outlook:
 *   `<div class="OutlookMessageHeader">`, `<hr id="stopSpelling">`.
 * - Outlook desktop (Windows and Mac): the `<div style="border:none;border-top:solid …">`
 *   box, once a "From:" line inside it confirms it.
 * - Thunderbird: `<div class="moz-cite-prefix">`, and `<div class="moz-forward-container">`
 *   once its "-------- Forwarded Message --------" line confirms it (the class also wraps
 *   plain signatures).
 * - Gmail: the first element with class `gmail_quote` (or `gmail_quote_container`).
 * - Apple Mail (macOS and iOS) and Thunderbird: `<blockquote type="cite">`, moved up to the
 *   "On … wrote:" line just above it when there is one; any other <blockquote> only when
 *   such a line introduces it. Yahoo's `yahoo_quoted` too.
 * - Text alone: a separator line ("-----Original Message-----", "Begin forwarded message:"…)
 *   or an Outlook-style "From: / Sent: / To: / Subject:" block, outside any quote.
 *
 * Quote markers (gmail_quote, moz-cite-prefix, yahoo_quoted, blockquotes) count only when
 * none of the sender's own text follows them outside a blockquote: otherwise it is an
 * interleaved or bottom-posted reply, and the disclaimer belongs at the bottom. Forward and
 * Outlook header markers always count. Linear in the length of the HTML.
 */
export function htmlReplyBoundary(html: string): number | null {
  const finder = new BoundaryFinder(html);
  scanHtml(html, finder);
  return finder.finish();
}

/** How far (in characters of markup) an attribution line may stand above its blockquote. */
const MAX_ATTRIBUTION_DISTANCE = 2_000;
/** Lines within which a border-top box or a forward container must show its header line. */
const CONFIRM_LINES = 3;

type Marker =
  | { readonly kind: 'final'; readonly pos: number }
  | { readonly kind: 'pending'; readonly confirm: 'from' | 'separator' }
  | { readonly kind: 'quote'; readonly needsAttribution: boolean };

/** A quote that counts if nothing of the sender's follows it. */
interface Quote {
  readonly pos: number;
  /** Element being tracked until it closes, and how many of that name are open. */
  tag: string;
  depth: number;
  closed: boolean;
}

/** A marker that counts once one of the next lines shows what it is. */
interface Pending {
  readonly pos: number;
  readonly confirm: 'from' | 'separator';
  linesLeft: number;
}

class BoundaryFinder implements HtmlVisitor {
  private result: number | null = null;
  private quote: Quote | null = null;
  private pending: Pending | null = null;
  private lastLine: VisibleLine<boolean> | null = null;
  /** Start of an <hr> with nothing visible after it yet. */
  private hrStart: number | null = null;
  private readonly scanner = new SeparatorScanner();
  private readonly lines: LineBuilder<boolean>;

  constructor(private readonly html: string) {
    // A line's context: whether it began inside the quote being tracked.
    this.lines = new LineBuilder(html, () => this.quote !== null && !this.quote.closed, (line) => this.line(line));
  }

  tag(tag: Tag): boolean {
    this.lines.tag(tag);
    if (this.result !== null) return false;
    this.trackQuote(tag);
    if (!tag.closing) this.marker(tag);
    this.hrStart = tag.name === 'hr' && !tag.closing ? tag.start : null;
    return this.result === null;
  }

  text(start: number, end: number): boolean {
    if (this.hrStart !== null && !isBlankText(this.html, start, end)) this.hrStart = null;
    this.lines.textRun(start, end);
    return this.result === null;
  }

  finish(): number | null {
    if (this.result === null) this.lines.flush();
    return this.result ?? this.quote?.pos ?? null;
  }

  private trackQuote(tag: Tag): void {
    const quote = this.quote;
    if (quote === null || quote.closed || tag.name !== quote.tag || tag.selfClosing) return;
    quote.depth += tag.closing ? -1 : 1;
    if (quote.depth === 0) quote.closed = true;
  }

  private marker(tag: Tag): void {
    if (this.quote !== null && !this.quote.closed) return; // inside the quoted content
    const marker = classify(tag, this.hrStart);
    if (marker === null) return;
    if (marker.kind === 'final') {
      this.result = this.quote?.pos ?? marker.pos;
      return;
    }
    if (marker.kind === 'pending') {
      if (this.quote === null) this.pending = { pos: tag.start, confirm: marker.confirm, linesLeft: CONFIRM_LINES };
      return;
    }
    if (this.quote !== null) {
      // Another quote right after the first (Apple's attribution blockquote, then the quote).
      this.quote.tag = tag.name;
      this.quote.depth = 1;
      this.quote.closed = false;
      return;
    }
    const attribution = this.attributionAbove(tag);
    if (marker.needsAttribution && attribution === null) return;
    this.quote = { pos: attribution ?? tag.start, tag: tag.name, depth: 1, closed: false };
    this.pending = null;
  }

  /** Start of the "On … wrote:" line just above a blockquote, or null. */
  private attributionAbove(tag: Tag): number | null {
    const last = this.lastLine;
    if (tag.name !== 'blockquote' || last === null || last.inBlockquote) return null;
    if (tag.start - last.end > MAX_ATTRIBUTION_DISTANCE || !isAttributionLine(last.text)) return null;
    return last.start;
  }

  private line(line: VisibleLine<boolean>): void {
    if (this.result !== null || line.context) return;
    if (line.inBlockquote) {
      this.scanner.interrupt();
      this.lastLine = line;
      return;
    }
    // The sender's own text after a closed quote: an interleaved reply.
    this.quote = null;
    const pending = this.pending;
    if (pending !== null) {
      const confirmed = pending.confirm === 'from' ? fieldRole(line.text) === 'from' : isSeparatorLine(line.text);
      if (confirmed) {
        this.result = pending.pos;
        return;
      }
      if (--pending.linesLeft === 0) this.pending = null;
    }
    this.result = this.scanner.push(line.text, line.start);
    this.lastLine = line;
  }
}

const QUOTE_CLASSES = new Set(['gmail_quote', 'gmail_quote_container', 'moz-cite-prefix', 'yahoo_quoted']);

/** What a start tag marks, if anything. `hrStart`: an <hr> standing just before it. */
function classify(tag: Tag, hrStart: number | null): Marker | null {
  if (tag.name !== 'div' && tag.name !== 'blockquote' && tag.name !== 'hr') return null;
  const attrs = tagAttributes(tag.attrs);
  const id = (attrs.get('id') ?? '').toLowerCase();
  const classes = (attrs.get('class') ?? '').toLowerCase().split(/\s+/);
  if (tag.name === 'hr') return id === 'stopspelling' ? { kind: 'final', pos: tag.start } : null;
  if (id === 'divrplyfwdmsg' || id === 'x_divrplyfwdmsg') return { kind: 'final', pos: hrStart ?? tag.start };
  if (id === 'mail-editor-reference-message-container' || id === 'x_mail-editor-reference-message-container') {
    return { kind: 'final', pos: tag.start };
  }
  if (classes.includes('outlookmessageheader')) return { kind: 'final', pos: tag.start };
  if (classes.some((c) => QUOTE_CLASSES.has(c))) return { kind: 'quote', needsAttribution: false };
  if (classes.includes('moz-forward-container')) return { kind: 'pending', confirm: 'separator' };
  if (tag.name === 'blockquote') {
    return { kind: 'quote', needsAttribution: (attrs.get('type') ?? '').toLowerCase() !== 'cite' };
  }
  const style = (attrs.get('style') ?? '').toLowerCase().replace(/\s+/g, '');
  if (style.includes('border-top:solid') && style.includes('border:none')) return { kind: 'pending', confirm: 'from' };
  return null;
}
