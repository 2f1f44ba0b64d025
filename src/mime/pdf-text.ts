import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * The text layer of a PDF (what a reader could select and copy), with pdf.js (legacy build for
 * Node). Items on the same baseline are joined (with a space where there is a gap), lines end
 * with a newline and pages are separated by a blank line.
 *
 * No network, no code evaluation, no font loading: pdf.js is given the bytes only, with eval,
 * font faces, system fonts and worker fetches disabled. In Node pdf.js runs its "worker" in
 * this thread (a fake worker), so the time bound is cooperative: it is checked between pages
 * and races the whole extraction, and the document is destroyed when it runs out. Returns null
 * on any error (corrupt, encrypted, not a PDF) or timeout. Scanned PDFs (images only) give "".
 */
export interface PdfLimits {
  /** Only the first pages are read. */
  readonly maxPages: number;
  /** The text is cut at this many characters. */
  readonly maxTextChars: number;
  readonly timeoutMs: number;
}

type PdfJs = typeof PdfJsModule;
type PageProxy = Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>;
type ContentItem = Awaited<ReturnType<PageProxy['getTextContent']>>['items'][number];

let pdfjsModule: Promise<PdfJs> | null = null;

/** pdf.js is large: loaded on first use only (and once). */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsModule ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsModule;
}

/** VerbosityLevel.ERRORS: pdf.js would otherwise print warnings about malformed files. */
const ERRORS_ONLY = 0;

export async function pdfText(bytes: Buffer, limits: PdfLimits): Promise<string | null> {
  // Readers accept the header anywhere in the first kilobyte.
  if (bytes.subarray(0, 1024 + 5).indexOf('%PDF-') === -1) return null;
  let pdfjs: PdfJs;
  try {
    pdfjs = await loadPdfJs();
  } catch {
    return null;
  }
  const task = pdfjs.getDocument({
    // A copy: pdf.js takes ownership of (and may detach) the array it is given.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    disableAutoFetch: true,
    disableStream: true,
    disableRange: true,
    stopAtErrors: false,
    verbosity: ERRORS_ONLY,
  });
  // An encrypted PDF asks for a password: refuse instead of waiting for one.
  task.onPassword = () => {
    void task.destroy();
  };
  const deadline = Date.now() + limits.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), limits.timeoutMs);
  });
  const extraction = (async (): Promise<string | null> => {
    const doc = await task.promise;
    const pages = Math.min(doc.numPages, Math.max(0, limits.maxPages));
    const out: string[] = [];
    let length = 0;
    for (let n = 1; n <= pages && length < limits.maxTextChars; n++) {
      if (Date.now() >= deadline) return null; // at the deadline the time is up (a bound of 0 always is)
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      page.cleanup();
      const text = (n > 1 ? '\n' : '') + joinItems(content.items);
      out.push(text);
      length += text.length;
    }
    return out.join('').slice(0, limits.maxTextChars);
  })().catch(() => null);
  try {
    return await Promise.race([extraction, timeout]);
  } finally {
    clearTimeout(timer);
    await task.destroy().catch(() => undefined);
  }
}

/**
 * Joins text items into lines: a new line when the baseline moves (or pdf.js marks an end of
 * line), a space when there is a horizontal gap between items on the same line. Linear.
 */
function joinItems(items: readonly ContentItem[]): string {
  const lines: string[] = [];
  let line = '';
  let lastY: number | null = null;
  let lastEndX = 0;
  let lastHeight = 0;
  let lastEol = false;
  for (const item of items) {
    if (!('str' in item)) continue;
    if (item.str === '') {
      if (item.hasEOL) lastEol = true;
      continue;
    }
    const x = Number(item.transform[4]);
    const y = Number(item.transform[5]);
    const height = Math.abs(item.height) || Math.hypot(Number(item.transform[2]), Number(item.transform[3])) || 1;
    if (lastY !== null) {
      const size = Math.max(height, lastHeight);
      if (lastEol || Math.abs(y - lastY) > size / 2) {
        lines.push(line.trimEnd());
        line = '';
      } else if (x - lastEndX > size * 0.15 && !isSpace(line[line.length - 1]) && !isSpace(item.str[0])) {
        line += ' ';
      }
    }
    line += item.str;
    lastY = y;
    lastEndX = x + item.width;
    lastHeight = height;
    lastEol = item.hasEOL;
  }
  if (line !== '') lines.push(line.trimEnd());
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\u00a0';
}
