// Pushes that reach a page before its own join reply (the server sends them in that order when
// the room changes while the reply is on its way) must not be lost: the page applies them on top
// of the reply's snapshot. Alice is in the room with her camera and microphone held back; bob's
// join reply is held on its way to his page until alice's two newProducer pushes have passed it.
import { describe, expect, it } from 'vitest';
import type { WebSocketRoute } from 'playwright-core';
import { browserPlatform } from '../support/browser-platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';

describe('room pushes that overtake the join reply', () => {
  const env = browserPlatform();
  const room = 'test:join-race';
  const url = (token: string, name: string) =>
    `${env.platform.url}/call.html?room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`;

  it('are applied after the reply, and the page decodes both tracks published meanwhile', async () => {
    // Alice: her produce requests are held until bob is in the room.
    const heldProduce: string[] = [];
    let aliceServer: WebSocketRoute | undefined;
    let releaseProduce = false;
    const alice = await env.browser.newPage();
    await alice.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      aliceServer = server;
      ws.onMessage((m) => {
        if (!releaseProduce && typeof m === 'string' && /^42\d+\["produce"/.test(m)) return void heldProduce.push(m);
        server.send(m);
      });
      server.onMessage((m) => ws.send(m));
    });
    await alice.goto(url(env.platform.token('alice', 'official', { rooms: [room] }), '张干部'));
    // She publishes one source at a time: the first request held holds back the second.
    await waitFor(async () => heldProduce.length, (n) => n === 1, { what: 'alice asks to publish' });

    // Bob: his join reply is held until alice's two newProducer pushes have reached his page.
    let joinAckId: string | undefined;
    let heldAck: string | undefined;
    let pushedBeforeReply = 0;
    const bob = await env.browser.newPage();
    bob.on('pageerror', (e) => console.error('[bob] pageerror', e));
    await bob.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const join = typeof m === 'string' ? /^42(\d+)\["join"/.exec(m) : null;
        if (join) joinAckId = join[1];
        server.send(m);
      });
      server.onMessage((m) => {
        if (typeof m === 'string' && joinAckId && heldAck === undefined && m.startsWith(`43${joinAckId}[`)) {
          heldAck = m;
          // Bob is in the room on the server now: let alice publish.
          releaseProduce = true;
          for (const p of heldProduce.splice(0)) aliceServer!.send(p);
          return;
        }
        ws.send(m);
        if (heldAck && typeof m === 'string' && /^42\["newProducer"/.test(m) && ++pushedBeforeReply === 2) ws.send(heldAck);
      });
    });
    await bob.goto(url(env.platform.token('bob', 'petitioner', { rooms: [room] }), '李大爷'));

    const media = await waitFor(() => remoteMedia(bob), (r) => r.framesDecoded > 0 && r.audioPackets > 0 && r.tracks === 2, {
      what: 'bob decodes both of alice’s tracks',
      timeoutMs: 45_000,
    });
    expect(pushedBeforeReply).toBe(2);
    expect(media.byPeer.alice).toMatchObject({ videoTracks: 1, audioTracks: 1 });
  });
});
