// Two Chromium pages join one room through the real server and worker and each decodes the
// other's video and receives its audio; a page holding a token for another room is refused.
import { describe, expect, it } from 'vitest';
import { browserPlatform } from '../support/browser-platform.ts';
import { remoteMedia, waitFor, openCallPage } from '../support/media.ts';

describe('a call between two browsers', () => {
  const env = browserPlatform();

  const open = (token: string, room: string, name: string) => openCallPage(env.browser, env.platform.url, token, room, name);

  it('each page decodes the other page\'s video and receives its audio', async () => {
    const room = 'test:browser-call';
    const alice = await open(env.platform.token('alice', 'official', { rooms: [room] }), room, '张干部');
    const bob = await open(env.platform.token('bob', 'petitioner', { rooms: [room] }), room, '李大爷');

    for (const page of [alice, bob]) {
      const first = await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0 && r.audioPackets > 0);
      expect(first.tracks).toBe(2);
      // Decoding keeps going: both counts grow after the first frame.
      await waitFor(
        () => remoteMedia(page),
        (r) => r.framesDecoded > first.framesDecoded && r.audioPackets > first.audioPackets,
        { what: 'decoding keeps going', timeoutMs: 10_000 },
      );
    }
    expect(await alice.locator('.call-status').getAttribute('data-state')).toBe('connected');
    expect(await alice.locator('.tile').count()).toBe(2);
  });

  it('a page whose token names another room is refused', async () => {
    const token = env.platform.token('mallory', 'petitioner', { rooms: ['test:some-other-room'] });
    const page = await open(token, 'test:browser-call', '外人');
    await page.waitForFunction(() => document.getElementById('app')?.dataset.error, null, { timeout: 10_000 });
    expect(await page.evaluate(() => document.getElementById('app')!.dataset.error)).toBe('forbidden');
    expect(await page.locator('.call-status').textContent()).toContain('无法加入');
  });
});
