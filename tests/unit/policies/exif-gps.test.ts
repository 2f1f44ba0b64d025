import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AttachmentHead } from '../../../src/policies/detector.js';
import { detectExifGps } from '../../../src/policies/exif-gps.js';

// ---------------------------------------------------------------------------------------------
// A tiny EXIF writer: TIFF header, IFD0 (with an optional GPS pointer), GPS IFD with rationals.
// ---------------------------------------------------------------------------------------------

const BYTE = 1;
const ASCII = 2;
const LONG = 4;
const RATIONAL = 5;

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Inline value (<= 4 bytes) or out-of-line data. */
  readonly data: Buffer;
}

type Dms = readonly [number, number, number];

interface Gps {
  readonly lat: Dms;
  readonly latRef: string;
  readonly lon: Dms;
  readonly lonRef: string;
}

class TiffWriter {
  constructor(private readonly little: boolean) {}

  u16(n: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.little) b.writeUInt16LE(n);
    else b.writeUInt16BE(n);
    return b;
  }

  u32(n: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.little) b.writeUInt32LE(n);
    else b.writeUInt32BE(n);
    return b;
  }

  /** Degrees, minutes, seconds as three rationals (seconds with 2 decimals). */
  rationals(dms: Dms): Buffer {
    const [d, m, s] = dms;
    return Buffer.concat([this.u32(d), this.u32(1), this.u32(m), this.u32(1), this.u32(Math.round(s * 100)), this.u32(100)]);
  }

  /** One IFD at `offset`: entries, next-IFD 0, then the out-of-line data. */
  ifd(entries: readonly Entry[], offset: number): Buffer {
    const tableSize = 2 + entries.length * 12 + 4;
    let dataOffset = offset + tableSize;
    const table: Buffer[] = [this.u16(entries.length)];
    const data: Buffer[] = [];
    for (const e of entries) {
      let value: Buffer;
      if (e.data.length <= 4) {
        value = Buffer.concat([e.data, Buffer.alloc(4 - e.data.length)]);
      } else {
        value = this.u32(dataOffset);
        data.push(e.data);
        dataOffset += e.data.length;
      }
      table.push(this.u16(e.tag), this.u16(e.type), this.u32(e.count), value);
    }
    table.push(this.u32(0));
    return Buffer.concat([...table, ...data]);
  }

  /** A complete TIFF structure: header, IFD0 (Make, Model, GPS pointer), GPS IFD. */
  tiff(gps: Gps | null): Buffer {
    const header = Buffer.concat([Buffer.from(this.little ? 'II' : 'MM', 'latin1'), this.u16(42), this.u32(8)]);
    const make: Entry = { tag: 0x010f, type: ASCII, count: 6, data: Buffer.from('Canon\0', 'latin1') };
    const model: Entry = { tag: 0x0110, type: ASCII, count: 8, data: Buffer.from('EOS 80D\0', 'latin1') };
    if (!gps) return Buffer.concat([header, this.ifd([make, model], 8)]);
    // IFD0 size is fixed by its entries: compute it with a placeholder pointer, then for real.
    const ifd0Size = this.ifd([make, model, { tag: 0x8825, type: LONG, count: 1, data: this.u32(0) }], 8).length;
    const gpsOffset = 8 + ifd0Size;
    const ifd0 = this.ifd([make, model, { tag: 0x8825, type: LONG, count: 1, data: this.u32(gpsOffset) }], 8);
    const gpsIfd = this.ifd(
      [
        { tag: 0x0000, type: BYTE, count: 4, data: Buffer.from([2, 3, 0, 0]) },
        { tag: 0x0001, type: ASCII, count: 2, data: Buffer.from(`${gps.latRef}\0`, 'latin1') },
        { tag: 0x0002, type: RATIONAL, count: 3, data: this.rationals(gps.lat) },
        { tag: 0x0003, type: ASCII, count: 2, data: Buffer.from(`${gps.lonRef}\0`, 'latin1') },
        { tag: 0x0004, type: RATIONAL, count: 3, data: this.rationals(gps.lon) },
      ],
      gpsOffset,
    );
    return Buffer.concat([header, ifd0, gpsIfd]);
  }
}

/** SOI, APP1 "Exif\0\0" + TIFF, a little scan data, EOI. */
function jpeg(gps: Gps | null, little = true): Buffer {
  const app1Body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), new TiffWriter(little).tiff(gps)]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(app1Body.length + 2);
  const jfif = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), jfif, Buffer.from([0xff, 0xe1]), length, app1Body, Buffer.from([0xff, 0xd9])]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([len, typeAndData, crc]);
}

