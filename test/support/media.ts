// What a Chromium page's call session receives, read from WebRTC stats — the behaviour a user
// notices (pictures decoded, sound arriving) — and a polling wait for browser tests.
import type { Page } from 'playwright-core';

export interface PeerMedia {
  framesDecoded: number;
  audioPackets: number;
  /** Widest decoded picture, in pixels. */
  width: number;
  videoTracks: number;
  audioTracks: number;
}

export interface RemoteMedia {
  framesDecoded: number;
  audioPackets: number;
  width: number;
  /** Distinct remote (peer, source) pairs being received. */
  tracks: number;
  byPeer: Record<string, PeerMedia>;
}

/** Sums inbound-rtp counters over every remote consumer of the page's `window.callSession`. */
export async function remoteMedia(page: Page): Promise<RemoteMedia> {
  return page.evaluate(async () => {
    type Stat = { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number; frameWidth?: number };
    const s = (window as unknown as {
      callSession?: {
        state: string;
        remote: Map<string, { consumerId: string; peerId: string; source: string; track: MediaStreamTrack }>;
        getRemoteStats(id: string): Promise<RTCStatsReport | undefined>;
      };
    }).callSession;
    const out = { framesDecoded: 0, audioPackets: 0, width: 0, tracks: 0, byPeer: {} as Record<string, PeerMedia> };
    if (!s || s.state === 'closed') return out;
    out.tracks = new Set([...s.remote.values()].map((r) => `${r.peerId}/${r.source}`)).size;
    for (const r of s.remote.values()) {
      const peer = (out.byPeer[r.peerId] ??= { framesDecoded: 0, audioPackets: 0, width: 0, videoTracks: 0, audioTracks: 0 });
      if (r.track.kind === 'video') peer.videoTracks++;
      else peer.audioTracks++;
      (await s.getRemoteStats(r.consumerId))?.forEach((st: Stat) => {
        if (st.type !== 'inbound-rtp') return;
        if (st.kind === 'video') {
          peer.framesDecoded += st.framesDecoded ?? 0;
          peer.width = Math.max(peer.width, st.frameWidth ?? 0);
        }
        if (st.kind === 'audio') peer.audioPackets += st.packetsReceived ?? 0;
      });
    }
    for (const p of Object.values(out.byPeer)) {
      out.framesDecoded += p.framesDecoded;
      out.audioPackets += p.audioPackets;
      out.width = Math.max(out.width, p.width);
    }
    return out;
  });
}

/** Polls `probe` until `ok`; the error names what was awaited and the last value seen. */
export async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, opts: { what?: string; timeoutMs?: number } = {}): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`${opts.what ?? 'condition'}: timed out; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  return last;
}

/** Opens call.html in a new page of `browser` for one participant, page errors logged by name. */
export async function openCallPage(browser: { newPage(): Promise<Page> }, baseUrl: string, token: string, room: string, name: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
  await page.goto(`${baseUrl}/call.html?room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`);
  return page;
}
