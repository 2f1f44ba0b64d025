/**
 * The relay's own account of where receiving takes its time, from its /metrics histogram
 * `mouthguard_smtp_receive_stage_seconds{stage}` (upload, inspection, commit): scraped before
 * and after a measured load, so warm-up messages do not count, and read as quantiles the way
 * Prometheus' histogram_quantile does (linear within a bucket: approximate by design).
 */

export const STAGES = ['upload', 'inspection', 'commit'] as const;
export type Stage = (typeof STAGES)[number];

/** Cumulative bucket counts by upper bound (seconds), per stage. */
export type StageBuckets = Record<Stage, Map<number, number>>;

export async function scrapeStages(adminPort: number): Promise<StageBuckets> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const out: StageBuckets = { upload: new Map<number, number>(), inspection: new Map<number, number>(), commit: new Map<number, number>() };
  const line = /^mouthguard_smtp_receive_stage_seconds_bucket\{(?=[^}]*stage="(\w+)")(?=[^}]*le="([^"]+)")[^}]*\} (\d+(?:\.\d+)?)$/;
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m || !(STAGES as readonly string[]).includes(m[1]!)) continue;
    out[m[1] as Stage].set(m[2] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[2]), Number(m[3]));
  }
  return out;
}

/** p50 and p99 in ms of the observations made between the two scrapes, per stage. */
export function stageQuantiles(before: StageBuckets, after: StageBuckets): Record<Stage, { p50: number; p99: number }> {
  const result = {} as Record<Stage, { p50: number; p99: number }>;
  for (const stage of STAGES) {
    const bounds = [...after[stage].keys()].sort((a, b) => a - b);
    const counts = bounds.map((le) => (after[stage].get(le) ?? 0) - (before[stage].get(le) ?? 0));
    result[stage] = { p50: quantile(bounds, counts, 0.5) * 1000, p99: quantile(bounds, counts, 0.99) * 1000 };
  }
  return result;
}

function quantile(bounds: number[], cumulative: number[], q: number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (cumulative[i]! < rank) continue;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    if (!Number.isFinite(upper)) return lower; // in the +Inf bucket: the largest finite bound is all we know
    const below = i === 0 ? 0 : cumulative[i - 1]!;
    const inBucket = cumulative[i]! - below;
    return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
  }
  return bounds[bounds.length - 1]!;
}
