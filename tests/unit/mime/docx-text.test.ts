import { strToU8, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { docxText, type DocxLimits } from '../../../src/mime/docx-text.js';

// ---------------------------------------------------------------------------------------------
// DOCX fixtures built in code: a minimal package ([Content_Types].xml + word/document.xml …).
// ---------------------------------------------------------------------------------------------

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;

const RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

const p = (...runs: string[]): string => `<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr>${runs.map((r) => `<w:r><w:t xml:space="preserve">${r}</w:t></w:r>`).join('')}</w:p>`;
const cell = (...paragraphs: string[]): string => `<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>${paragraphs.join('') || '<w:p/>'}</w:tc>`;
const row = (...cells: string[]): string => `<w:tr><w:trPr/>${cells.join('')}</w:tr>`;
const table = (...rows: string[]): string => `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="3000"/></w:tblGrid>${rows.join('')}</w:tbl>`;
const documentXml = (body: string): string => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${W}><w:body>${body}<w:sectPr/></w:body></w:document>`;
const partXml = (root: 'hdr' | 'ftr', body: string): string => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:${root} ${W}>${body}</w:${root}>`;

function docx(body: string, extra: Record<string, string> = {}, level: 0 | 6 = 6): Buffer {
  const files: Zippable = {
    '[Content_Types].xml': strToU8(CONTENT_TYPES),
    '_rels/.rels': strToU8(RELS),
    'word/document.xml': strToU8(documentXml(body)),
    'word/styles.xml': strToU8(`<w:styles ${W}><w:style><w:name w:val="Normal"/><w:t>NOT TEXT</w:t></w:style></w:styles>`),
  };
  for (const [name, xml] of Object.entries(extra)) files[name] = strToU8(xml);
  return Buffer.from(zipSync(files, { level }));
}

const LIMITS: DocxLimits = { maxBytes: 5 * 1024 * 1024, maxTextChars: 1_000_000 };

const REFERRAL_BODY = [
  p('Referral to Leeds Dental Institute'),
  p('Dear Colleague,'),
  table(
    row(cell(p('NHS Number')), cell(p('Patient')), cell(p('DOB'))),
    row(cell(p('943 476 5919')), cell(p('Jane', ' Smith'), p('(Mrs)')), cell(p('12/03/1967'))),
    row(cell(p('401 023 2137')), cell(), cell(p('01/01/1990'))),
  ),
  p('Please see ', 'UR6 &amp; UR7 &lt;urgent&gt; &#x2019;thanks&#8217;'),
  '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Name:</w:t></w:r><w:r><w:tab/><w:t>Jane Smith</w:t></w:r></w:p>',
].join('');

/** The offset of `name`'s entry in the archive's central directory. */
function centralEntry(zip: Buffer, name: string): number {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.toString('latin1', at + 46, at + 46 + nameLength) === name) return at;
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`no central entry for ${name}`);
}

// ---------------------------------------------------------------------------------------------

describe('docxText', () => {
  it('reads paragraphs, tables (one line per row, tab between cells), entities and tabs', () => {
    const text = docxText(docx(REFERRAL_BODY), LIMITS);
    expect(text).toBe(
      [
        'Referral to Leeds Dental Institute',
        'Dear Colleague,',
        'NHS Number\tPatient\tDOB',
        '943 476 5919\tJane Smith (Mrs)\t12/03/1967',
        '401 023 2137\t\t01/01/1990',
        'Please see UR6 & UR7 <urgent> \u2019thanks\u2019',
        'Name:\tJane Smith',
        '',
      ].join('\n'),
    );
  });

  it('ignores styles, field codes and whitespace between tags', () => {
    const body = [
      '<w:p>\n  <w:r>\n    <w:t>Patient</w:t>\n  </w:r>\n  <w:r><w:t xml:space="preserve"> Jones</w:t></w:r>\n</w:p>\n',
      '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> MERGEFIELD NHSNumber </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>943 476 5919</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
    ].join('');
    expect(docxText(docx(body), LIMITS)).toBe('Patient Jones\n943 476 5919\n');
  });

  it('keeps deleted text of tracked changes, line breaks and non-breaking hyphens', () => {
    const body =
      '<w:p><w:del w:id="1" w:author="Reception"><w:r><w:delText>DOB 12/03/1967</w:delText></w:r></w:del></w:p>' +
      '<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t></w:r></w:p>' +
      '<w:p><w:r><w:t>943</w:t><w:noBreakHyphen/><w:t>476</w:t><w:noBreakHyphen/><w:t>5919</w:t></w:r></w:p>';
    expect(docxText(docx(body), LIMITS)).toBe('DOB 12/03/1967\nLine one\nLine two\n943-476-5919\n');
  });

  it('adds headers and footers (in number order) after the body', () => {
    const zip = docx(p('Body text'), {
      'word/header2.xml': partXml('hdr', p('Header two')),
      'word/header1.xml': partXml('hdr', p('Patient: Jane Smith')),
      'word/footer1.xml': partXml('ftr', p('Bright Smiles Dental, LS1 4AP')),
      'word/header10.xml': partXml('hdr', p('Header ten')),
      'word/media/image1.xml': partXml('hdr', p('not a part that is read')),
    });
    expect(docxText(zip, LIMITS)).toBe('Body text\nPatient: Jane Smith\nHeader two\nHeader ten\nBright Smiles Dental, LS1 4AP\n');
  });

  it('reads footnotes and comments', () => {
    const zip = docx(p('See note'), {
      'word/footnotes.xml': `<w:footnotes ${W}><w:footnote w:id="1">${p('NHS no 943 476 5919')}</w:footnote></w:footnotes>`,
      'word/comments.xml': `<w:comments ${W}><w:comment w:id="0">${p('check DOB')}</w:comment></w:comments>`,
    });
    expect(docxText(zip, LIMITS)).toBe('See note\nNHS no 943 476 5919\ncheck DOB\n');
  });

  it('reads stored (uncompressed) archives', () => {
    expect(docxText(docx(p('Stored'), {}, 0), LIMITS)).toBe('Stored\n');
  });

  it('decodes UTF-8 text', () => {
    expect(docxText(docx(p('Siân O’Neill — Zoë')), LIMITS)).toBe('Siân O’Neill — Zoë\n');
  });

  it('cuts the text at maxTextChars', () => {
    const text = docxText(docx(REFERRAL_BODY), { ...LIMITS, maxTextChars: 20 });
    expect(text).toBe('Referral to Leeds De');
  });

  it('an empty document gives an empty string', () => {
    expect(docxText(docx(''), LIMITS)).toBe('');
  });
});

