import type { Finding } from '../core/finding.js';
import type { DetectorContext, TextDetector, TextUnit } from './detector.js';

/**
 * Clinical context: tooth notation (quadrant notation UR6, LL8, ULE, ranges UL1-UL3 or UL1-3;
 * FDI numbers after "FDI", "tooth" or "teeth") and dental treatment words (extraction, RCT,
 * root canal, crown prep, implant, periodontal, caries, radiograph, OPG, bitewing, CBCT,
 * denture, orthodontic, abscess, pericoronitis …). Not an identifier: it makes other findings
 * more likely to be about a patient, so its confidence is low to medium. One finding per
 * distinct term per unit (the first occurrence) keeps the output small.
 */

/** Quadrant notation: UR6, LL8, UL E (deciduous), optionally a range (UL1-UL3, UL1-3). */
const QUADRANT = /(?<![\p{L}\p{N}])(UR|UL|LR|LL)[ ]?([1-8]|[A-E])(?:[ ]?[-–][ ]?(?:\1[ ]?)?([1-8]|[A-E]))?(?![\p{L}\p{N}])/gu;
/** FDI two-digit tooth numbers, only after a word that says so ("FDI 36", "tooth 46", "teeth 11, 21"). */
const FDI = /(?<![\p{L}])(?:fdi|tooth|teeth)[ \t]{0,3}(?:no\.?[ \t]{0,3}|number[ \t]{0,3}|#[ \t]{0,3})?((?:[1-4][1-8]|[5-8][1-5])(?:(?:[ \t]{0,2}[,&/][ \t]{0,2}|[ \t]{1,2}and[ \t]{1,2})(?:[1-4][1-8]|[5-8][1-5])){0,7})(?![\p{L}\p{N}])/giu;

interface Term {
  /** The term with the whole-word check after it; the one before it is made by firstWholeWord. */
  readonly pattern: RegExp;
  /** The distinct term a match counts as (singular, lower-case). */
  readonly term: string;
  readonly confidence: number;
}

/** Treatment and diagnostic words; each is case-insensitive and whole-word. */
const TERMS: readonly Term[] = [
  term('extraction', 'extractions?|extracted|xla', 0.45),
  term('root canal', 'root[ -]canal(?:[ \\t]{1,3}(?:treatment|therapy))?|rct|endodontic(?:s)?|pulpectomy|pulpotomy', 0.5),
  term('crown', 'crown[ \\t]{1,3}prep(?:aration)?|crowns?', 0.35),
  term('bridge', 'bridge[ \\t]{1,3}prep(?:aration)?|(?:adhesive|maryland|conventional)[ \\t]{1,3}bridge', 0.35),
  term('implant', 'implant[ \\t]{1,3}placement|implants?', 0.4),
  term('periodontal', 'periodontal|periodontitis|periodontics|perio|gingivitis|bpe|pocketing|scale[ \\t]{1,3}and[ \\t]{1,3}polish', 0.4),
  term('caries', 'caries|carious|decay', 0.4),
  term('radiograph', 'radiographs?|x-rays?|xrays?|periapicals?|pa[ \\t]{1,3}radiographs?', 0.45),
  term('opg', 'opg|dpt|panoramic', 0.5),
  term('bitewing', 'bitewings?', 0.5),
  term('cbct', 'cbct|cone[ -]beam(?:[ \\t]{1,3}ct)?', 0.5),
  term('denture', 'dentures?', 0.4),
  term('orthodontic', 'orthodontics?|orthodontist|ortho|braces|aligners?|retainers?', 0.35),
  term('abscess', 'abscess(?:es|ed)?', 0.5),
  term('pericoronitis', 'pericoronitis', 0.55),
  term('wisdom tooth', 'wisdom[ \\t]{1,3}(?:tooth|teeth)|third[ \\t]{1,3}molars?', 0.45),
  term('apicectomy', 'apicectomy|apicoectomy', 0.55),
  term('pulpitis', 'pulpitis|irreversible[ \\t]{1,3}pulpitis', 0.5),
  term('filling', 'fillings?|restorations?|composite[ \\t]{1,3}restoration|amalgam', 0.3),
  term('veneer', 'veneers?', 0.3),
];

function term(name: string, source: string, confidence: number): Term {
  return { pattern: new RegExp(`(?:${source})(?![\\p{L}\\p{N}])`, 'giu'), term: name, confidence };
}

/** A letter or digit right before `lastIndex` (used sticky). */
const WORD_CHARACTER_BEFORE = /(?<=[\p{L}\p{N}])/uy;

/**
 * The first match of `pattern` that does not start inside a word: what the pattern with a leading
 * (?<![\p{L}\p{N}]) finds, but without the lookbehind at every position of the text (a quarter of
 * the time over 41 KB: most terms are in no message, so each is a scan of the whole text).
 */
function firstWholeWord(pattern: RegExp, text: string): RegExpExecArray | null {
  // Copies: both carry lastIndex, and detectors keep no shared state.
  const find = new RegExp(pattern);
  const before = new RegExp(WORD_CHARACTER_BEFORE);
  for (let m = find.exec(text); m !== null; m = find.exec(text)) {
    before.lastIndex = m.index;
    if (!before.test(text)) return m;
    find.lastIndex = m.index + 1; // on from the next position, as the plain pattern goes
  }
  return null;
}

const TOOTH_CONFIDENCE = 0.55;

export const detectClinicalContext: TextDetector = (unit: TextUnit, _context: DetectorContext): Finding[] => {
  const text = unit.text;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (key: string, value: string, offset: number, confidence: number, why: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ kind: 'clinical_context', value, confidence, location: unit.location, offset, why });
  };
  for (const m of text.matchAll(QUADRANT)) {
    add(`tooth:${m[1]!}${m[2]!}${m[3] === undefined ? '' : `-${m[3]}`}`, m[0], m.index, TOOTH_CONFIDENCE, 'dental tooth notation (quadrant)');
  }
  for (const m of text.matchAll(FDI)) {
    add(`fdi:${m[1]!.replace(/\D+/gu, ',')}`, m[0], m.index, TOOTH_CONFIDENCE, 'dental tooth number (FDI)');
  }
  for (const t of TERMS) {
    // The first occurrence is enough.
    const m = firstWholeWord(t.pattern, text);
    if (m) add(`term:${t.term}`, m[0], m.index, t.confidence, `dental treatment term (${t.term})`);
  }
  return findings.sort((a, b) => a.offset - b.offset);
};
