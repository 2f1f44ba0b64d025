/**
 * A bound on decoded attachment bytes held in memory at once by one inspection thread, however
 * many messages it inspects. A message that needs more than its free head waits here for room
 * (the wait pauses its stream, which is read back from the spool: backpressure, never a skipped
 * check). To rule out deadlock, a message that already holds room never waits: it may go past
 * the capacity (by at most its own size), while messages holding nothing wait in arrival order.
 */
export class ByteBudget {
  #used = 0;
  readonly #waiting: { bytes: number; grant: (taken: boolean) => void }[] = [];

  constructor(readonly capacity: number) {}

  get used(): number {
    return this.#used;
  }

  /** One message's share; give every byte back with `releaseAll()` when its inspection ends. */
  account(): BudgetAccount {
    return new BudgetAccount(this);
  }

  /** @internal Takes room now (null) or queues the request; `cancel` withdraws a queued one. */
  take(bytes: number, wait: boolean): { granted: Promise<boolean>; cancel: () => void } | null {
    // As in give(): a request larger than the whole budget goes through when nothing is held.
    if (!wait || (this.#waiting.length === 0 && (this.#used + bytes <= this.capacity || this.#used === 0))) {
      this.#used += bytes;
      return null;
    }
    let entry: { bytes: number; grant: (taken: boolean) => void } | undefined;
    const granted = new Promise<boolean>((grant) => {
      entry = { bytes, grant };
      this.#waiting.push(entry);
    });
    const cancel = () => {
      const at = entry ? this.#waiting.indexOf(entry) : -1;
      if (at === -1) return;
      this.#waiting.splice(at, 1);
      entry!.grant(false);
      this.give(0); // the next waiter may fit now
    };
    return { granted, cancel };
  }

  /** @internal */
  give(bytes: number): void {
    this.#used -= bytes;
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0]!;
      // A request larger than the whole budget goes through once nothing else is held.
      if (this.#used + next.bytes > this.capacity && this.#used > 0) return;
      this.#waiting.shift();
      this.#used += next.bytes;
      next.grant(true);
    }
  }
}

export class BudgetAccount {
  #held = 0;
  #released = false;
  #cancelWait: (() => void) | null = null;

  constructor(private readonly budget: ByteBudget) {}

  /** Room for `bytes` more; resolves at once if this message already holds some. */
  async reserve(bytes: number): Promise<void> {
    if (this.#released) throw new Error('budget account used after release');
    const pending = this.budget.take(bytes, this.#held === 0);
    if (pending) {
      this.#cancelWait = pending.cancel;
      const taken = await pending.granted;
      this.#cancelWait = null;
      // Released while waiting: the inspection has ended (failed or timed out).
      if (taken && this.#released) this.budget.give(bytes);
      if (!taken || this.#released) throw new Error('budget account released while waiting');
    }
    this.#held += bytes;
  }

  /** Gives back part of what this message holds (bytes it no longer keeps). */
  giveBack(bytes: number): void {
    const amount = Math.min(Math.max(0, bytes), this.#held);
    this.#held -= amount;
    if (amount > 0) this.budget.give(amount);
  }

  /** Gives back everything; later reserves throw. Safe to call more than once. */
  releaseAll(): void {
    this.#released = true;
    this.#cancelWait?.();
    this.#cancelWait = null;
    this.giveBack(this.#held);
  }
}
