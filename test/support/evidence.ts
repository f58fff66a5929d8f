// Waiting for evidence instead of sleeping: a condition polled until it holds, with a deadline
// that names what never happened. Deadlines are generous (the machine is shared and loaded);
// a test waits only as long as the evidence takes.

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Resolves with the first truthy value `probe` gives; rejects after `timeoutMs` naming `what`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 50): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
