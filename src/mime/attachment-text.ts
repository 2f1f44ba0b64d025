import { docxText } from './docx-text.js';
import { Readable } from 'node:stream';
import { extractMessage, type ExtractedAttachment } from './extract.js';
import { htmlToText } from './html-text.js';
import { pdfText } from './pdf-text.js';

export interface AttachmentTextLimits {
  readonly maxTextChars: number;
  readonly maxBytes: number;
  readonly pdfTimeoutMs: number;
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function kindOf(a: Pick<ExtractedAttachment, 'filename' | 'contentType'>): 'text' | 'html' | 'docx' | 'pdf' | 'message' | null {
  const name = a.filename.toLowerCase();
  if (a.contentType === 'message/rfc822' || name.endsWith('.eml')) return 'message';
  if (a.contentType === DOCX || name.endsWith('.docx')) return 'docx';
  if (a.contentType === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (a.contentType === 'text/html' || /\.html?$/.test(name)) return 'html';
  if (a.contentType.startsWith('text/') && a.contentType !== 'text/calendar') return 'text';
  if (/\.(csv|tsv|txt)$/.test(name)) return 'text';
  return null;
}

/** Documents whose text is read need all their bytes; for anything else the head is enough. */
export function needsWholeAttachment(a: Pick<ExtractedAttachment, 'filename' | 'contentType'>): boolean {
  return kindOf(a) !== null;
}

/** Text and HTML are read even when cut at the limit; a cut DOCX, PDF or message is not read at all. */
export function usesPartialBytes(a: Pick<ExtractedAttachment, 'filename' | 'contentType'>): boolean {
  const kind = kindOf(a);
  return kind === 'text' || kind === 'html';
}

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what UK practice software exports). */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** An attached message read as its recipient would: subject, bodies and its own documents' text. */
async function messageText(bytes: Buffer, limits: AttachmentTextLimits): Promise<string> {
  const inner = await extractMessage(Readable.from([bytes]), { maxTextChars: limits.maxTextChars, maxAttachmentBytes: limits.maxBytes });
  const parts = [inner.subject, ...inner.texts.map((t) => t.text)];
  for (const attachment of inner.attachments) {
    parts.push(attachment.filename);
    // One level deep: a message inside an attached message is read for its name only.
    if (kindOf(attachment) !== 'message') parts.push((await attachmentText(attachment, limits)) ?? '');
  }
  return parts.join('\n').slice(0, limits.maxTextChars);
}

/**
 * The text a person would read in a document attachment: CSV and plain text, HTML, DOCX and
 * PDF. Null for other types and for documents that cannot be read within the limits.
 */
export async function attachmentText(a: ExtractedAttachment, limits: AttachmentTextLimits): Promise<string | null> {
  const clip = (text: string) => text.slice(0, limits.maxTextChars);
  switch (kindOf(a)) {
    case 'text':
      return clip(decodeText(a.bytes));
    case 'html':
      return clip(htmlToText(decodeText(a.bytes).slice(0, limits.maxTextChars * 2), limits.maxTextChars));
    case 'docx':
      return a.complete ? docxText(a.bytes, { maxBytes: limits.maxBytes, maxTextChars: limits.maxTextChars }) : null;
    case 'message':
      return a.complete ? messageText(a.bytes, limits) : null;
    case 'pdf':
      return a.complete ? pdfText(a.bytes, { maxPages: 50, maxTextChars: limits.maxTextChars, timeoutMs: limits.pdfTimeoutMs }) : null;
    default:
      return null;
  }
}
