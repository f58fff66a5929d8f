// The 平安心居 pages in Chromium on the real platform: the family app calls home and the kiosk
// answers by itself (auto-answer) or rings with its answer button; several family members share
// one call; look-in lights the device's live indicator; the device's privacy button makes look-in
// refused with a clear message on the family page and keeps the camera off; after a network
// loss the kiosk reconnects by itself and catches up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createFixture, createTestClock, NOON_CST, SEED, type Fixture } from './fixture.ts';
import { media, openPage, personToken, sendingCamera, waitFor } from './ui-support.ts';

const HOME = SEED.households.zhang;
const card = `[data-household-id="${HOME}"]`;

describe('household pages in Chromium', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let f: Fixture;
  let device: Page;
  const pages: Page[] = [];

  const open = async (path: string, token: string, name: string): Promise<Page> => {
    const page = await openPage(browser, platform, path, token, name);
    pages.push(page);
    return page;
  };
  const family = async (sub: string, name: string): Promise<Page> => {
    const page = await open('family.html', personToken(platform, sub, 'family', name), name);
    await page.waitForSelector(`${card} [data-act=call]`);
    return page;
  };
  const closeFamilyPages = async (): Promise<void> => {
    await Promise.all(pages.filter((p) => p !== device).map((p) => p.close()));
    pages.splice(0, pages.length, ...pages.filter((p) => p === device));
  };
  const deviceIdle = () => device.waitForFunction(() => document.body.dataset.state === 'idle' && document.body.dataset.live === 'false', null, { timeout: 15_000 });

  beforeAll(async () => {
    const clock = createTestClock();
    platform = await startTestPlatform({}, { household: { clock } });
    browser = await launchBrowser();
    f = await createFixture({}, { tokens: platform.tokens, platform, clock });
    const { token } = await f.service.bindDevice(f.admin, HOME, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    device = await open('device.html', token, 'device');
    // The kiosk's first heartbeat puts it online.
    await device.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 15_000 });
  });
  afterAll(async () => {
    await f?.close();
    await browser?.cleanup();
    await platform?.close();
  });

  it('auto-answer: the kiosk joins by itself, home and two family members in different cities decode each other', async () => {
    const zhangWei = await family(SEED.family.zhangWei, '张伟'); // auto-answered, 杭州
    await zhangWei.click(`${card} [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    // Nobody pressed anything on the device; its camera is live and it says so.
    await device.waitForSelector('#live:not([hidden])', { timeout: 15_000 });
    for (const page of [device, zhangWei]) await waitFor(() => media(page), (m) => m.framesDecoded > 0 && m.audioPackets > 0);

    // A second family member (深圳, call-only) taps "call" too and joins the same call.
    const zhangLei = await family(SEED.family.zhangLei, '张磊');
    await zhangLei.click(`${card} [data-act=call]`);
    await waitFor(() => media(zhangLei), (m) => m.tracks === 4 && m.framesDecoded > 0);
    await waitFor(() => media(device), (m) => m.tracks === 4);

    // The caller hangs up: the call ends for everyone and the kiosk is back to its clock.
    await zhangWei.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await zhangLei.waitForSelector('#list:not([hidden])', { timeout: 15_000 });
    await closeFamilyPages();
  });

  it('auto-answer turned off in the family app: the kiosk rings; a cancelled call is listed as missed; the answer button connects', async () => {
    const zhangWei = await family(SEED.family.zhangWei, '张伟'); // manages the household
    await zhangWei.click(`${card} details.settings summary`);
    await zhangWei.check(`${card} input[name=autoAnswer][value=off]`);
    await zhangWei.click(`${card} .settings-form button.primary`);
    await zhangWei.waitForSelector('#msg[data-kind=info]:not([hidden])');
    expect((await f.service.getHousehold(f.admin, HOME)).household.settings).toMatchObject({
      autoAnswer: { mode: 'off' },
      lookInAllowed: true,
      // The night window shown in the form went back unchanged.
      privacySchedule: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' }],
    });
    await zhangWei.click(`${card} [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    expect(await device.isVisible('#answer')).toBe(true);
    expect(await device.evaluate(() => (window as unknown as { deviceApp: unknown }).deviceApp !== undefined)).toBe(true);
    // Ringing, the home is not in the room yet.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await media(zhangWei)).toMatchObject({ tracks: 0 });
    // She gives up: the kiosk stops ringing and the call shows under missed calls.
    await zhangWei.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await zhangWei.waitForSelector(`${card} .missed li[data-call-id]`, { timeout: 10_000 });

    // Declined at the kiosk: the caller's ringing ends at once and the call is listed as declined.
    await zhangWei.click(`${card} [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    await device.click('#decline');
    await deviceIdle();
    await zhangWei.locator(`${card} .missed li[data-call-id] .reason`, { hasText: '拒接' }).first().waitFor({ state: 'attached', timeout: 10_000 });
    await zhangWei.waitForFunction(() => !document.querySelector('.call-controls'), null, { timeout: 10_000 });

    await zhangWei.click(`${card} [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    await device.click('#answer');
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    for (const page of [device, zhangWei]) await waitFor(() => media(page), (m) => m.framesDecoded > 0);

    // Privacy button in the middle of the call: the camera stops at once, the voice goes on.
    await device.click('#privacy');
    await device.waitForFunction(() => document.body.dataset.live === 'false' && document.body.dataset.privacy === 'button');
    expect(await sendingCamera(device)).toBe(false);
    await new Promise((r) => setTimeout(r, 800));
    const frozen = await media(zhangWei);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await media(zhangWei);
    expect(later.framesDecoded).toBe(frozen.framesDecoded);
    expect(later.audioPackets).toBeGreaterThan(frozen.audioPackets);
    // Off again: the picture comes back.
    await device.click('#privacy');
    await device.waitForSelector('#live:not([hidden])', { timeout: 10_000 });
    await waitFor(() => media(zhangWei), (m) => m.framesDecoded > later.framesDecoded + 5);
    // The home hangs up this time.
    await device.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await zhangWei.waitForSelector('#list:not([hidden])', { timeout: 15_000 });
    await closeFamilyPages();
    await f.service.updateSettings(f.person(SEED.family.zhangWei, 'family'), HOME, { autoAnswer: { mode: 'selected', memberIds: [SEED.family.zhangWei] } });
  });

  it('a call nobody answers rings until the timeout, then both sides see it as missed', async () => {
    const zhangLei = await family(SEED.family.zhangLei, '张磊'); // not on the auto-answer list
    await zhangLei.click(`${card} [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    expect(await zhangLei.getAttribute('#room-title', 'data-phase')).toBe('ringing');
    await zhangLei.waitForFunction(() => document.querySelector('.call-status')?.getAttribute('data-state') === 'connected', null, { timeout: 15_000 });
    f.clock.advance(f.service.timings.ringTimeoutMs + 1000);
    await f.service.tick();
    await deviceIdle();
    await zhangLei.waitForSelector('#msg:not([hidden])');
    expect(await zhangLei.textContent('#msg')).toContain('没有接听');
    await zhangLei.waitForSelector(`${card} .missed li[data-call-id]`);
    // The kiosk beats every 15 s; nudge it so it is online again at the moved clock.
    await device.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitFor(async () => (await f.service.getHousehold(f.admin, HOME)).devices[0]!.online, (x) => x, 10_000);
    await closeFamilyPages();
  });

  it('audio-only call on a poor network: voice both ways, no camera from the home', async () => {
    const zhangWei = await family(SEED.family.zhangWei, '张伟');
    await zhangWei.click(`${card} [data-act=audio]`);
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    for (const page of [device, zhangWei]) await waitFor(() => media(page), (m) => m.audioPackets > 0);
    expect(await sendingCamera(device)).toBe(false);
    expect(await device.isVisible('#live')).toBe(false);
    expect((await media(zhangWei)).framesDecoded).toBe(0);
    await zhangWei.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await closeFamilyPages();
  });

  it('a call survives a network loss: both pages reconnect by themselves and see each other again', async () => {
    const zhangWei = await family(SEED.family.zhangWei, '张伟');
    await zhangWei.click(`${card} [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    for (const page of [device, zhangWei]) await waitFor(() => media(page), (m) => m.framesDecoded > 0);
    const dropSockets = () => {
      const w = window as unknown as { callSession: { signalling: { socket: { io: { engine: { close(): void } } } } } };
      w.callSession.signalling.socket.io.engine.close();
    };
    await browser.setOffline(true);
    await Promise.all([device.evaluate(dropSockets), zhangWei.evaluate(dropSockets)]);
    for (const page of [device, zhangWei]) {
      await page.waitForFunction(() => (window as unknown as { callSession: { state: string } }).callSession.state === 'reconnecting');
    }
    await new Promise((r) => setTimeout(r, 1500));
    await browser.setOffline(false);
    for (const page of [device, zhangWei]) {
      await page.waitForFunction(() => (window as unknown as { callSession: { state: string } }).callSession.state === 'joined', null, { timeout: 20_000 });
      await waitFor(() => media(page), (m) => m.tracks === 2 && m.framesDecoded > 0, 20_000);
    }
    expect(await device.evaluate(() => document.body.dataset.state)).toBe('in-call');
    await zhangWei.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await closeFamilyPages();
  });

  it('look-in: the family member sees home view-only and the kiosk shows its red live indicator', async () => {
    const liNa = await family(SEED.family.liNa, '李娜');
    await liNa.click(`${card} [data-act=lookin]`);
    await device.waitForSelector('#live:not([hidden])', { timeout: 15_000 });
    expect(await device.textContent('#live')).toContain('李娜');
    await waitFor(() => media(liNa), (m) => m.framesDecoded > 0);
    // View only: nothing of hers reaches the home, and the kiosk stays on its idle screen.
    expect((await media(device)).tracks).toBe(0);
    expect(await device.evaluate(() => document.body.dataset.state)).toBe('idle');
    await liNa.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await closeFamilyPages();
  });

  it('privacy button on the kiosk: look-in is refused with a clear message and no camera leaves the home', async () => {
    await device.click('#privacy');
    await device.waitForFunction(() => document.body.dataset.privacy === 'button');
    const liNa = await family(SEED.family.liNa, '李娜');
    await liNa.click(`${card} [data-act=lookin]`);
    await liNa.waitForSelector('#msg:not([hidden])');
    expect(await liNa.getAttribute('#msg', 'data-reason')).toBe('privacy-mode');
    expect(await liNa.textContent('#msg')).toContain('隐私模式');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await sendingCamera(device)).toBe(false);
    expect(await device.isVisible('#live')).toBe(false);
    const cameras = [...platform.rooms.values()]
      .filter((room) => room.id.startsWith(`household:${HOME}:`))
      .flatMap((room) => [...room.peers.values()].flatMap((p) => [...p.producers.values()]))
      .filter((p) => p.appData.source === 'camera');
    expect(cameras).toHaveLength(0);
    expect((await f.repo.listAccessLog(HOME, 1))[0]).toMatchObject({ outcome: 'refused', reason: 'privacy-mode' });

    // Turned off again from the kiosk: look-in works.
    await device.click('#privacy');
    await device.waitForFunction(() => document.body.dataset.privacy === 'off');
    await liNa.click(`${card} [data-act=lookin]`);
    await device.waitForSelector('#live:not([hidden])', { timeout: 15_000 });
    await liNa.click('.call-controls [data-act=leave]');
    await deviceIdle();
    await closeFamilyPages();
  });

  it('a look-in at the household’s IP camera is offered on the family page and lights the kiosk’s indicator', async () => {
    // A private address the default camera rules accept; nothing connects to it in this test.
    const cam = await f.service.addCamera(f.admin, HOME, { name: '院子摄像头', place: 'yard', url: 'rtsp://10.255.255.1/none' });
    const liNa = await family(SEED.family.liNa, '李娜');
    expect(await liNa.isVisible(`${card} [data-act=lookin][data-source="${cam.id}"]`)).toBe(true);
    // Record every text the indicator shows: the server may end a look-in at an unreachable camera quickly.
    await device.evaluate(() => {
      const seen: string[] = ((window as unknown as { liveSeen: string[] }).liveSeen = []);
      new MutationObserver(() => seen.push(document.getElementById('live')!.hidden ? '' : document.getElementById('live-text')!.textContent ?? '')).observe(
        document.getElementById('live')!, { attributes: true, subtree: true, childList: true, characterData: true });
    });
    const { lookIn } = await f.service.startLookIn(f.person(SEED.family.liNa, 'family', '李娜'), HOME, { source: cam.id });
    await device.waitForFunction(() => (window as unknown as { liveSeen: string[] }).liveSeen.some((t) => t.includes('院子摄像头') && t.includes('李娜')), null, { timeout: 10_000 });
    await f.service.endLookIn(f.person(SEED.family.liNa, 'family', '李娜'), lookIn.id);
    await deviceIdle();
    await closeFamilyPages();
  });

  it('privacy schedule: at night the kiosk says so and look-in is refused for that reason', async () => {
    f.clock.set(Date.parse('2026-11-26T14:01:00Z')); // 22:01 in 宿州: the 张 household's night window
    await f.service.tick();
    await device.waitForFunction(() => document.body.dataset.privacy === 'schedule', null, { timeout: 10_000 });
    expect(await device.textContent('#privacy-state')).toContain('隐私时段');
    await device.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitFor(async () => (await f.service.getHousehold(f.admin, HOME)).devices[0]!.online, (x) => x, 10_000);
    const liNa = await family(SEED.family.liNa, '李娜');
    expect(await liNa.isVisible(`${card} .badge.privacy[data-privacy=schedule]`)).toBe(true);
    await liNa.click(`${card} [data-act=lookin]`);
    await liNa.waitForSelector('#msg:not([hidden])');
    expect(await liNa.getAttribute('#msg', 'data-reason')).toBe('privacy-schedule');
    expect(await sendingCamera(device)).toBe(false);
    // Morning again.
    f.clock.set(NOON_CST + 3600_000);
    await f.service.tick();
    await device.waitForFunction(() => document.body.dataset.privacy === 'off', null, { timeout: 10_000 });
    await device.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitFor(async () => (await f.service.getHousehold(f.admin, HOME)).devices[0]!.online, (x) => x, 10_000);
    await closeFamilyPages();
  });

  it('a family member of another household sees only their own home, and the API refuses them this one', async () => {
    const page = await open('family.html', personToken(platform, SEED.family.wangQiang, 'family', '王强'), '王强');
    await page.waitForSelector(`[data-household-id="${SEED.households.wang}"]`);
    expect(await page.locator('[data-household-id]').count()).toBe(1);
    const codes = await page.evaluate(async (hid) => {
      const token = sessionStorage.getItem('household-family-token');
      const ask = async (method: string, path: string, body?: unknown) =>
        ((await (await fetch(`/api/household${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) })).json()) as { error?: { code: string } }).error?.code;
      return [await ask('POST', `/households/${hid}/calls`, {}), await ask('POST', `/households/${hid}/look-ins`, {}), await ask('PATCH', `/households/${hid}/settings`, { lookInAllowed: false })];
    }, HOME);
    expect(codes).toEqual(['forbidden', 'forbidden', 'forbidden']);
    await closeFamilyPages();
  });

  it('after a network loss the kiosk reconnects by itself and shows what it missed', async () => {
    await browser.setOffline(true);
    // What a dropped Wi-Fi does to the open socket.
    await device.evaluate(() => (window as unknown as { deviceApp: { live: { socket: { io: { engine: { close(): void } } } } } }).deviceApp.live.socket.io.engine.close());
    await device.waitForFunction(() => document.getElementById('net')?.dataset.state === 'offline');
    await f.service.sendNotice(f.person(SEED.counsellors.chen, 'counsellor', '陈静'), { householdId: HOME, title: '断网期间的通知', body: '网络恢复后应当看到这条通知。' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await device.textContent('#notices')).not.toContain('断网期间的通知');
    await browser.setOffline(false);
    await device.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online', null, { timeout: 15_000 });
    await device.waitForFunction(() => document.getElementById('notices')?.textContent?.includes('断网期间的通知'), null, { timeout: 10_000 });
  });
});
