import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextUnit } from './detector.js';
import { type Checks, checksOf } from './health-numbers.js';
import { ALNUM, ColumnLocator, findTableHeaders, HEALTH_KEYWORDS, KEYWORD_WINDOW, KeywordPatternIndex, labelBefore, type LabelClass, lineEndWithin, lineStartWithin, LOOKALIKE_KEYWORDS, NEAR, PATIENT_KEYWORDS, SCOTTISH_KEYWORDS, type TableHeader, TIMESTAMP_KEYWORDS } from './number-context.js';

/** The one scanner the NHS, CHI and H&C detectors share: each valid number is reported under exactly one kind (see health-numbers.ts). */
// ---------------------------------------------------------------------------------------------
// The shared scanner
// ---------------------------------------------------------------------------------------------

export type HealthNumberKind = 'nhs_number' | 'chi_number' | 'hc_number';

const SEP = '[ \\u00a0.\\-\\u2010\\u2011\\u2012\\u2013]';
/**
 * Candidates: 3-3-4 with single separators (a line break may stand for one, when a number is
 * wrapped), 6-4 (the CHI layout DDMMYY NNNN), or 10 plain digits; never inside a longer run of
 * digits or letters. Every quantifier is bounded. The lookarounds are ASCII (Unicode property
 * lookarounds are an order of magnitude slower); non-ASCII letters and digits next to a
 * candidate are rejected in `partOfSomethingElse`.
 */
const CANDIDATE = new RegExp(
  `(?<![A-Za-z0-9])(?:\\d{3}(${SEP}|\\r?\\n)\\d{3}(?:${SEP}|\\r?\\n)\\d{4}|\\d{6}([ \\u00a0\\-])\\d{4}|\\d{10})(?![A-Za-z0-9])`,
  'g',
);

const JOINERS = new Set(['-', '/', '_', '\\', '\u2010', '\u2011', '\u2013']);
/** Characters that make a following number a phone number, an amount or a handle. */
const PREFIXES = new Set(['+', '£', '$', '€', '@']);
const DIGIT = /\d/;

/** International or "(0)" phone prefixes directly before a number. */
const PHONE_PREFIX = /(?:\+\s?\d{1,3}|(?<!\d)00\d{2,3}|\(0\))[\s.-]{0,2}(?:\(0\)[\s.-]{0,2})?$/;
const CLOCK_TIME = /\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}/;

/** Unix timestamps (seconds) that fit a signed 32-bit value and have ten digits. */
const TIMESTAMP_MIN = 1_000_000_000;
const TIMESTAMP_MAX = 2_147_483_647;

type Layout = 'plain' | 'grouped' | 'chi';

interface Candidate {
  readonly value: string;
  readonly offset: number;
  readonly digits: string;
  readonly layout: Layout;
  readonly checks: Checks;
}