/** PNG signature, IHDR (1x1), eXIf with a TIFF structure, IEND. */
function png(gps: Gps): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('eXIf', new TiffWriter(false).tiff(gps)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function attachment(head: Buffer, filename = 'IMG_0042.jpg', contentType = 'image/jpeg'): AttachmentHead {
  return { filename, contentType, head, size: head.length };
}

const LEEDS: Gps = { lat: [53, 47, 48.12], latRef: 'N', lon: [1, 32, 56.4], lonRef: 'W' };
const SYDNEY: Gps = { lat: [33, 52, 4.32], latRef: 'S', lon: [151, 12, 26.64], lonRef: 'E' };
const BUENOS_AIRES: Gps = { lat: [34, 36, 12], latRef: 'S', lon: [58, 22, 54], lonRef: 'W' };
const TOKYO: Gps = { lat: [35, 40, 36], latRef: 'N', lon: [139, 46, 12], lonRef: 'E' };

// ---------------------------------------------------------------------------------------------

describe('detectExifGps', () => {
  it.each<[string, Gps, string]>([
    ['north/west (Leeds)', LEEDS, '53.796700,-1.549000'],
    ['south/east (Sydney)', SYDNEY, '-33.867867,151.207400'],
    ['south/west (Buenos Aires)', BUENOS_AIRES, '-34.603333,-58.381667'],
    ['north/east (Tokyo)', TOKYO, '35.676667,139.770000'],
  ])('reports %s from a little-endian JPEG', async (_label, gps, expected) => {
    const findings = await detectExifGps(attachment(jpeg(gps)));
    expect(findings).toEqual([
      {
        kind: 'exif_gps',
        value: expected,
        confidence: 0.9,
        location: 'attachment:IMG_0042.jpg',
        offset: -1,
        why: 'photo carries the location where it was taken',
      },
    ]);
  });

  it('reads big-endian (Motorola) EXIF as well', async () => {
    const findings = await detectExifGps(attachment(jpeg(BUENOS_AIRES, false)));
    expect(findings.map((f) => f.value)).toEqual(['-34.603333,-58.381667']);
  });

  it('reads a bare TIFF file', async () => {
    const tiff = new TiffWriter(true).tiff(SYDNEY);
    const findings = await detectExifGps(attachment(tiff, 'scan.tif', 'image/tiff'));
    expect(findings.map((f) => `${f.location} ${f.value}`)).toEqual(['attachment:scan.tif -33.867867,151.207400']);
  });

  it('reads a PNG eXIf chunk', async () => {
    const findings = await detectExifGps(attachment(png(LEEDS), 'photo.png', 'image/png'));
    expect(findings.map((f) => f.value)).toEqual(['53.796700,-1.549000']);
  });

  it('does not rely on the declared type or file name', async () => {
    const findings = await detectExifGps(attachment(jpeg(LEEDS), 'attachment.bin', 'application/octet-stream'));
    expect(findings.map((f) => f.value)).toEqual(['53.796700,-1.549000']);
  });

  it('a JPEG without GPS gives nothing', async () => {
    expect(await detectExifGps(attachment(jpeg(null)))).toEqual([]);
    expect(await detectExifGps(attachment(jpeg(null, false)))).toEqual([]);
  });

  it('a position of 0,0 (no fix) gives nothing', async () => {
    const nowhere: Gps = { lat: [0, 0, 0], latRef: 'N', lon: [0, 0, 0], lonRef: 'E' };
    expect(await detectExifGps(attachment(jpeg(nowhere)))).toEqual([]);
  });

  it('out-of-range coordinates give nothing', async () => {
    const impossible: Gps = { lat: [95, 0, 0], latRef: 'N', lon: [200, 0, 0], lonRef: 'E' };
    expect(await detectExifGps(attachment(jpeg(impossible)))).toEqual([]);
  });

  it.each<[string, Buffer]>([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('Patient: Jane Smith, please see the attached photo of UR6.')],
    ['a PDF', Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n')],
    ['a bare JPEG SOI', Buffer.from([0xff, 0xd8])],
    ['a JPEG with a broken APP1', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]), Buffer.from('Exif\0\0MM\0*\xff\xff\xff\xff', 'latin1')])],
    ['a TIFF header pointing outside the file', Buffer.from('II*\0\xff\xff\xff\x7f', 'latin1')],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
  ])('%s gives nothing and does not throw', async (_label, bytes) => {
    await expect(detectExifGps(attachment(bytes))).resolves.toEqual([]);
  });

  it('a JPEG truncated at every byte never throws', async () => {
    const full = jpeg(SYDNEY);
    for (let n = 0; n <= full.length; n++) {
      const findings = await detectExifGps(attachment(full.subarray(0, n)));
      expect(findings.length).toBeLessThanOrEqual(1);
      if (findings.length === 1) expect(findings[0]!.value).toBe('-33.867867,151.207400');
    }
  });

  it('random corruption of the EXIF block never throws', async () => {
    const full = jpeg(LEEDS);
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(full);
      for (let k = 0; k < 3; k++) bytes[24 + Math.floor(next() * (bytes.length - 26))] = Math.floor(next() * 256);
      const findings = await detectExifGps(attachment(bytes));
      for (const f of findings) expect(f.value).toMatch(/^-?\d{1,2}\.\d{6},-?\d{1,3}\.\d{6}$/);
    }
  });

  it('1 MB of JPEG markers without EXIF returns', async () => {
    const filler = Buffer.alloc(1 << 20, 0xff);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8]), filler]);
    await expect(detectExifGps(attachment(bytes))).resolves.toEqual([]);
  });
});