describe('docxText: refusals', () => {
  it.each<[string, Buffer]>([
    ['empty input', Buffer.alloc(0)],
    ['text', Buffer.from('Patient: Jane Smith NHS 943 476 5919')],
    ['a PDF', Buffer.from('%PDF-1.4\n%%EOF\n')],
    ['a zip without word/document.xml (an XLSX-like package)', Buffer.from(zipSync({ '[Content_Types].xml': strToU8(CONTENT_TYPES), 'xl/workbook.xml': strToU8('<workbook/>') }))],
    ['an empty zip', Buffer.from(zipSync({}))],
  ])('%s gives null', (_label, bytes) => {
    expect(docxText(bytes, LIMITS)).toBeNull();
  });

  it('a file larger than maxBytes gives null', () => {
    const zip = docx(p('x'.repeat(10_000)), {}, 0);
    expect(docxText(zip, { ...LIMITS, maxBytes: 1000 })).toBeNull();
  });

  it('zip bomb: a huge declared uncompressed size gives null', () => {
    const zip = docx(REFERRAL_BODY);
    const entry = centralEntry(zip, 'word/document.xml');
    zip.writeUInt32LE(0xfffffff0, entry + 24); // uncompressed size
    expect(docxText(zip, LIMITS)).toBeNull();
  });

  it('zip bomb: honest but over the limit once inflated gives null', () => {
    const zip = docx(p(' '.repeat(8 * 1024 * 1024)));
    expect(zip.length).toBeLessThan(LIMITS.maxBytes);
    expect(docxText(zip, LIMITS)).toBeNull();
  });

  it('zip bomb: a part that lies (declares 2 KB, inflates to 8 MB) is stopped', () => {
    const zip = docx(p(' '.repeat(8 * 1024 * 1024)));
    const entry = centralEntry(zip, 'word/document.xml');
    zip.writeUInt32LE(2048, entry + 24);
    expect(docxText(zip, LIMITS)).toBeNull();
  });

  it('the limit counts all parts together', () => {
    const half = ' '.repeat(3 * 1024 * 1024);
    const zip = docx(p(half), { 'word/footer1.xml': partXml('ftr', p(half)) });
    expect(docxText(zip, LIMITS)).toBeNull();
    expect(docxText(zip, { ...LIMITS, maxBytes: 8 * 1024 * 1024 })).not.toBeNull();
  });

  it('a corrupt deflate stream gives null', () => {
    const zip = docx(REFERRAL_BODY);
    const local = zip.indexOf(Buffer.from('word/document.xml')) + 'word/document.xml'.length;
    for (let i = 0; i < 64; i++) zip[local + 10 + i] = 0xff;
    expect(docxText(zip, LIMITS)).toBeNull();
  });

  it('an encrypted part gives null', () => {
    const zip = docx(REFERRAL_BODY);
    const entry = centralEntry(zip, 'word/document.xml');
    zip.writeUInt16LE(zip.readUInt16LE(entry + 8) | 1, entry + 8);
    expect(docxText(zip, LIMITS)).toBeNull();
  });

  it('truncation at every length and random corruption never throw', () => {
    const zip = docx(REFERRAL_BODY);
    for (let n = 0; n < zip.length; n++) {
      const text = docxText(zip.subarray(0, n), LIMITS);
      expect(text === null || typeof text === 'string').toBe(true);
    }
    let seed = 99;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1000; i++) {
      const bytes = Buffer.from(zip);
      for (let k = 0; k < 3; k++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const text = docxText(bytes, LIMITS);
      expect(text === null || typeof text === 'string').toBe(true);
    }
  });

  it('1 MB of adversarial XML returns (unclosed tags, entity-like text, deep tables)', () => {
    const unclosed = docx(`<w:p><w:r><w:t>${'<'.repeat(1 << 20)}`);
    expect(docxText(unclosed, LIMITS)).toBe('');
    const entities = docx(p('&#'.repeat(1 << 19)));
    const text = docxText(entities, { ...LIMITS, maxTextChars: 2 << 20 });
    expect(text === '&#'.repeat(1 << 19) + '\n').toBe(true); // (no 1 MB diff on failure)
    expect(docxText(entities, LIMITS)?.length).toBe(LIMITS.maxTextChars);
    const nested = docx('<w:tbl><w:tr><w:tc>'.repeat(50_000) + p('deep'));
    expect(docxText(nested, LIMITS)).toBe('deep ');
    const tags = docx('<w:p>'.repeat(200_000));
    expect(docxText(tags, LIMITS)).toBe('');
  });
});
