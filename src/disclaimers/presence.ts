import type { DisclaimerContent } from './types.js';

/**
 * Recognising a disclaimer that is already in a message. The HTML wrapper carries the marker,
 * but quoting clients often drop attributes, and plain text has none: so a disclaimer also
 * counts as present when the fixed wording of its template (everything but the {{fields}})
 * appears in order, whatever the quoting (">"), rewrapping, spacing or case did to it.
 */

/** Fixed pieces shorter than this are too common to identify anything ("Regards,"). */
const MIN_PIECE = 8;

export function markerAttribute(marker: string): string {
  return `data-mouthguard-disclaimer="${marker}"`;
}

/** The template's fixed wording, normalised, in order; empty when it is all fields. */
export function fixedWording(templateText: string): string[] {
  return templateText
    .split(/\{\{\s*[a-z_]+\s*\}\}/i)
    .map(normalise)
    .filter((piece) => piece.length >= MIN_PIECE);
}

/** Each template's fixed wording, worked out once: the same few templates are checked for every message. */
const wordingOf = new Map<string, string[]>();

function cachedFixedWording(templateText: string): string[] {
  let pieces = wordingOf.get(templateText);
  if (!pieces) {
    // A bound, not an expected size: a relay has a handful of texts (and their past versions).
    if (wordingOf.size >= 256) wordingOf.clear();
    pieces = fixedWording(templateText);
    wordingOf.set(templateText, pieces);
  }
  return pieces;
}

export function textHasDisclaimer(text: string, content: DisclaimerContent): boolean {
  const pieces = cachedFixedWording(content.templateText);
  if (pieces.length === 0) return false;
  const haystack = normalise(text);
  let from = 0;
  for (const piece of pieces) {
    const at = haystack.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

export function htmlHasDisclaimer(html: string, content: DisclaimerContent): boolean {
  return html.includes(markerAttribute(content.marker)) || textHasDisclaimer(htmlToRoughText(html), content);
}

/** For each ASCII code: itself lower-cased when it is a letter or digit, else 0 (dropped). */
const ASCII_KEPT = new Uint8Array(128).map((_, c) => {
  if (c >= 0x41 && c <= 0x5a) return c + 0x20; // A-Z
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ? c : 0; // a-z, 0-9
});

/** Letters and digits only, lower case, accents removed: what survives any client's quoting. */
function normalise(s: string): string {
  const ascii = normaliseAscii(s);
  if (ascii !== null) return ascii;
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * The same for a string that is all ASCII (most bodies), in one pass without NFKD or the
 * Unicode classes: half the cost over a 50 KB body. Null at the first other character.
 */
function normaliseAscii(s: string): string | null {
  const out = Buffer.allocUnsafe(s.length);
  let length = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return null;
    const kept = ASCII_KEPT[c]!;
    if (kept !== 0) out[length++] = kept;
  }
  return out.toString('latin1', 0, length);
}

const NAMED_LETTER = /&([a-z])(?:acute|grave|uml|circ|tilde|cedil|ring|slash);/gi;

/** Tags out, entities that stand for letters or digits in: enough for normalise() to compare. */
function htmlToRoughText(html: string): string {
  const text = html.replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' ');
  return text.includes('&') ? decodeRoughEntities(text) : text;
}

function decodeRoughEntities(text: string): string {
  return text
    .replace(NAMED_LETTER, '$1')
    .replace(/&#(\d{1,7});/g, (_m, d: string) => safeCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) => safeCodePoint(parseInt(h, 16)))
    .replace(/&[a-z]+;/gi, ' ');
}

function safeCodePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : ' ';
}
