import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { Parser } from 'htmlparser2';

/**
 * HTML read as text for inspection, in one streaming pass of htmlparser2's tokenizer: no DOM,
 * no selector matching. Its layout follows html-to-text's defaults (which inspection used
 * before, at three times the cost), since the detectors read lines: paragraphs, headings,
 * lists and tables (a blank line around them), divisions and table rows (a line each), `<br>`,
 * quoted blocks prefixed "> ", link targets and image names in brackets, headings in capitals,
 * and a tab after each table cell so that columns ("Patient", "DOB") stay readable.
 * Script, style and the head are skipped. Everything else is read, inside `<body>` or not:
 * unlike html-to-text, which kept only the body, so that a `<body>` in a comment or a second
 * `</body>` in a forwarded document cannot hide text from inspection (browsers show it too).
 * Image data inlined as `data:` URLs is left out: nobody reads it, and it can be megabytes.
 * The text stops at `maxChars` (inspection reads no more): deep quoting repeats its "> "
 * prefix on every line, and must not grow the text without bound.
 */
export function htmlToText(html: string, maxChars = Number.POSITIVE_INFINITY): string {
  const writer = new TextWriter(maxChars);
  let skipping = 0;
  // <xmp> is raw text to the tokenizer: nothing inside it opens another, so it never nests.
  let inXmp = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (SKIPPED.has(name)) skipping++;
        if (skipping > 0) return;
        if (name === 'xmp') inXmp = true;
        writer.open(name, attributes);
      },
      ontext(text) {
        if (skipping === 0) writer.text(inXmp || !text.includes('&') ? text : decodeHTML(text));
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) {
          skipping = Math.max(0, skipping - 1);
          return;
        }
        if (skipping > 0) return;
        if (name === 'xmp') inXmp = false;
        writer.close(name);
      },
    },
    // Entities are decoded here, only in text that has an '&' (most has none): the tokenizer
    // then skips to the next '<' instead of stepping through every character, which was half
    // of its time. Same decoder (entities, as htmlparser2 uses), same modes: legacy in text,
    // attribute rules in attributes. <xmp> shows its content as written, as browsers do;
    // <textarea> content is decoded, as browsers do (htmlparser2 kept it as written).
    { decodeEntities: false },
  );
  parser.end(html);
  return writer.result();
}

/** An attribute's value as a reader gets it (the tokenizer leaves entities in place). */
function attribute(attributes: Record<string, string>, name: string): string | undefined {
  const value = attributes[name];
  return value?.includes('&') ? decodeHTMLAttribute(value) : value;
}

const SKIPPED = new Set(['script', 'style', 'head']);
/** Quote and list nesting shown at most this deep (deeper levels read like the deepest). */
const MAX_NESTING = 10;
/** Line breaks before and after: html-to-text's block elements, and table rows as lines. */
const BLOCKS = new Map<string, number>([
  ['p', 2],
  ['h1', 2],
  ['h2', 2],
  ['h3', 2],
  ['h4', 2],
  ['h5', 2],
  ['h6', 2],
  ['table', 2],
  ['blockquote', 2],
  ['pre', 2],
  ['div', 1],
  ['article', 1],
  ['aside', 1],
  ['footer', 1],
  ['form', 1],
  ['header', 1],
  ['main', 1],
  ['nav', 1],
  ['section', 1],
  ['tr', 1],
  ['li', 1],
]);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** html-to-text's whitespace: not the no-break space, which stays as it is. */
const WHITESPACE_RUN = /[ \t\r\n\f\u200b]+/g;
/** Whitespace other than single spaces (most text has none, and is kept as it is). */
const NEEDS_COLLAPSING = /[\t\r\n\f\u200b]| {2}/;

/** Builds the text: words, spaces between them, and line breaks owed before the next word. */
class TextWriter {
  readonly #parts: string[] = [];
  #length = 0;
  constructor(private readonly maxChars: number) {}

  #atLineStart = true;
  #space = false;
  /**
   * Line breaks owed before the next word: by block boundaries (the largest asked for since
   * the last word or line break) and by `<br>` and preformatted lines (each one counts).
   */
  #blockBreaks = 0;
  #forcedBreaks = 0;
  /** A word was written since the last line break. */
  #lineOpen = false;
  /** A block element was opened since the last word. */
  #blockOpened = false;
  #quoteDepth = 0;
  /** The quote depth when the breaks now owed began: blank lines between quotes belong to the outer one. */
  #breaksQuoteDepth = 0;
  #preDepth = 0;
  #headingDepth = 0;
  /** Per open list: its item counter (null: unordered). */
  readonly #lists: (number | null)[] = [];
  #itemPrefix = '';
  /** Per open link: its target (null: none worth showing) and how much was written before it. */
  readonly #links: { href: string | null; at: number }[] = [];

  /** Line breaks around this element, if it is a block (a nested list takes one, not two). */
  #breaksAround(name: string): number | undefined {
    return name === 'ul' || name === 'ol' ? (this.#lists.length > 0 ? 1 : 2) : BLOCKS.get(name);
  }

