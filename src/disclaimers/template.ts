/**
 * Disclaimer templates: plain text and HTML with {{fields}} filled in for one sender.
 *
 * Fields are written `{{name}}` (spaces inside the braces allowed). A name that is not one of
 * TEMPLATE_FIELDS is refused when the text is saved (validate.ts); should one reach rendering
 * anyway it is left as written.
 *
 * Values are made safe for a single line before they go in: line breaks become ", ", other
 * control characters and runs of spaces a single space, and the result is cut (with "…") so
 * that it takes at most FIELD_MAX_OCTETS octets of UTF-8 in its rendered form (HTML-escaped,
 * in HTML). That bound is what lets validation promise that no rendered line exceeds 998 octets.
 *
 * A line whose field is empty (blank after the clean-up above) is dropped:
 * - text: the whole line; if that leaves two blank lines together, or a blank line at the
 *   start or end, the extra blank line goes too.
 * - HTML: see html-empty-lines.ts: the `<tr>` of a table cell, else the `<p>`, `<div>` or
 *   `<li>` when the line is all it holds, else the line itself (a `<br>`- or newline-separated
 *   run) with one neighbouring group of `<br>`s and newlines.
 */
import { dropEmptyFieldLinesHtml } from './html-empty-lines.js';
import { FIELD_PATTERN, TEMPLATE_FIELDS, fieldReferences, isTemplateField, type TemplateField, type TemplateValues } from './template-fields.js';

export { TEMPLATE_FIELDS, fieldReferences, isTemplateField, type TemplateField, type TemplateValues } from './template-fields.js';

/** A rendered field never takes more than this many octets of UTF-8 (after HTML escaping, in HTML). */
export const FIELD_MAX_OCTETS = 200;

/** Made once: constructing an Intl.DateTimeFormat costs about 90 µs, formatting with it 1 µs. */
const UK_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/**
 * The last minute formatted. Since 1970 the UK day changes only on a whole minute (its offsets
 * are whole hours); other instants (before 1970, fractions of a millisecond, out of range or
 * invalid) are formatted each time, as Intl alone decides them.
 */
let lastMinute = NaN;
let lastDate = '';
const LATEST_TIME = 8.64e15;

/** "24 November 2026": the day as it is in the UK at `now`. */
export function formatDisclaimerDate(now: Date | number): string {
  const ms = +now;
  if (!Number.isInteger(ms) || ms < 0 || ms > LATEST_TIME) return UK_DATE.format(now);
  const minute = Math.floor(ms / 60_000);
  if (minute !== lastMinute) {
    lastDate = UK_DATE.format(now);
    lastMinute = minute;
  }
  return lastDate;
}

export function renderText(template: string, fields: TemplateValues): string {
  const values = cleanValues(fields, (v) => v);
  const empty = (line: string) => fieldReferences(line).some((f) => isTemplateField(f.name) && values[f.name] === '');
  return fillFields(dropEmptyFieldLinesText(template, empty), values);
}

export function renderHtml(template: string, fields: TemplateValues): string {
  const values = cleanValues(fields, escapeHtml);
  const emptyNames = new Set(TEMPLATE_FIELDS.filter((name) => values[name] === ''));
  return fillFields(dropEmptyFieldLinesHtml(template, emptyNames), values);
}

/** Escapes what matters in HTML text and in double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fillFields(template: string, values: TemplateValues): string {
  return template.replace(FIELD_PATTERN, (whole, name: string) => {
    const key = name.trim();
    return isTemplateField(key) ? values[key] : whole;
  });
}

/** Every value as it will be inserted: one line, encoded by `encode`, at most FIELD_MAX_OCTETS. */
function cleanValues(fields: TemplateValues, encode: (value: string) => string): TemplateValues {
  const out = {} as Record<TemplateField, string>;
  for (const name of TEMPLATE_FIELDS) out[name] = clampEncoded(oneLine(fields[name] ?? ''), encode);
  return out;
}

export function oneLine(value: string): string {
  return value
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ', ')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim()
    .replace(/^,\s*|,\s*$/g, '')
    .trim();
}

/** Encodes whole characters while they fit, so an escape or a surrogate pair is never cut in half. */
function clampEncoded(value: string, encode: (value: string) => string): string {
  const full = encode(value);
  if (Buffer.byteLength(full, 'utf8') <= FIELD_MAX_OCTETS) return full;
  const ellipsis = '…';
  let out = '';
  let octets = Buffer.byteLength(ellipsis, 'utf8');
  for (const char of value) {
    const piece = encode(char);
    const size = Buffer.byteLength(piece, 'utf8');
    if (octets + size > FIELD_MAX_OCTETS) break;
    out += piece;
    octets += size;
  }
  return out.trimEnd() + ellipsis;
}

function dropEmptyFieldLinesText(template: string, hasEmptyField: (line: string) => boolean): string {
  const lines = template.split('\n');
  const kept: string[] = [];
  const blank = (line: string | undefined) => line !== undefined && line.trim() === '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!hasEmptyField(line)) {
      kept.push(line);
      continue;
    }
    // The line goes; a blank line after it goes too when it would now stand next to another blank line or an edge.
    const before = kept.length === 0 || blank(kept[kept.length - 1]);
    if (before && blank(lines[i + 1])) i++;
  }
  if (kept.length > 0 && blank(kept[kept.length - 1]) && kept.length < lines.length) {
    while (kept.length > 0 && blank(kept[kept.length - 1])) kept.pop();
  }
  return kept.join('\n');
}
