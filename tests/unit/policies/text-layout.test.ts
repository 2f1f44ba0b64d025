import { describe, expect, it } from 'vitest';
import { nearestKeyword } from '../../../src/policies/context-window.js';
import { KeywordIndex } from '../../../src/policies/keyword-index.js';
import { ColumnFinder, TextLayout, findTables } from '../../../src/policies/text-layout.js';

describe('text layout: KeywordIndex answers as nearestKeyword does', () => {
  const keywords = ['dob', 'd.o.b', 'date of birth', 'nhs', 'nhs no', 'patient', "patient's", 'b.'];
  const words = ['DOB', 'd.o.b.', 'Date of Birth', 'NHS', 'NHS No', 'patient', "Patient's", 'b.', 'dobson', 'xnhs', 'patients', '12/03/1967', 'the', 'a', '\n'];

  /** A small deterministic generator (no Math.random: failures must reproduce). */
  function* texts(count: number): Generator<string> {
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let t = 0; t < count; t++) {
      const parts: string[] = [];
      for (let i = 0, n = 5 + next(30); i < n; i++) parts.push(words[next(words.length)]!);
      yield parts.join(next(2) ? ' ' : ', ');
    }
  }

  it('same keyword distance for every value position and window', () => {
    for (const text of texts(300)) {
      const index = new KeywordIndex(text, keywords);
      for (let start = 0; start < text.length; start += 3) {
        const end = Math.min(text.length, start + 5);
        for (const window of [0, 10, 60]) {
          const expected = nearestKeyword(text, start, end, keywords, window);
          const actual = index.nearest(start, end, window);
          expect(actual?.distance ?? null, `${JSON.stringify(text)} [${start},${end}) ±${window}`).toBe(expected?.distance ?? null);
        }
      }
    }
  });

  it('reports where the keyword stands', () => {
    const text = 'Jane Smith, DOB 12/03/1967';
    const hit = new KeywordIndex(text, keywords).nearest(16, 26, 60);
    expect(hit).toMatchObject({ keyword: 'dob', distance: 1, start: 12, end: 15 });
  });
});

describe('text layout: signatures, sections, tables', () => {
  it('a signature runs from a sign-off to the quoted message', () => {
    const text = 'Body text here.\n\nKind regards,\nSarah\nSmile Dental\n-----Original Message-----\nFrom: Lab\n\nPatient: Jane';
    const layout = new TextLayout(text);
    expect(layout.inSignature(text.indexOf('Smile Dental'))).toBe(true);
    expect(layout.inSignature(text.indexOf('Body'))).toBe(false);
    expect(layout.inSignature(text.indexOf('Patient'))).toBe(false);
  });

  it('sections: a patient heading, another party heading, a field block with an identifier', () => {
    const text = 'Patient details\nName: Jane\n\nReferrer details\nName: Dr Lee\n\nSee below.\n\nName: John\nDOB: 01/02/1958\n';
    const layout = new TextLayout(text);
    expect(layout.section(text.indexOf('Jane'))).toBe('patient');
    expect(layout.section(text.indexOf('Dr Lee'))).toBe('other');
    expect(layout.section(text.indexOf('See below'))).toBeNull();
    expect(layout.section(text.indexOf('John'))).toBe('patient');
  });

  it('tables: a CSV unit, a tab table in a body, no table for a header-less CSV', () => {
    const csv = new TextLayout('Name,DOB\n"Smith, Jane",12/03/1967\n');
    const [table] = findTables(csv, true);
    expect(table).toMatchObject({ headerLine: 0, delimiter: ',', headers: ['name', 'dob'] });
    expect(new ColumnFinder(csv, [table!]).headerAt(csv.text.indexOf('12/03'))).toBe('dob');

    const body = new TextLayout('List:\n\nTime\tPatient\tDOB\n9:00\tJane Smith\t12/03/1967\n\nThanks');
    const tables = findTables(body, false);
    expect(tables).toMatchObject([{ headerLine: 2, lastLine: 3, delimiter: '\t' }]);
    expect(new ColumnFinder(body, tables).headerAt(body.text.indexOf('Jane'))).toBe('patient');
    expect(new ColumnFinder(body, tables).headerAt(body.text.indexOf('Thanks'))).toBeNull();

    expect(findTables(new TextLayout('Jane Smith,12/03/1967,LS6 2QQ\n'), true)).toEqual([]);
  });
});
