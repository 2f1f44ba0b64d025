/** At most `capacity` holders at once; the rest wait in arrival order. */
export class Permits {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly capacity: number) {
    this.#free = capacity;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a permit is free; call it exactly once. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0 && this.#waiting.length === 0) this.#free--;
    else await new Promise<void>((granted) => this.#waiting.push(granted));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next(); // the permit passes straight on
      else this.#free++;
    };
  }
}
