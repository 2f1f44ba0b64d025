import { insertIntoHtml, retargetMetaCharset } from './insert-html.js';
import { insertIntoText } from './insert-text.js';
import { boundaryOf, headerEol, type Node } from './mime-node.js';
import { decodePart, encodePart, isAsciiText, type EncodedPart } from './part-codec.js';
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
  declareEncoding(node, encoded);
  return { headers: node.headers ? node.headers.build(headersEol) : node.getHeaders(), body: encoded.body };
}

/**
 * Writes the new charset and transfer encoding into the part's headers. A field the part did
 * not have goes last (mailsplit would put it first, above the trace fields); a message without
 * MIME-Version gets one, as a reader may ignore Content-* fields without it.
 */
function declareEncoding(node: Node, encoded: EncodedPart): void {
  const headers = node.headers;
  if (!headers) return;
  const addLast = (key: string, value: string): void => headers.add(key, value, headers.getList().length);
  if (encoded.charset) {
    if (headers.hasHeader('content-type')) node.setCharset(encoded.charset);
    else addLast('Content-Type', `text/plain; charset=${encoded.charset}`);
  }
  if (encoded.transferEncoding) {
    if (headers.hasHeader('content-transfer-encoding')) headers.update('Content-Transfer-Encoding', encoded.transferEncoding);
    else addLast('Content-Transfer-Encoding', encoded.transferEncoding);
  }
  if (!node.parentNode && !headers.hasHeader('mime-version')) addLast('MIME-Version', '1.0');
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
  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    const boundary = boundaryOf(parent);
    if (!boundary) continue;
    // Searched in the bytes (as Latin-1, like the boundary itself): no copy of the body as a string.
    const delimiter = `--${boundary}`;
    if (body.toString('latin1', 0, delimiter.length) === delimiter || body.includes(`\n${delimiter}`, 0, 'latin1')) return true;
  }
  return false;
}
