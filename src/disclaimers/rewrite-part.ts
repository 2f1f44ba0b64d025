import { insertIntoHtml, retargetMetaCharset } from './insert-html.js';
import { insertIntoText } from './insert-text.js';
import { boundaryOf, headerEol, type Node } from './mime-node.js';
import { decodePart, encodePart, isAsciiText } from './part-codec.js';
import type { DisclaimerContent, RewriteSettings, UntouchedReason } from './types.js';

export interface RewrittenPart {
  readonly headers: Buffer;
  readonly body: Buffer;
}

/**
 * One text or HTML body part: decode, insert, re-encode. The part's headers change only when
 * the charset (to UTF-8) or the transfer encoding (to quoted-printable) had to.
 */
export function rewriteBodyPart(node: Node, raw: Buffer, content: DisclaimerContent, settings: RewriteSettings): RewrittenPart | UntouchedReason {
  const decoded = decodePart(raw, node.encoding, node.charset);
  if (typeof decoded === 'string') return decoded;
  const headersEol = headerEol(node);
  const eol = lineBreakOf(decoded.text) ?? headersEol;
  const html = node.contentType === 'text/html';
  if (!(html ? content.html : content.text).trim()) return 'no-disclaimer';
  // Into text of an unknown charset only ASCII can go without corrupting it.
  if (decoded.opaque && !isAsciiText(html ? content.html : content.text)) return 'unknown-charset';
  const inserted = html
    ? insertIntoHtml(decoded.text, content, { placement: settings.placement, repeat: settings.repeat, eol })
    : insertIntoText(decoded.text, content, { placement: settings.placement, repeat: settings.repeat, eol, flowed: node.flowed });
  if (inserted === null) return 'already-present';

  let encoded = encodePart(inserted, decoded, headersEol);
  if (html && encoded.charset) encoded = encodePart(retargetMetaCharset(inserted, encoded.charset), decoded, headersEol);
  if (carriesDelimiter(encoded.body, node)) return 'delimiter-in-text';
  if (!encoded.charset && !encoded.transferEncoding) return { headers: node.getHeaders(), body: encoded.body };
  if (encoded.charset) node.setCharset(encoded.charset);
  if (encoded.transferEncoding && node.headers) node.headers.update('Content-Transfer-Encoding', encoded.transferEncoding);
  return { headers: node.headers ? node.headers.build(headersEol) : node.getHeaders(), body: encoded.body };
}

function lineBreakOf(text: string): string | null {
  const lf = text.indexOf('\n');
  if (lf < 0) return null;
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * A line of the part that an enclosing multipart would take for one of its delimiters: it would
 * cut the part short and change the message's structure. Only a disclaimer line can be one
 * (quoted-printable and base64 never produce one). A line that merely starts like a delimiter
 * counts too, as some parsers look no further.
 */
function carriesDelimiter(body: Buffer, node: Node): boolean {
  const text = body.toString('latin1');
  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    const boundary = boundaryOf(parent);
    if (boundary && (text.startsWith(`--${boundary}`) || text.includes(`\n--${boundary}`))) return true;
  }
  return false;
}
