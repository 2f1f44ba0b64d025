/** Parsing of human-friendly durations ("30s", "5m", "1h", "5d", "250ms") and sizes ("35MB"). */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds for a duration string or number (a bare number is milliseconds); null if malformed. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const match = DURATION.exec(value.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * DURATION_MS[match[2]!.toLowerCase()]!);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?$/i;
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Bytes for a size string or number (a bare number is bytes); null if malformed. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  const match = SIZE.exec(value.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()]!);
}
