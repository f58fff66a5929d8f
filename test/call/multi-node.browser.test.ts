// Two server nodes on one Redis: a room lives on one node and a client that reaches the other is
// sent there (LiveKit's routing); live pushes published on one node reach sockets on the other
// through socket.io's Redis adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { HouseholdPush } from '../../server/protocol/live.ts';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { freePort } from '../../scripts/harness/product-node.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';

describe('two nodes on one Redis', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    // One deployment: both nodes share the Redis namespace (routing, adapter channels).
    const redisPrefix = `t${process.pid}-two-nodes-${Date.now()}:`;
    // Reached under two origins (two ports), the nodes list each other as allowed origins, as a
    // deployment without one public name must (a page from B talks to A's socket).
    const [portA, portB] = [await freePort(), await freePort()];
    const origins = { ALLOWED_ORIGINS: `http://127.0.0.1:${portA},http://127.0.0.1:${portB}` };
    a = await startTestPlatform({ ...origins, PORT: String(portA) }, { redisPrefix });
    b = await startTestPlatform({ ...origins, PORT: String(portB) }, { redisPrefix });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await b?.close();
    await a?.close();
  });

  it('a client reaching the other node is sent to the node hosting the room, and both see each other', async () => {
    const room = `test:multi-node-${Date.now()}`;
    const open = async (node: TestPlatform, sub: string) => {
      const page = await browser.newPage();
      await page.goto(`${node.url}/call.html?room=${encodeURIComponent(room)}&token=${encodeURIComponent(node.token(sub, 'official', { rooms: [room] }))}`);
      return page;
    };
    const first = await open(a, 'on-a');
    await first.waitForFunction(() => (window as unknown as { callSession?: { state: string } }).callSession?.state === 'joined', null, { timeout: 15_000 });
    expect(a.rooms.get(room)).toBeDefined();

    const second = await open(b, 'via-b');
    for (const page of [first, second]) {
      await page.waitForFunction(() => (window as unknown as { callSession: { remote: Map<string, unknown> } }).callSession.remote.size >= 2, null, { timeout: 20_000 });
    }
    for (const page of [first, second]) await waitFor(() => remoteMedia(page), (m) => m.framesDecoded > 0, { what: 'frames decoded' });
    // The room exists only on node A; node B never created a router for it.
    expect(b.rooms.get(room)).toBeUndefined();
    expect([...a.rooms.get(room)!.peers.keys()].sort()).toEqual(['on-a', 'via-b']);
  });

  it('node B answers a join for a room on node A with conflict and A\'s URL', async () => {
    const room = `test:multi-node-redirect-${Date.now()}`;
    const viaA = io(a.url, { auth: { token: a.token('x', 'official', { rooms: [room] }) }, transports: ['websocket'], forceNew: true });
    expect(await viaA.timeout(5000).emitWithAck('join', { roomId: room })).toMatchObject({ ok: true });
    const viaB = io(b.url, { auth: { token: b.token('y', 'official', { rooms: [room] }) }, transports: ['websocket'], forceNew: true });
    const reply = await viaB.timeout(5000).emitWithAck('join', { roomId: room });
    expect(reply).toMatchObject({ ok: false, error: { code: 'conflict', details: { url: a.url } } });
    viaA.disconnect();
    viaB.disconnect();
  });

  it('a live push published on node A reaches a socket connected to node B', async () => {
    const sub = `fm-${Date.now()}`;
    const live = io(`${b.url}/live`, { auth: { token: b.token(sub, 'family', { rooms: [] }) }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      live.once('connect', () => resolve());
      live.once('connect_error', reject);
    });
    const got = new Promise((resolve) => live.once('household:event', resolve));
    // Node A sees the socket on node B through the adapter before it publishes.
    await waitFor(async () => (await a.io.of('/live').in(`user:family:${sub}`).fetchSockets()).length, (n) => n === 1, { what: 'socket on node B seen from node A' });
    const push: HouseholdPush = {
      type: 'notice',
      payload: {
        notice: { id: 'n-1', senderId: 'c-1', senderName: '周社工', householdId: 'H1', region: null, title: '来访', body: '明天下午社工来访', createdAt: new Date().toISOString(), expiresAt: null },
        householdIds: ['H1'],
      },
    };
    a.services.live.publish([`user:family:${sub}`], 'household:event', push);
    expect(await got).toEqual(push);
    live.disconnect();
  });
});
