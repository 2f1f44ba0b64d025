import { isAscii as bufferIsAscii } from 'node:buffer';
import iconv from 'iconv-lite';
import * as libqp from 'libqp';
import type { UntouchedReason } from './types.js';

/** A body part's content as text, with what is needed to write it back the same way. */
export interface DecodedPart {
  readonly text: string;
  /** The charset the text was read in (lower case), "utf-8" when none was declared and it was valid UTF-8. */
  readonly charset: string;
  /** False: the part declared no charset (and its bytes were plain ASCII or valid UTF-8). */
  readonly declared: boolean;
  /** The transfer encoding as declared ("7bit" when none). */
  readonly transferEncoding: TransferEncoding;
  /**
   * The charset is unknown (undeclared 8-bit that is not UTF-8, or a name no decoder knows):
   * `text` holds the bytes one character each, so only ASCII may be inserted into it.
   */
  readonly opaque: boolean;
}

export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'quoted-printable' | 'base64';

const TRANSFER_ENCODINGS = new Set<string>(['7bit', '8bit', 'binary', 'quoted-printable', 'base64']);

/** RFC 5322: at most 998 octets per line, without the line break. */
export const MAX_LINE_OCTETS = 998;

/**
 * Decodes a body part (transfer encoding, then charset). A part that cannot be read with
 * certainty is not rewritten: an unknown transfer encoding (uuencode, x-gzip64 …) or an
 * unknown charset gives a reason instead of text.
 */
export function decodePart(raw: Buffer, transferEncoding: string | false, charset: string | false): DecodedPart | UntouchedReason {
  const cte = (transferEncoding || '7bit').toLowerCase();
  if (!TRANSFER_ENCODINGS.has(cte)) return 'unsupported-encoding';
  const encoding = cte as TransferEncoding;
  const bytes = encoding === 'base64' ? decodeBase64(raw) : encoding === 'quoted-printable' ? libqp.decode(raw) : raw;
  if (bytes === null) return 'unsupported-encoding';

  if (!charset || /^(us-)?ascii$/i.test(charset)) {
    // Undeclared (or declared ASCII) but 8-bit: valid UTF-8 is read as such; anything else
    // would be a guess, and a wrong guess would corrupt the sender's text.
    const declared = Boolean(charset);
    if (isAscii(bytes)) return { text: bytes.toString('latin1'), charset: 'us-ascii', declared, transferEncoding: encoding, opaque: false };
    const utf8 = strictUtf8(bytes);
    if (utf8 === null) return opaquePart(bytes, charset || 'x-unknown', declared, encoding);
    return { text: utf8, charset: 'utf-8', declared: false, transferEncoding: encoding, opaque: false };
  }
  const name = charset.toLowerCase().trim();
  const text = decodeCharset(bytes, name);
  if (text === null || !decodedLosslessly(text, bytes, name)) return opaquePart(bytes, name, true, encoding);
  return { text, charset: name, declared: true, transferEncoding: encoding, opaque: false };
}

/** Every charset mail uses in practice is a superset of ASCII, so ASCII can go in byte for byte. */
function opaquePart(bytes: Buffer, charset: string, declared: boolean, transferEncoding: TransferEncoding): DecodedPart {
  return { text: bytes.toString('latin1'), charset, declared, transferEncoding, opaque: true };
}

export interface EncodedPart {
  readonly body: Buffer;
  /** Set when the charset had to change (to UTF-8): the Content-Type parameter to write. */
  readonly charset: string | null;
  /** Set when the transfer encoding had to change: the Content-Transfer-Encoding to write. */
  readonly transferEncoding: TransferEncoding | null;
}

/**
 * Encodes rewritten text back: the original charset when it can carry the text exactly, else
 * UTF-8; the original transfer encoding when the result still fits it (lines of at most 998
 * octets, 7-bit data for 7bit), else quoted-printable. `eol` is the message's line break: the
 * encoded lines end with it whatever the decoded text used (base64 content often has bare LFs).
 */
