/**
 * Validation of a disclaimer when it is saved. Every problem is reported at once, with its
 * line, so a manager can fix the file in one go; nothing is saved while any remain.
 *
 * Limits and why:
 * - Length: MAX_TEXT_CHARS for the text, MAX_HTML_CHARS for the HTML (markup and inline styles
 *   need room the words do not). A disclaimer longer than that is a letter, not a footer.
 * - Lines: no line may exceed 998 octets of UTF-8 (RFC 5322), counting each {{field}} at its
 *   longest: a filled-in field is cut to FIELD_MAX_OCTETS (template.ts), so the worst case is
 *   known when the text is saved rather than discovered when a message is sent.
 * - Characters: no control characters except line feed and tab (no CR, NUL, ESC …), no Unicode
 *   line or paragraph separators. They have no business in a footer, and bare CRs and NULs are
 *   exactly what breaks or smuggles through SMTP.
 * - Header injection: a text that starts with "Name: value" lines and then a blank line reads
 *   as a header block wherever it lands at the start of a part; a line starting "--" could be
 *   taken for a MIME boundary (the delimiter is "--" + boundary) and end the part early, letting
 *   what follows be read as a new part with headers of its own. The one exception is the
 *   signature separator, a line of exactly "-- ".
 * - Fields: only the names in TEMPLATE_FIELDS, each written {{name}}.
 */
import { htmlFromText, textFromHtml } from './derive.js';
import { sanitizeDisclaimerHtml } from './sanitize.js';
import { FIELD_PATTERN, TEMPLATE_FIELDS, fieldReferences, isTemplateField } from './template-fields.js';
import { FIELD_MAX_OCTETS } from './template.js';

export const MAX_TEXT_CHARS = 4000;
export const MAX_HTML_CHARS = 16000;
export const MAX_LINE_OCTETS = 998;

export type TemplatePart = 'text' | 'html';

export interface DisclaimerInput {
  readonly text?: string | null | undefined;
  readonly html?: string | null | undefined;
}

export type PreparedDisclaimer =
  | { readonly ok: true; readonly text: string; readonly html: string; readonly derived: TemplatePart | null; readonly removed: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[]; readonly removed: readonly string[] };

/**
 * From what a manager wrote to the pair that is saved: line ends normalised (CRLF read as LF,
 * a leading byte-order mark and blank lines at either end dropped), HTML sanitised, the missing
 * half derived, then both halves checked.
 */
export function prepareDisclaimer(input: DisclaimerInput): PreparedDisclaimer {
  const text = input.text == null ? null : normalise(input.text);
  const rawHtml = input.html == null ? null : normalise(input.html);
  if (text === null && rawHtml === null) return { ok: false, problems: ['give a plain text, an HTML version, or both'], removed: [] };
  const sanitized = rawHtml === null ? null : sanitizeDisclaimerHtml(rawHtml);
  const removed = sanitized?.removed ?? [];
  const html = sanitized?.html ?? htmlFromText(text ?? '');
  const finalText = text ?? textFromHtml(html);
  const derived: TemplatePart | null = text === null ? 'text' : rawHtml === null ? 'html' : null;
  // Characters as written, and as they came out (an HTML entity can spell a control character).
  const written = [...characterProblems('text', text ?? ''), ...characterProblems('html', rawHtml ?? '')];
  const made = written.length > 0 ? [] : [...characterProblems('text', finalText, derived === 'text'), ...characterProblems('html', html, derived === 'html')];
  const problems = [...new Set([...written, ...made])];
  if (rawHtml !== null && !visible(html)) problems.push('HTML: nothing is left once what is not allowed is removed');
  problems.push(...bothHalves(finalText, html, derived));
  if (problems.length > 0) return { ok: false, problems, removed };
  return { ok: true, text: finalText, html, derived, removed };
}

export function normalise(source: string): string {
  return source
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .replace(/^(?:[ \t]*\n)+|(?:\n[ \t]*)+$/g, '');
}

const label = (part: TemplatePart, derived = false) => (part === 'text' ? 'text' : 'HTML') + (derived ? ` (derived from the ${part === 'text' ? 'HTML' : 'text'})` : '');

