/**
 * A tolerant, linear scan of HTML source for the reply-boundary finder: tags, text runs and
 * the visible lines they make. No DOM: mail HTML can be megabytes and malformed, and all the
 * finder needs is where things start. Comments, declarations and the content of script,
 * style, textarea and title elements are skipped, so no position it reports lies inside them.
 * Every character is looked at a bounded number of times.
 */

export interface Tag {
  /** Lower-cased element name ("div", "o:p"). */
  readonly name: string;
  /** Index of the '<'. */
  readonly start: number;
  /** Index just after the '>'. */
  readonly end: number;
  readonly closing: boolean;
  readonly selfClosing: boolean;
  /** Raw attribute source, cut at MAX_ATTR_CHARS (the markers looked for sit well within it). */
  readonly attrs: string;
}

export interface HtmlVisitor {
  /** Return false to stop the scan. */
  tag(tag: Tag): boolean;
  /** A text run [start, end) between tags; return false to stop the scan. */
  text(start: number, end: number): boolean;
}

const MAX_ATTR_CHARS = 2_000;
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp']);

/** Calls the visitor for every tag and text run of `html`, in order. */
export function scanHtml(html: string, visitor: HtmlVisitor): void {
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      visitor.text(i, n);
      return;
    }
    if (lt > i && !visitor.text(i, lt)) return;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      if (close < 0) return; // an unterminated comment hides the rest
      i = close + 3;
      continue;
    }
    const next = html[lt + 1];
    if (next === '!' || next === '?') {
      const close = html.indexOf('>', lt + 2);
      if (close < 0) return;
      i = close + 1;
      continue;
    }
    const closing = next === '/';
    const nameStart = closing ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < n && nameEnd - nameStart < 64 && isNameChar(html.charCodeAt(nameEnd), nameEnd === nameStart)) nameEnd++;
    if (nameEnd === nameStart) {
      // A '<' that starts no tag is text (browsers do the same).
      if (!visitor.text(lt, lt + 1)) return;
      i = lt + 1;
      continue;
    }
    const close = tagEnd(html, nameEnd);
    if (close < 0) return; // an unterminated tag: nothing after it is a safe position
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    const attrEnd = Math.min(close, nameEnd + MAX_ATTR_CHARS);
    const tag: Tag = {
      name,
      start: lt,
      end: close + 1,
      closing,
      selfClosing: html[close - 1] === '/',
      attrs: html.slice(nameEnd, attrEnd),
    };
    if (!visitor.tag(tag)) return;
    i = close + 1;
    if (!closing && RAW_TEXT.has(name)) {
      const endTag = new RegExp(`</${name}[\\s/>]`, 'gi');
      endTag.lastIndex = i;
      const m = endTag.exec(html);
      if (m === null) return;
      i = m.index; // the end tag itself is scanned as a tag next
    }
  }
}

/** Index of the '>' closing a tag whose name ends at `from`, honouring quoted values; -1 if none. */
function tagEnd(html: string, from: number): number {
  const n = html.length;
  let k = from;
  while (k < n) {
    const c = html[k];
    if (c === '>') return k;
    if (c === '=') {
      k++;
      while (k < n && (html[k] === ' ' || html[k] === '\t' || html[k] === '\n' || html[k] === '\r')) k++;
      const q = html[k];
      if (q === '"' || q === "'") {
        const closeQuote = html.indexOf(q, k + 1);
        // An unbalanced quote: browsers would swallow the rest; ending at the next '>' is kinder.
        if (closeQuote < 0) return html.indexOf('>', k);
        k = closeQuote + 1;
      }
      continue;
    }
    k++;
  }
  return -1;
}

function isNameChar(c: number, first: boolean): boolean {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (first) return letter;
  return letter || (c >= 48 && c <= 57) || c === 45 || c === 58 || c === 95;
}

