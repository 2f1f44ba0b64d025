import { PassThrough, Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeAll } from '../core/pipe-all.js';
import { Splitter, type SplitterChunk } from '@zone-eu/mailsplit';
import { BodySelector } from './body-selection.js';
import { classifyMessage } from './message-class.js';
import { boundaryOf, headerBlockEnded, headerEol, rawHeaders, type Node } from './mime-node.js';
import { rewriteBodyPart } from './rewrite-part.js';
import type { DisclaimerContent, RewriteReport, RewriteSettings, UntouchedReason } from './types.js';
import { addedBoundary, disclaimerPart, isWrapped, wrapMessage } from './wrap.js';

export interface RewriteInput {
  readonly settings: RewriteSettings;
  /**
   * Chosen once the top headers are known (the text depends on the sender); null: no
   * disclaimer applies to this message.
   */
  readonly choose: (root: Node) => DisclaimerContent | null;
  /** Makes the `wrap` boundary unique to the message and stable across retries (the queue id). */
  readonly seed: string;
}

/** Limits for the parser: a part header this large or this many parts is not a message to rewrite. */
const SPLITTER_LIMITS = { ignoreEmbedded: true, maxHeadSize: 2 * 1024 * 1024, maxChildNodes: 10_000 };

/**
 * The streaming rewriter: raw message in, raw message out. Only the text and HTML body parts
 * are held (up to `maxBodyPartSize` each) to be decoded, changed and re-encoded; every other
 * byte passes through as it came, so attachments are never decoded and memory stays flat
 * whatever the message size. `report` settles when the output has ended.
 */
export function createRewriter(input: RewriteInput): { readonly splitter: Splitter; readonly joiner: DisclaimerJoiner } {
  return { splitter: new Splitter(SPLITTER_LIMITS), joiner: new DisclaimerJoiner(input) };
}

interface PendingPart {
  readonly node: Node;
  readonly chunks: Buffer[];
  size: number;
}

/** Splitter objects in, bytes out: mailsplit's Joiner, with body parts rewritten on the way. */
export class DisclaimerJoiner extends Transform {
  readonly #input: RewriteInput;
  readonly #selector = new BodySelector();
  #content: DisclaimerContent | null = null;
  #root: Node | null = null;
  #addedPart = false;
  /** Set when the whole message passes through untouched. */
  #passReason: UntouchedReason | null = null;
  #wrapTail: Buffer | null = null;
  #pending: PendingPart | null = null;
  #changed = 0;
  readonly #skipped: UntouchedReason[] = [];
  #report: RewriteReport | null = null;

  constructor(input: RewriteInput) {
    super({ writableObjectMode: true, readableObjectMode: false });
    this.#input = input;
  }

