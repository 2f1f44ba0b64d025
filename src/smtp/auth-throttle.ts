/**
 * Counts failed logins per client address. After `max` failures within `window`, the
 * address is refused (421 and disconnect) for `coolDown`. Memory is bounded: stale entries
 * are swept, and at most `maxTracked` addresses are remembered.
 */
export class AuthThrottle {
  #entries = new Map<string, { failures: number; firstAt: number; blockedUntil: number }>();

  constructor(
    private readonly limits: { max: number; window: number; coolDown: number },
    private readonly maxTracked = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  isBlocked(address: string): boolean {
    const entry = this.#entries.get(address);
    return !!entry && entry.blockedUntil > this.now();
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
