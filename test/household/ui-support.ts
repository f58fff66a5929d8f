// Helpers for the 平安心居 page tests: decoded media of a page's CallSession, polling, tokens.
import type { Page } from 'playwright-core';
import type { TestPlatform } from '../support/platform.ts';
import type { Role } from '../../server/auth/grants.ts';

export interface MediaReport {
  framesDecoded: number;
  audioPackets: number;
  /** Distinct remote (peer, source) pairs. */
  tracks: number;
}

export async function media(page: Page): Promise<MediaReport> {
  return page.evaluate(async () => {
    const s = (window as unknown as { callSession?: { state: string; remote: Map<string, { consumerId: string; peerId: string; source: string }>; getRemoteStats(id: string): Promise<RTCStatsReport | undefined> } }).callSession;
    const out = { framesDecoded: 0, audioPackets: 0, tracks: 0 };
    if (!s || s.state === 'closed') return out;
    out.tracks = new Set([...s.remote.values()].map((r) => `${r.peerId}/${r.source}`)).size;
    for (const r of s.remote.values()) {
      const stats = await s.getRemoteStats(r.consumerId);
      stats?.forEach((st: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
        if (st.type !== 'inbound-rtp') return;
        if (st.kind === 'video') out.framesDecoded += st.framesDecoded ?? 0;
        if (st.kind === 'audio') out.audioPackets += st.packetsReceived ?? 0;
      });
    }
    return out;
  });
}

export async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 300));
    last = await probe();
  }
  return last;
}

/** A person's sign-in token (no rooms: rooms come from the household API). */
export function personToken(platform: TestPlatform, sub: string, role: Role, name: string): string {
  return platform.tokens.issue({ sub, name, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
}

/** Whether the page is sending its camera (the device's producer exists). */
export function sendingCamera(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const s = (window as unknown as { callSession?: { state: string; hasSource(s: string): boolean } }).callSession;
    return !!s && s.state !== 'closed' && s.hasSource('camera');
  });
}
