import { createHash } from 'node:crypto';
import * as libqp from 'libqp';
import { disclaimerElement } from './insert-html.js';
import { boundaryOf, type Node } from './mime-node.js';
import type { DisclaimerContent } from './types.js';

/**
 * The `wrap` fallback for signed mail: a new multipart/mixed whose first part is the original
 * content, byte for byte with its own Content-* headers (so its signature still verifies), and
 * whose second part is the disclaimer as text and HTML alternatives.
 */
export interface Wrapping {
  /** The new top header block (the original's, minus its Content-* fields, plus the new type). */
  readonly head: Buffer;
  /** Closes the original part, adds the disclaimer part and ends the message. */
  readonly tail: Buffer;
}

export function wrapMessage(root: Node, content: DisclaimerContent, seed: string, eol: string): Wrapping {
  const boundary = addedBoundary(seed, 'wrap');
  const lines = root.headers ? root.headers.getList() : [];
  const raw = (line: { line: string }): string => line.line.replace(/\r?\n/g, eol);
  const outer = lines.filter((l) => !l.key.startsWith('content-')).map(raw);
  const inner = lines.filter((l) => l.key.startsWith('content-')).map(raw);
  if (!lines.some((l) => l.key === 'mime-version')) outer.push('MIME-Version: 1.0');
  outer.push(`Content-Type: multipart/mixed;${eol} boundary="${boundary}"`);

  const head = [...outer, '', `This is a multi-part message in MIME format.`, `--${boundary}`, ...inner, '', ''].join(eol);
  const tail = ['', `--${boundary}`, disclaimerPart(content, `${boundary}_alt`, eol), `--${boundary}--`, ''].join(eol);
  return { head: Buffer.from(head, 'latin1'), tail: Buffer.from(tail, 'latin1') };
}

/**
 * A body part holding only the disclaimer, as text and HTML alternatives (headers, blank line,
 * content, ending with a line break): for wrapped mail, and for a multipart/mixed that has no
 * text body of its own (a scanner's PDF, say).
 */
export function disclaimerPart(content: DisclaimerContent, boundary: string, eol: string): string {
  return [
    `Content-Type: multipart/alternative;${eol} boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...qpPart('text/plain', content.text.replace(/\n/g, eol) + eol, eol),
    `--${boundary}`,
    ...qpPart('text/html', disclaimerElement(content, eol) + eol, eol),
    `--${boundary}--`,
    '',
  ].join(eol);
}

const ADDED_BOUNDARY_PREFIX = '----=_mouthguard_';

/** A boundary for parts the rewriter adds: unique to the message, the same on every retry. */
export function addedBoundary(seed: string, purpose: string): string {
  return `${ADDED_BOUNDARY_PREFIX}${createHash('sha256').update(`${purpose}:${seed}`).digest('hex').slice(0, 24)}`;
}

/**
 * The message is one the rewriter already wrapped. A DKIM-Signature stays in the outer headers
 * of a wrapped message, so without this a second pass would wrap it, and add the disclaimer, again.
 */
export function isWrapped(root: Node): boolean {
  return root.multipart === 'mixed' && (boundaryOf(root) ?? '').startsWith(ADDED_BOUNDARY_PREFIX);
}

function qpPart(type: string, body: string, eol: string): string[] {
  const encoded = libqp.wrap(libqp.encode(Buffer.from(body, 'utf8')), 76).replace(/\r?\n/g, eol);
  return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: quoted-printable', '', encoded.replace(/(\r?\n)$/, '')];
}
