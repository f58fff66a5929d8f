// A call goes on with whatever devices a participant has: with no devices, the camera refused or
// the microphone refused, the media that can flow does flow, each page says in words what does
// not, a permission granted later is picked up, and an ended call leaves nothing on screen.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserMedia } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

describe('a call with missing or refused devices', () => {
  let platform: TestPlatform;
  let official: Browser;
  const others: Browser[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    official = await launchBrowser();
  });
  afterAll(async () => {
    for (const b of [official, ...others]) await b?.cleanup();
    await platform?.close();
  });

  const browser = async (media: BrowserMedia) => {
    const b = await launchBrowser(media);
    others.push(b);
    return b;
  };
  const open = async (b: Browser, sub: string, role: 'official' | 'petitioner', room: string, name: string) => {
    const page = await b.newPage();
    page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
    const token = platform.token(sub, role, { rooms: [room] }, { name });
    await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}`);
    return page;
  };
  const peerId = (page: Page) => waitFor(() => page.evaluate(() => (window as unknown as { callSession: { peerId: string } }).callSession.peerId), (id) => id !== '', { what: 'joined' });
  const notice = async (page: Page, kind: 'local' | 'remote', source: 'camera' | 'microphone') => {
    const li = page.locator(`.call-notices li[data-kind="${kind}"][data-source="${source}"]`);
    await li.waitFor({ timeout: 20_000 });
    return li.textContent();
  };
  const noNotices = (page: Page) => page.waitForFunction(() => document.querySelectorAll('.call-notices li').length === 0, null, { timeout: 20_000 });
  const state = (page: Page) => page.locator('.call-status').getAttribute('data-state');

  it('a petitioner with no devices hears and sees the official, is told the others cannot hear them, and the official is told the microphone is unavailable', async () => {
    const room = 'test:devices-none';
    const desk = await open(official, 'o1', 'official', room, '张干部');
    const villager = await open(await browser('none'), 'p1', 'petitioner', room, '李大爷');

    await waitFor(() => remoteMedia(villager), (r) => r.framesDecoded > 0 && r.audioPackets > 0, { what: 'the petitioner receives the official' });
    expect(await notice(villager, 'local', 'microphone')).toContain('对方听不到您的声音：没有找到麦克风');
    expect(await notice(villager, 'local', 'camera')).toContain('没有找到摄像头，本次为语音通话');
    expect(await state(villager)).toBe('media-degraded');

    expect(await notice(desk, 'remote', 'microphone')).toBe('李大爷：对方麦克风不可用，听不到对方声音');
    expect(await notice(desk, 'remote', 'camera')).toBe('李大爷：对方摄像头不可用，本次为语音通话');
    await Promise.all([desk.close(), villager.close()]);
  });

  it('with the camera refused the call goes on audio-only, both sides say so, and granting the camera later brings the picture', async () => {
    const room = 'test:devices-no-camera';
    const b = await browser({ allow: ['microphone'], origin: platform.url });
    const desk = await open(official, 'o2', 'official', room, '张干部');
    const villager = await open(b, 'p2', 'petitioner', room, '李大爷');
    const id = await peerId(villager);

    await waitFor(() => remoteMedia(desk), (r) => (r.byPeer[id]?.audioPackets ?? 0) > 0, { what: 'the official hears the petitioner' });
    await waitFor(() => remoteMedia(villager), (r) => r.framesDecoded > 0 && r.audioPackets > 0, { what: 'the petitioner receives the official' });
    expect(await notice(villager, 'local', 'camera')).toBe('摄像头未获允许，本次为语音通话。');
    expect(await notice(desk, 'remote', 'camera')).toBe('李大爷：对方摄像头不可用，本次为语音通话');
    expect(await desk.locator('.call-notices li[data-source="microphone"]').count()).toBe(0);

    // The helper allows the camera: the page picks it up without a reload.
    await b.grantPermissions(['microphone', 'camera'], { origin: platform.url });
    await waitFor(() => remoteMedia(desk), (r) => (r.byPeer[id]?.framesDecoded ?? 0) > 0, { what: 'the official sees the petitioner once the camera is allowed' });
    await Promise.all([noNotices(desk), noNotices(villager)]);
    expect(await state(desk)).toBe('connected');
    await Promise.all([desk.close(), villager.close()]);
  });

  it('with the microphone refused the official still sees the petitioner and is told the microphone is unavailable', async () => {
    const room = 'test:devices-no-mic';
    const desk = await open(official, 'o3', 'official', room, '张干部');
    const villager = await open(await browser({ allow: ['camera'], origin: platform.url }), 'p3', 'petitioner', room, '李大爷');
    const id = await peerId(villager);

    await waitFor(() => remoteMedia(desk), (r) => (r.byPeer[id]?.framesDecoded ?? 0) > 0, { what: 'the official sees the petitioner' });
    expect(await notice(villager, 'local', 'microphone')).toContain('麦克风未获允许');
    expect(await notice(desk, 'remote', 'microphone')).toBe('李大爷：对方麦克风不可用，听不到对方声音');
    expect(await villager.locator('.tile.me').count()).toBe(1);

    // Hanging up leaves nothing of the call: no tiles, no controls, no recording notice.
    await villager.locator('.call-controls [data-act=leave]').click();
    await villager.waitForFunction(() => document.querySelector('.call-status')?.getAttribute('data-state') === 'ended', null, { timeout: 10_000 });
    expect(await villager.locator('.tile, video, audio, .call-controls, .call-notices').count()).toBe(0);
    expect(await villager.locator('.call-recording').isVisible()).toBe(false);
    await Promise.all([desk.close(), villager.close()]);
  });
});