  open(name: string, attributes: Record<string, string>): void {
    const breaks = this.#breaksAround(name);
    if (breaks !== undefined) {
      this.#block(breaks);
      this.#blockOpened = true;
    }
    switch (name) {
      case 'br':
        this.#lineBreak();
        return;
      case 'hr':
        this.#block(2);
        this.#word('-'.repeat(40));
        this.#block(2);
        return;
      case 'img': {
        const source = attribute(attributes, 'src');
        const src = source && !/^data:/i.test(source) ? source : '';
        const alt = attribute(attributes, 'alt')?.trim() ?? '';
        if (alt) this.text(alt);
        if (src && alt) this.#suffix(` [${src}]`);
        else if (src) this.#word(`[${src}]`);
        return;
      }
      case 'a': {
        const href = (attribute(attributes, 'href') ?? '').trim().replace(/^mailto:/i, '');
        this.#links.push({ href: href && !href.startsWith('#') ? href : null, at: this.#parts.length });
        return;
      }
      case 'ul':
      case 'ol':
        this.#lists.push(name === 'ol' ? 0 : null);
        return;
      case 'li': {
        const depth = this.#lists.length;
        const counter = this.#lists[depth - 1];
        const indent = '  '.repeat(Math.min(Math.max(0, depth - 1), MAX_NESTING));
        if (typeof counter === 'number') {
          this.#lists[depth - 1] = counter + 1;
          this.#itemPrefix = `${indent} ${counter + 1}. `;
        } else this.#itemPrefix = depth > 0 ? `${indent} * ` : '';
        return;
      }
      case 'blockquote':
        this.#quoteDepth++;
        return;
      case 'pre':
        this.#preDepth++;
        return;
    }
    if (HEADINGS.has(name)) this.#headingDepth++;
  }

  close(name: string): void {
    switch (name) {
      case 'a': {
        const link = this.#links.pop();
        if (link?.href) {
          if (this.#parts.length > link.at) this.#suffix(` [${link.href}]`);
          else this.text(link.href);
        }
        break;
      }
      case 'td':
      case 'th':
        this.#suffix('\t');
        break;
      case 'ul':
      case 'ol':
        this.#lists.pop();
        break;
      case 'blockquote':
        this.#quoteDepth = Math.max(0, this.#quoteDepth - 1);
        break;
      case 'pre':
        this.#preDepth = Math.max(0, this.#preDepth - 1);
        break;
    }
    if (HEADINGS.has(name)) this.#headingDepth = Math.max(0, this.#headingDepth - 1);
    const breaks = this.#breaksAround(name); // the list is popped already: as deep as at its opening
    if (breaks !== undefined) this.#block(breaks);
  }

  text(text: string): void {
    if (this.#headingDepth > 0) text = text.toUpperCase();
    if (this.#preDepth > 0) {
      const lines = text.split(/\r?\n/);
      lines.forEach((line, i) => {
        if (i > 0) this.#lineBreak();
        if (line) this.#suffix(line);
      });
      return;
    }
    // Whitespace runs become one space (one native pass over the text, not a step per word).
    const collapsed = NEEDS_COLLAPSING.test(text) ? text.replace(WHITESPACE_RUN, ' ') : text;
    const from = collapsed.charCodeAt(0) === 0x20 ? 1 : 0;
    const to = collapsed.length > from && collapsed.charCodeAt(collapsed.length - 1) === 0x20 ? collapsed.length - 1 : collapsed.length;
    if (from === 1) this.#space = true;
    if (to > from) this.#word(from === 0 && to === collapsed.length ? collapsed : collapsed.slice(from, to));
    if (to < collapsed.length) this.#space = true;
  }

  /** A line break owed before the next word: a block boundary (the largest request wins). */
  #block(breaks: number): void {
    if (this.#length > 0) {
      this.#owe();
      this.#blockBreaks = Math.max(this.#blockBreaks, breaks);
    }
    this.#space = false;
    this.#lineOpen = false;
  }

  /**
   * `<br>`: ends the current line. In a block opened since the last word it is a blank line of
   * its own (`<div><br></div>`, a mail client's empty line), so the block boundaries on either
   * side of it both count; between blocks it merges with them, as html-to-text does.
   */
  #lineBreak(): void {
    this.#owe();
    if (!this.#lineOpen && this.#blockOpened) {
      this.#forcedBreaks += this.#blockBreaks;
      this.#blockBreaks = 0;
    }
    this.#forcedBreaks++;
    this.#space = false;
    this.#lineOpen = false;
  }

  /** Text joined to what precedes it, whatever whitespace came between. */
  #suffix(text: string): void {
    this.#space = false;
    this.#word(text);
  }

  #owe(): void {
    if (this.#blockBreaks + this.#forcedBreaks === 0) this.#breaksQuoteDepth = this.#quoteDepth;
  }

  #flushBreaks(): void {
    const breaks = this.#blockBreaks + this.#forcedBreaks;
    if (breaks === 0) return;
    const quote = '> '.repeat(Math.min(this.#quoteDepth, this.#breaksQuoteDepth, MAX_NESTING));
    for (let i = 0; i < breaks; i++) this.#push(i < breaks - 1 ? `\n${quote}` : '\n');
    this.#blockBreaks = 0;
    this.#forcedBreaks = 0;
    this.#atLineStart = true;
  }

  #word(word: string): void {
    this.#flushBreaks();
    if (this.#length >= this.maxChars) return;
    if (this.#atLineStart) {
      this.#push('> '.repeat(Math.min(this.#quoteDepth, MAX_NESTING)));
      this.#push(this.#itemPrefix);
      this.#itemPrefix = '';
    } else if (this.#space) this.#push(' ');
    this.#push(word);
    this.#lineOpen = true;
    this.#blockOpened = false;
    this.#atLineStart = false;
    this.#space = false;
  }

  #push(text: string): void {
    this.#parts.push(text);
    this.#length += text.length;
  }

  result(): string {
    const text = this.#parts.join('');
    return text.length > this.maxChars ? text.slice(0, this.maxChars) : text;
  }
}
