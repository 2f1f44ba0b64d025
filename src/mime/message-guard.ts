import type { ReplyName } from '../core/replies.js';

const CR = 0x0d;
const LF = 0x0a;
/**
 * A message starts with a header field (RFC 5322 2.2: a name of printable characters but the
 * colon, then a colon). Empty DATA, or text with no header section, is not a message: the
 * recipient's client would show no sender, and the sender rules would have no From to check.
 */
const HEADER_FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

export interface GuardLimits {
  readonly maxMessageSize: number;
  readonly maxLineLength: number;
  readonly maxHeaderSize: number;
}

/**
 * Checks the DATA stream as it passes (SMTP smuggling defence and limits): refuses bare CR,
 * bare LF and NUL anywhere, lines over the limit, an oversized header section or message.
 * After the first violation it passes nothing more but keeps consuming, because smtp-server
 * only replies once the stream has been read to its end. It also keeps a copy of the header
 * section (bounded by maxHeaderSize) for the sender checks, and refuses a message that does not
 * start with one.
 *
 * A checker the receive path calls for each chunk, not a stream stage of its own: under
 * back-pressure every stage holds a chunk (64 KiB) on each side, and with fifty uploads at once
 * that was a few MB of the relay's peak (README, Benchmark).
 */
export class MessageGuard {
  violation: ReplyName | null = null;
  bytes = 0;
  #lastByte = -1;
  #lineLength = 0;
  #inHeaders = true;
  #headerChunks: Buffer[] = [];
  #headerBytes = 0;
  /** The part of the current chunk that belongs to the header section (copied when the chunk is done). */
  #headerFrom = -1;
  #headerTo = -1;

  constructor(private readonly limits: GuardLimits) {}

  /** The header section (with its final empty line when the message had a body); joined once, when DATA has ended. */
  get headerSection(): Buffer {
    return this.#section ?? Buffer.concat(this.#headerChunks);
  }
  #section: Buffer | null = null;

  /** The chunk to pass on, or null: nothing is passed on once the message is refused. */
  take(chunk: Buffer): Buffer | null {
    if (this.violation || chunk.length === 0) return null;
    this.bytes += chunk.length;
    this.violation = this.bytes > this.limits.maxMessageSize ? 'messageTooLarge' : this.#scan(chunk);
    this.#copyHeaderPart(chunk);
    if (this.violation) {
      this.#headerChunks = [];
      return null;
    }
    return chunk;
  }

  /** DATA has ended: the checks that need its end. */
  end(): void {
    if (!this.violation && this.#lastByte === CR) this.violation = 'bareLineEnding';
    this.#section = Buffer.concat(this.#headerChunks);
    if (!this.violation && !HEADER_FIELD_START.test(this.#section.toString('latin1', 0, 1000))) this.violation = 'noHeaders';
  }

  #scan(buf: Buffer): ReplyName | null {
    if (buf.indexOf(0) !== -1) return 'nulOctet';
    // A CR that ended the previous chunk must be followed by this chunk's LF.
    if (this.#lastByte === CR && buf[0] !== LF) return 'bareLineEnding';
    let start = 0;
    while (start < buf.length) {
      const lf = buf.indexOf(LF, start);
      const end = lf === -1 ? buf.length : lf;
      const cr = buf.indexOf(CR, start);
      // A CR may only stand right before the LF (or at the very end of the chunk, pending).
      if (cr !== -1 && cr < end && cr !== end - 1) return 'bareLineEnding';
      if (lf === -1) {
        this.#lineLength += end - start;
        if (this.#lineLength > this.limits.maxLineLength + 1) return 'lineTooLong';
        this.#keepHeader(start, end);
        break;
      }
      const before = lf > 0 ? buf[lf - 1] : this.#lastByte;
      if (before !== CR) return 'bareLineEnding';
      this.#lineLength += end - start;
      if (this.#lineLength - 1 > this.limits.maxLineLength) return 'lineTooLong';
      this.#keepHeader(start, lf + 1);
      if (this.#inHeaders && this.#lineLength === 1) this.#inHeaders = false;
      if (this.#headerBytes > this.limits.maxHeaderSize) return 'headerTooLarge';
      this.#lineLength = 0;
      start = lf + 1;
    }
    this.#lastByte = buf[buf.length - 1]!;
    return this.#headerBytes > this.limits.maxHeaderSize ? 'headerTooLarge' : null;
  }

  #keepHeader(from: number, to: number): void {
    if (!this.#inHeaders || to <= from) return;
    this.#headerBytes += to - from;
    if (this.#headerBytes > this.limits.maxHeaderSize) return;
    if (this.#headerFrom === -1) this.#headerFrom = from;
    this.#headerTo = to;
  }

  /**
   * Header lines are consecutive, so a chunk holds at most one run of them: it is copied, so
   * that the header section does not keep whole DATA chunks (64 KiB each) alive to the end.
   */
  #copyHeaderPart(chunk: Buffer): void {
    if (this.#headerFrom === -1) return;
    if (!this.violation) this.#headerChunks.push(Buffer.from(chunk.subarray(this.#headerFrom, this.#headerTo)));
    this.#headerFrom = this.#headerTo = -1;
  }
}
