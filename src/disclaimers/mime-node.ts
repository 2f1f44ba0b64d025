import { Libmime } from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';
import type { MimeNode } from '@zone-eu/mailsplit';

/** The parts of mailsplit's MimeNode the rewriter relies on, named once. */
export type Node = MimeNode;

/** The node's raw header block exactly as received (or as rebuilt after a change). */
export function rawHeaders(node: Node): Buffer {
  return node.getHeaders();
}

/**
 * The header block ended with its empty line. A message that stops inside a header block has
 * none, and text written after such a block would be read as more header lines.
 */
export function headerBlockEnded(node: Node): boolean {
  return /(^|\n)\r?\n$/.test(rawHeaders(node).toString('latin1'));
}

/** CRLF or LF, as the node's own header block uses. */
export function headerEol(node: Node): string {
  return rawHeaders(node).includes('\r\n') ? '\r\n' : '\n';
}

/** The boundary the splitter matched this multipart's parts by (case as written), or null. */
export function boundaryOf(node: Node): string | null {
  return node._boundary ? node._boundary.toString('latin1') : null;
}

export function headerValue(node: Node, key: string): string {
  return node.headers ? node.headers.getFirst(key) : '';
}

export function hasHeader(node: Node, key: string): boolean {
  return node.headers ? node.headers.hasHeader(key) : false;
}

/** A Content-Type parameter (lower-cased value), or ''. */
export function contentTypeParam(node: Node, name: string): string {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*"?([^";\\s]+)`, 'i').exec(headerValue(node, 'content-type'));
  return match?.[1]?.toLowerCase() ?? '';
}

export interface Sender {
  /** Lower case. */
  readonly address: string;
  /** The display name, decoded ("" when none). */
  readonly name: string;
}

/** The first mailbox of the top From header: whose disclaimer applies and whose name fills {{sender_name}}. */
export function senderOf(root: Node): Sender | null {
  const value = root.headers ? root.headers.getFirst('from') : '';
  const mailbox = addressparser(value, { flatten: true }).find((entry) => entry.address);
  if (!mailbox?.address) return null;
  return { address: mailbox.address.toLowerCase(), name: decodeWords(mailbox.name) };
}

const libmime = new Libmime();

function decodeWords(text: string): string {
  try {
    return libmime.decodeWords(text).trim();
  } catch {
    return text.trim();
  }
}
