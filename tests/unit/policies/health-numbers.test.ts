import { describe, expect, it } from 'vitest';
import { scanHealthNumbers } from '../../../src/policies/health-number-scan.js';
import {
  HC_STEM_MAX,
  HC_STEM_MIN,
  chiCheckMethod,
  chiDateValid,
  chiMod10CheckDigit,
  chiValid,
  hcValid,
  nhsCheckDigit,
  nhsCheckDigitValid,
  normaliseDigits,
} from '../../../src/policies/health-numbers.js';
import {
  ColumnLocator,
  HEALTH_KEYWORDS,
  KeywordPatternIndex,
  PATIENT_KEYWORDS,
  classifyHeaderCell,
  findTableHeaders,
  labelBefore,
} from '../../../src/policies/number-context.js';
import { EMPTY_CONTEXT } from '../../../src/policies/detector.js';

// Expected check digits below were computed independently of the code under test (by hand
// for the worked examples, and with a separate script for the rest).

describe('nhsCheckDigit (modulus 11, weights 10..2)', () => {
  it.each([
    // 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9
    ['943476591', 9],
    // 4*10+0+1*8+0+2*6+3*5+2*4+1*3+3*2 = 92; 92 mod 11 = 4; 11-4 = 7
    ['401023213', 7],
    ['987654321', 0], // sum mod 11 = 0: 11 becomes 0
    ['320000001', 5],
    ['399999999', 3],
    ['555123456', 8],
  ])('stem %s has check digit %i', (stem, check) => {
    expect(nhsCheckDigit(stem)).toBe(check);
  });

  it.each(['123456789', '171023458'])('stem %s has no valid check digit (the result is 10)', (stem) => {
    expect(nhsCheckDigit(stem)).toBeNull();
  });

  it.each(['12345678', '1234567890', '12345678a', ''])('rejects a stem that is not nine digits: %j', (stem) => {
    expect(nhsCheckDigit(stem)).toBeNull();
  });
});

describe('nhsCheckDigitValid', () => {
  it.each(['9434765919', '943 476 5919', '943-476-5919', '943.476.5919', '4010232137', '401 023 2137', '9876543210', '5551234568', '3200000015'])(
    'accepts %s',
    (value) => {
      expect(nhsCheckDigitValid(value)).toBe(true);
    },
  );

  it.each([
    ['9434765918', 'wrong check digit'],
    ['9434765910', 'wrong check digit'],
    ['4010232136', 'wrong check digit'],
    ['1234567890', 'stem with check 10 can never be valid'],
    ['1234567897', 'stem with check 10 can never be valid'],
    ['943476591', 'nine digits'],
    ['94347659190', 'eleven digits'],
    ['943476591X', 'a letter'],
    ['943/476/5919', 'slashes are not separators'],
  ])('rejects %s (%s)', (value, _why) => {
    expect(nhsCheckDigitValid(value)).toBe(false);
  });

  it('rejects all-same digits, including those the arithmetic would pass', () => {
    // 1111111111 and 3333333333 pass modulus 11 arithmetically (sum = 54d, check = d for d = 1, 3 …).
    expect(nhsCheckDigit('111111111')).toBe(1);
    expect(nhsCheckDigit('333333333')).toBe(3);
    for (let d = 0; d <= 9; d++) expect(nhsCheckDigitValid(String(d).repeat(10))).toBe(false);
  });

  it('about 1 in 11 ten-digit numbers pass (why a checksum alone is never high confidence)', () => {
    let pass = 0;
    const total = 11_000;
    for (let i = 0; i < total; i++) {
      const stem = String(100_000_000 + i * 80_803).padStart(9, '0').slice(0, 9);
      for (let check = 0; check <= 9; check++) if (nhsCheckDigitValid(`${stem}${check}`)) pass++;
    }
    // Each stem has exactly one valid check digit unless its result is 10 (1 in 11 stems).
    expect(pass / total).toBeGreaterThan(0.88);
    expect(pass / total).toBeLessThan(0.94);
  });

  it('normaliseDigits removes spaces, dashes, dots and no-break spaces only', () => {
    expect(normaliseDigits('943 476-5919')).toBe('9434765919');
    expect(normaliseDigits('943\u00a0476.5919')).toBe('9434765919');
    expect(normaliseDigits('943/476/5919')).toBe('943/476/5919');
  });
});

