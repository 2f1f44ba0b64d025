import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import type { AttachmentHead } from '../../../src/policies/detector.js';
import { detectDicom } from '../../../src/policies/dicom.js';

// ---------------------------------------------------------------------------------------------
// A tiny DICOM writer: preamble, DICM, meta group (always explicit VR little endian), data set.
// ---------------------------------------------------------------------------------------------

type Syntax = 'explicit-le' | 'implicit-le' | 'explicit-be';

const TS: Record<Syntax, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  'explicit-be': '1.2.840.10008.1.2.2',
};

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

interface El {
  readonly tag: readonly [number, number];
  readonly vr: string;
  /** A string (padded to even length) or raw bytes. */
  readonly value?: string | Buffer;
  /** Overrides the length written in the header (garbage or undefined lengths). */
  readonly length?: number;
  /** Nested elements of a sequence: each inner array is one item. */
  readonly items?: readonly (readonly El[])[];
  /** Write the sequence and its items with undefined lengths and delimiters. */
  readonly undefinedLength?: boolean;
}

function padded(value: string | Buffer, vr: string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]);
}

function u16(n: number, little: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (little) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}

function u32(n: number, little: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (little) b.writeUInt32LE(n);
  else b.writeUInt32BE(n);
  return b;
}

function encode(el: El, syntax: Syntax): Buffer {
  const little = syntax !== 'explicit-be';
  const explicit = syntax !== 'implicit-le';
  const tag = Buffer.concat([u16(el.tag[0], little), u16(el.tag[1], little)]);
  let value: Buffer;
  if (el.items) {
    const items = el.items.map((item) => {
      const body = Buffer.concat(item.map((inner) => encode(inner, syntax)));
      const itemTag = Buffer.concat([u16(0xfffe, little), u16(0xe000, little)]);
      if (!el.undefinedLength) return Buffer.concat([itemTag, u32(body.length, little), body]);
      const delim = Buffer.concat([u16(0xfffe, little), u16(0xe00d, little), u32(0, little)]);
      return Buffer.concat([itemTag, u32(UNDEFINED, little), body, delim]);
    });
    value = Buffer.concat(items);
    if (el.undefinedLength) value = Buffer.concat([value, u16(0xfffe, little), u16(0xe0dd, little), u32(0, little)]);
  } else {
    value = padded(el.value ?? '', el.vr);
  }
  const length = el.length ?? (el.undefinedLength ? UNDEFINED : value.length);
  if (!explicit) return Buffer.concat([tag, u32(length, little), value]);
  const vr = Buffer.from(el.vr, 'latin1');
  if (LONG_VRS.has(el.vr)) return Buffer.concat([tag, vr, Buffer.alloc(2), u32(length, little), value]);
  return Buffer.concat([tag, vr, u16(length, little), value]);
}

