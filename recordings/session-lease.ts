// Who may write a recorded session. In a cluster every node sees every session (one shared
// archive, one catalog), so each session is owned by the node recording it: only the owner
// writes its manifest and seals it; another node takes it over — to continue it after the
// room moved there, or to seal it as interrupted — only once the owner is gone. A starting node
// therefore never touches a session another node is recording.
//
// The cluster implementation keeps the lease in Redis next to the node heartbeats
// (server/routing/session-leases.ts); `LocalSessionLeases` is the one-process case (tools,
// tests without Redis), where every session belongs to this process.

export interface LeaseOutcome {
  held: boolean;
  holder?: string;
  previous?: string;
}

export interface SessionLeases {
  /** This node's id, written into the timeline of a session it takes over. */
  readonly nodeId: string;
  /**
   * Takes the session for this node unless a live node holds it (renewing it if this node
   * does). `held`: this node holds it now; `holder`: who does; `previous`: the node whose lease
   * (lapsed with its heartbeat) this one replaced.
   */
  acquire(sessionId: string): Promise<LeaseOutcome>;
  /** Whether this node still holds it, as far as it knows (a renewal that failed says no). */
  held(sessionId: string): boolean;
  /** Gives it up (after the seal) if this node holds it. */
  release(sessionId: string): Promise<void>;
}

export class LocalSessionLeases implements SessionLeases {
  readonly #held = new Set<string>();

  constructor(readonly nodeId = 'local') {}

  async acquire(sessionId: string): Promise<LeaseOutcome> {
    this.#held.add(sessionId);
    return { held: true, holder: this.nodeId };
  }

  held(sessionId: string): boolean {
    return this.#held.has(sessionId);
  }

  async release(sessionId: string): Promise<void> {
    this.#held.delete(sessionId);
  }
}