describe('chiDateValid (DDMMYY)', () => {
  it.each(['010170', '120367', '311299', '290200', '290296', '300466', '311066', '280201'])('accepts %s', (d) => {
    expect(chiDateValid(d)).toBe(true);
  });
  it.each(['000170', '320170', '011370', '010070', '310499', '310699', '300201', '290201', '290299', '12036', '1203671', 'ab0367'])(
    'rejects %s',
    (d) => {
      expect(chiDateValid(d)).toBe(false);
    },
  );
});

describe('chiMod10CheckDigit (the February 2026 alternative)', () => {
  it('worked example: 120367123 → 3', () => {
    // Positions 1,3,5,7,9 (digits 1,0,6,1,3) doubled: 2,0,12→3,2,6 = 13.
    // Positions 2,4,6,8 (digits 2,3,7,2) as they are: 14. Sum 27; (10 - 7) mod 10 = 3.
    expect(chiMod10CheckDigit('120367123')).toBe(3);
  });

  it.each([
    ['171023456', 6],
    ['150687432', 8],
    ['010170123', 3],
    ['290200123', 5],
    // Position 1 doubled (1→2) plus position 2 (8) = 10: (10 - 0) mod 10 = 0.
    ['180000000', 0],
  ])('stem %s → %i', (stem, check) => {
    // Independent Luhn over the ten digits: the rule is Luhn with the check digit appended.
    const luhnValid = (n: string): boolean => {
      let sum = 0;
      for (let i = 0; i < n.length; i++) {
        let d = Number(n[n.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      return sum % 10 === 0;
    };
    const digit = chiMod10CheckDigit(stem);
    expect(digit).toBe(check);
    expect(luhnValid(`${stem}${digit}`)).toBe(true);
  });

  it('rejects stems that are not nine digits', () => {
    expect(chiMod10CheckDigit('12036712')).toBeNull();
  });
});

describe('chiValid', () => {
  it.each([
    ['1203671237', 'mod11', '12/03/67, modulus 11'],
    ['1203671233', 'mod10', '12/03/67, modulus 10 only'],
    ['120367 1237', 'mod11', 'the DDMMYY NNNN layout'],
    ['2902001231', 'mod11', '29/02/00 (leap year 2000)'],
    ['2902001235', 'mod10', '29/02/00, modulus 10'],
    ['1710234563', 'mod11', '17/10/23'],
    ['1710234566', 'mod10', '17/10/23, modulus 10'],
    ['0101701233', 'mod11', 'both methods give 3: modulus 11 reported'],
  ] as const)('accepts %s (%s: %s)', (value, method, _why) => {
    expect(chiValid(value)).toBe(true);
    expect(chiCheckMethod(value)).toBe(method);
  });

  it.each([
    ['3104991235', 'modulus 11 valid but 31 April is no date'],
    ['2902011237', 'modulus 11 valid but 29/02/01 is no date'],
    ['1203671230', 'valid date, neither check digit'],
    ['1203671239', 'valid date, neither check digit'],
    ['9434765919', 'valid NHS number, 94 is no day'],
    ['1111111111', 'all-same digits (11/11/11 and modulus 11 both pass arithmetically)'],
    ['120367123', 'nine digits'],
  ])('rejects %s (%s)', (value, _why) => {
    expect(chiValid(value)).toBe(false);
  });
});

describe('hcValid (H&C range 320 000 001 .. 399 999 999)', () => {
  it('range constants', () => {
    expect(HC_STEM_MIN).toBe(320_000_001);
    expect(HC_STEM_MAX).toBe(399_999_999);
  });

  it.each(['3200000015', '320 000 0015', '3999999993', '399-999-9993'])('accepts %s', (value) => {
    expect(hcValid(value)).toBe(true);
  });

  it.each([
    ['3200000007', 'stem 320000000 is just below the range (still a valid NHS number)'],
    ['4000000004', 'stem 400000000 is above the range'],
    ['9434765919', 'NHS range'],
    ['3200000016', 'in range, wrong check digit'],
    ['3999999992', 'in range, wrong check digit'],
    ['3333333333', 'all-same digits'],
  ])('rejects %s (%s)', (value, _why) => {
    expect(hcValid(value)).toBe(false);
  });

  it('numbers just outside the range remain valid NHS numbers', () => {
    expect(nhsCheckDigitValid('3200000007')).toBe(true);
    expect(nhsCheckDigitValid('4000000004')).toBe(true);
  });
});

describe('labelBefore', () => {
  const at = (text: string, value: string): number => text.indexOf(value);
  it.each([
    ['NHS No: 9434765919', 'nhs'],
    ['NHS number 9434765919', 'nhs'],
    ['Patient NHS no. 9434765919', 'nhs'],
    ['nhs#9434765919', 'nhs'],
    ['NHS number is 9434765919', 'nhs'],
    ['CHI: 9434765919', 'chi'],
    ['Community Health Index number - 9434765919', 'chi'],
    ['H&C No 9434765919', 'hc'],
    ['Health and Care Number: 9434765919', 'hc'],
    ['Hospital No: 9434765919', 'hospital'],
    ['MRN 9434765919', 'hospital'],
    ['Invoice no. 9434765919', 'lookalike'],
    ['Order Number: 9434765919', 'lookalike'],
    ['Tel: 9434765919', 'lookalike'],
    ['T: 9434765919', 'lookalike'],
    ['a/c 9434765919', 'lookalike'],
    ['GDC No 9434765919', 'lookalike'],
    ['"timestamp": 9434765919', 'lookalike'],
    ['NHS No:\n9434765919', 'nhs'],
    ['> NHS No:\r\n> 9434765919', 'nhs'],
    ['Patient ref: 9434765919', null],
    ['Mrs F Smith, F, 9434765919', null],
    ['Some text 9434765919', null],
    ['12/03/1967, 9434765919', null],
  ] as const)('%j → %s', (text, cls) => {
    expect(labelBefore(text, at(text, '9434765919'))).toBe(cls);
  });

  it('same-line-only mode ignores the line above (table rows)', () => {
    const text = 'Name,Phone\n9434765919,x';
    expect(labelBefore(text, 11)).toBe('lookalike');
    expect(labelBefore(text, 11, true)).toBeNull();
  });
});

describe('table headers and columns', () => {
  it.each([
    ['NHS No', 'nhs'],
    ['"NHS Number"', 'nhs'],
    ['nhs_number', 'nhs'],
    ['NHSNumber', 'nhs'],
    ['Patient NHS No.', 'nhs'],
    ['CHI', 'chi'],
    ['CHI Number', 'chi'],
    ['H&C No', 'hc'],
    ['Hospital Number', 'hospital'],
    ['MRN', 'hospital'],
    ['Order No', 'lookalike'],
    ['Invoice', 'lookalike'],
    ['Telephone', 'lookalike'],
    ['Name', null],
    ['DOB', null],
    ['Notes about the NHS number', null],
  ] as const)('header cell %j → %s', (cell, cls) => {
    expect(classifyHeaderCell(cell)).toBe(cls);
  });

  it('a tabular unit takes its first non-empty line as the header', () => {
    const text = '\nSurname,Forename,NHS No\nDoe,Jane,9434765919\n';
    const [header] = findTableHeaders(text, true);
    expect(header?.columns).toEqual([null, null, 'nhs']);
    expect(header?.patient).toBe(true);
    const locator = new ColumnLocator(text, findTableHeaders(text, true));
    expect(locator.locate(text.indexOf('Jane'))?.column).toBe(1);
    expect(locator.locate(text.indexOf('9434765919'))?.column).toBe(2);
  });

  it('quoted cells with delimiters inside count as one column', () => {
    const text = 'Name,Address,NHS No\n"Doe, Jane","1 High St, Leeds",9434765919\n';
    const locator = new ColumnLocator(text, findTableHeaders(text, true));
    expect(locator.locate(text.indexOf('9434765919'))?.column).toBe(2);
  });

  it('in a plain body a delimited line with labels starts a table that ends at a blank line', () => {
    const text = 'Hello,\n\nName\tNHS No\tDOB\nJane Doe\t9434765919\t01/01/1970\n\nAfter the table 4010232137\n';
    const headers = findTableHeaders(text, false);
    expect(headers).toHaveLength(1);
    expect(headers[0]!.delimiter).toBe('\t');
    const locator = new ColumnLocator(text, headers);
    expect(locator.locate(text.indexOf('9434765919'))?.column).toBe(1);
    expect(locator.locate(text.indexOf('4010232137'))).toBeNull();
  });

  it('prose with commas is not a header', () => {
    expect(findTableHeaders('Please check the order, the invoice, and the NHS number, thanks\n9434765919\n', false)).toEqual([]);
  });
});

describe('KeywordPatternIndex', () => {
  it('finds the nearest whole-word keyword either side', () => {
    const text = 'The patient was seen. 9434765919 was referred by the GP';
    const index = new KeywordPatternIndex(text, PATIENT_KEYWORDS);
    const start = text.indexOf('9434765919');
    const hit = index.nearest(start, start + 10, 300);
    expect(hit?.keyword).toBe('referred');
    expect(hit?.distance).toBe(5);
    expect(index.nearest(start, start + 10, 3)).toBeNull();
  });

  it('does not count NHS inside an email domain, nor lowercase chi', () => {
    const text = 'mail me at someone@nhs.net, tai chi on Tuesday';
    expect(new KeywordPatternIndex(text, HEALTH_KEYWORDS).size).toBe(0);
  });

  it('ignores keywords inside the span itself', () => {
    const text = 'Hospital No: RX1234567';
    const index = new KeywordPatternIndex(text, PATIENT_KEYWORDS);
    expect(index.nearest(0, text.length, 300)).toBeNull();
  });
});

describe('scanHealthNumbers: one kind per number', () => {
  const scan = (text: string) => scanHealthNumbers({ location: 'body:text', text }, EMPTY_CONTEXT).map((f) => [f.kind, f.value] as const);
  it.each([
    ['NHS No: 943 476 5919', 'nhs_number'],
    ['H&C No: 3200000015', 'hc_number'],
    ['NHS No: 3200000015', 'hc_number'],
    ['CHI: 1203671237', 'chi_number'],
    ['NHS No: 1203671237', 'nhs_number'],
    ['Patient 1203671237', 'nhs_number'],
    ['Patient 1203671233', 'chi_number'],
    ['Patient 120367 1237', 'chi_number'],
  ] as const)('%j → %s', (text, kind) => {
    const found = scan(text);
    expect(found).toHaveLength(1);
    expect(found[0]![0]).toBe(kind);
  });

  it('never puts a patient value into `why`', () => {
    const text = 'Patient: Jane Doe\nNHS No: 943 476 5919\nCHI 1203671233\nH&C 3999999993';
    const findings = scanHealthNumbers({ location: 'body:text', text }, EMPTY_CONTEXT);
    expect(findings).toHaveLength(3);
    for (const f of findings) {
      expect(f.why).not.toContain(f.value);
      expect(f.why).not.toContain(f.value.replace(/\D/g, ''));
      expect(f.why).not.toContain(f.value.slice(-4));
      expect(f.why).not.toContain('Jane');
      expect(text.slice(f.offset, f.offset + f.value.length)).toBe(f.value);
    }
  });
});
