// A consume request whose answer never comes (lost on a loaded node) must not leave a peer's
// track missing for the rest of the call: the page asks again and decodes it. The first `consume`
// a page sends over its WebSocket is dropped on the way to the server.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserPlatform } from '../support/browser-platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';

describe('a consume whose answer is lost', () => {
  const env = browserPlatform();
  const room = 'test:consume-retry';

  it('is asked again, and the page decodes the other side’s video and audio', async () => {
    let routed = 0;
    let dropped = 0;
    const bob = await env.browser.newPage();
    bob.on('pageerror', (e) => console.error('[bob] pageerror', e));
    await bob.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (typeof m === 'string') {
          routed++;
          if (dropped === 0 && /^42\d+\["consume"/.test(m)) return void dropped++;
        }
        server.send(m);
      });
      server.onMessage((m) => ws.send(m));
    });
    const url = (token: string, name: string) =>
      `${env.platform.url}/call.html?room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`;
    await bob.goto(url(env.platform.token('bob', 'petitioner', { rooms: [room] }), '李大爷'));
    // The page's signalling is WebSocket-only, so alice's tracks are consumed through the route.
    await waitFor(async () => routed > 0 && (await bob.evaluate(() => (window as unknown as { callSession?: { state: string } }).callSession?.state)), (s) => s === 'joined', { what: 'bob joined through the route' });

    const alice: Page = await env.browser.newPage();
    await alice.goto(url(env.platform.token('alice', 'official', { rooms: [room] }), '张干部'));
    const media = await waitFor(() => remoteMedia(bob), (r) => r.framesDecoded > 0 && r.audioPackets > 0 && r.tracks === 2, { what: 'bob decodes both of alice’s tracks', timeoutMs: 45_000 });
    expect(dropped).toBe(1);
    expect(media.byPeer.alice).toMatchObject({ videoTracks: 1, audioTracks: 1 });
  });
});
