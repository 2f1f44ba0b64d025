import type { MailParser } from 'mailparser';

/** What mailparser writes an attachment's body into: libbase64's or libqp's decoder, or a PassThrough. */
interface BodyDecoder {
  write(chunk: Buffer, ...rest: unknown[]): boolean;
  /** Decoded bytes so far (libbase64 and libqp count them; a PassThrough does not decode). */
  readonly outputBytes?: number;
}

/** The part of a mailparser tree node this module reads (mailparser's own, not public API). */
interface ParsedNode {
  readonly isAttachment?: boolean;
  readonly decoder?: BodyDecoder;
  /** The same object mailparser later hands out as the attachment's `headers`. */
  readonly headers: object;
}

interface Feed {
  /** Decoded bytes wanted at most; past them the rest of the body is not decoded. */
  cap: number;
  /** Body bytes written through to the decoder. */
  fed: number;
  /** Set once the rest of the body is no longer fed to the decoder. */
  cut: boolean;
}

/**
 * Encoded bytes fed per decoded byte wanted, at most: quoted-printable's worst case is three
 * ("=XX") plus its soft line breaks. libqp's decoder decodes only at the end of the body (it
 * counts nothing before), so for it this is the bound, and it also bounds what the decoder holds.
 */
const MAX_ENCODED_PER_DECODED = 4;
/** Fed beyond that, so that a small cap still lets the first lines through. */
const FEED_SLACK = 64 * 1024;

/**
 * mailparser decodes every attachment to its last byte, while inspection keeps only the head
 * of most of them (see extract.ts): for a 5 MB attachment, decoding the rest was about a third
 * of the relay's CPU per message, and most of the inspection thread's garbage. AttachmentFeeds
 * lets the reader of each attachment say how many decoded bytes it will keep; once the
 * attachment's decoder has produced more than that (or has been fed more than could decode to
 * it), the rest of its body is no longer written into it, and the reader learns that the
 * attachment was cut. The parser still reads past the rest (it must, to find the parts after it).
 *
 * This reaches into mailparser's tree nodes (`createNode`), which are not public API: if a
 * later mailparser has no such hook, `attach` says so and every attachment is decoded whole,
 * as before (the unit test checks that the hook is in use).
 */
export class AttachmentFeeds {
  readonly #feeds = new WeakMap<object, Feed>();

  /** Watches the attachments `parser` creates; false when this mailparser offers no hook. */
  attach(parser: MailParser): boolean {
    const internals = parser as unknown as { createNode?: (node: unknown) => ParsedNode };
    const createNode = internals.createNode;
    if (typeof createNode !== 'function') return false;
    internals.createNode = (node: unknown) => {
      const created = createNode.call(parser, node);
      if (created.isAttachment && created.decoder) this.#watch(created.headers, created.decoder);
      return created;
    };
    return true;
  }

  /**
   * At most `maxDecoded` bytes of the attachment whose `headers` these are will be read: its
   * decoder is fed until it has produced more than that, then no more. False for an
   * attachment this instance does not watch.
   */
  cap(headers: object, maxDecoded: number): boolean {
    const feed = this.#feeds.get(headers);
    if (!feed) return false;
    feed.cap = maxDecoded;
    return true;
  }

  /** Whether the end of this attachment's body was left undecoded (its bytes are not all of it). */
  wasCut(headers: object): boolean {
    return this.#feeds.get(headers)?.cut ?? false;
  }

  #watch(headers: object, decoder: BodyDecoder): void {
    const feed: Feed = { cap: Infinity, fed: 0, cut: false };
    this.#feeds.set(headers, feed);
    const write = decoder.write.bind(decoder);
    decoder.write = (chunk: Buffer, ...rest: unknown[]) => {
      if (feed.cut) return true;
      feed.fed += chunk.length;
      const accepted = write(chunk, ...rest);
      // libbase64 counts what it decodes as it decodes it; a write it has buffered
      // (backpressure) is counted later, so at most a buffer more is decoded.
      const decoded = decoder.outputBytes ?? feed.fed;
      if (decoded > feed.cap || feed.fed > feed.cap * MAX_ENCODED_PER_DECODED + FEED_SLACK) feed.cut = true;
      return accepted;
    };
  }
}
