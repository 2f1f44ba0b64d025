/**
 * Hospital numbers, unit numbers and MRNs: local patient identifiers a hospital or clinic
 * gives ("Hospital No: RX1234567", "Unit number K123456", "MRN: 00123456", "Hosp. no.").
 * Their formats vary by trust, so they are reported only when labelled, on the same line
 * (or the label ends the line before), or in a table column so labelled. Confidence is high
 * when patient context (patient, DOB, NHS, referral, clinic …) stands within the keyword
 * window; a bare "unit number" without it is low (units are also storage units, flats and
 * business parks).
 *
 * Linear: one regex pass (bounded quantifiers only) for labelled values, one pass per keyword
 * list, and one walk over the rows of tables with a hospital-number column.
 */
import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';
import { LiteralGate } from './literal-gate.js';
import {
  HEALTH_KEYWORDS,
  HOSPITAL_LABEL,
  KEYWORD_WINDOW,
  KeywordPatternIndex,
  PATIENT_KEYWORDS,
  findTableHeaders,
  lineStartWithin,
  type TableHeader,
} from './number-context.js';

/** A hospital number: up to three letters then 5-10 digits and an optional letter, or an NHS-style 3-3-4 number. */
const VALUE = '(?:[A-Za-z]{1,3}[ \\-]?)?\\d{5,10}[A-Za-z]?|\\d{3} \\d{3} \\d{4}';

const LABELLED = new RegExp(
  `(?<![\\p{L}\\p{N}])(${HOSPITAL_LABEL})(?:[ \\t]?\\((?:mrn|pas|k)\\))?[ \\t]{0,4}[:#=.,;|\\-\\u2013]{0,2}[ \\t]{0,4}(?:\\r?\\n[ \\t>]{0,6})?(?:is[ \\t]{1,3})?(${VALUE})(?![\\p{L}\\p{N}]|[\\-/.@_][\\p{L}\\p{N}])`,
  'giu',
);

const WHOLE_VALUE = new RegExp(`^(?:${VALUE})$`, 'u');

/** Words of stores, flats and business parks: a "unit number" near them is no patient's. */
const NON_PATIENT_UNIT = /(?<![\p{L}\p{N}])(?:storage|warehouse|industrial|estate|business|park|flat|apartment|invoice|order|delivery|parcel|stock)(?![\p{L}\p{N}])/giu;

const NEAR = 150;

interface Indexes {
  readonly health: KeywordPatternIndex;
  readonly patient: KeywordPatternIndex;
  readonly nonPatient: KeywordPatternIndex;
}

function nearestContext(idx: Indexes, start: number, end: number): number {
  const health = idx.health.nearest(start, end, KEYWORD_WINDOW);
  const patient = idx.patient.nearest(start, end, KEYWORD_WINDOW);
  return Math.min(health?.distance ?? Infinity, patient?.distance ?? Infinity);
}

function scoreLabelled(idx: Indexes, weak: boolean, start: number, end: number): { confidence: number; why: string } {
  const context = nearestContext(idx, start, end);
  if (!weak) {
    if (context <= NEAR) return { confidence: 0.95, why: 'labelled as a hospital number or MRN, with patient context nearby' };
    if (context <= KEYWORD_WINDOW) return { confidence: 0.92, why: 'labelled as a hospital number or MRN, with patient context within the window' };
    return { confidence: 0.7, why: 'labelled as a hospital number or MRN; no patient context' };
  }
  const nonPatient = idx.nonPatient.nearest(start, end, KEYWORD_WINDOW);
  if (nonPatient && nonPatient.distance < context) return { confidence: 0.2, why: 'labelled as a unit number near words of stores, premises or orders' };
  if (context <= KEYWORD_WINDOW) return { confidence: 0.9, why: 'labelled as a unit number, with patient context' };
  return { confidence: 0.45, why: 'labelled as a unit number; no patient context' };
}

/** Data cells of hospital-number columns in the tables of a text, in one walk over their rows. */
function tableCells(text: string, headers: readonly TableHeader[]): { value: string; offset: number }[] {
  const cells: { value: string; offset: number }[] = [];
  for (const header of headers) {
    const wanted = new Set<number>();
    header.columns.forEach((c, i) => {
      if (c === 'hospital') wanted.add(i);
    });
    if (wanted.size === 0) continue;
    let lineStart = header.lineEnd + 1;
    while (lineStart < header.end) {
      const nl = text.indexOf('\n', lineStart);
      const lineEnd = Math.min(nl === -1 ? text.length : nl, header.end);
      let column = 0;
      let cellStart = lineStart;
      let quoted = false;
      for (let i = lineStart; i <= lineEnd; i++) {
        const ch = i < lineEnd ? text[i] : header.delimiter;
        if (ch === '"') quoted = !quoted;
        else if (ch === header.delimiter && !quoted) {
          if (wanted.has(column)) {
            const raw = text.slice(cellStart, i);
            const lead = raw.length - raw.trimStart().length;
            const value = raw.trim().replace(/^"|"$/g, '').trim();
            if (value.length <= 20 && WHOLE_VALUE.test(value)) {
              cells.push({ value, offset: text.indexOf(value, cellStart + lead) });
            }
          }
          column++;
          cellStart = i + 1;
        }
      }
      if (nl === -1) break;
      lineStart = nl + 1;
    }
  }
  return cells;
}

/** Every label (HOSPITAL_LABEL) and column header holds one of these: without them, nothing to find. */
const LABEL_WORDS = new LiteralGate(['hosp', 'unit', 'mrn', 'm.r.n', 'record', 'case', 'pas']);

export const detectHospitalNumber: TextDetector = (unit: TextUnit, _context: DetectorContext): Finding[] => {
  const { text } = unit;
  if (!LABEL_WORDS.admits(text)) return [];
  const findings: Finding[] = [];
  const seen = new Set<number>();
  let idx: Indexes | null = null;
  const indexes = (): Indexes =>
    (idx ??= {
      health: new KeywordPatternIndex(text, HEALTH_KEYWORDS),
      patient: new KeywordPatternIndex(text, PATIENT_KEYWORDS),
      nonPatient: new KeywordPatternIndex(text, NON_PATIENT_UNIT),
    });

  const re = new RegExp(LABELLED.source, LABELLED.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const label = m[1]!;
    const value = m[2]!;
    const offset = m.index + m[0].length - value.length;
    if (m[0].includes('\n')) {
      // A label ending the line above: not when that line is a table header ("Name,Hospital No"
      // above a row whose first cell is something else); columns are handled below.
      const labelLine = text.slice(lineStartWithin(text, m.index, 200), m.index);
      if (unit.tabular || /[\t,;|]/.test(labelLine) || /[\t,;|]/.test(text.slice(m.index, m.index + m[0].indexOf('\n')))) continue;
    }
    if (seen.has(offset)) continue;
    seen.add(offset);
    const weak = /^unit/i.test(label);
    const scored = scoreLabelled(indexes(), weak, m.index, offset + value.length);
    findings.push({ kind: 'hospital_number', value, confidence: scored.confidence, location: unit.location, offset, why: scored.why });
  }

  const headers = findTableHeaders(text, unit.tabular);
  for (const cell of tableCells(text, headers)) {
    if (cell.offset < 0 || seen.has(cell.offset)) continue;
    seen.add(cell.offset);
    findings.push({
      kind: 'hospital_number',
      value: cell.value,
      confidence: 0.93,
      location: unit.location,
      offset: cell.offset,
      why: 'in a table column labelled as hospital number or MRN',
    });
  }
  return findings.sort((a, b) => a.offset - b.offset);
};
