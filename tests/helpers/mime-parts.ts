import { Splitter, type MimeNode } from '@zone-eu/mailsplit';
import iconv from 'iconv-lite';
import * as libqp from 'libqp';

/** One MIME part as the splitter sees it: its header block and its raw body bytes. */
export interface SplitPart {
  readonly node: MimeNode;
  readonly headers: Buffer;
  readonly body: Buffer;
  /** Bytes between parts (boundaries, preamble, epilogue) that followed this part. */
  readonly after: Buffer;
}

/** Splits a message into its parts, in order (attached messages are not opened). */
export async function splitParts(message: Buffer): Promise<SplitPart[]> {
  const parts: { node: MimeNode; headers: Buffer; body: Buffer[]; after: Buffer[] }[] = [];
  const splitter = new Splitter({ ignoreEmbedded: true, maxHeadSize: 2 * 1024 * 1024 });
  splitter.end(message);
  for await (const chunk of splitter as AsyncIterable<MimeNode | { type: 'body' | 'data'; value: Buffer }>) {
    if (chunk.type === 'node') parts.push({ node: chunk, headers: chunk.getHeaders(), body: [], after: [] });
    else if (chunk.type === 'body') parts.at(-1)?.body.push(chunk.value);
    else parts.at(-1)?.after.push(chunk.value);
  }
  return parts.map((p) => ({ node: p.node, headers: p.headers, body: Buffer.concat(p.body), after: Buffer.concat(p.after) }));
}

/** A text part's content as a string (transfer encoding and charset undone), for comparisons. */
export function decodedText(part: SplitPart): string {
  const cte = (part.node.encoding || '').toLowerCase();
  const bytes =
    cte === 'base64' ? Buffer.from(part.body.toString('latin1').replace(/\s+/g, ''), 'base64') : cte === 'quoted-printable' ? libqp.decode(part.body) : part.body;
  // Declared ASCII (or nothing) but valid UTF-8 is read as UTF-8, as mail clients do.
  const declared = (part.node.charset || 'us-ascii').toLowerCase();
  const charset = declared === 'us-ascii' || declared === 'ascii' ? 'utf-8' : declared;
  if (iconv.encodingExists(charset)) return iconv.decode(bytes, charset);
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** True when any ancestor of the part is of the given content type. */
export function hasAncestor(part: SplitPart, types: readonly string[]): boolean {
  for (let n = part.node.parentNode; n; n = n.parentNode) if (types.includes(n.contentType || '')) return true;
  return false;
}
