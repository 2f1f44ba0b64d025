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

export function textHasDisclaimer(text: string, content: DisclaimerContent): boolean {
  const pieces = fixedWording(content.templateText);
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

/** Letters and digits only, lower case, accents removed: what survives any client's quoting. */
function normalise(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

const NAMED_LETTER = /&([a-z])(?:acute|grave|uml|circ|tilde|cedil|ring|slash);/gi;

/** Tags out, entities that stand for letters or digits in: enough for normalise() to compare. */
function htmlToRoughText(html: string): string {
  return html
    .replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(NAMED_LETTER, '$1')
    .replace(/&#(\d{1,7});/g, (_m, d: string) => safeCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) => safeCodePoint(parseInt(h, 16)))
    .replace(/&[a-z]+;/gi, ' ');
}

function safeCodePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : ' ';
}
