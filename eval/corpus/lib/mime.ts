/**
 * A small MIME writer: enough to produce the shapes practice mail takes (plain, HTML-only,
 * multipart/alternative, attachments, attached messages) in several charsets and transfer
 * encodings. Every line ends in CRLF; every line is at most 998 octets.
 */
import type { Address } from './people.js';

export type Charset = 'utf-8' | 'iso-8859-1' | 'windows-1252';
export type TextEncoding = '7bit' | 'quoted-printable' | 'base64';

export interface Leaf {
  readonly kind: 'leaf';
  readonly headers: readonly string[];
  /** The encoded body, lines separated by CRLF. */
  readonly body: string;
}

export interface Multipart {
  readonly kind: 'multipart';
  readonly subtype: 'mixed' | 'alternative' | 'related';
  readonly boundary: string;
  readonly parts: readonly MimeNode[];
}

export type MimeNode = Leaf | Multipart;

const CP1252: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97 };

export function encodeCharset(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    const mapped = charset === 'windows-1252' ? CP1252[ch] : undefined;
    if (mapped !== undefined) bytes.push(mapped);
    else if (code <= 0xff && !(charset === 'windows-1252' && code >= 0x80 && code <= 0x9f)) bytes.push(code);
    else throw new Error(`character ${JSON.stringify(ch)} is not in ${charset}`);
  }
  return Buffer.from(bytes);
}

/** Normalises any line ending to CRLF. */
export function crlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

/** RFC 2045 quoted-printable of already-charset-encoded text; lines split on LF/CRLF. */
export function quotedPrintable(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    const tokens: string[] = [];
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      const last = i === line.length - 1;
      if ((c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !last)) tokens.push(line[i] ?? '');
      else tokens.push('=' + c.toString(16).toUpperCase().padStart(2, '0'));
    }
    let current = '';
    for (const token of tokens) {
      if (current.length + token.length > 75) {
        out.push(current + '=');
        current = '';
      }
      current += token;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e\t\n\r]*$/.test(text);
}

/** A text leaf (text/plain, text/html, text/csv …) in the given charset and encoding. */
export function textLeaf(
  mediaType: string,
  text: string,
  options: { charset?: Charset; encoding?: TextEncoding; filename?: string; inline?: boolean } = {},
): Leaf {
  const charset = options.charset ?? 'utf-8';
  let encoding = options.encoding ?? (isAscii(text) ? '7bit' : 'quoted-printable');
  if (encoding === '7bit' && !isAscii(text)) encoding = 'quoted-printable';
  const bytes = encodeCharset(text, charset);
  let body: string;
  if (encoding === 'base64') body = base64Lines(bytes);
  else if (encoding === 'quoted-printable') body = quotedPrintable(bytes);
  else {
    body = crlf(text);
    for (const line of body.split('\r\n')) if (line.length > 998) throw new Error('7bit line too long');
  }
  const headers = [`Content-Type: ${mediaType}; charset=${charset === 'utf-8' ? '"utf-8"' : charset}${options.filename ? `; name="${options.filename}"` : ''}`, `Content-Transfer-Encoding: ${encoding}`];
  if (options.filename) headers.push(`Content-Disposition: ${options.inline ? 'inline' : 'attachment'}; filename="${options.filename}"`);
  return { kind: 'leaf', headers, body };
}

/** A binary attachment, base64. */
export function binaryLeaf(mediaType: string, filename: string, bytes: Buffer, options: { inline?: boolean; contentId?: string } = {}): Leaf {
  const headers = [`Content-Type: ${mediaType}; name="${filename}"`, `Content-Disposition: ${options.inline ? 'inline' : 'attachment'}; filename="${filename}"`, 'Content-Transfer-Encoding: base64'];
  if (options.contentId) headers.push(`Content-ID: <${options.contentId}>`);
  return { kind: 'leaf', headers, body: base64Lines(bytes) };
}

/** An attached message (message/rfc822), e.g. Outlook's "forward as attachment". */
export function messageLeaf(raw: string, filename: string): Leaf {
  return { kind: 'leaf', headers: ['Content-Type: message/rfc822', `Content-Disposition: attachment; filename="${filename}"`, 'Content-Transfer-Encoding: 7bit'], body: raw.replace(/\r\n$/, '') };
}

