import { Inflate } from 'fflate';

/**
 * The text a person reads in a Word document (DOCX): the body, headers and footers, footnotes,
 * endnotes and comments, in that order. Paragraphs end with a newline, tabs stay tabs, and a
 * table becomes one line per row with its cells separated by tabs (so a column such as
 * "NHS Number" stays a column header for the detectors).
 *
 * Zip bombs: the archive's central directory is read by hand (bounded), only the wanted parts
 * are inflated, and inflation goes through fflate's streaming inflater in small slices while
 * counting the output, so a part that lies about its uncompressed size is stopped at the limit
 * instead of being inflated in full (fflate's `unzipSync` would trust the declared size for
 * the buffer but still decode the whole stream). Returns null for anything that is not a
 * readable DOCX or exceeds the limits (encrypted, ZIP64, a compression method other than
 * stored or deflate, a part over the size limits).
 */
export interface DocxLimits {
  /** Maximum size of the DOCX file and of the parts read from it, once inflated (all together). */
  readonly maxBytes: number;
  /** The text is cut at this many characters. */
  readonly maxTextChars: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const MAX_ENTRIES = 10_000;
const INFLATE_SLICE = 4096;

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

class LimitExceeded extends Error {}

export function docxText(bytes: Buffer, limits: DocxLimits): string | null {
  if (bytes.length > limits.maxBytes) return null;
  try {
    const entries = centralDirectory(bytes);
    if (!entries || !entries.some((e) => e.name === 'word/document.xml')) return null;
    const wanted = entries.filter((e) => partRank(e.name) !== null).sort((a, b) => comparePartNames(a.name, b.name));
    // Refuse on the declared sizes first (cheap), then enforce them while inflating.
    let declared = 0;
    for (const entry of wanted) declared += entry.size;
    if (declared > limits.maxBytes) return null;
    const budget = { remaining: limits.maxBytes };
    const out = new TextBuilder(limits.maxTextChars);
    for (const entry of wanted) {
      const xml = new TextDecoder('utf-8').decode(readPart(bytes, entry, budget));
      xmlToText(xml, out);
      if (out.full) break;
    }
    return out.text();
  } catch {
    return null; // malformed archive, corrupt deflate stream or over the limits
  }
}

/**
 * Parts of the document a reader sees, in reading order; null for the rest (styles, images,
 * settings, relationships …).
 */
function partRank(name: string): number | null {
  if (name === 'word/document.xml') return 0;
  if (/^word\/header\d{0,4}\.xml$/.test(name)) return 1;
  if (/^word\/footer\d{0,4}\.xml$/.test(name)) return 2;
  if (name === 'word/footnotes.xml') return 3;
  if (name === 'word/endnotes.xml') return 4;
  if (name === 'word/comments.xml') return 5;
  return null;
}

function comparePartNames(a: string, b: string): number {
  const rank = partRank(a)! - partRank(b)!;
  if (rank !== 0) return rank;
  const na = Number(/(\d+)\.xml$/.exec(a)?.[1] ?? 0);
  const nb = Number(/(\d+)\.xml$/.exec(b)?.[1] ?? 0);
  return na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

/** The central directory's entries, or null when this is not a (supported) zip archive. */
function centralDirectory(bytes: Buffer): Entry[] | null {
  if (bytes.length < EOCD_SIZE) return null;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  let eocd = -1;
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = bytes.readUInt16LE(eocd + 10);
  const cdSize = bytes.readUInt32LE(eocd + 12);
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || count > MAX_ENTRIES) return null; // ZIP64 or absurd
  if (cdOffset + cdSize > eocd) return null;
  const entries: Entry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE) return null;
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localOffset = bytes.readUInt32LE(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > eocd) return null;
    const name = bytes.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
    if (partRank(name) !== null) {
      if (flags & 0x1) return null; // encrypted
      if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) return null; // ZIP64
      entries.push({ name, method, compressedSize, size, localOffset });
    } else {
      entries.push({ name, method, compressedSize: 0, size: 0, localOffset: 0 });
    }
    at = next;
  }
  return entries;
}

