import type { MailParser } from 'mailparser';

/** What mailparser writes an attachment's body into: libbase64's or libqp's decoder, or a PassThrough. */
interface BodyDecoder {
  write(chunk: Buffer, ...rest: unknown[]): boolean;
  /** Decoded bytes so far (libbase64 counts them as it decodes; a PassThrough does not decode). */
  readonly outputBytes?: number;
}

/** The part of a mailparser tree node this module reads (mailparser's own, not public API). */
interface ParsedNode {
  readonly isAttachment?: boolean;
  /** 'base64', 'quoted-printable', or 'binary' for any other transfer encoding. */
  readonly encoding?: string;
  readonly decoder?: BodyDecoder;
  /** The same object mailparser later hands out as the attachment's `headers`. */
  readonly headers: object;
}

interface Feed {
  /** Decoded bytes wanted at most; past them the rest of the body is not decoded. */
  cap: number;
  /** Set once the rest of the body is no longer fed to the decoder. */
  cut: boolean;
}

/**
 * mailparser decodes every attachment to its last byte, while inspection keeps only the head
 * of most of them (see extract.ts): for a 5 MB attachment, decoding the rest was about a third
 * of the relay's CPU per message, and most of the inspection thread's garbage. AttachmentFeeds
 * lets the reader of each attachment say how many decoded bytes it will keep; once the
 * attachment's decoder has produced more than that, the rest of its body is no longer written
 * into it; the reader has then seen more bytes than it keeps, so it knows the attachment was
 * cut. The parser still reads past the rest (it must, to find the parts after it). What the reader keeps is what it kept before:
 * the cut is decided by decoded bytes, never by encoded ones (base64 padded with blank lines
 * still yields its full head).
 *
 * Base64 (libbase64 counts what it decodes, as it decodes it) and unencoded bodies are cut.
 * Quoted-printable is not: libqp decodes a body only at its end, so nothing tells how much of
 * it has been decoded before then (and QP attachments are rare: mailers encode binary files
 * in base64).
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
      if (created.isAttachment && created.decoder) this.#watch(created.headers, created.decoder, created.encoding);
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

  #watch(headers: object, decoder: BodyDecoder, encoding: string | undefined): void {
    if (encoding === 'quoted-printable') return;
    const feed: Feed = { cap: Infinity, cut: false };
    this.#feeds.set(headers, feed);
    let fed = 0;
    const write = decoder.write.bind(decoder);
    decoder.write = (chunk: Buffer, ...rest: unknown[]) => {
      if (feed.cut) {
        // Dropped, but a caller waiting for its write to complete still hears that it did.
        const done = rest.find((r): r is () => void => typeof r === 'function');
        if (done) process.nextTick(done);
        return true;
      }
      fed += chunk.length;
      const accepted = write(chunk, ...rest);
      // A write the decoder has buffered (backpressure) is counted once it is decoded, so
      // at most one write more is decoded than needed (a write is one chunk the parser got),
      // never less.
      const decoded = encoding === 'base64' ? (decoder.outputBytes ?? 0) : fed;
      if (decoded > feed.cap) feed.cut = true;
      return accepted;
    };
  }
}
