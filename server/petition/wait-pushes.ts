// Which waiting petitioners need a push after their queues moved: only those whose figures
// changed since their last push, so a claim at the head of a queue of 4,000 sends 4,000 small
// messages once, and an unrelated queue change sends none.
import type { WaitInfo } from './wait.ts';

const fingerprint = (w: WaitInfo) => `${w.state}|${w.position}|${w.availableOfficials}|${w.estimatedWaitSeconds}|${w.offer ? 1 : 0}`;

export class WaitPushFilter {
  readonly #last = new Map<string, string>();

  /** The updates to send (and remembers them as sent). */
  changed(updates: readonly WaitInfo[]): WaitInfo[] {
    const out: WaitInfo[] = [];
    for (const w of updates) {
      const f = fingerprint(w);
      if (this.#last.get(w.caseId) === f) continue;
      this.#last.set(w.caseId, f);
      out.push(w);
    }
    return out;
  }

  /** The case left the queue (claimed, withdrawn, booked): its next wait is news again. */
  forget(caseId: string): void {
    this.#last.delete(caseId);
  }
}