/** One part's bytes, inflated with the output counted against `budget`. */
function readPart(bytes: Buffer, entry: Entry, budget: { remaining: number }): Uint8Array {
  const local = entry.localOffset;
  if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL_SIGNATURE) throw new Error('bad local header');
  const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new Error('part past the end');
  const data = bytes.subarray(start, end);
  // Never more than the part declared, and never more than the budget left.
  const cap = Math.min(entry.size, budget.remaining);
  if (entry.method === 0) {
    if (data.length > cap) throw new LimitExceeded();
    budget.remaining -= data.length;
    return data;
  }
  if (entry.method !== 8) throw new Error('unsupported compression');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > cap) throw new LimitExceeded();
    chunks.push(chunk);
  });
  if (data.length === 0) inflater.push(data, true);
  for (let at = 0; at < data.length; at += INFLATE_SLICE) {
    inflater.push(data.subarray(at, at + INFLATE_SLICE), at + INFLATE_SLICE >= data.length);
  }
  budget.remaining -= total;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Accumulates text up to a character limit. */
class TextBuilder {
  #parts: string[] = [];
  #length = 0;
  full = false;

  constructor(private readonly max: number) {}

  add(text: string): void {
    if (this.full || text === '') return;
    const room = this.max - this.#length;
    if (text.length >= room) {
      this.#parts.push(text.slice(0, room));
      this.#length = this.max;
      this.full = true;
      return;
    }
    this.#parts.push(text);
    this.#length += text.length;
  }

  /** The last character added ('' when none). */
  last(): string {
    const part = this.#parts[this.#parts.length - 1];
    return part ? part[part.length - 1]! : '';
  }

  /** Removes trailing spaces and tabs (before a cell or row end). */
  trimEnd(chars: string): void {
    while (this.#parts.length > 0) {
      const part = this.#parts[this.#parts.length - 1]!;
      let cut = part.length;
      while (cut > 0 && chars.includes(part[cut - 1]!)) cut--;
      this.#length -= part.length - cut;
      if (cut > 0) {
        this.#parts[this.#parts.length - 1] = part.slice(0, cut);
        return;
      }
      this.#parts.pop();
    }
  }

  text(): string {
    return this.#parts.join('');
  }
}

/** A tag's opening: optional slash, optional prefix, local name, and whether it closes itself. */
const TAG_NAME = /^<(\/?)(?:[A-Za-z_][\w.-]{0,80}:)?([A-Za-z_][\w.-]{0,80})/;
const ENTITY = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * WordprocessingML to text, in one pass over the tags (indexOf, no backtracking). Text comes
 * only from `<w:t>` and `<w:delText>` (and DrawingML's and Office Math's `<a:t>`, `<m:t>`):
 * field codes and whitespace between tags are not text.
 */
function xmlToText(xml: string, out: TextBuilder): void {
  let inText = 0;
  let cellDepth = 0;
  let at = 0;
  while (!out.full) {
    const open = xml.indexOf('<', at);
    if (open === -1) break;
    if (inText > 0 && open > at) out.add(decodeEntities(xml.slice(at, open)));
    const close = xml.indexOf('>', open + 1);
    if (close === -1) break;
    at = close + 1;
    const tag = xml.slice(open, close + 1);
    const name = TAG_NAME.exec(tag);
    if (!name) continue; // comment, processing instruction, declaration, CDATA
    const closing = name[1] === '/';
    const selfClosing = tag.endsWith('/>');
    switch (name[2]) {
      case 't':
      case 'delText':
        if (!selfClosing) inText = Math.max(0, inText + (closing ? -1 : 1));
        break;
      case 'tab':
        if (!closing && !isTabStopDefinition(tag)) out.add('\t');
        break;
      case 'br':
      case 'cr':
        if (!closing) out.add(cellDepth > 0 ? ' ' : '\n');
        break;
      case 'noBreakHyphen':
        out.add('-');
        break;
      case 'p':
        if (closing || selfClosing) endParagraph(out, cellDepth);
        break;
      case 'tc':
        if (!closing && !selfClosing) cellDepth++;
        else if (closing) {
          cellDepth = Math.max(0, cellDepth - 1);
          out.trimEnd(' \n');
          out.add('\t');
        }
        break;
      case 'tr':
        if (closing) {
          out.trimEnd(' \t');
          out.add('\n');
        }
        break;
      default:
        break;
    }
  }
}

/** `<w:tab w:val="left" w:pos="720"/>` inside `<w:tabs>` defines a tab stop, it is not a tab. */
function isTabStopDefinition(tag: string): boolean {
  return tag.includes(':pos=') || tag.includes(' pos=');
}

function endParagraph(out: TextBuilder, cellDepth: number): void {
  if (cellDepth > 0) {
    // Paragraphs inside a cell stay on the row's line.
    const last = out.last();
    if (last !== '' && last !== ' ' && last !== '\t' && last !== '\n') out.add(' ');
    return;
  }
  out.add('\n');
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
    return String.fromCodePoint(code);
  });
}
