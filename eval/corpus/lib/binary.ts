/**
 * Byte builders for attachments: a tiny baseline JPEG (optionally with an EXIF GPS block),
 * a minimal DICOM file, a one-page PDF with real text, and a DOCX (stored zip).
 * All deterministic: no clocks, no randomness beyond what the caller passes in.
 */

// ---- JPEG ----------------------------------------------------------------------------------

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private count = 0;

  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1);
      this.count++;
      if (this.count === 8) this.flushByte();
    }
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0x00); // byte stuffing
    this.current = 0;
    this.count = 0;
  }

  finish(): Buffer {
    while (this.count !== 0) this.write(1, 1); // pad with 1s
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * A baseline greyscale JPEG, `blocksX` × `blocksY` blocks of 8×8 pixels, each block a flat
 * grey level (0..255). Huffman tables: DC categories 0..11 all 4-bit codes; AC only EOB.
 */
export function jpeg(greys: readonly number[], blocksX: number, blocksY: number, app1?: Buffer): Buffer {
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 8)]);
  const sof = Buffer.from([8, 0, blocksY * 8, 0, blocksX * 8, 1, 1, 0x11, 0]);
  sof.writeUInt16BE(blocksY * 8, 1);
  sof.writeUInt16BE(blocksX * 8, 3);
  const dcCounts = Buffer.alloc(16);
  dcCounts[3] = 12;
  const dht = Buffer.concat([
    Buffer.from([0x00]),
    dcCounts,
    Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    Buffer.from([0x10]),
    Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0x00]),
  ]);
  const sos = Buffer.from([1, 1, 0x00, 0, 63, 0]);
  const bits = new BitWriter();
  let previous = 0;
  for (let i = 0; i < blocksX * blocksY; i++) {
    const dc = Math.max(0, Math.min(255, greys[i % greys.length] ?? 128)) - 128;
    const diff = dc - previous;
    previous = dc;
    const magnitude = Math.abs(diff);
    const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
    bits.write(category, 4);
    if (category > 0) bits.write(diff >= 0 ? diff : diff + (1 << category) - 1, category);
    bits.write(0, 1); // EOB
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...(app1 ? [segment(0xe1, app1)] : []),
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xc4, dht),
    segment(0xda, sos),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

interface IfdEntry {
  readonly tag: number;
  readonly type: number; // 1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL
  readonly count: number;
  readonly data: Buffer;
}

function ascii(tag: number, text: string): IfdEntry {
  const data = Buffer.from(text + '\0', 'latin1');
  return { tag, type: 2, count: data.length, data };
}

function rationals(tag: number, values: readonly [number, number][]): IfdEntry {
  const data = Buffer.alloc(8 * values.length);
  values.forEach(([n, d], i) => {
    data.writeUInt32LE(n, i * 8);
    data.writeUInt32LE(d, i * 8 + 4);
  });
  return { tag, type: 5, count: values.length, data };
}

function long(tag: number, value: number): IfdEntry {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value, 0);
  return { tag, type: 4, count: 1, data };
}

function ifdSize(entries: readonly IfdEntry[]): number {
  let size = 2 + entries.length * 12 + 4;
  for (const e of entries) if (e.data.length > 4) size += e.data.length + (e.data.length % 2);
  return size;
}

/** An IFD at `offset` (relative to the TIFF header), followed by its out-of-line values. */
function ifd(entries: readonly IfdEntry[], offset: number): Buffer {
  const head = Buffer.alloc(2 + entries.length * 12 + 4);
  head.writeUInt16LE(entries.length, 0);
  const extra: Buffer[] = [];
  let dataOffset = offset + head.length;
  entries.forEach((e, i) => {
    const at = 2 + i * 12;
    head.writeUInt16LE(e.tag, at);
    head.writeUInt16LE(e.type, at + 2);
    head.writeUInt32LE(e.count, at + 4);
    if (e.data.length <= 4) e.data.copy(head, at + 8);
    else {
      head.writeUInt32LE(dataOffset, at + 8);
      const padded = e.data.length % 2 ? Buffer.concat([e.data, Buffer.alloc(1)]) : e.data;
      extra.push(padded);
      dataOffset += padded.length;
    }
  });
  return Buffer.concat([head, ...extra]);
}

