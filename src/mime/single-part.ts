import { MimeNode } from '@zone-eu/mailsplit';
import libbase64 from 'libbase64';
import { decode as decodeQuotedPrintable } from 'libqp';
import { MailParser, type AddressObject } from 'mailparser';
import { addressFields, clip, displayNames, type ExtractedMessage, type ExtractLimits } from './extract.js';
import { htmlToText } from './html-text.js';

/**
 * Much mail is one text or HTML body in UTF-8 or ASCII. For that the message is read here from the bytes at once, at a fraction of what
 * mailparser's streams cost, with mailparser's own pieces where it matters: mailsplit parses
 * the MIME header (content type, charset, disposition, encoding), mailparser's header
 * processing decodes subject and addresses, and the transfer encoding is undone as mailsplit's
 * decoders do. Anything else (multipart, attachments, another charset, format=flowed)
 * returns null: the caller takes the full parser. A test runs every message of the labelled
 * corpus and the shared fixtures both ways.
 */
export function extractSinglePart(message: Buffer, limits: Pick<ExtractLimits, 'maxTextChars'>): ExtractedMessage | null {
  const end = message.indexOf('\r\n\r\n');
  if (end <= 0 || message.subarray(0, 2).equals(CRLF) || hasBareLf(message.subarray(0, end))) return null;
  const node = new MimeNode(false, {});
  node.addHeaderChunk(message.subarray(0, end + 4));
  node.parseHeaders();
  const parsed = node.headers;
  if (!parsed) return null;
  const type = node.contentType || 'text/plain';
  if (node.multipart || (type !== 'text/plain' && type !== 'text/html')) return null;
  if ((node.disposition && node.disposition !== 'inline') || node.filename || node.flowed) return null;
  if (node.encoding && !DECODABLE.has(node.encoding)) return null;
  if (node.charset && !UTF8_COMPATIBLE.has(node.charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return null;

  const headers = headerProcessor.processHeaders(parsed.getList());
  const body = decodeTransfer(node.encoding || '', message.subarray(end + 4))
    .toString('utf8')
    .replace(/\r?\n/g, '\n');
  const texts =
    body === ''
      ? []
      : type === 'text/plain'
        ? [{ location: 'body:text', text: clip(body, limits.maxTextChars) }]
        : [{ location: 'body:html', text: htmlToText(clip(body, limits.maxTextChars * 2), limits.maxTextChars) }];
  const names = displayNames(['from', 'to', 'cc'].map((key) => headers.get(key) as AddressObject | AddressObject[] | undefined));
  const lines = parsed.lines as { line: string }[];
  const section = Buffer.from(lines.map((l) => l.line).join('\r\n') + '\r\n', 'utf8');
  const subject = headers.get('subject');
  return {
    subject: typeof subject === 'string' ? subject : '',
    ...addressFields(section),
    names,
    texts,
    attachments: [],
    embeddedHeaders: [],
  };
}

const CRLF = Buffer.from('\r\n');
const DECODABLE = new Set(['7bit', '8bit', 'binary', 'quoted-printable', 'base64']);
/** Charsets whose bytes mailparser reads as UTF-8 without converting (its own list). */
const UTF8_COMPATIBLE = new Set(['ascii', 'usascii', 'utf8']);

/** mailparser's header processing, shared: it keeps no state between calls. */
const headerProcessor = new MailParser() as unknown as {
  processHeaders(lines: unknown): Map<string, unknown>;
};

/** A line feed without its carriage return: mailsplit would end the header elsewhere. */
function hasBareLf(head: Buffer): boolean {
  for (let at = head.indexOf(0x0a); at !== -1; at = head.indexOf(0x0a, at + 1)) if (at === 0 || head[at - 1] !== 0x0d) return true;
  return false;
}

/** The body as mailsplit's decoders give it when the whole body arrives in one piece. */
function decodeTransfer(encoding: string, body: Buffer): Buffer {
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body.toString('binary'));
  if (encoding !== 'base64') return body;
  // libbase64's Decoder: other characters dropped, whole quartets (up to the last padding)
  // decoded together and a short remainder on its own.
  let quartets = body.toString('latin1').replace(/[^a-zA-Z0-9+/=]/g, '');
  const lastPad = quartets.lastIndexOf('=');
  const padded = lastPad >= 0 ? quartets.slice(0, lastPad + 1) : '';
  quartets = quartets.slice(lastPad + 1);
  const restLength = quartets.length < 4 ? quartets.length : quartets.length % 4;
  const rest = quartets.slice(quartets.length - restLength);
  const whole = padded + quartets.slice(0, quartets.length - restLength);
  return Buffer.concat([whole ? libbase64.decode(whole) : Buffer.alloc(0), rest ? libbase64.decode(rest) : Buffer.alloc(0)]);
}
