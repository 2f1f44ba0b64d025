import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { detectClinicalContext } from '../../../src/policies/clinical-context.js';
import { EMPTY_CONTEXT } from '../../../src/policies/detector.js';

function run(text: string): Finding[] {
  return detectClinicalContext({ location: 'body:text', text }, EMPTY_CONTEXT);
}

describe('clinical context: tooth notation', () => {
  const cases: [string, string][] = [
    ['Extraction of UR6 please', 'UR6'],
    ['LL8 partially erupted', 'LL8'],
    ['ULE retained', 'ULE'],
    ['Crowns on UL1-UL3', 'UL1-UL3'],
    ['bridge UL1-3', 'UL1-3'],
    ['LR 7 has a fractured cusp', 'LR 7'],
    ['FDI 36 mesial caries', 'FDI 36'],
    ['tooth 46 tender to percussion', 'tooth 46'],
    ['Teeth 11, 21 and 22 need veneers', 'Teeth 11, 21 and 22'],
    ['deciduous tooth no. 85', 'tooth no. 85'],
  ];
  it.each(cases)('%j → %s', (text, value) => {
    const f = run(text).find((x) => x.value === value);
    expect(f, JSON.stringify(run(text))).toBeDefined();
    expect(f!.kind).toBe('clinical_context');
    expect(f!.offset).toBe(text.indexOf(value));
    expect(f!.confidence).toBeGreaterThan(0);
    expect(f!.confidence).toBeLessThan(0.6);
  });

  const negatives: string[] = [
    'Visit our URL for details',
    'Model LL80 and UR9 are not teeth',
    'lower-case ur6 is not notation',
    'Page 36 of the manual',
    'tooth 19 and tooth 99 are not FDI numbers',
    'Invoice 36, sort code 12-34-56',
    'GDC No: 123456',
  ];
  it.each(negatives)('not notation: %j', (text) => {
    expect(run(text)).toEqual([]);
  });
});

describe('clinical context: treatment words', () => {
  const cases: [string, string, string][] = [
    ['extraction', 'Simple extraction under LA', 'extraction'],
    ['RCT', 'RCT completed last week', 'RCT'],
    ['root canal', 'Root canal treatment on the lower molar', 'Root canal treatment'],
    ['crown prep', 'Crown prep booked', 'Crown prep'],
    ['implant', 'Implant placement discussed', 'Implant placement'],
    ['periodontal', 'Periodontal assessment', 'Periodontal'],
    ['caries', 'Caries noted distally', 'Caries'],
    ['radiograph', 'radiograph attached', 'radiograph'],
    ['OPG', 'OPG taken', 'OPG'],
    ['bitewing', 'Bitewings show no decay', 'Bitewings'],
    ['CBCT', 'CBCT requested', 'CBCT'],
    ['denture', 'New upper denture', 'denture'],
    ['orthodontic', 'Orthodontic assessment', 'Orthodontic'],
    ['abscess', 'Dental abscess, antibiotics given', 'abscess'],
    ['pericoronitis', 'Recurrent pericoronitis', 'pericoronitis'],
  ];
  it.each(cases)('%s', (_name, text, value) => {
    const f = run(text).find((x) => x.value === value);
    expect(f, JSON.stringify(run(text))).toBeDefined();
    expect(f!.confidence).toBeLessThan(0.6);
  });

  it('reports at most one finding per distinct term, at its first occurrence', () => {
    const text = 'Extraction of UR6. The extraction went well; further extractions of UR6 and LL8 are planned. OPG, OPG, opg.';
    const found = run(text);
    expect(found.map((f) => f.value)).toEqual(['Extraction', 'UR6', 'LL8', 'OPG']);
    expect(found[0]!.offset).toBe(0);
  });

  it('ignores words that merely contain a term', () => {
    expect(run('Implantation of the new software; a decayed building; Cabbage')).toEqual([]);
  });

  it('a whole referral stays small', () => {
    const letter = 'Re: Mrs Jane Smith\n\nPlease see for extraction of LL8 (pericoronitis). OPG attached. '.repeat(50);
    const found = run(letter);
    expect(found.map((f) => f.value).sort()).toEqual(['LL8', 'OPG', 'extraction', 'pericoronitis']);
  });
});

describe('clinical context: adversarial input', () => {
  const MB = 1 << 20;
  const repeat = (s: string): string => s.repeat(Math.ceil(MB / s.length)).slice(0, MB);
  const inputs: [string, string][] = [
    ['ranges', repeat('UR1-UR1-UR1-')],
    ['FDI lists', repeat('tooth 11, 12, 13 and ')],
    ['near words', repeat('extractio rootcanal cbc ')],
    ['every term', repeat('UR6 LL8 extraction RCT crown implant caries OPG CBCT denture abscess ')],
  ];
  it.each(inputs)('%s: 1 MB finishes with a bounded number of findings', (_name, text) => {
    const found = run(text);
    expect(found.length).toBeLessThan(100);
    for (const f of found) expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
  });
});

describe('clinical context: treatment terms are whole words, the first one that is', () => {
  const cases: [string, number | null][] = [
    ['xcrowns, then crowns', 14], // inside a word first, whole later
    ['crownsx crown', 8],
    ['_crown', 1], // an underscore is not a letter or digit
    ['1crown 2crown', null],
    ['\u{1D400}crown', null], // a letter outside the BMP (two UTF-16 units) before it
    ['é crown', 2],
    ['ſcale and poliſh', 0], // the patterns are case-insensitive the Unicode way
    ['aperiodontal perio', 13], // a shorter word of the same term is found where it is whole
  ];
  it.each(cases)('%j → offset %s', (text, offset) => {
    const f = run(text).find((x) => x.why.startsWith('dental treatment term'));
    expect(f?.offset ?? null, JSON.stringify(run(text))).toBe(offset);
  });
});