export interface GpsFix {
  /** Degrees, minutes, seconds×100 as the camera stores them. */
  readonly lat: readonly [number, number, number];
  readonly latRef: 'N' | 'S';
  readonly lon: readonly [number, number, number];
  readonly lonRef: 'E' | 'W';
}

/** Decimal degrees the way EXIF readers compute them (deg + min/60 + sec/3600), to 6 places. */
export function gpsLabel(fix: GpsFix): string {
  const dd = (v: readonly [number, number, number]) => v[0] + v[1] / 60 + v[2] / 100 / 3600;
  const lat = dd(fix.lat) * (fix.latRef === 'S' ? -1 : 1);
  const lon = dd(fix.lon) * (fix.lonRef === 'W' ? -1 : 1);
  return `${lat.toFixed(6)},${lon.toFixed(6)}`;
}

/** Degrees/minutes/centiseconds from a decimal coordinate (absolute value). */
export function toDms(decimal: number): [number, number, number] {
  const abs = Math.abs(decimal);
  const deg = Math.floor(abs);
  const minFloat = (abs - deg) * 60;
  const min = Math.floor(minFloat);
  const sec100 = Math.min(5999, Math.round((minFloat - min) * 60 * 100));
  return [deg, min, sec100];
}

/** The APP1 payload: "Exif\0\0" + TIFF with IFD0 (make, model, date) and optionally a GPS IFD. */
export function exifApp1(make: string, model: string, dateTime: string, gps?: GpsFix): Buffer {
  const ifd0Entries: IfdEntry[] = [ascii(0x010f, make), ascii(0x0110, model), ascii(0x0132, dateTime)];
  if (gps) ifd0Entries.push(long(0x8825, 0)); // placeholder, fixed size
  const ifd0Offset = 8;
  const gpsOffset = ifd0Offset + ifdSize(ifd0Entries);
  if (gps) ifd0Entries[ifd0Entries.length - 1] = long(0x8825, gpsOffset);
  const parts: Buffer[] = [Buffer.from('II*\0', 'latin1'), Buffer.from([8, 0, 0, 0]), ifd(ifd0Entries, ifd0Offset)];
  if (gps) {
    const gpsEntries: IfdEntry[] = [
      { tag: 0x0000, type: 1, count: 4, data: Buffer.from([2, 3, 0, 0]) },
      ascii(0x0001, gps.latRef),
      rationals(0x0002, [
        [gps.lat[0], 1],
        [gps.lat[1], 1],
        [gps.lat[2], 100],
      ]),
      ascii(0x0003, gps.lonRef),
      rationals(0x0004, [
        [gps.lon[0], 1],
        [gps.lon[1], 1],
        [gps.lon[2], 100],
      ]),
    ];
    parts.push(ifd(gpsEntries, gpsOffset));
  }
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), ...parts]);
}

// ---- DICOM ---------------------------------------------------------------------------------

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function dicomElement(group: number, element: number, vr: string, value: Buffer | string): Buffer {
  let data = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  if (data.length % 2) data = Buffer.concat([data, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]);
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(data.length, 8);
  else head.writeUInt16LE(data.length, 6);
  return Buffer.concat([head, data]);
}

function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}

export interface DicomSpec {
  readonly patientName: string; // "SMITH^JANE"
  readonly patientId: string;
  readonly birthDate: string; // YYYYMMDD
  readonly sex: 'M' | 'F';
  readonly studyDate: string; // YYYYMMDD
  readonly modality: 'IO' | 'PX';
  readonly instanceUid: string;
  readonly pixels: Buffer; // rows*cols bytes
  readonly rows: number;
  readonly cols: number;
}

