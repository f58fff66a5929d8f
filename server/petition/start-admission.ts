// How many petition starts run at once on a node; the rest wait their turn in arrival order.
//
// A start is a few milliseconds of work on the event loop spread over ~8 Redis round trips. With
// 500 terminals pressing "start" in the same second, all 500 interleave: every start finishes
// near the end of the burst, and the loop is busy for longer than the Redis command timeout
// (800 ms), so replies that arrived in time are read after their timers fired and the start is
// answered "the queue is unavailable" with Redis healthy (seen in bench:terminals at 500).
// Admitting a few at a time keeps the loop's turns short, and the first to come are served first.
export class StartAdmission {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`start admission limit must be a positive integer, not ${limit}`);
  }

  /** Starts waiting for a turn now (for the metrics and tests). */
  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await fn();
    } finally {
      // The turn passes straight to the next in line (the count stays), or is given back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