/** Attribute values of a tag, by lower-cased name (first occurrence wins). */
export function tagAttributes(attrs: string): Map<string, string> {
  const found = new Map<string, string>();
  const re = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of attrs.matchAll(re)) {
    const key = m[1]!.toLowerCase();
    if (!found.has(key)) found.set(key, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return found;
}

/** Elements that end the current visible line (and start a new one). */
const LINE_BREAKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'br', 'caption', 'center', 'dd', 'div', 'dl', 'dt',
  'fieldset', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'header', 'hr', 'html',
  'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);
/** Blocks before which a disclaimer element may stand: a line they open starts at their tag. */
const ANCHORS = new Set([
  'address', 'article', 'blockquote', 'center', 'div', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header',
  'p', 'pre', 'section',
]);
/** Void elements that carry no visible text and do not open a line. */
const VOID = new Set(['area', 'base', 'col', 'embed', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/** Characters of a line kept for classification (a separator or attribution is shorter). */
const MAX_LINE_CHARS = 480;

export interface VisibleLine<C> {
  /** Decoded, whitespace-collapsed, trimmed; cut at MAX_LINE_CHARS. */
  readonly text: string;
  /** Tag boundary where the line begins: its innermost block's start tag, its first inline tag, or its text. */
  readonly start: number;
  /** Index just after its last text. */
  readonly end: number;
  readonly inBlockquote: boolean;
  /** What the caller said about its state when the line began. */
  readonly context: C;
}

/**
 * Turns tags and text runs into the lines a reader sees: block elements and <br> break
 * lines, inline elements do not. Only lines with visible text are reported.
 */
export class LineBuilder<C> {
  private text = '';
  private start = -1;
  private end = -1;
  private anchor: number | null = null;
  private inBlockquote = false;
  private context: C | null = null;
  private blockquoteDepth = 0;

  constructor(
    private readonly html: string,
    private readonly contextNow: () => C,
    private readonly onLine: (line: VisibleLine<C>) => void,
  ) {}

  tag(tag: Tag): void {
    if (LINE_BREAKS.has(tag.name)) {
      this.flush();
      this.anchor = !tag.closing && ANCHORS.has(tag.name) ? tag.start : null;
      if (tag.name === 'blockquote' && !tag.selfClosing) {
        this.blockquoteDepth = tag.closing ? Math.max(0, this.blockquoteDepth - 1) : this.blockquoteDepth + 1;
      }
      return;
    }
    if (!tag.closing && !VOID.has(tag.name) && this.start < 0 && this.anchor === null) this.anchor = tag.start;
  }

  textRun(start: number, end: number): void {
    if (isBlankText(this.html, start, end)) {
      if (this.start >= 0 && !this.text.endsWith(' ')) this.text += ' ';
      return;
    }
    if (this.start < 0) {
      this.start = this.anchor ?? start;
      this.inBlockquote = this.blockquoteDepth > 0;
      this.context = this.contextNow();
      this.anchor = null;
    }
    this.end = end;
    const room = MAX_LINE_CHARS - this.text.length;
    if (room > 0) this.text += decodeText(this.html.slice(start, Math.min(end, start + room + 16)));
  }

  /** Reports the line in progress, if any. */
  flush(): void {
    if (this.start >= 0) {
      const text = this.text.trim().slice(0, MAX_LINE_CHARS);
      const line = { text, start: this.start, end: this.end, inBlockquote: this.inBlockquote, context: this.context as C };
      this.text = '';
      this.start = -1;
      this.context = null;
      this.onLine(line);
    }
  }
}

const BLANK_ENTITY = /&(?:nbsp|#0*160|#x0*a0|#0*8203|#x0*200b|#0*8204|#x0*200c|#0*8205|#x0*200d|#0*65279|#x0*feff|zwnj|zwj);/iy;

/** True when the run [start, end) shows nothing: white space, no-break and zero-width spaces. */
export function isBlankText(html: string, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = html[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\f' || c === '\u00a0' || c === '\u200b' || c === '\u200c' || c === '\u200d' || c === '\ufeff') {
      i++;
      continue;
    }
    if (c !== '&') return false;
    BLANK_ENTITY.lastIndex = i;
    const m = BLANK_ENTITY.exec(html);
    if (m === null || m.index + m[0].length > end) return false;
    i += m[0].length;
  }
  return true;
}

const NAMED: Readonly<Record<string, string>> = { nbsp: ' ', lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** A text run as a reader sees it: the common entities decoded, white space collapsed. */
function decodeText(raw: string): string {
  const decoded = raw.includes('&') ? decodeEntities(raw) : raw;
  return NEEDS_COLLAPSE.test(decoded) ? decoded.replace(WHITE_SPACE_RUN, ' ') : decoded;
}

const WHITE_SPACE_RUN = /[\s\u200b\u200c\u200d]+/g;
/**
 * Text that collapsing would change: white space other than a space, or a space followed by
 * more. Most runs have single spaces only, and replacing each of those with itself was most
 * of the scan's allocation (400 KB per 50 KB message).
 */
const NEEDS_COLLAPSE = /[^\S ]|[\u200b\u200c\u200d]| [\s\u200b\u200c\u200d]/;

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref.toLowerCase()] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