function insideUrl(text: string, offset: number): boolean {
  let i = offset - 1;
  const stop = Math.max(0, offset - 256);
  while (i >= stop && !/[\s<>"'()[\]]/.test(text[i]!)) i--;
  const token = text.slice(i + 1, offset).toLowerCase();
  return token.includes('://') || token.startsWith('www.') || token.startsWith('mailto:');
}

/** Rejects candidates that are part of a longer token, a phone number, a money amount or a URL. */
function partOfSomethingElse(text: string, c: Candidate, label: LabelClass | null): boolean {
  const { offset } = c;
  const end = offset + c.value.length;
  const before = offset > 0 ? text[offset - 1]! : '';
  const before2 = offset > 1 ? text[offset - 2]! : '';
  const after = end < text.length ? text[end]! : '';
  const after2 = end + 1 < text.length ? text[end + 1]! : '';
  if ((before !== '' && ALNUM.test(before)) || (after !== '' && ALNUM.test(after))) return true;
  if (PREFIXES.has(before)) return true;
  if (JOINERS.has(before) && ALNUM.test(before2) && !(label === 'nhs' || label === 'chi' || label === 'hc')) return true;
  if (before === '.' && DIGIT.test(before2)) return true;
  // "9434765919-01", "9434765919/2", "9434765919.50", "9434765919@host"; a full stop ending a sentence is fine.
  if (after === '@' || after === '%') return true;
  if (JOINERS.has(after) && ALNUM.test(after2)) return true;
  if (after === '.' && DIGIT.test(after2)) return true;
  if (PHONE_PREFIX.test(text.slice(Math.max(0, offset - 12), offset))) return true;
  if (c.layout !== 'plain') {
    // A grouped number continuing a longer grouped number: "44 943 476 5919", "943 476 5919 12".
    const sep = c.value[3] === '\n' || c.value[3] === '\r' ? ' ' : c.layout === 'chi' ? c.value[6]! : c.value[3]!;
    if (before === sep && DIGIT.test(before2)) return true;
    if (after === sep && /^\d{1,4}(?![\d/.:-])/.test(text.slice(end + 1, end + 6))) return true;
  }
  return insideUrl(text, offset);
}

function phoneDigits(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  const national = digits.startsWith('44') ? `0${digits.slice(2)}` : digits;
  return [digits, national, national.replace(/^0/, '')];
}

interface Scored {
  readonly confidence: number;
  readonly reason: string;
}

interface Indexes {
  readonly health: KeywordPatternIndex;
  readonly scottish: KeywordPatternIndex;
  readonly patient: KeywordPatternIndex;
  readonly lookalike: KeywordPatternIndex;
  readonly timestamp: KeywordPatternIndex;
}

const SCHEME_TEXT: Record<HealthNumberKind, string> = {
  nhs_number: 'passes the NHS modulus 11 check',
  chi_number: 'valid CHI date prefix and check digit',
  hc_number: 'in the H&C range (stem 320000001-399999999) with a valid modulus 11 check digit',
};

const PATIENT_TABLE_OTHER_COLUMN = 0.8;

function score(
  text: string,
  c: Candidate,
  label: LabelClass | null,
  cell: { header: TableHeader; column: number } | null,
  idx: Indexes,
  practicePhones: ReadonlySet<string>,
): Scored {
  const end = c.offset + c.value.length;
  if (practicePhones.has(c.digits)) return { confidence: 0.05, reason: "matches the practice's own phone number" };

  const column = cell ? (cell.header.columns[cell.column] ?? null) : null;
  if (label === 'nhs' || label === 'chi' || label === 'hc') return { confidence: 0.97, reason: 'labelled as a health service number' };
  if (column === 'nhs' || column === 'chi' || column === 'hc') return { confidence: 0.97, reason: 'in a table column labelled as a health service number' };
  if (label === 'lookalike') return { confidence: 0.1, reason: 'labelled as an invoice, order, reference, account, phone or timestamp value' };
  if (column === 'lookalike') return { confidence: 0.1, reason: 'in a table column of invoice, order, account or phone values' };
  if (label === 'hospital') return { confidence: 0.55, reason: 'labelled as a hospital number' };
  if (column === 'hospital') return { confidence: 0.55, reason: 'in a table column of hospital numbers' };

  const value = Number(c.digits);
  if (c.layout === 'plain' && value >= TIMESTAMP_MIN && value <= TIMESTAMP_MAX) {
    const line = text.slice(lineStartWithin(text, c.offset, 120), lineEndWithin(text, end, 120));
    const healthNear = idx.health.nearest(c.offset, end, 60);
    if (!healthNear && (CLOCK_TIME.test(line) || idx.timestamp.nearest(c.offset, end, 120))) {
      return { confidence: 0.1, reason: 'looks like a Unix timestamp in log or machine context' };
    }
  }

  if (cell?.header.patient) return { confidence: PATIENT_TABLE_OTHER_COLUMN, reason: 'in a table of patient details' };

  const health = idx.health.nearest(c.offset, end, KEYWORD_WINDOW);
  const patient = idx.patient.nearest(c.offset, end, KEYWORD_WINDOW);
  const lookalike = idx.lookalike.nearest(c.offset, end, KEYWORD_WINDOW);
  let confidence: number;
  let reason: string;
  if (health) {
    confidence = health.distance <= NEAR ? 0.93 : 0.9;
    reason = `health-number keyword "${health.keyword}" nearby`;
  } else if (patient) {
    confidence = patient.distance <= NEAR ? 0.9 : 0.85;
    reason = `patient context ("${patient.keyword}") nearby`;
  } else {
    confidence = c.layout === 'plain' ? 0.4 : 0.45;
    if (c.digits.startsWith('0')) confidence -= 0.05;
    reason = 'no patient context (about 1 in 11 random 10-digit numbers pass the checksum)';
  }
  const contextDistance = Math.min(health?.distance ?? Infinity, patient?.distance ?? Infinity);
  if (lookalike && lookalike.distance < contextDistance) {
    const sameLineBefore = lookalike.end <= c.offset && !text.slice(lookalike.end, c.offset).includes('\n');
    const penalty = sameLineBefore && lookalike.distance <= 40 ? 0.35 : 0.15;
    confidence = Math.max(0.1, confidence - penalty);
    reason += `; "${lookalike.keyword}" is nearer`;
  }
  return { confidence: Math.round(confidence * 100) / 100, reason };
}

function classify(c: Candidate, label: LabelClass | null, column: LabelClass | null, scottish: boolean): HealthNumberKind | null {
  const { mod11, chi, hc } = c.checks;
  if (c.layout === 'chi') return chi ? 'chi_number' : null;
  if (hc) return 'hc_number';
  if (chi && !mod11) return 'chi_number';
  if (chi && mod11) {
    // Valid both ways (date prefix + modulus 11): a label decides, then Scottish context.
    if (label === 'nhs' || column === 'nhs') return 'nhs_number';
    if (label === 'chi' || column === 'chi' || scottish) return 'chi_number';
    return 'nhs_number';
  }
  return mod11 ? 'nhs_number' : null;
}

/**
 * Every valid NHS, CHI and H&C number in a text unit, each classified under exactly one kind
 * and scored from its label, table column and keyword context. The three detectors filter
 * this list by kind.
 */
export function scanHealthNumbers(unit: TextUnit, context: DetectorContext): Finding[] {
  const { text } = unit;
  const findings: Finding[] = [];
  let idx: Indexes | null = null;
  let locator: ColumnLocator | null = null;
  const practicePhones = new Set<string>();
  for (const phone of context.practicePhones) for (const d of phoneDigits(phone)) if (d.length === 10) practicePhones.add(d);

  const re = new RegExp(CANDIDATE.source, CANDIDATE.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = m[0];
    const layout: Layout = m[2] !== undefined ? 'chi' : m[1] !== undefined ? 'grouped' : 'plain';
    const digits = layout === 'plain' ? value : value.replace(/\D/g, '');
    // Cheap validity test first: most 10-digit numbers fail every checksum.
    const checks = checksOf(digits);
    if (!checks.mod11 && !checks.chi) continue;
    const c: Candidate = { value, offset: m.index, digits, layout, checks };
    locator ??= new ColumnLocator(text, findTableHeaders(text, unit.tabular));
    const cell = locator.locate(c.offset);
    // In a table row the cell's column labels the value, not the end of the line above.
    const label = labelBefore(text, c.offset, cell !== null);
    if (partOfSomethingElse(text, c, label)) continue;

    idx ??= {
      health: new KeywordPatternIndex(text, HEALTH_KEYWORDS),
      scottish: new KeywordPatternIndex(text, SCOTTISH_KEYWORDS),
      patient: new KeywordPatternIndex(text, PATIENT_KEYWORDS),
      lookalike: new KeywordPatternIndex(text, LOOKALIKE_KEYWORDS),
      timestamp: new KeywordPatternIndex(text, TIMESTAMP_KEYWORDS),
    };
    const column = cell ? (cell.header.columns[cell.column] ?? null) : null;
    const scottish = idx.scottish.nearest(c.offset, c.offset + value.length, KEYWORD_WINDOW) !== null;
    const kind = classify(c, label, column, scottish);
    if (!kind) continue;
    const scored = score(text, c, label, cell, idx, practicePhones);
    let scheme = SCHEME_TEXT[kind];
    if (kind === 'chi_number') {
      scheme = checks.chiMethod === 'mod10' ? 'valid CHI date prefix and 2026 modulus 10 check digit' : 'valid CHI date prefix and modulus 11 check digit';
      if (checks.mod11) scheme += layout === 'chi' ? ' (CHI layout DDMMYY NNNN)' : ' (also NHS-valid: Scottish context or label)';
    } else if (kind === 'nhs_number' && checks.chi) {
      scheme += ' (also a valid CHI; no Scottish context)';
    }
    findings.push({ kind, value, confidence: scored.confidence, location: unit.location, offset: c.offset, why: `${scheme}; ${scored.reason}` });
  }
  return findings;
}
