import { describe, expect, it } from 'vitest';
import { pdfText, type PdfLimits } from '../../../src/mime/pdf-text.js';

// ---------------------------------------------------------------------------------------------
// A hand-written PDF 1.4 builder: catalog, pages, one content stream per page, Helvetica,
// and an xref table whose offsets are computed here.
// ---------------------------------------------------------------------------------------------

/** A PDF literal string: (text) with \, ( and ) escaped. */
const lit = (text: string): string => `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;

interface PdfOptions {
  /** Extra entries for the trailer dictionary (e.g. an /Encrypt reference). */
  readonly trailerExtra?: string;
  /** Extra objects appended after the fonts (body text of `n 0 obj … endobj`). */
  readonly extraObjects?: readonly string[];
}

function pdf(pages: readonly string[], options: PdfOptions = {}): Buffer {
  const objects: string[] = [];
  const pageCount = pages.length;
  // 1: catalog, 2: pages, 3..: page objects, then content streams, then the font.
  const firstPage = 3;
  const firstContent = firstPage + pageCount;
  const font = firstContent + pageCount;
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  const kids = pages.map((_, i) => `${firstPage + i} 0 R`).join(' ');
  objects[2] = `<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`;
  pages.forEach((content, i) => {
    objects[firstPage + i] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${firstContent + i} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`;
    objects[firstContent + i] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
  });
  objects[font] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  for (const extra of options.extraObjects ?? []) objects.push(extra);

  let body = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  for (let n = 1; n < objects.length; n++) {
    offsets[n] = Buffer.byteLength(body, 'latin1');
    body += `${n} 0 obj\n${objects[n]}\nendobj\n`;
  }
  const xrefOffset = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objects.length; n++) body += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R ${options.trailerExtra ?? ''}>>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const LIMITS: PdfLimits = { maxPages: 20, maxTextChars: 100_000, timeoutMs: 20_000 };

const PATIENT_LINE = 'BT /F1 12 Tf 72 712 Td (Patient: Jane Smith NHS No 943 476 5919) Tj ET';

// ---------------------------------------------------------------------------------------------

describe('pdfText', () => {
  it('reads the text of a one-page PDF', async () => {
    expect(await pdfText(pdf([PATIENT_LINE]), LIMITS)).toBe('Patient: Jane Smith NHS No 943 476 5919\n');
  });

  it('puts lines at different heights on separate lines', async () => {
    const content = [
      'BT /F1 12 Tf 72 712 Td',
      `${lit('Referral: Mr John O\'Brien (DOB 12/03/1967)')} Tj`,
      `0 -14 Td ${lit('Hospital number: RX1234567')} Tj`,
      `0 -14 Td ${lit('Address: 5 Park Road, Leeds LS1 4AP')} Tj`,
      'ET',
    ].join('\n');
    expect(await pdfText(pdf([content]), LIMITS)).toBe("Referral: Mr John O'Brien (DOB 12/03/1967)\nHospital number: RX1234567\nAddress: 5 Park Road, Leeds LS1 4AP\n");
  });

  it('joins text objects on the same line with a space (a labelled form field)', async () => {
    const content = ['BT /F1 12 Tf 72 700 Td (NHS Number:) Tj ET', 'BT /F1 12 Tf 200 700 Td (943 476 5919) Tj ET', 'BT /F1 12 Tf 72 680 Td (Name:) Tj ET', 'BT /F1 12 Tf 200 680 Td (Jane Smith) Tj ET'].join('\n');
    expect(await pdfText(pdf([content]), LIMITS)).toBe('NHS Number: 943 476 5919\nName: Jane Smith\n');
  });

  it('keeps kerned text (TJ arrays) together', async () => {
    const content = 'BT /F1 12 Tf 72 700 Td [(94) -15 (3 47) 10 (6 5919)] TJ ET';
    expect(await pdfText(pdf([content]), LIMITS)).toBe('943 476 5919\n');
  });

  it('reads every page, separated by a blank line, up to maxPages', async () => {
    const pages = ['one', 'two', 'three'].map((w) => `BT /F1 12 Tf 72 712 Td (Page ${w}) Tj ET`);
    expect(await pdfText(pdf(pages), LIMITS)).toBe('Page one\n\nPage two\n\nPage three\n');
    expect(await pdfText(pdf(pages), { ...LIMITS, maxPages: 2 })).toBe('Page one\n\nPage two\n');
    expect(await pdfText(pdf(pages), { ...LIMITS, maxPages: 0 })).toBe('');
  });

  it('cuts the text at maxTextChars', async () => {
    expect(await pdfText(pdf([PATIENT_LINE]), { ...LIMITS, maxTextChars: 19 })).toBe('Patient: Jane Smith');
  });

  it('a page without text gives an empty string (e.g. a scan)', async () => {
    expect(await pdfText(pdf(['0 0 m 100 100 l S']), LIMITS)).toBe('');
  });

  it('reads a PDF whose xref offsets are wrong (pdf.js reconstructs it)', async () => {
    const bytes = pdf([PATIENT_LINE]);
    const text = bytes.toString('latin1').replace(/startxref\n\d+/, 'startxref\n999999');
    expect(await pdfText(Buffer.from(text, 'latin1'), LIMITS)).toBe('Patient: Jane Smith NHS No 943 476 5919\n');
  });

  it('leaves the input buffer usable (pdf.js gets a copy)', async () => {
    const bytes = pdf([PATIENT_LINE]);
    const before = Buffer.from(bytes);
    await pdfText(bytes, LIMITS);
    expect(bytes.equals(before)).toBe(true);
  });
});

