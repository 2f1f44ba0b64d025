import type { ContextHit } from './context-window.js';

/** A keyword hit with where it stands, so that callers can tell which side of the value it is on. */
export interface KeywordHit extends ContextHit {
  readonly start: number;
  readonly end: number;
}

/**
 * The same question as `nearestKeyword` (context-window.ts), with the same answers: the nearest
 * of some keywords (case-insensitive, whole words) within a window of a value. Keyword
 * occurrences are found once per unit (the unit's words are listed once and shared by every
 * index over it; a keyword is looked up by its first word), when the first question comes;
 * each question then looks only at the occurrences inside its window, so a unit with many
 * candidate values costs no more per value than one with a few.
 */
export class KeywordIndex {
  /** Occurrences sorted by start (they may overlap: "b." inside "d.o.b."), found at the first question. */
  #hits: { start: number; end: number; keyword: string }[] | null = null;

  /** Finds nothing yet: most units never ask (no candidate value in them), so they pay nothing. */
  constructor(
    private readonly text: string,
    private readonly keywords: readonly string[],
  ) {}

  #find(): { start: number; end: number; keyword: string }[] {
    const hits: { start: number; end: number; keyword: string }[] = [];
    const text = this.text;
    if (this.keywords.length === 0 || text.length === 0) return hits;
    const { lower, words } = scanned(text);
    const add = (at: number, k: string, keyword: string) => {
      if (isBoundary(text, at - 1) && isBoundary(text, at + k.length)) hits.push({ start: at, end: at + k.length, keyword });
    };
    for (const keyword of this.keywords) {
      const k = keyword.toLowerCase();
      if (k.length === 0) continue;
      if (isBoundary(k, 0)) {
        for (let at = lower.indexOf(k); at !== -1; at = lower.indexOf(k, at + 1)) add(at, k, keyword);
        continue;
      }
      // A keyword that starts with a letter or digit can only match where the text has a word
      // equal to the keyword's first word: look only there (the unit's words are listed once).
      for (const at of words.get(firstWord(k)) ?? []) if (lower.startsWith(k, at)) add(at, k, keyword);
    }
    return hits.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  /** The nearest keyword within `window` characters of [start, end), or null. */
  nearest(start: number, end: number, window: number): KeywordHit | null {
    const hits = (this.#hits ??= this.#find());
    const from = start - window;
    const to = end + window;
    // The first occurrence starting at or after `from`.
    let lo = 0;
    let hi = hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hits[mid]!.start < from) lo = mid + 1;
      else hi = mid;
    }
    let best: KeywordHit | null = null;
    for (let i = lo; i < hits.length && hits[i]!.start < to; i++) {
      const hit = hits[i]!;
      if (hit.end > to) continue;
      const distance = hit.end <= start ? start - hit.end : hit.start >= end ? hit.start - end : 0;
      if (!best || distance < best.distance) best = { keyword: hit.keyword, distance, start: hit.start, end: hit.end };
      if (hit.start >= end) break; // later occurrences start later still: farther away
    }
    return best;
  }
}

/** The last text scanned: detectors build several indexes over the same unit. */
let lastScan: { text: string; lower: string; words: Map<string, number[]> } | null = null;

/** Drops the last text scanned, so that a message's text is not kept after its inspection. */
export function forgetScannedText(): void {
  lastScan = null;
}

/**
 * The text in lower case (same offsets), and where each of its words (runs of letters and
 * digits) starts, by word in lower case.
 */
function scanned(text: string): { lower: string; words: Map<string, number[]> } {
  if (lastScan && lastScan.text === text) return lastScan;
  let lower = text.toLowerCase();
  // Offsets must match the text's: keep characters whose lower case has another length.
  if (lower.length !== text.length) lower = text.replace(/./gsu, (c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c));
  const words = new Map<string, number[]>();
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const boundary = isBoundary(text, i);
    if (!boundary && start < 0) start = i;
    else if (boundary && start >= 0) {
      const word = lower.slice(start, i);
      const starts = words.get(word);
      if (starts) starts.push(start);
      else words.set(word, [start]);
      start = -1;
    }
  }
  lastScan = { text, lower, words };
  return lastScan;
}

/** The keyword up to its first character that is not a letter or digit. */
function firstWord(keyword: string): string {
  let end = 1;
  while (end < keyword.length && !isBoundary(keyword, end)) end++;
  return keyword.slice(0, end);
}

function isBoundary(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return true;
  const code = text.charCodeAt(index);
  // ASCII (nearly every character here) without a regular expression; the rest by Unicode class.
  if (code < 0x80) return !((code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a));
  return !/[\p{L}\p{N}]/u.test(text[index]!);
}
