import { describe, expect, it } from 'vitest';
import { medianRound, verdictOverRounds } from '../../bench/rounds.js';

describe("the bench's repeated rounds (--repeat)", () => {
  it('shows the median round, the lower middle one for an even count', () => {
    const rounds = [{ id: 'a', ratio: 1.1 }, { id: 'b', ratio: 0.9 }, { id: 'c', ratio: 1.0 }];
    expect(medianRound(rounds, (r) => r.ratio).id).toBe('c');
    expect(medianRound([...rounds, { id: 'd', ratio: 1.2 }], (r) => r.ratio).id).toBe('c');
    expect(medianRound([rounds[0]!], (r) => r.ratio).id).toBe('a');
    expect(() => medianRound([], () => 0)).toThrow(/no rounds/);
  });

  it('meets a target met in most rounds, each against its own bound; a missing value is a miss', () => {
    expect(verdictOverRounds([{ value: 309, limit: 263 }, { value: 250, limit: 270 }, { value: 280, limit: 260 }], true)).toEqual({ pass: true, met: 2, rounds: 3 });
    expect(verdictOverRounds([{ value: 309, limit: 263 }, { value: 250, limit: 270 }], true)).toEqual({ pass: false, met: 1, rounds: 2 });
    expect(verdictOverRounds([{ value: 14, limit: 15 }, { value: 16, limit: 15 }, { value: Number.NaN, limit: 15 }], false)).toEqual({ pass: false, met: 1, rounds: 3 });
    expect(verdictOverRounds([{ value: 15, limit: 15 }, { value: 15, limit: 15 }, { value: 99, limit: 15 }], false).pass).toBe(true);
  });
});
