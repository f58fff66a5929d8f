// Queue-position pushes: after a queue moves, every waiting petitioner whose figures changed is
// told them. Each node tells the terminals watching on it, and only those: the node that moved
// the queue tells the other nodes which queues moved (one cluster message, not one per waiting
// terminal), and each runs its own pass over the cases watched there and emits to its own
// sockets. So a claim at the head of a queue of 4,000 costs one publish, and each node computes
// and sends only what its own terminals need.
import type { Logger } from '../core/log.ts';
import type { WaitInfo } from './wait.ts';

/**
 * Least time between the end of one pass and the start of the next when queues moved during it:
 * a burst of starts runs a pass every few tens of ms instead of one per start, while a lone
 * claim is pushed at once.
 */
const PASS_GAP_MS = 50;

/** What a push told: the figures that make a new push, and its offer (the slots by day and number). */
interface Told {
  state: WaitInfo['state'];
  position: number | null;
  officials: number;
  estimate: number | null;
  offer: string;
}

/** A pass gives every case of a region the same slots (one array): their key is built once. */
const offerKeys = new WeakMap<object, string>();
function offerOf(w: WaitInfo): string {
  if (!w.offer) return '-';
  let key = offerKeys.get(w.offer.appointments);
  if (key === undefined) offerKeys.set(w.offer.appointments, (key = w.offer.appointments.map((a) => `${a.dayId}:${a.slot}`).join(',')));
  return key;
}

/**
 * Which waits need a push: only those whose figures changed since their last push; `full` when
 * the offer changed too (or nothing was pushed yet), else the place alone is news.
 */
export class WaitPushFilter {
  readonly #last = new Map<string, Told>();

  /** The updates to send (and remembers them as sent). */
  changed(updates: readonly WaitInfo[]): { wait: WaitInfo; full: boolean }[] {
    const out: { wait: WaitInfo; full: boolean }[] = [];
    for (const w of updates) {
      const next: Told = { state: w.state, position: w.position, officials: w.availableOfficials, estimate: w.estimatedWaitSeconds, offer: offerOf(w) };
      const last = this.#last.get(w.caseId);
      if (last && last.state === next.state && last.position === next.position && last.officials === next.officials && last.estimate === next.estimate && last.offer === next.offer) continue;
      this.#last.set(w.caseId, next);
      out.push({ wait: w, full: last?.offer !== next.offer });
    }
    return out;
  }

  /** The case left the queue (claimed, withdrawn, booked), or nobody here watches it: its next wait is news again. */
  forget(caseId: string): void {
    this.#last.delete(caseId);
  }
}

/** What the pushes need from the live channel (server/live/live-channel.ts) on this node. */
export interface WaitPushChannel {
  /** Does a socket on this node watch the case? */
  watchedHere(caseId: string): boolean;
  /** Emits to the case's watchers on this node only: `petition:wait`, or `petition:place` when not `full`. */
  pushHere(w: WaitInfo, full: boolean): void;
  /** Tells the other nodes (the Redis adapter's server-side emit). */
  tellNodes(news: WaitNews): void;
  /** What the other nodes tell. */
  onNodes(handler: (news: WaitNews) => void): void;
  /** The last watcher of a case on this node left (or disconnected). */
  onUnwatched(handler: (caseId: string) => void): void;
}

/** Between nodes: queues that moved; cases that left their queue. */
export interface WaitNews {
  queues: string[];
  left: string[];
}

export interface WaitPushes {
  /** These queues moved (here): a pass on every node. */
  queuesMoved(departmentIds: readonly string[]): void;
  /** The case left its queue (here): its next wait is news on every node. */
  left(caseId: string): void;
  close(): void;
}

export function serveWaitPushes(d: {
  /** Fresh waits of the cases waiting in these queues that `watched` keeps (PetitionService.waitUpdates). */
  waits: (departmentIds: string[], watched: (caseId: string) => boolean) => Promise<WaitInfo[]>;
  channel: WaitPushChannel;
  log: Logger;
}): WaitPushes {
  const filter = new WaitPushFilter();
  const watched = (caseId: string) => d.channel.watchedHere(caseId);
  const passes = coalesce(PASS_GAP_MS, (queues) =>
    d.waits(queues, watched).then(
      (updates) => {
        for (const { wait, full } of filter.changed(updates)) d.channel.pushHere(wait, full);
      },
      (err: unknown) => d.log.warn({ err }, 'wait updates failed'),
    ),
  );
  // What this node tells the others, sent once per turn of the event loop (a burst of starts is
  // one message, not one per start).
  const outbox = { queues: new Set<string>(), left: new Set<string>() };
  let sending: NodeJS.Immediate | undefined;
  const send = () => {
    sending ??= setImmediate(() => {
      sending = undefined;
      d.channel.tellNodes({ queues: [...outbox.queues], left: [...outbox.left] });
      outbox.queues.clear();
      outbox.left.clear();
    });
  };
  d.channel.onNodes((news) => {
    for (const c of news.left) filter.forget(c);
    if (news.queues.length > 0) passes.add(news.queues);
  });
  d.channel.onUnwatched((caseId) => filter.forget(caseId));
  return {
    queuesMoved(departmentIds) {
      passes.add(departmentIds);
      for (const q of departmentIds) outbox.queues.add(q);
      send();
    },
    left(caseId) {
      filter.forget(caseId);
      outbox.left.add(caseId);
      send();
    },
    close() {
      passes.cancel();
      if (sending) clearImmediate(sending);
      sending = undefined;
    },
  };
}

/**
 * Hands the distinct ids added since the last call to `flush`: on the next turn of the event loop
 * when idle (no fixed delay on a push), never two calls at once. Ids added while a call runs (a
 * burst) wait for one next call `gapMs` after it ended; an id added after a call ended is handed
 * on at once (a claim after a quiet spell is not held back by the pass before it).
 */
function coalesce(gapMs: number, flush: (ids: string[]) => Promise<void>): { add(ids: readonly string[]): void; cancel(): void } {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let readyAt = 0;
  const schedule = () => {
    if (running || timer || pending.size === 0) return;
    timer = setTimeout(run, Math.max(0, readyAt - performance.now()));
  };
  const run = () => {
    timer = undefined;
    running = true;
    const batch = [...pending];
    pending.clear();
    void flush(batch).finally(() => {
      running = false;
      readyAt = pending.size > 0 ? performance.now() + gapMs : 0;
      schedule();
    });
  };
  return {
    add(ids) {
      for (const id of ids) pending.add(id);
      schedule();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      pending.clear();
    },
  };
}
