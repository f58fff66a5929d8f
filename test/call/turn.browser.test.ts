// TURN for terminals behind firewalls that pass only TCP: a real coturn (Debian's) sharing its
// secret with the node. Two Chromium pages that may use relayed candidates only (`relay=1`,
// iceTransportPolicy 'relay'), reaching coturn over TCP alone, still see and hear each other; the
// SFU sees their media come from coturn's relay ports. Credentials come with the join and expire
// with the room token: coturn refuses expired or forged ones.
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestTurn, type TestTurn } from '../../scripts/harness/turn.ts';
import type { IceServer, Reply, ResponseData } from '../../server/protocol/signalling.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';

/** The local candidate types of the page's selected ICE pairs, from its consumers' stats. */
async function selectedCandidates(page: Page): Promise<{ type: string; relayProtocol?: string }[]> {
  return page.evaluate(async () => {
    const s = (window as unknown as {
      callSession: { remote: Map<string, { consumerId: string }>; getRemoteStats(id: string): Promise<RTCStatsReport | undefined> };
    }).callSession;
    const out: { type: string; relayProtocol?: string }[] = [];
    for (const r of s.remote.values()) {
      const stats = await s.getRemoteStats(r.consumerId);
      if (!stats) continue;
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((st: Record<string, unknown>) => byId.set(st.id as string, st));
      for (const st of byId.values()) {
        if (st.type !== 'transport' || !st.selectedCandidatePairId) continue;
        const pair = byId.get(st.selectedCandidatePairId as string);
        const local = pair && byId.get(pair.localCandidateId as string);
        if (local) out.push({ type: local.candidateType as string, ...(local.relayProtocol ? { relayProtocol: local.relayProtocol as string } : {}) });
      }
    }
    return out;
  });
}

/** Relay candidates Chromium gathers with these TURN credentials (none when coturn refuses them). */
async function relayCandidates(page: Page, server: RTCIceServer): Promise<number> {
  return page.evaluate(async (iceServer) => {
    const pc = new RTCPeerConnection({ iceServers: [iceServer], iceTransportPolicy: 'relay' });
    pc.createDataChannel('probe');
    let relays = 0;
    const done = new Promise<void>((resolve) => {
      pc.addEventListener('icecandidate', (e) => {
        if (!e.candidate) resolve();
        else if (e.candidate.type === 'relay') relays++;
      });
      // A refused allocation ends gathering too; this only bounds a TURN server that never answers.
      setTimeout(resolve, 15_000);
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    pc.close();
    return relays;
  }, server as { urls: string; username: string; credential: string });
}

describe('media through TURN when nothing direct gets through', () => {
  let turn: TestTurn;
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    turn = await startTestTurn();
    // TCP to coturn only: what a firewall passing nothing but TCP 443 leaves a terminal.
    platform = await startTestPlatform({ TURN_SECRET: turn.secret, TURN_URLS: `turn:${turn.host}?transport=tcp` });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
    await turn?.stop();
  });

  const open = async (token: string, room: string, name: string) => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
    await page.goto(`${platform.url}/call.html?relay=1&room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}`);
    return page;
  };

  it('two relay-only pages decode each other\'s video and audio, relayed over TCP by coturn', async () => {
    const room = 'test:turn-call';
    const official = await open(platform.token('turn-official', 'official', { rooms: [room] }), room, '张干部');
    const villager = await open(platform.token('turn-villager', 'petitioner', { rooms: [room] }), room, '李大爷');
    for (const page of [official, villager]) {
      const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0 && r.audioPackets > 0, { what: 'first frame through TURN', timeoutMs: 45_000 });
      await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > first.framesDecoded + 10, { what: 'decoding keeps going', timeoutMs: 20_000 });
      const pairs = await selectedCandidates(page);
      expect(pairs.length).toBeGreaterThan(0);
      for (const c of pairs) expect(c).toEqual({ type: 'relay', relayProtocol: 'tcp' });
    }
    // The SFU's side: every transport's peer is one of coturn's relay ports.
    const peers = [...platform.rooms.get(room)!.peers.values()];
    const tuples = peers.flatMap((p) => [...p.transports.values()].map((t) => (t as { iceSelectedTuple?: { remotePort: number } }).iceSelectedTuple));
    expect(tuples).toHaveLength(4);
    for (const tuple of tuples) {
      expect(tuple?.remotePort).toBeGreaterThanOrEqual(turn.relayPorts.min);
      expect(tuple?.remotePort).toBeLessThanOrEqual(turn.relayPorts.max);
    }
  });

  it('a join hands out TURN credentials expiring with the room token, which coturn accepts; expired or forged ones it refuses', async () => {
    const room = 'test:turn-credentials';
    const token = platform.token('turn-probe', 'official', { rooms: [room] }, { ttlSeconds: 900 });
    const socket = io(platform.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    let issued: IceServer;
    let exp: number;
    try {
      const caps = (await socket.timeout(10_000).emitWithAck('getRouterRtpCapabilities', { roomId: room })) as Reply<ResponseData['getRouterRtpCapabilities']>;
      expect(caps.ok).toBe(true);
      const joined = (await socket.timeout(10_000).emitWithAck('join', { roomId: room, rtpCapabilities: caps.ok ? caps.data.rtpCapabilities : {} })) as Reply<ResponseData['join']>;
      if (!joined.ok) throw new Error(joined.error.message);
      expect(joined.data.iceServers).toHaveLength(1);
      issued = joined.data.iceServers[0]!;
      exp = joined.data.exp;
    } finally {
      socket.close();
    }
    expect(issued.urls).toEqual([`turn:${turn.host}?transport=tcp`]);
    expect(issued.username).toBe(`${Math.floor(exp)}:turn-probe`);

    const page = await browser.newPage();
    await page.goto(`${platform.url}/call.html`);
    expect(await relayCandidates(page, { ...issued, urls: issued.urls[0]! })).toBeGreaterThan(0);
    const credentials = (expiry: number, secret = turn.secret) => {
      const username = `${expiry}:turn-probe`;
      return { urls: issued.urls[0]!, username, credential: createHmac('sha1', secret).update(username).digest('base64') };
    };
    const now = Math.floor(Date.now() / 1000);
    expect(await relayCandidates(page, credentials(now - 60))).toBe(0);
    expect(await relayCandidates(page, credentials(now + 600, 'another-secret-0123456789'))).toBe(0);
  });
});