describe('pdfText: refusals', () => {
  it.each<[string, Buffer]>([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('Patient: Jane Smith NHS No 943 476 5919')],
    ['a PDF header and garbage', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 31 + 7) % 256))])],
    ['a PDF truncated after the header', Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog')],
    ['a zip file', Buffer.from('PK\u0003\u0004' + '\u0000'.repeat(100), 'latin1')],
  ])('%s gives null', async (_label, bytes) => {
    expect(await pdfText(bytes, LIMITS)).toBeNull();
  });

  it('an encrypted PDF (password required) gives null', async () => {
    // Standard security handler, revision 2, with an owner/user key that no empty password opens.
    const o = '<' + '11'.repeat(32) + '>';
    const u = '<' + '22'.repeat(32) + '>';
    const bytes = pdf([PATIENT_LINE], {
      extraObjects: [`<< /Filter /Standard /V 1 /R 2 /O ${o} /U ${u} /P -44 >>`],
      trailerExtra: '/Encrypt 6 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] ',
    });
    expect(await pdfText(bytes, LIMITS)).toBeNull();
  });

  it('gives null when the time bound runs out', async () => {
    expect(await pdfText(pdf([PATIENT_LINE]), { ...LIMITS, timeoutMs: 0 })).toBeNull();
  });

  it('random corruption never throws', async () => {
    const original = pdf([PATIENT_LINE, 'BT /F1 12 Tf 72 712 Td (DOB 12/03/1967) Tj ET']);
    let seed = 2024;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 40; i++) {
      const bytes = Buffer.from(original);
      for (let k = 0; k < 4; k++) bytes[10 + Math.floor(next() * (bytes.length - 10))] = Math.floor(next() * 256);
      const text = await pdfText(bytes, LIMITS);
      expect(text === null || typeof text === 'string').toBe(true);
    }
  });

  it('1 MB of adversarial content returns', async () => {
    const nested = `BT /F1 12 Tf 72 712 Td ${'['.repeat(1 << 19)} ET`;
    const unbalanced = `BT /F1 12 Tf 72 712 Td (${'\\('.repeat(1 << 19)} Tj ET`;
    const many = 'BT /F1 12 Tf 72 712 Td ' + '(x) Tj 0 -1 Td '.repeat(70_000) + 'ET';
    for (const content of [nested, unbalanced, many]) {
      const text = await pdfText(pdf([content]), LIMITS);
      expect(text === null || typeof text === 'string').toBe(true);
    }
  });
});