export function encodePart(text: string, original: DecodedPart, eol: string): EncodedPart {
  let charset: string | null = null;
  let bytes = original.opaque ? Buffer.from(text, 'latin1') : encodeCharset(text, original.charset);
  if (bytes === null) {
    bytes = Buffer.from(text, 'utf8');
    charset = 'utf-8';
  }
  const declaredCharsetMissing = !original.declared && !original.opaque && !isAscii(bytes);
  if (declaredCharsetMissing && charset === null) charset = original.charset === 'us-ascii' ? 'utf-8' : original.charset;

  let encoding: TransferEncoding = original.transferEncoding;
  if (encoding === '7bit' && !(isAscii(bytes) && linesFit(bytes))) encoding = 'quoted-printable';
  if ((encoding === '8bit' || encoding === 'binary') && !(linesFit(bytes) && !bytes.includes(0))) encoding = 'quoted-printable';
  const body = encodeTransfer(bytes, encoding, eol);
  return { body, charset, transferEncoding: encoding === original.transferEncoding ? null : encoding };
}

function encodeTransfer(bytes: Buffer, encoding: TransferEncoding, eol: string): Buffer {
  if (encoding === 'base64') return Buffer.from(wrapLines(bytes.toString('base64'), 76, eol), 'latin1');
  if (encoding === 'quoted-printable') {
    // libqp keeps the text's line breaks as they are (a bare LF or CR, which many servers
    // refuse in a CRLF message) and soft-wraps with CRLF: every line ends as the message's do,
    // and a lone CR, which is no line break, is escaped.
    const encoded = libqp.wrap(libqp.encode(bytes).replace(/\r(?!\n)/g, '=0D'), 76);
    return Buffer.from(encoded.replace(/\r?\n/g, eol), 'latin1');
  }
  return bytes;
}

function wrapLines(s: string, width: number, eol: string): string {
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += width) lines.push(s.slice(i, i + width));
  return lines.join(eol) + (lines.length ? eol : '');
}

/** Base64 body → bytes; null when it holds characters base64 does not have (then it is not ours to rewrite). */
function decodeBase64(raw: Buffer): Buffer | null {
  const compact = raw.toString('latin1').replace(/[\r\n\t ]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, 'base64');
}

function decodeCharset(bytes: Buffer, name: string): string | null {
  if (name === 'utf-8' || name === 'utf8') return bytes.toString('utf8');
  if (iconv.encodingExists(name)) return iconv.decode(bytes, name, { stripBOM: false });
  try {
    // The WHATWG decoders know a few charsets iconv-lite does not (ISO-2022-JP among them).
    return new TextDecoder(name).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Bytes the charset does not have (Latin-1 labelled UTF-8, say) decode to U+FFFD and would be
 * written back as that: the sender's text would be lost for good. Such a part is opaque instead.
 */
function decodedLosslessly(text: string, bytes: Buffer, name: string): boolean {
  return !text.includes('\ufffd') || (encodeCharset(text, name)?.equals(bytes) ?? false);
}

/** Bytes in `name` that decode back to exactly `text`, or null when the charset cannot carry it. */
function encodeCharset(text: string, name: string): Buffer | null {
  if (name === 'utf-8' || name === 'utf8') return Buffer.from(text, 'utf8');
  if (name === 'us-ascii') return isAsciiText(text) ? Buffer.from(text, 'latin1') : null;
  if (!iconv.encodingExists(name)) return null;
  const bytes = iconv.encode(text, name, { addBOM: false });
  return iconv.decode(bytes, name, { stripBOM: false }) === text ? bytes : null;
}

function strictUtf8(bytes: Buffer): string | null {
  try {
    // ignoreBOM: keep a byte order mark in the text (and so in the part) rather than drop it.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function isAsciiText(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Node's own check: a byte loop over a 50 KB part was a tenth of a rewrite's CPU. */
export function isAscii(bytes: Buffer): boolean {
  return bufferIsAscii(bytes);
}

function linesFit(bytes: Buffer): boolean {
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, start);
    const end = lf < 0 ? bytes.length : lf;
    const length = end - start - (end > start && bytes[end - 1] === 0x0d ? 1 : 0);
    if (length > MAX_LINE_OCTETS) return false;
    if (lf < 0) return true;
    start = lf + 1;
  }
}