function metaGroup(transferSyntax: string): Buffer {
  const rest = Buffer.concat([
    encode({ tag: [0x0002, 0x0001], vr: 'OB', value: Buffer.from([0, 1]) }, 'explicit-le'),
    encode({ tag: [0x0002, 0x0002], vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.3' }, 'explicit-le'),
    encode({ tag: [0x0002, 0x0003], vr: 'UI', value: '1.2.826.0.1.3680043.2.1125.1.1' }, 'explicit-le'),
    encode({ tag: [0x0002, 0x0010], vr: 'UI', value: transferSyntax }, 'explicit-le'),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(rest.length);
  return Buffer.concat([encode({ tag: [0x0002, 0x0000], vr: 'UL', value: length }, 'explicit-le'), rest]);
}

interface Build {
  readonly syntax?: Syntax;
  readonly transferSyntax?: string;
  readonly preamble?: boolean;
  readonly magic?: boolean;
  readonly meta?: boolean;
  readonly elements?: readonly El[];
}

const PATIENT: readonly El[] = [
  { tag: [0x0008, 0x0005], vr: 'CS', value: 'ISO_IR 100' },
  { tag: [0x0008, 0x0060], vr: 'CS', value: 'IO' },
  { tag: [0x0010, 0x0010], vr: 'PN', value: 'SMITH^JANE^^MRS' },
  { tag: [0x0010, 0x0020], vr: 'LO', value: 'RX1234567' },
  { tag: [0x0010, 0x0030], vr: 'DA', value: '19670312' },
  { tag: [0x0010, 0x0040], vr: 'CS', value: 'F' },
  { tag: [0x0010, 0x1000], vr: 'LO', value: 'H998877\\M-55443' },
  { tag: [0x0010, 0x1040], vr: 'LO', value: '12 High Street^Leeds^LS1 4AP' },
  { tag: [0x0010, 0x2154], vr: 'SH', value: '07700 900123' },
  { tag: [0x0020, 0x000d], vr: 'UI', value: '1.2.3.4.5' },
  { tag: [0x7fe0, 0x0010], vr: 'OW', value: Buffer.alloc(64, 0x7f) },
];

function dicom(build: Build = {}): Buffer {
  const syntax = build.syntax ?? 'explicit-le';
  const parts: Buffer[] = [];
  if (build.preamble ?? true) parts.push(Buffer.alloc(128));
  if (build.magic ?? true) parts.push(Buffer.from('DICM', 'latin1'));
  if (build.meta ?? true) parts.push(metaGroup(build.transferSyntax ?? TS[syntax]));
  for (const el of build.elements ?? PATIENT) parts.push(encode(el, syntax));
  return Buffer.concat(parts);
}

function attachment(head: Buffer, filename = 'UR6-periapical.dcm', contentType = 'application/octet-stream'): AttachmentHead {
  return { filename, contentType, head, size: head.length };
}

const summary = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.kind}=${f.value}`);

const FULL = ['dicom=UR6-periapical.dcm', 'patient_name=SMITH JANE MRS', 'hospital_number=RX1234567', 'dob=19670312', 'hospital_number=H998877', 'hospital_number=M-55443', 'postcode=LS1 4AP', 'phone=07700 900123'];

/** A small deterministic PRNG (mulberry32) for the garbage tests. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------

describe('detectDicom: well-formed files', () => {
  it.each<[Syntax]>([['explicit-le'], ['implicit-le'], ['explicit-be']])('reads the patient fields of a %s file', (syntax) => {
    const findings = detectDicom(attachment(dicom({ syntax })));
    expect(summary(findings)).toEqual(FULL);
  });

  it('reports the dicom finding and each field with location, offset, confidence and a why without values', () => {
    const findings = detectDicom(attachment(dicom()));
    const [dcm, name] = findings;
    expect(dcm).toMatchObject({ kind: 'dicom', value: 'UR6-periapical.dcm', confidence: 0.9, location: 'attachment:UR6-periapical.dcm', offset: -1 });
    expect(dcm!.why).toMatch(/radiograph\/DICOM image/);
    expect(name).toMatchObject({ kind: 'patient_name', location: 'attachment:UR6-periapical.dcm', offset: -1 });
    for (const f of findings) {
      expect(f.confidence).toBeGreaterThanOrEqual(0.9);
      expect(f.confidence).toBeLessThanOrEqual(1);
      if (f.kind !== 'dicom') expect(f.why).not.toContain(f.value);
    }
    expect(findings.find((f) => f.kind === 'dob')!.why).toMatch(/PatientBirthDate \(0010,0030\)/);
  });

  it('detects by the magic whatever the declared type and name', () => {
    expect(summary(detectDicom(attachment(dicom(), 'scan.bin', 'application/octet-stream')))[0]).toBe('dicom=scan.bin');
    expect(summary(detectDicom(attachment(dicom(), 'image.jpg', 'image/jpeg')))[0]).toBe('dicom=image.jpg');
  });

  it('a file with only the dicom header but no patient module still reports dicom', () => {
    const findings = detectDicom(attachment(dicom({ elements: [{ tag: [0x0008, 0x0060], vr: 'CS', value: 'PX' }] })));
    expect(summary(findings)).toEqual(['dicom=UR6-periapical.dcm']);
  });

  it('reads the patient module after an undefined-length sequence (walks into items)', () => {
    for (const syntax of ['explicit-le', 'implicit-le'] as const) {
      const elements: El[] = [
        { tag: [0x0008, 0x1110], vr: 'SQ', undefinedLength: true, items: [[{ tag: [0x0008, 0x1150], vr: 'UI', value: '1.2.3' }], []] },
        { tag: [0x0008, 0x1140], vr: 'SQ', items: [[{ tag: [0x0008, 0x1155], vr: 'UI', value: '1.2.3.4' }]] },
        { tag: [0x0010, 0x0010], vr: 'PN', value: 'JONES^ALAN' },
        { tag: [0x0010, 0x0030], vr: 'DA', value: '20010101' },
      ];
      expect(summary(detectDicom(attachment(dicom({ syntax, elements }))))).toEqual(['dicom=UR6-periapical.dcm', 'patient_name=JONES ALAN', 'dob=20010101']);
    }
  });

  it('reports patient ids nested in Other Patient IDs Sequence items', () => {
    const elements: El[] = [
      { tag: [0x0010, 0x0020], vr: 'LO', value: 'A1' + '00042' },
      { tag: [0x0010, 0x1002], vr: 'SQ', items: [[{ tag: [0x0010, 0x0020], vr: 'LO', value: 'NHS-LOCAL-9' }]] },
    ];
    expect(summary(detectDicom(attachment(dicom({ elements }))))).toEqual(['dicom=UR6-periapical.dcm', 'hospital_number=A100042', 'hospital_number=NHS-LOCAL-9']);
  });

  it('decodes UTF-8 names when the character set is ISO_IR 192, and keeps the alphabetic group only', () => {
    const elements: El[] = [
      { tag: [0x0008, 0x0005], vr: 'CS', value: 'ISO_IR 192' },
      { tag: [0x0010, 0x0010], vr: 'PN', value: "O'BRIEN^SÍLE^^MS=オブライエン" },
    ];
    expect(summary(detectDicom(attachment(dicom({ elements })))).slice(1)).toEqual(["patient_name=O'BRIEN SÍLE MS"]);
  });

  it('decodes Latin-1 names by default', () => {
    const elements: El[] = [{ tag: [0x0010, 0x0010], vr: 'PN', value: Buffer.from('MÜLLER^ANNA', 'latin1') }];
    expect(summary(detectDicom(attachment(dicom({ elements })))).slice(1)).toEqual(['patient_name=MÜLLER ANNA']);
  });

  it.each<[string, string, string[]]>([
    ['postcode with space', 'Flat 2, 5 Park Road, Bristol BS8 1TH', ['postcode=BS8 1TH']],
    ['postcode without space, lower case', '5 park road^bristol^bs81th', ['postcode=bs81th']],
    ['London sub-district', '1 Strand^London^WC2N 5DU^UK', ['postcode=WC2N 5DU']],
    ['no postcode', '12 High Street^Leeds', []],
    ['US zip code', '1 Main St^Springfield^IL 62704', []],
    ['digits only', '221B Baker Street', []],
  ])('PatientAddress: %s', (_label, address, expected) => {
    const elements: El[] = [{ tag: [0x0010, 0x1040], vr: 'LO', value: address }];
    expect(summary(detectDicom(attachment(dicom({ elements })))).slice(1)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['ANONYMOUS', 'PatientName'],
    ['Anonymized', 'PatientName'],
    ['^', 'PatientName'],
    ['', 'PatientName'],
    ['0000000', 'PatientID'],
    ['XXXXXX', 'PatientID'],
    ['REMOVED', 'PatientID'],
  ])('does not report the anonymiser placeholder %j in %s', (value, field) => {
    const tag: [number, number] = field === 'PatientName' ? [0x0010, 0x0010] : [0x0010, 0x0020];
    const vr = field === 'PatientName' ? 'PN' : 'LO';
    const elements: El[] = [{ tag, vr, value }, { tag: [0x0010, 0x0030], vr: 'DA', value: '' }];
    expect(summary(detectDicom(attachment(dicom({ elements }))))).toEqual(['dicom=UR6-periapical.dcm']);
  });

  it('reports a value once even when it appears twice', () => {
    const elements: El[] = [
      { tag: [0x0010, 0x0020], vr: 'LO', value: 'RX1' },
      { tag: [0x0010, 0x1000], vr: 'LO', value: 'RX1\\RX2' },
    ];
    expect(summary(detectDicom(attachment(dicom({ elements }))))).toEqual(['dicom=UR6-periapical.dcm', 'hospital_number=RX1', 'hospital_number=RX2']);
  });

  it('stops at a deflated data set after reporting the file as DICOM', () => {
    const findings = detectDicom(attachment(dicom({ transferSyntax: '1.2.840.10008.1.2.1.99' })));
    expect(summary(findings)).toEqual(['dicom=UR6-periapical.dcm']);
  });

  it('reads compressed-pixel transfer syntaxes (explicit VR little endian headers)', () => {
    const findings = detectDicom(attachment(dicom({ transferSyntax: '1.2.840.10008.1.2.4.50' })));
    expect(summary(findings)).toEqual(FULL);
  });

  it('trusts the bytes when the declared syntax is wrong (implicit data set declared explicit)', () => {
    const findings = detectDicom(attachment(dicom({ syntax: 'implicit-le', transferSyntax: TS['explicit-le'] })));
    expect(summary(findings)).toEqual(FULL);
  });
});

describe('detectDicom: files without the preamble', () => {
  it('accepts DICM at offset 0 only when declared application/dicom', () => {
    const bytes = dicom({ preamble: false });
    expect(summary(detectDicom(attachment(bytes, 'x.dcm', 'application/dicom')))).toEqual(FULL.map((s) => s.replace('UR6-periapical.dcm', 'x.dcm')));
    expect(summary(detectDicom(attachment(bytes, 'x.dcm', 'Application/DICOM; name="x.dcm"')))[0]).toBe('dicom=x.dcm');
    expect(detectDicom(attachment(bytes, 'x.dcm', 'application/octet-stream'))).toEqual([]);
  });

  it('accepts a bare data set (no preamble, no magic, no meta) declared application/dicom', () => {
    for (const syntax of ['explicit-le', 'implicit-le'] as const) {
      const bytes = dicom({ syntax, preamble: false, magic: false, meta: false });
      expect(summary(detectDicom(attachment(bytes, 'x.dcm', 'application/dicom')))).toEqual(FULL.map((s) => s.replace('UR6-periapical.dcm', 'x.dcm')));
      expect(detectDicom(attachment(bytes, 'x.dcm', 'application/octet-stream'))).toEqual([]);
    }
  });

  it('accepts a meta group without preamble and magic declared application/dicom', () => {
    const bytes = dicom({ preamble: false, magic: false });
    expect(summary(detectDicom(attachment(bytes, 'x.dcm', 'application/dicom')))).toHaveLength(FULL.length);
  });

  it('refuses text or an image declared application/dicom', () => {
    expect(detectDicom(attachment(Buffer.from('Dear colleague, please find the radiograph attached.'), 'x.dcm', 'application/dicom'))).toEqual([]);
    expect(detectDicom(attachment(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]), 'x.dcm', 'application/dicom'))).toEqual([]);
    expect(detectDicom(attachment(Buffer.alloc(0), 'x.dcm', 'application/dicom'))).toEqual([]);
  });
});

describe('detectDicom: non-DICOM input', () => {
  it.each<[string, Buffer]>([
    ['empty', Buffer.alloc(0)],
    ['short', Buffer.from('DICM')],
    ['text', Buffer.from('Patient: Jane Smith, DOB 12/03/1967. '.repeat(20))],
    ['JPEG', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.alloc(300, 0x41), Buffer.from([0xff, 0xd9])])],
    ['PDF', Buffer.from('%PDF-1.4\n' + ' '.repeat(200) + '%%EOF')],
    ['DICM at the wrong offset', Buffer.concat([Buffer.alloc(127), Buffer.from('DICM'), Buffer.alloc(100)])],
  ])('%s gives nothing', (_label, bytes) => {
    expect(detectDicom(attachment(bytes, 'file.bin', 'application/octet-stream'))).toEqual([]);
  });
});

describe('detectDicom: malformed input is read safely', () => {
  it('a file truncated at every byte never throws and reports what it could read', () => {
    const bytes = dicom();
    const nameEnd = bytes.indexOf(Buffer.from('SMITH^JANE^^MRS')) + 16;
    for (let n = 0; n <= bytes.length; n++) {
      const findings = detectDicom(attachment(bytes.subarray(0, n)));
      if (n < 132) expect(findings).toEqual([]);
      else expect(findings[0]!.kind).toBe('dicom');
      // A truncated value is never reported half-read.
      const name = findings.find((f) => f.kind === 'patient_name');
      if (n < nameEnd) expect(name).toBeUndefined();
      else expect(name?.value).toBe('SMITH JANE MRS');
    }
  });

  it('a truncated file (cut inside the date of birth) keeps the fields before the cut', () => {
    const bytes = dicom();
    const cut = bytes.indexOf(Buffer.from('19670312')) + 4;
    expect(summary(detectDicom(attachment(bytes.subarray(0, cut))))).toEqual(['dicom=UR6-periapical.dcm', 'patient_name=SMITH JANE MRS', 'hospital_number=RX1234567']);
  });

  it.each<[string, El[]]>([
    ['a length far past the end', [{ tag: [0x0010, 0x0010], vr: 'PN', value: 'A^B' }, { tag: [0x0010, 0x0020], vr: 'UT', value: 'X', length: 0xfffffff0 }, { tag: [0x0010, 0x0030], vr: 'DA', value: '19670312' }]],
    ['an odd length running into the next element', [{ tag: [0x0010, 0x0010], vr: 'PN', value: 'A^B' }, { tag: [0x0010, 0x0020], vr: 'LO', value: 'RX1', length: 0xffff }]],
    ['an undefined length on a UN element', [{ tag: [0x0010, 0x0010], vr: 'PN', value: 'A^B' }, { tag: [0x0010, 0x0020], vr: 'UN', value: 'RX1', length: 0xffffffff }, { tag: [0x0010, 0x0030], vr: 'DA', value: '19670312' }]],
    ['an unknown VR', [{ tag: [0x0010, 0x0010], vr: 'PN', value: 'A^B' }, { tag: [0x0010, 0x0020], vr: 'ZZ', value: 'RX1' }, { tag: [0x0010, 0x0030], vr: 'DA', value: '19670312' }]],
    ['encapsulated pixel data', [{ tag: [0x0010, 0x0010], vr: 'PN', value: 'A^B' }, { tag: [0x7fe0, 0x0010], vr: 'OB', value: Buffer.alloc(40, 0xfe), length: 0xffffffff }, { tag: [0x0010, 0x0030], vr: 'DA', value: '19670312' }]],
  ])('stops safely at %s', (_label, elements) => {
    const findings = detectDicom(attachment(dicom({ elements })));
    expect(summary(findings)).toEqual(['dicom=UR6-periapical.dcm', 'patient_name=A B']);
  });

  it('garbage after the magic never throws (2000 random files)', () => {
    const random = prng(42);
    for (let i = 0; i < 2000; i++) {
      const body = Buffer.alloc(Math.floor(random() * 600));
      for (let j = 0; j < body.length; j++) body[j] = Math.floor(random() * 256);
      const bytes = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), body]);
      const findings = detectDicom(attachment(bytes));
      expect(findings[0]!.kind).toBe('dicom');
    }
  });

  it('random corruption of a valid file never throws (2000 mutations)', () => {
    const random = prng(7);
    const original = dicom();
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(original);
      for (let k = 0; k < 4; k++) bytes[132 + Math.floor(random() * (bytes.length - 132))] = Math.floor(random() * 256);
      expect(detectDicom(attachment(bytes))[0]!.kind).toBe('dicom');
    }
    // The same corruption as bare data sets declared application/dicom.
    const bare = dicom({ preamble: false, magic: false, meta: false });
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(bare);
      for (let k = 0; k < 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      expect(() => detectDicom(attachment(bytes, 'x.dcm', 'application/dicom'))).not.toThrow();
    }
  });

  it('1 MB of nested undefined-length sequences and empty items returns', () => {
    const open = encode({ tag: [0x0008, 0x1110], vr: 'SQ', value: '', length: 0xffffffff }, 'explicit-le');
    const item = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
    const unit = Buffer.concat([open, item]);
    const body = Buffer.concat(Array.from({ length: Math.ceil((1 << 20) / unit.length) }, () => unit));
    const bytes = Buffer.concat([dicom({ elements: [] }), body, encode({ tag: [0x0010, 0x0010], vr: 'PN', value: 'LATE^NAME' }, 'explicit-le')]);
    const findings = detectDicom(attachment(bytes));
    expect(summary(findings)).toEqual(['dicom=UR6-periapical.dcm']);
  });

  it('1 MB of zero-length elements returns', () => {
    const unit = encode({ tag: [0x0009, 0x0010], vr: 'LO', value: '' }, 'explicit-le');
    const body = Buffer.concat(Array.from({ length: (1 << 20) / unit.length }, () => unit));
    const findings = detectDicom(attachment(Buffer.concat([dicom({ elements: [] }), body])));
    expect(summary(findings)).toEqual(['dicom=UR6-periapical.dcm']);
  });
});
