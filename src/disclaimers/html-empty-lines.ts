/**
 * The HTML half of "a line whose field is empty is dropped". Works on the template source
 * (before values go in) and removes ranges of it, so the rest of the manager's HTML stays
 * exactly as saved.
 *
 * The template is read as tags and text. Breaks are `<br>`, newlines in the source, and the
 * opening and closing tags of the block elements (p, div, li, ul, ol, table, tbody, thead,
 * tfoot, tr, td, th, hr, blockquote, h1-h6). A "line" is what stands between two breaks. For
 * each line that refers to an empty field, the smallest of these goes:
 * 1. inside a table cell: the whole `<tr>` (a row missing one cell would break the table);
 * 2. inside a `<p>`, `<div>` or `<li>` that holds no other visible text: that element;
 * 3. otherwise the line itself, with the group of `<br>`s and newlines after it (or, when the
 *    line is the last in its block, the group before it), so no empty line is left behind.
 *    Inline tags that open in the line and close outside it (or the reverse) are kept.
 * A field inside a block element's own attribute (`<p title="{{x}}">`) drops nothing.
 */
import { fieldReferences } from './template-fields.js';

const BLOCKS = new Set(['p', 'div', 'li', 'ul', 'ol', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'hr', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const UNITS = new Set(['p', 'div', 'li']);
const VOID = new Set(['br', 'hr', 'img', 'wbr', 'col', 'input', 'meta', 'link', 'area', 'base', 'source', 'track', 'embed']);

interface Token {
  readonly kind: 'tag' | 'text' | 'newline';
  readonly start: number;
  readonly end: number;
  /** Lower-case tag name, for tags. */
  readonly name?: string;
  readonly closing?: boolean;
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>|<!--[\s\S]*?-->/g;

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  const text = (from: number, to: number) => {
    for (let at = from; at < to; ) {
      const nl = html.indexOf('\n', at);
      const stop = nl === -1 || nl >= to ? to : nl;
      if (stop > at) tokens.push({ kind: 'text', start: at, end: stop });
      if (stop < to) tokens.push({ kind: 'newline', start: stop, end: stop + 1 });
      at = stop + 1;
    }
  };
  let last = 0;
  for (const m of html.matchAll(TAG)) {
    text(last, m.index);
    const name = m[2]?.toLowerCase();
    tokens.push(name ? { kind: 'tag', start: m.index, end: m.index + m[0].length, name, closing: m[1] === '/' } : { kind: 'text', start: m.index, end: m.index + m[0].length });
    last = m.index + m[0].length;
  }
  text(last, html.length);
  return tokens;
}

const isBreak = (t: Token) => t.kind === 'newline' || (t.kind === 'tag' && (t.name === 'br' || BLOCKS.has(t.name!)));
const isSeparator = (t: Token | undefined) => t !== undefined && (t.kind === 'newline' || (t.kind === 'tag' && t.name === 'br'));

export function dropEmptyFieldLinesHtml(template: string, emptyFields: ReadonlySet<string>): string {
  let html = template;
  // Each pass removes at least one reference to an empty field, so this ends.
  for (;;) {
    const cut = nextCut(html, emptyFields);
    if (!cut) return html;
    html = html.slice(0, cut.start) + cut.keep + html.slice(cut.end);
  }
}

interface Cut {
  start: number;
  end: number;
  /** Tags from inside the range that must stay (unbalanced inline tags). */
  keep: string;
}

function nextCut(html: string, emptyFields: ReadonlySet<string>): Cut | null {
  const tokens = tokenize(html);
  const stack: Token[] = []; // open block elements
  let lineStart = 0;
  for (let i = 0; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t && !isBreak(t)) continue;
    if (lineHasEmptyField(html, tokens.slice(lineStart, i), emptyFields)) return cutFor(html, tokens, lineStart, i, stack);
    if (t?.kind === 'tag' && BLOCKS.has(t.name!) && !VOID.has(t.name!)) {
      if (!t.closing) stack.push(t);
      else popTo(stack, t.name!);
    }
    lineStart = i + 1;
  }
  return null;
}

function lineHasEmptyField(html: string, line: Token[], emptyFields: ReadonlySet<string>): boolean {
  if (line.length === 0) return false;
  const source = html.slice(line[0]!.start, line[line.length - 1]!.end);
  return fieldReferences(source).some((f) => emptyFields.has(f.name));
}

function popTo(stack: Token[], name: string): void {
  for (let k = stack.length - 1; k >= 0; k--) {
    if (stack[k]!.name === name) {
      stack.length = k;
      return;
    }
  }
}

/** Tokens [from, to) are the line; `stack` holds the block elements open around it. */
function cutFor(html: string, tokens: Token[], from: number, to: number, stack: Token[]): Cut {
  const inner = stack[stack.length - 1];
  if (inner && (inner.name === 'td' || inner.name === 'th')) {
    const row = [...stack].reverse().find((t) => t.name === 'tr');
    if (row) return wholeElement(html, tokens, row);
  }
  if (inner && UNITS.has(inner.name!)) {
    const close = matchingClose(tokens, inner);
    const lineStart = tokens[from]!.start;
    const lineEnd = tokens[to - 1]!.end;
    const rest = html.slice(inner.end, lineStart) + html.slice(lineEnd, close ? tokens[close]!.start : html.length);
    if (!visibleText(rest)) return wholeElement(html, tokens, inner);
  }
  return lineWithSeparators(html, tokens, from, to);
}

function matchingClose(tokens: Token[], open: Token): number | null {
  let depth = 0;
  for (let i = tokens.indexOf(open); i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'tag' || t.name !== open.name) continue;
    depth += t.closing ? -1 : 1;
    if (depth === 0) return i;
  }
  return null;
}

function wholeElement(html: string, tokens: Token[], open: Token): Cut {
  const close = matchingClose(tokens, open);
  let end = close === null ? html.length : tokens[close]!.end;
  if (html[end] === '\n') end++;
  return { start: open.start, end, keep: '' };
}

function lineWithSeparators(html: string, tokens: Token[], from: number, to: number): Cut {
  let first = from;
  let last = to - 1;
  if (isSeparator(tokens[to])) {
    last = to;
    while (isSeparator(tokens[last + 1]) || isBlankText(html, tokens[last + 1], tokens[last + 2])) last++;
  } else {
    while (isSeparator(tokens[first - 1]) || isBlankText(html, tokens[first - 1], tokens[first - 2])) first--;
  }
  const range = tokens.slice(first, last + 1);
  return { start: range[0]!.start, end: range[range.length - 1]!.end, keep: unbalancedTags(html, range) };
}

/** Whitespace-only text that sits between separators counts as part of the separator group. */
function isBlankText(html: string, t: Token | undefined, beyond: Token | undefined): boolean {
  return t?.kind === 'text' && html.slice(t.start, t.end).trim() === '' && isSeparator(beyond);
}

function unbalancedTags(html: string, range: Token[]): string {
  const open: Token[] = [];
  const kept: Token[] = [];
  for (const t of range) {
    if (t.kind !== 'tag' || VOID.has(t.name!) || BLOCKS.has(t.name!)) continue;
    if (!t.closing) open.push(t);
    else {
      const k = open.map((o) => o.name).lastIndexOf(t.name);
      if (k === -1) kept.push(t);
      else open.splice(k, 1);
    }
  }
  return [...kept, ...open]
    .sort((a, b) => a.start - b.start)
    .map((t) => html.slice(t.start, t.end))
    .join('');
}

function visibleText(html: string): boolean {
  return html.replace(TAG, '').replace(/&nbsp;|&#160;|&#xa0;/gi, '').trim() !== '';
}
