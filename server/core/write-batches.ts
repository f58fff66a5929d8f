// Group commit: writes queued while one turn of the event loop completes go out as one batch
// (one transaction, one fsync), and each caller's promise settles when its batch is durable.
// The audit trails use it: an action is not done before it is recorded, and a burst of actions
// must not cost a transaction each. The same batching serves reads asked for together (the
// petition repository's officials and terminals: one query for a burst of claims or starts).

interface Pending<I, O> {
  input: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class WriteBatches<I, O> {
  readonly #queue: Pending<I, O>[] = [];
  #draining: Promise<void> | undefined;

  /**
   * `write` makes one batch durable and returns one result per input, in order; `maxBatch` caps a
   * batch (work per entry, such as hashing, runs on the loop). `onFailed` runs before the batch's
   * callers hear of a failure.
   */
  constructor(
    private readonly write: (inputs: readonly I[]) => Promise<O[]>,
    private readonly maxBatch: number,
    private readonly onFailed?: (err: unknown) => void,
  ) {}

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      // setImmediate, not a microtask: writes made while this turn's I/O completes join the batch.
      this.#draining ??= new Promise<void>((go) => setImmediate(go)).then(() => this.#drain());
    });
  }

  /** Resolves when everything queued so far has been written (or has failed). */
  async flushed(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.maxBatch);
        try {
          const out = await this.write(batch.map((p) => p.input));
          batch.forEach((p, i) => p.resolve(out[i]!));
        } catch (err) {
          this.onFailed?.(err);
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
