import type { Readable } from 'node:stream';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import { AttachmentFeeds } from './attachment-feeds.js';
import { needsWholeAttachment, usesPartialBytes } from './attachment-text.js';
import type { BudgetAccount } from './byte-budget.js';
import { headerValues } from './header-fields.js';
import { htmlToText } from './html-text.js';

/** A unit of text a person would read, with where it came from. */
export interface ExtractedText {
  readonly location: string;
  readonly text: string;
  readonly tabular?: boolean;
}

/** An attachment as inspection sees it: name, type, and its first bytes (or all, if small). */
export interface ExtractedAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** Decoded bytes; when not `complete`, at least this many (the rest is not decoded). */
  readonly size: number;
  /** The decoded bytes, up to the limit; `complete` says whether that is all of them. */
  readonly bytes: Buffer;
  readonly complete: boolean;
}

export interface ExtractedMessage {
  readonly subject: string;
  /** Raw (unfolded) From, To and Cc header values of the message itself. */
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly texts: readonly ExtractedText[];
  readonly attachments: readonly ExtractedAttachment[];
  /** Decoded display names in From, To and Cc: correspondents, not patients. */
  readonly names: readonly string[];
  /** To/Cc/From of attached message/rfc822 parts. */
  readonly embeddedHeaders: readonly { from: string; to: string; cc: string }[];
}

export interface ExtractLimits {
  /** Characters kept per text unit. */
  readonly maxTextChars: number;
  /** Bytes kept per attachment. */
  readonly maxAttachmentBytes: number;
  /**
   * This message's share of the thread's attachment memory: bytes kept beyond each
   * attachment's free head are reserved here first (waiting for room pauses the stream).
   * Without it (input already in memory), nothing is reserved.
   */
  readonly budget?: BudgetAccount | undefined;
}

/** Enough of an image or radiograph for its EXIF and DICOM header; whole documents (bounded) for their text. */
const HEAD_BYTES = 256 * 1024;
/** Kept without a reservation: most attachments are smaller, and their detectors need no more. */
const FREE_HEAD_BYTES = 64 * 1024;

interface KeepPlan {
  /** Bytes kept at most. */
  readonly max: number;
  /** Once the attachment is known to be longer than `max`, only this head is worth keeping. */
  readonly headIfIncomplete: number;
}

function keepPlan(attachment: AttachmentStream, limits: ExtractLimits): KeepPlan {
  // Attached messages are read for their header only (their bodies mailparser already walks).
  const named = { filename: attachment.filename ?? '', contentType: attachment.contentType.toLowerCase() };
  const head = Math.min(HEAD_BYTES, limits.maxAttachmentBytes);
  if (!needsWholeAttachment(named)) return { max: head, headIfIncomplete: head };
  return { max: limits.maxAttachmentBytes, headIfIncomplete: usesPartialBytes(named) ? limits.maxAttachmentBytes : head };
}

export function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** The raw (unfolded) From, To and Cc values of a header section. */
export function addressFields(section: Buffer): { from: string; to: string; cc: string } {
  const pick = (name: string) => headerValues(section, name).join(', ');
  return { from: pick('from'), to: pick('to'), cc: pick('cc') };
}

/** The display names in mailparser's From, To and Cc address objects: correspondents, not patients. */
export function displayNames(groups: readonly (AddressObject | AddressObject[] | undefined)[]): string[] {
  return groups
    .flatMap((group) => [group ?? []].flat())
    .flatMap((group) => group.value.map((v) => v.name))
    .filter((n) => n.length > 0);
}

/**
 * Reads an attachment, keeping at most `plan.max` bytes. Past the free head the room is
 * reserved from the message's budget first (which may wait); once the attachment turns out
 * longer than `max`, only `plan.headIfIncomplete` is kept and the rest of the room given back.
 */
async function readBounded(stream: Readable, plan: KeepPlan, budget: BudgetAccount | undefined): Promise<{ bytes: Buffer; size: number; complete: boolean }> {
  let chunks: Buffer[] = [];
  let kept = 0;
  let size = 0;
  let reserved = 0;
  let limit = plan.max;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > plan.max && limit > plan.headIfIncomplete) {
      limit = plan.headIfIncomplete;
      if (kept > limit) {
        const head = Buffer.concat(chunks, kept).subarray(0, limit);
        chunks = [Buffer.from(head)];
        kept = limit;
      }
      const keep = Math.min(reserved, Math.max(0, limit - FREE_HEAD_BYTES));
      budget?.giveBack(reserved - keep);
      reserved = keep;
    }
    if (kept >= limit) continue;
    const part = chunk.subarray(0, limit - kept);
    if (budget && kept + part.length > FREE_HEAD_BYTES && reserved === 0) {
      reserved = limit - FREE_HEAD_BYTES;
      await budget.reserve(reserved);
    }
    chunks.push(part);
    kept += part.length;
  }
  return { bytes: Buffer.concat(chunks, kept), size, complete: size <= plan.max };
}