/** Control characters, checked on what was written (sanitising would hide some of them). */
export function characterProblems(part: TemplatePart, source: string, derived = false): string[] {
  const problems: string[] = [];
  source.split('\n').forEach((line, i) => {
    const bad = new Set(line.replace(/\t/g, ' ').match(/[\p{Cc}\u2028\u2029]/gu) ?? []);
    for (const c of bad) problems.push(`${label(part, derived)}, line ${i + 1}: ${describeChar(c)} is not allowed (only line feeds and tabs)`);
  });
  return problems;
}

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const names: Record<number, string> = { 0: 'NUL', 0x0d: 'a carriage return (CR) on its own', 0x1b: 'ESC', 0x0b: 'a vertical tab', 0x0c: 'a form feed', 0x2028: 'a Unicode line separator', 0x2029: 'a Unicode paragraph separator' };
  return `${names[code] ?? 'a control character'} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

type ProblemKind = 'empty' | 'length' | 'header' | 'line-length' | 'boundary' | 'field';

interface Problem {
  readonly kind: ProblemKind;
  readonly message: string;
}

/**
 * Both halves' problems, text first. A derived half mostly repeats what was written, so its
 * problems of a kind already reported for the written half are left out: one fix cures both.
 */
function bothHalves(text: string, html: string, derived: TemplatePart | null): string[] {
  const textProblems = checkTemplate('text', text, derived === 'text');
  const htmlProblems = checkTemplate('html', html, derived === 'html');
  const written = derived === 'text' ? htmlProblems : textProblems;
  const reported = new Set(written.map((p) => p.kind));
  const keep = (p: Problem, isDerived: boolean) => !isDerived || !reported.has(p.kind);
  return [...textProblems.filter((p) => keep(p, derived === 'text')), ...htmlProblems.filter((p) => keep(p, derived === 'html'))].map((p) => p.message);
}

/** Length, line length, header and boundary look-alikes, fields: everything but characters. */
export function templateProblems(part: TemplatePart, template: string, derived = false): string[] {
  return checkTemplate(part, template, derived).map((p) => p.message);
}

function checkTemplate(part: TemplatePart, template: string, derived: boolean): Problem[] {
  const where = label(part, derived);
  const problems: Problem[] = [];
  if (template.trim() === '') problems.push({ kind: 'empty', message: `${where}: is empty` });
  const chars = [...template].length;
  const max = part === 'text' ? MAX_TEXT_CHARS : MAX_HTML_CHARS;
  if (chars > max) problems.push({ kind: 'length', message: `${where}: ${chars} characters, more than the ${max} allowed` });
  const lines = template.split('\n');
  const header = headerBlockProblem(lines);
  if (header) problems.push({ kind: 'header', message: `${where}, line 1: ${header}` });
  lines.forEach((line, i) => {
    for (const p of lineProblems(line, derived)) problems.push({ kind: p.kind, message: `${where}, line ${i + 1}: ${p.message}` });
  });
  return problems;
}

function lineProblems(line: string, derived: boolean): Problem[] {
  const problems: Problem[] = [];
  const refs = fieldReferences(line);
  const known = refs.filter((r) => isTemplateField(r.name));
  const octets = Buffer.byteLength(line.replace(FIELD_PATTERN, (m, name: string) => (isTemplateField(name.trim()) ? '' : m)), 'utf8') + known.length * FIELD_MAX_OCTETS;
  if (octets > MAX_LINE_OCTETS) {
    problems.push({
      kind: 'line-length',
      message:
        known.length === 0
        ? `${octets} octets long, more than the ${MAX_LINE_OCTETS} a mail line may have: split it`
          : `up to ${octets} octets long once its ${known.length} field(s) are filled in (each counts up to ${FIELD_MAX_OCTETS}), more than the ${MAX_LINE_OCTETS} a mail line may have: split it`,
    });
  }
  if (line.startsWith('--') && line !== '-- ') {
    problems.push({
      kind: 'boundary',
      message:
        'starts with "--", which could be read as a MIME boundary and end the message part early; use the signature separator "-- " (dash, dash, space) on a line of its own, or other characters such as "__" or "—"',
    });
  }
  if (!derived) {
    for (const r of refs.filter((ref) => !isTemplateField(ref.name))) {
      problems.push({ kind: 'field', message: `unknown field {{${r.name}}}; the fields are ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(', ')}` });
    }
    if (/\{\{|\}\}/.test(line.replace(FIELD_PATTERN, ''))) problems.push({ kind: 'field', message: 'a "{{" or "}}" that is not part of a {{field}}' });
  }
  return problems;
}

/** "Name: value" lines (and folded continuations) from the first line, then a blank line. */
function headerBlockProblem(lines: readonly string[]): string | null {
  const HEADER = /^[\x21-\x39\x3b-\x7e]+:/;
  if (!HEADER.test(lines[0] ?? '')) return null;
  for (const line of lines.slice(1)) {
    if (line.trim() === '') {
      return 'starts with lines that look like mail headers ("Name: value") followed by a blank line, which could be read as the headers of a message part; reword the first line or remove the blank line after it';
    }
    if (!HEADER.test(line) && !/^[ \t]/.test(line)) return null;
  }
  return null;
}

function visible(html: string): boolean {
  return html.replace(/<[^>]*>/g, '').trim() !== '';
}
