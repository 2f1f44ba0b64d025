/**
 * Repeated rounds of one scenario (`npm run bench -- --repeat=N`). This machine's speed swings
 * by 10-15% within minutes, so one relay run against one Postfix run can fall either side of a
 * target. Rounds interleave (ceiling, Postfix, relay; then again), so that each pair is measured
 * at the same moment; the table shows the median round (every figure of a row from one real
 * run), and a target is met when it is met in most rounds.
 */

/** The round with the median score (the lower of the two middle ones for an even count). */
export function medianRound<R>(rounds: readonly R[], score: (round: R) => number): R {
  if (rounds.length === 0) throw new Error('medianRound: no rounds');
  const ranked = [...rounds].sort((a, b) => score(a) - score(b));
  return ranked[Math.floor((ranked.length - 1) / 2)]!;
}

export interface RoundVerdict {
  readonly pass: boolean;
  /** Rounds in which the target was met. */
  readonly met: number;
  readonly rounds: number;
}

/** Met in more than half of the rounds (each round: its value against its own bound). */
export function verdictOverRounds(rounds: readonly { readonly value: number; readonly limit: number }[], atLeast: boolean): RoundVerdict {
  const met = rounds.filter((r) => Number.isFinite(r.value) && (atLeast ? r.value >= r.limit : r.value <= r.limit)).length;
  return { pass: met * 2 > rounds.length, met, rounds: rounds.length };
}
