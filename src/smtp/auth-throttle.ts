/**
 * Counts failed logins per client address. After `max` failures within `window`, the
 * address is refused (421 and disconnect) for `coolDown`. Memory is bounded: stale entries
 * are swept, and at most `maxTracked` addresses are remembered.
 *
 * Password checks from one address take turns (`turn`): only as many run at once as could all
 * fail without passing the limit, so logins sent in parallel on many connections cannot try
 * more passwords than sequential ones (each check takes tens of milliseconds of scrypt, long
 * enough for a burst to start them all before the first failure is counted).
 */
export class AuthThrottle {
  #entries = new Map<string, { failures: number; firstAt: number; blockedUntil: number }>();
  /** Per address: checks running now, and those waiting for a turn (woken when one ends). */
  readonly #checks = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(
    private readonly limits: { max: number; window: number; coolDown: number },
    private readonly maxTracked = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  isBlocked(address: string): boolean {
    const entry = this.#entries.get(address);
    return !!entry && entry.blockedUntil > this.now();
  }

  /**
   * Waits for a turn to check a password from `address`, and returns the function that ends
   * it (call it after recording the result); null if the address is blocked, or becomes
   * blocked while waiting.
   */
  async turn(address: string): Promise<(() => void) | null> {
    for (;;) {
      if (this.isBlocked(address)) return null;
      let checks = this.#checks.get(address);
      if (!checks) {
        checks = { running: 0, waiting: [] };
        this.#checks.set(address, checks);
      }
      // One check at a time is always allowed: its failure blocks the address again if need be
      // (after a cool-down shorter than the window, the old failures still count).
      if (checks.running === 0 || this.#failures(address) + checks.running < this.limits.max) {
        checks.running++;
        let ended = false;
        return () => {
          if (ended) return;
          ended = true;
          this.#endTurn(address);
        };
      }
      await new Promise<void>((wake) => checks.waiting.push(wake));
    }
  }

  #endTurn(address: string): void {
    const checks = this.#checks.get(address)!;
    checks.running--;
    // Every waiter looks again: a success may have cleared the count, a failure may have blocked.
    for (const wake of checks.waiting.splice(0)) wake();
    if (checks.running === 0 && checks.waiting.length === 0) this.#checks.delete(address);
  }

  /** Failures that count now (within the window, or while blocked). */
  #failures(address: string): number {
    const entry = this.#entries.get(address);
    const now = this.now();
    return entry && (entry.blockedUntil > now || now - entry.firstAt <= this.limits.window) ? entry.failures : 0;
  }

  /** Records a failure; true when the address is now blocked. */
  recordFailure(address: string): boolean {
    const now = this.now();
    let entry = this.#entries.get(address);
    if (!entry || (entry.blockedUntil <= now && now - entry.firstAt > this.limits.window)) {
      if (!entry && this.#entries.size >= this.maxTracked) this.#sweep(now);
      entry = { failures: 0, firstAt: now, blockedUntil: 0 };
      this.#entries.set(address, entry);
    }
    entry.failures++;
    if (entry.failures >= this.limits.max) entry.blockedUntil = now + this.limits.coolDown;
    return entry.blockedUntil > now;
  }

  recordSuccess(address: string): void {
    const entry = this.#entries.get(address);
    if (entry && entry.blockedUntil <= this.now()) this.#entries.delete(address);
  }

  #sweep(now: number): void {
    for (const [address, entry] of this.#entries) {
      if (entry.blockedUntil <= now && now - entry.firstAt > this.limits.window) this.#entries.delete(address);
    }
    // Still full (an attack from many addresses): forget the oldest rather than grow.
    while (this.#entries.size >= this.maxTracked) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
