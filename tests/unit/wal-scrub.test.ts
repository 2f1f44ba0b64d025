import { describe, expect, it } from 'vitest';
import { WalScrubber } from '../../src/store/sqlite/wal-scrub.js';

/** When the scrubber truncates the log, on a clock the test sets (the store tests run it against real files). */
function scrubber(truncateSucceeds = () => true) {
  let truncations = 0;
  const s = new WalScrubber(
    () => {
      const ok = truncateSucceeds();
      if (ok) truncations++;
      return ok;
    },
    { quietMs: 25, maxDelayMs: 10_000 },
  );
  return { s, truncations: () => truncations };
}

describe('WalScrubber', () => {
  it('does nothing while no body was deleted', () => {
    const { s, truncations } = scrubber();
    s.committed(0);
    expect(s.tick(1000)).toBe(true);
    expect(s.flush()).toBe(true);
    expect(truncations()).toBe(0);
  });

  it('truncates once the store has been quiet for quietMs after a deletion, then once only', () => {
    const { s, truncations } = scrubber();
    s.committed(100);
    s.bodiesDeleted(100);
    expect(s.tick(110)).toBe(false);
    s.committed(120);
    expect(s.tick(140)).toBe(false);
    expect(s.tick(145)).toBe(true);
    expect(truncations()).toBe(1);
    expect(s.pending).toBe(false);
    expect(s.tick(500)).toBe(true);
    expect(truncations()).toBe(1);
  });

  it('under commits that never pause, truncates when the deletion is maxDelayMs old', () => {
    const { s, truncations } = scrubber();
    s.bodiesDeleted(0);
    let t = 0;
    for (; t < 20_000 && truncations() === 0; t += 10) {
      s.committed(t);
      s.tick(t + 5);
    }
    expect(t).toBeGreaterThanOrEqual(10_000);
    expect(t).toBeLessThan(10_020);
  });

  it('a truncation that cannot finish (another connection reading) stays pending and is tried again', () => {
    let busy = true;
    const { s, truncations } = scrubber(() => !busy);
    s.bodiesDeleted(0);
    expect(s.tick(100)).toBe(false);
    expect(s.pending).toBe(true);
    busy = false;
    expect(s.tick(125)).toBe(true);
    expect(truncations()).toBe(1);
  });

  it('flush truncates at once whatever the clock says, if a scrub is pending', () => {
    const { s, truncations } = scrubber();
    s.committed(0);
    s.bodiesDeleted(0);
    expect(s.flush()).toBe(true);
    expect(truncations()).toBe(1);
    expect(s.flush()).toBe(true);
    expect(truncations()).toBe(1);
  });
});
