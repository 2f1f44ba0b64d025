/**
 * Keyword context around a match: patient-data detectors raise confidence when words such
 * as "NHS no", "patient" or "DOB" stand within a window of the value. Linear scans only.
 */

export interface ContextHit {
  readonly keyword: string;
  /** Distance in characters between the keyword and the value (0 when adjacent). */
  readonly distance: number;
}

/** The text within `window` characters either side of [start, end). */
export function windowAround(text: string, start: number, end: number, window: number): string {
  return text.slice(Math.max(0, start - window), Math.min(text.length, end + window));
}

/**
 * The nearest of `keywords` (case-insensitive, whole words) within `window` characters of
 * [start, end), or null. Keywords are plain strings, never regexes from configuration.
 */
export function nearestKeyword(text: string, start: number, end: number, keywords: readonly string[], window: number): ContextHit | null {
  const from = Math.max(0, start - window);
  const to = Math.min(text.length, end + window);
  const lower = text.slice(from, to).toLowerCase();
  let best: ContextHit | null = null;
  for (const keyword of keywords) {
    const k = keyword.toLowerCase();
    let at = lower.indexOf(k);
    while (at !== -1) {
      const absStart = from + at;
      const absEnd = absStart + k.length;
      if (isWordBoundary(text, absStart - 1) && isWordBoundary(text, absEnd)) {
        const distance = absEnd <= start ? start - absEnd : absStart >= end ? absStart - end : 0;
        if (!best || distance < best.distance) best = { keyword, distance };
      }
      at = lower.indexOf(k, at + 1);
    }
  }
  return best;
}

function isWordBoundary(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return true;
  return !/[\p{L}\p{N}]/u.test(text[index]!);
}

/** Confidence bonus for a keyword hit: closer context counts more. */
export function contextBoost(hit: ContextHit | null, window: number, max: number): number {
  if (!hit) return 0;
  return max * (1 - Math.min(hit.distance, window) / (window * 1.25));
}
