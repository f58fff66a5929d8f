// Terminal offline alerts (issue 12.12): a petition terminal that was connected and has been gone
// for OFFLINE_ALERT_SECONDS (60 by default) is raised once on the coordinators' page, and cleared
// when it connects again. Presence is the terminal's /live connection (server/live/live-channel.ts);
// the state lives in Redis, so one node — the one holding the lease — sweeps for the cluster.
import type { Logger } from '../core/log.ts';
import type { LeaderLease } from '../routing/leader-lease.ts';
import type { Presence } from '../scheduler/presence.ts';

export interface TerminalAlertsOptions {
  presence: Presence;
  lease: Pick<LeaderLease, 'held' | 'release'>;
  afterMs: number;
  log: Logger;
  /** Tells the coordinators which alerts were raised and cleared (they re-read the overview). */
  announce: (change: { raised: string[]; cleared: string[] }) => void;
}

/** Sweeps every third of the alert time (1–5 s), so an alert is late by that much at most. */
export function watchTerminalsOffline(o: TerminalAlertsOptions): { stop(): Promise<void> } {
  let running = false;
  const sweep = async () => {
    if (running || !(await o.lease.held())) return;
    running = true;
    try {
      const change = await o.presence.sweepOfflineTerminals(o.afterMs);
      for (const id of change.raised) o.log.warn({ terminalId: id }, 'terminal offline alert');
      for (const id of change.cleared) o.log.info({ terminalId: id }, 'terminal back online');
      if (change.raised.length || change.cleared.length) o.announce(change);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => sweep().catch((err: unknown) => o.log.warn({ err }, 'terminal offline sweep failed')), Math.min(5_000, Math.max(1000, Math.floor(o.afterMs / 3))));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await o.lease.release().catch(() => undefined);
    },
  };
}