export function multipart(subtype: Multipart['subtype'], boundary: string, parts: readonly MimeNode[]): Multipart {
  return { kind: 'multipart', subtype, boundary, parts };
}

function contentHeaders(node: MimeNode): string[] {
  if (node.kind === 'leaf') return [...node.headers];
  return [`Content-Type: multipart/${node.subtype}; boundary="${node.boundary}"`];
}

function renderBody(node: MimeNode): string {
  if (node.kind === 'leaf') return node.body;
  const lines: string[] = [];
  if (node.subtype === 'mixed') lines.push('This is a multi-part message in MIME format.', '');
  for (const part of node.parts) {
    lines.push(`--${node.boundary}`);
    lines.push(...contentHeaders(part));
    lines.push('');
    lines.push(renderBody(part));
  }
  lines.push(`--${node.boundary}--`);
  return lines.join('\r\n');
}

// ---- headers -------------------------------------------------------------------------------

/** RFC 2047 encoded word (B encoding) when needed, otherwise the text. */
export function encodeWord(text: string): string {
  if (isAscii(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** "Name" <addr>, quoting or encoding the display name as needed. */
export function formatAddress(a: Address | string): string {
  if (typeof a === 'string') return a;
  if (!a.name) return a.email;
  if (!isAscii(a.name)) return `${encodeWord(a.name)} <${a.email}>`;
  if (/^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]+$/.test(a.name)) return `${a.name} <${a.email}>`;
  return `"${a.name.replace(/(["\\])/g, '\\$1')}" <${a.email}>`;
}

/** Folds a header of comma-separated items onto continuation lines. */
export function foldList(name: string, items: readonly string[]): string {
  const lines: string[] = [];
  let current = `${name}: `;
  items.forEach((item, i) => {
    const piece = item + (i < items.length - 1 ? ',' : '');
    if (current.length + piece.length > 76 && current.trim().length > name.length + 1) {
      lines.push(current.trimEnd());
      current = ' ';
    }
    current += piece + ' ';
  });
  lines.push(current.trimEnd());
  return lines.join('\r\n');
}

/** Folds a long unstructured header (subject) at spaces. */
export function foldText(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let current = `${name}:`;
  for (const word of words) {
    if (current.length + word.length + 1 > 76 && current.length > name.length + 1) {
      lines.push(current);
      current = '';
    }
    current += ' ' + word;
  }
  lines.push(current);
  return lines.join('\r\n');
}

export interface HeaderSpec {
  readonly from: Address;
  readonly to: readonly (Address | string)[];
  readonly cc?: readonly (Address | string)[];
  readonly subject: string;
  readonly date: string;
  readonly messageId: string;
  readonly inReplyTo?: string;
  readonly extra?: readonly string[];
}

/** A whole message: top-level headers plus the MIME tree. */
export function renderMessage(spec: HeaderSpec, root: MimeNode): string {
  const lines: string[] = [];
  lines.push(`From: ${formatAddress(spec.from)}`);
  if (spec.to.length > 0) lines.push(foldList('To', spec.to.map(formatAddress)));
  if (spec.cc && spec.cc.length > 0) lines.push(foldList('Cc', spec.cc.map(formatAddress)));
  const subject = isAscii(spec.subject) ? spec.subject : encodeWord(spec.subject);
  lines.push(isAscii(spec.subject) ? foldText('Subject', subject) : `Subject: ${subject}`);
  lines.push(`Date: ${spec.date}`);
  lines.push(`Message-ID: <${spec.messageId}>`);
  if (spec.inReplyTo) {
    lines.push(`In-Reply-To: <${spec.inReplyTo}>`);
    lines.push(`References: <${spec.inReplyTo}>`);
  }
  for (const extra of spec.extra ?? []) lines.push(extra);
  lines.push('MIME-Version: 1.0');
  lines.push(...contentHeaders(root));
  lines.push('');
  lines.push(renderBody(root));
  const raw = lines.join('\r\n') + '\r\n';
  if (/\r(?!\n)|(?<!\r)\n/.test(raw)) throw new Error('bare CR or LF in rendered message');
  for (const line of raw.split('\r\n')) if (Buffer.byteLength(line, 'latin1') > 998) throw new Error('line longer than 998 octets');
  return raw;
}