/** A minimal Part 10 file: preamble, DICM, meta group (explicit VR LE), patient and image elements. */
export function dicom(spec: DicomSpec): Buffer {
  const sopClass = spec.modality === 'IO' ? '1.2.840.10008.5.1.4.1.1.1.3' : '1.2.840.10008.5.1.4.1.1.1.1';
  const metaRest = Buffer.concat([
    dicomElement(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    dicomElement(0x0002, 0x0002, 'UI', sopClass),
    dicomElement(0x0002, 0x0003, 'UI', spec.instanceUid),
    dicomElement(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.1'),
    dicomElement(0x0002, 0x0012, 'UI', '1.2.826.0.1.3680043.9.7433.1'),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaRest.length, 0);
  const dataset = Buffer.concat([
    dicomElement(0x0008, 0x0005, 'CS', 'ISO_IR 100'),
    dicomElement(0x0008, 0x0016, 'UI', sopClass),
    dicomElement(0x0008, 0x0018, 'UI', spec.instanceUid),
    dicomElement(0x0008, 0x0020, 'DA', spec.studyDate),
    dicomElement(0x0008, 0x0060, 'CS', spec.modality),
    dicomElement(0x0008, 0x0070, 'LO', 'ACME Imaging'),
    dicomElement(0x0008, 0x0080, 'LO', 'Brightsmile Dental'),
    dicomElement(0x0010, 0x0010, 'PN', spec.patientName),
    dicomElement(0x0010, 0x0020, 'LO', spec.patientId),
    dicomElement(0x0010, 0x0030, 'DA', spec.birthDate),
    dicomElement(0x0010, 0x0040, 'CS', spec.sex),
    dicomElement(0x0028, 0x0002, 'US', us(1)),
    dicomElement(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    dicomElement(0x0028, 0x0010, 'US', us(spec.rows)),
    dicomElement(0x0028, 0x0011, 'US', us(spec.cols)),
    dicomElement(0x0028, 0x0100, 'US', us(8)),
    dicomElement(0x0028, 0x0101, 'US', us(8)),
    dicomElement(0x0028, 0x0102, 'US', us(7)),
    dicomElement(0x0028, 0x0103, 'US', us(0)),
    dicomElement(0x7fe0, 0x0010, 'OB', spec.pixels),
  ]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), dicomElement(0x0002, 0x0000, 'UL', groupLength), metaRest, dataset]);
}

// ---- PDF -----------------------------------------------------------------------------------

function pdfString(text: string): string {
  let out = '(';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (ch === '(' || ch === ')' || ch === '\\') out += '\\' + ch;
    else if (code >= 32 && code < 127) out += ch;
    else if (code <= 0xff) out += '\\' + code.toString(8).padStart(3, '0');
    else out += '?';
  }
  return out + ')';
}

/** A one-page A4 PDF, Helvetica 10pt, one text line per entry (no compression, so text is extractable). */
export function pdf(lines: readonly string[], title: string): Buffer {
  const wrapped: string[] = [];
  for (const line of lines) {
    let rest = line;
    while (rest.length > 95) {
      const cut = rest.lastIndexOf(' ', 95);
      const at = cut > 0 ? cut : 95;
      wrapped.push(rest.slice(0, at));
      rest = rest.slice(at).trimStart();
    }
    wrapped.push(rest);
  }
  const content = ['BT', '/F1 10 Tf', '13 TL', '56 790 Td', ...wrapped.map((l) => `${pdfString(l)} Tj T*`), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(title)} /Producer (Brightsmile letters) >>`,
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

// ---- DOCX (a stored zip) -------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip with every entry stored (method 0) and a fixed timestamp (2025-01-01 00:00). */
export function storedZip(files: readonly { name: string; data: Buffer }[]): Buffer {
  const dosTime = 0;
  const dosDate = ((2025 - 1980) << 9) | (1 << 5) | 1;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, file.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + file.data.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A Word document. Each paragraph is a list of runs; Word splits text into runs at formatting
 * changes, so callers put labels and values in separate runs (bold label, plain value).
 */
export function docx(paragraphs: readonly (readonly { text: string; bold?: boolean }[])[]): Buffer {
  const body = paragraphs
    .map(
      (runs) =>
        '<w:p>' +
        runs.map((r) => `<w:r>${r.bold ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${xmlEscape(r.text)}</w:t></w:r>`).join('') +
        '</w:p>',
    )
    .join('');
  const document =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
    body +
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>';
  const contentTypes =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
    '</Types>';
  const rels =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
    '</Relationships>';
  return storedZip([
    { name: '[Content_Types].xml', data: Buffer.from(contentTypes, 'utf8') },
    { name: '_rels/.rels', data: Buffer.from(rels, 'utf8') },
    { name: 'word/document.xml', data: Buffer.from(document, 'utf8') },
  ]);
}