  /** Available once the stream has finished. */
  get report(): RewriteReport {
    if (!this.#report) throw new Error('the rewriter has not finished');
    return this.#report;
  }

  override _transform(chunk: SplitterChunk, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (chunk.type === 'node') this.#onNode(chunk);
      else if (chunk.type === 'body' && this.#pending) this.#onPendingBody(chunk.value);
      else {
        this.#finishPending(chunk.type === 'data' ? chunk.value : null);
        if (chunk.type === 'data' && chunk.node === this.#root) this.#onRootData(chunk.value);
        else this.push(chunk.value);
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#finishPending();
      if (this.#wrapTail) this.push(this.#wrapTail);
      this.#report = this.#summary();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  #onNode(node: Node): void {
    this.#finishPending();
    if (node.root) {
      this.#onRoot(node);
      return;
    }
    if (this.#passReason || this.#wrapTail) {
      this.push(rawHeaders(node));
      return;
    }
    this.#select(node);
  }

  #onRoot(root: Node): void {
    const { settings } = this.#input;
    this.#root = root;
    this.#content = this.#input.choose(root);
    const { sealed, machine } = classifyMessage(root);
    if (!this.#content) this.#passReason = 'no-disclaimer';
    else if (machine && settings.skipMachineMail) this.#passReason = machine;
    else if (sealed && isWrapped(root)) this.#passReason = 'already-present';
    else if (sealed) {
      if (settings.signed === 'wrap') {
        const wrapping = wrapMessage(root, this.#content, this.#input.seed, headerEol(root));
        this.push(wrapping.head);
        this.#wrapTail = wrapping.tail;
        return;
      }
      this.#passReason = sealed;
    }
    if (this.#passReason) {
      this.push(rawHeaders(root));
      return;
    }
    this.#select(root);
  }

  /**
   * A multipart/mixed with no text body of its own (a scanner's PDF, a forwarded file) gets a
   * disclaimer part of its own, added as its last part, just before the closing delimiter.
   */
  #onRootData(value: Buffer): void {
    const root = this.#root;
    const content = this.#content;
    if (!root || !content || root.multipart !== 'mixed' || this.#passReason || this.#wrapTail || this.#addedPart || this.#selector.hasBody(root)) {
      this.push(value);
      return;
    }
    const at = closingDelimiterAt(value, root);
    if (at < 0) {
      this.push(value);
      return;
    }
    const eol = headerEol(root);
    const boundary = boundaryOf(root);
    if (!boundary) {
      this.push(value);
      return;
    }
    this.#addedPart = true;
    this.#changed++;
    this.push(value.subarray(0, at));
    this.push(Buffer.from(`--${boundary}${eol}${disclaimerPart(content, addedBoundary(this.#input.seed, 'added'), eol)}`, 'latin1'));
    this.push(value.subarray(at));
  }

  #select(node: Node): void {
    const selection = this.#selector.select(node);
    if (selection.kind === 'body' && headerBlockEnded(node)) {
      this.#pending = { node, chunks: [], size: 0 };
      return;
    }
    // A message that stops inside a body part's headers: text added there would be read as headers.
    if (selection.kind === 'body') this.#skipped.push('unparseable');
    else if (selection.kind === 'blocked') this.#skipped.push(selection.reason);
    this.push(rawHeaders(node));
  }

  #onPendingBody(value: Buffer): void {
    const pending = this.#pending;
    if (!pending) return;
    pending.chunks.push(value);
    pending.size += value.length;
    if (pending.size > this.#input.settings.maxBodyPartSize) {
      // Too big to hold: what arrived goes out as it came, and so does the rest of the part.
      this.#pending = null;
      this.#skipped.push('part-too-large');
      this.push(rawHeaders(pending.node));
      for (const c of pending.chunks) this.push(c);
    }
  }

  /** `delimiter`: the data chunk (a boundary line) that ends the part, when one does. */
  #finishPending(delimiter: Buffer | null = null): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    const whole = Buffer.concat(pending.chunks, pending.size);
    const content = this.#content;
    const carried = delimiter && pending.node.parentNode ? delimiterLineBreak(whole, delimiter) : 0;
    const raw = whole.subarray(0, whole.length - carried);
    const result = content ? rewriteBodyPart(pending.node, raw, content, this.#input.settings) : 'no-disclaimer';
    if (typeof result === 'string') {
      this.#skipped.push(result);
      this.push(rawHeaders(pending.node));
      this.push(whole);
      return;
    }
    this.#changed++;
    this.push(result.headers);
    this.push(result.body);
    if (carried) this.push(whole.subarray(raw.length));
  }

  #summary(): RewriteReport {
    if (this.#wrapTail) return { outcome: 'wrapped', reason: null, partsChanged: 0, partsSkipped: [] };
    if (this.#changed > 0) return { outcome: 'inserted', reason: null, partsChanged: this.#changed, partsSkipped: [...this.#skipped] };
    const reason = this.#passReason ?? this.#skipped[0] ?? 'no-body-part';
    return { outcome: 'unchanged', reason, partsChanged: 0, partsSkipped: [...this.#skipped] };
  }
}

/** Rewrites `source` into `sink` (which is ended), resolving with what was done. */
export async function rewriteMessage(source: Readable, sink: Writable, input: RewriteInput): Promise<RewriteReport> {
  const { splitter, joiner } = createRewriter(input);
  // mailsplit's typings narrow the events of what is a Transform.
  await pipeAll(source, splitter as unknown as Transform, joiner, sink);
  return joiner.report;
}

/** The same, for a message in memory (tests, `disclaimer apply`, previews). */
export async function rewriteBuffer(message: Buffer, input: RewriteInput): Promise<{ output: Buffer; report: RewriteReport }> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const report = await rewriteMessage(Readable.from([message]), sink, input);
  return { output: Buffer.concat(chunks), report };
}

/**
 * The line break before a delimiter belongs to the delimiter, and mailsplit hands it over with
 * the delimiter line, except when it is all a part's body holds, where it depends on how the
 * bytes arrived. Its length when it is still at the end of the body: it is kept out of the
 * rewrite so the output does not depend on chunking.
 */
function delimiterLineBreak(body: Buffer, delimiter: Buffer): number {
  if (delimiter[0] === 0x0a || delimiter[0] === 0x0d || body.at(-1) !== 0x0a) return 0;
  return body.at(-2) === 0x0d ? 2 : 1;
}

/** Where the multipart's closing delimiter line ("--boundary--") starts in a chunk, or -1. */
function closingDelimiterAt(chunk: Buffer, multipart: Node): number {
  const boundary = boundaryOf(multipart);
  if (!boundary) return -1;
  const delimiter = Buffer.from(`--${boundary}--`, 'latin1');
  for (let at = chunk.indexOf(delimiter); at >= 0; at = chunk.indexOf(delimiter, at + 1)) {
    if (at === 0 || chunk[at - 1] === 0x0a) return at;
  }
  return -1;
}