/**
 * mailparser's inner mailsplit streams are object-mode, so each buffers up to 16 chunks of up
 * to 64 KiB: about 2 MB per message whenever inspection is slower than the upload, which it is
 * for every message in a busy thread. One chunk each keeps them flowing at a fraction of that.
 * (Node's readable state is not public API: if it is ever missing, buffering is as before.)
 */
function limitInnerBuffers(parser: MailParser): void {
  const inner = parser as unknown as Record<'chunkedPassthrough' | 'splitter', { _readableState?: { highWaterMark?: number } } | undefined>;
  for (const stream of [inner.chunkedPassthrough, inner.splitter]) {
    const state = stream?._readableState;
    if (state && typeof state.highWaterMark === 'number') state.highWaterMark = 1;
  }
}

/**
 * Decodes a message the way a reader sees it: subject, text and HTML bodies (HTML read as
 * text), attachments (bounded bytes) and attached messages' headers, in any charset and
 * transfer encoding (mailparser). Memory: text bounded per unit, attachments bounded each
 * and decoded only as far as they are kept (AttachmentFeeds).
 * Rejects if the message cannot be parsed at all.
 */
export async function extractMessage(raw: Readable, limits: ExtractLimits): Promise<ExtractedMessage> {
  const parser = new MailParser({
    skipHtmlToText: true,
    skipImageLinks: true,
    skipTextLinks: true,
    skipTextToHtml: true,
    keepDeliveryStatus: true,
    checksumAlgo: false, // attachment checksums are never used: skip hashing every byte
  });
  limitInnerBuffers(parser);
  const feeds = new AttachmentFeeds();
  feeds.attach(parser);
  const texts: ExtractedText[] = [];
  const attachments: ExtractedAttachment[] = [];
  const embeddedHeaders: { from: string; to: string; cc: string }[] = [];
  let headerSection = Buffer.alloc(0);
  const pending: Promise<void>[] = [];

  parser.on('headerLines', (lines: { key: string; line: string }[]) => {
    headerSection = Buffer.from(lines.map((l) => l.line).join('\r\n') + '\r\n', 'utf8');
  });
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'text') {
      if (data.text) texts.push({ location: 'body:text', text: clip(data.text, limits.maxTextChars) });
      if (data.html) texts.push({ location: 'body:html', text: htmlToText(clip(data.html, limits.maxTextChars * 2), limits.maxTextChars) });
      return;
    }
    const attachment = data;
    const plan = keepPlan(attachment, limits);
    feeds.cap(attachment.headers, plan.max);
    const read = readBounded(attachment.content, plan, limits.budget)
      .then(({ bytes, size, complete }) => {
        const filename = attachment.filename ?? 'unnamed';
        // A cut attachment decoded more than plan.max bytes first, so readBounded already says incomplete.
        attachments.push({ filename, contentType: attachment.contentType.toLowerCase(), size, bytes, complete });
        if (attachment.contentType.toLowerCase() === 'message/rfc822') {
          const head = bytes.subarray(0, 64 * 1024);
          embeddedHeaders.push(addressFields(head));
        }
      })
      // Released even on failure, so that mailparser drains the rest and the stream keeps flowing.
      .finally(() => attachment.release?.());
    read.catch(() => undefined); // reported by Promise.all below; never an unhandled rejection meanwhile
    pending.push(read);
  });

  await new Promise<void>((resolve, reject) => {
    parser.once('end', resolve);
    parser.once('error', reject);
    raw.once('error', reject);
    raw.pipe(parser);
  });
  await Promise.all(pending);

  // mailparser sets these from the top-level headers (typed loosely: read them defensively).
  const parsed = parser as unknown as { subject?: string } & Partial<Record<'from' | 'to' | 'cc', AddressObject | AddressObject[]>>;
  const names = displayNames([parsed.from, parsed.to, parsed.cc]);
  return { subject: parsed.subject ?? '', ...addressFields(headerSection), names, texts, attachments, embeddedHeaders };
}
