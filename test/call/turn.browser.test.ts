// TURN for terminals behind firewalls that pass only TCP: a real coturn (Debian's) sharing its
// secret with the node. Two Chromium pages that may use relayed candidates only (`relay=1`,
// iceTransportPolicy 'relay'), reaching coturn over TCP alone, still see and hear each other; the
// SFU sees their media come from coturn's relay ports. Credentials come with the join and expire
// with the room token: coturn refuses expired or forged ones.
import { createHash, createHmac, createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
      const joined = (await socket.timeout(10_000).emitWithAck('join', { roomId: room })) as Reply<ResponseData['join']>;
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

// TURN over TLS (`turns:`), what a firewall passing only TLS on 443 leaves: coturn with a
// certificate the test makes (openssl), the node issuing the `turns:` URL, and Chromium trusting
// that one certificate only (its SPKI pinned): relay-only pages decode each other's video, their
// selected local candidates relayed over TLS. The same coturn to a Chromium without the pin gives
// no relay at all: the certificate is really checked.
describe('media through TURN over TLS', () => {
  let turn: TestTurn;
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-turns-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const spki = createHash('sha256').update(createPublicKey(fs.readFileSync(cert)).export({ type: 'spki', format: 'der' })).digest('base64');
    turn = await startTestTurn({ tls: { cert, key } });
    platform = await startTestPlatform({ TURN_SECRET: turn.secret, TURN_URLS: `turns:127.0.0.1:${turn.tlsPort}?transport=tcp` });
    browser = await launchBrowser('fake', { args: [`--ignore-certificate-errors-spki-list=${spki}`] });
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
    await turn?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two relay-only pages given a turns: URL decode each other\'s video, relayed over TLS; an unpinned browser gets no relay', async () => {
    const room = 'test:turns-call';
    const pages: Page[] = [];
    for (const [id, role] of [['turns-official', 'official'], ['turns-villager', 'petitioner']] as const) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`[${id}] pageerror`, e));
      await page.goto(`${platform.url}/call.html?relay=1&room=${encodeURIComponent(room)}&token=${encodeURIComponent(platform.token(id, role, { rooms: [room] }))}`);
      pages.push(page);
    }
    for (const page of pages) {
      const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0 && r.audioPackets > 0, { what: 'first frame through TURN over TLS', timeoutMs: 45_000 });
      await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > first.framesDecoded + 10, { what: 'decoding keeps going', timeoutMs: 20_000 });
      const pairs = await selectedCandidates(page);
      expect(pairs.length).toBeGreaterThan(0);
      for (const c of pairs) expect(c).toEqual({ type: 'relay', relayProtocol: 'tls' });
    }
    for (const p of pages) await p.close();
    // The same coturn and fresh credentials, to a browser that does not trust the certificate.
    const plain = await launchBrowser('fake');
    try {
      const probe = await plain.newPage();
      await probe.goto(`${platform.url}/call.html`);
      const username = `${Math.floor(Date.now() / 1000) + 600}:turns-probe`;
      const server = { urls: `turns:127.0.0.1:${turn.tlsPort}?transport=tcp`, username, credential: createHmac('sha1', turn.secret).update(username).digest('base64') };
      expect(await relayCandidates(probe, server)).toBe(0);
      // The pinned browser, with the same credentials: relayed.
      const pinned = await browser.newPage();
      await pinned.goto(`${platform.url}/call.html`);
      expect(await relayCandidates(pinned, server)).toBeGreaterThan(0);
      await pinned.close();
    } finally {
      await plain.cleanup();
    }
  }, 150_000);
});
