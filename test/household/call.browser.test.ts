// Household calls through the real platform with Chromium pages: the family member's page uses
// the room token from HouseholdService.startCall, the home device's page uses the device's own
// long-lived token. Both decode each other's video; a ringing call has no home in it until the
// device answers; a device token opens no other household's call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { createFixture, createTestClock, SEED, type Fixture } from './fixture.ts';

describe('calling home in Chromium', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let f: Fixture;

  beforeAll(async () => {
    // The platform's own household service decides who may join; the test drives it with its clock.
    const clock = createTestClock();
    platform = await startTestPlatform({}, { household: { clock } });
    browser = await launchBrowser();
    f = await createFixture({}, { tokens: platform.tokens, platform, clock });
  });
  afterAll(async () => {
    await f?.close();
    await browser?.cleanup();
    await platform?.close();
  });

  const pages: Page[] = [];
  const closePages = async (): Promise<void> => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
  };
  const open = async (token: string, roomId: string, name: string): Promise<Page> => {
    const page = await browser.newPage();
    pages.push(page);
    page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
    await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(roomId)}&token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`);
    return page;
  };

  it('auto-answer: the home device joins at once and both sides decode each other', async () => {
    const { token: deviceToken } = await f.service.bindDevice(f.admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    await f.service.heartbeat(platform.tokens.verify(deviceToken));
    const answered = new Promise<string>((resolve) => f.service.events.once('call:answered', ({ call }) => resolve(call.roomId)));
    const { call, roomId, token } = await f.service.startCall(f.person(SEED.family.zhangWei, 'family', '张伟'), SEED.households.zhang);
    expect(call.state).toBe('active');
    try {
      // What the kiosk does on `call:answered`: fetch a room token (POST /device/room-token), join.
      const home = await open((await f.service.deviceRoomToken(platform.tokens.verify(deviceToken), await answered)).token, roomId, '张秀英');
      const family = await open(token, roomId, '张伟');
      for (const page of [home, family]) {
        const r = await waitFor(() => remoteMedia(page), (x) => x.framesDecoded > 0 && x.audioPackets > 0);
        expect(r.tracks).toBe(2);
      }
    } finally {
      await f.service.endCall(f.person(SEED.family.zhangWei, 'family'), call.id);
      await closePages();
    }
  });

  it('without auto-answer the family page has nobody to see until the device answers', async () => {
    const { token: deviceToken } = await f.service.bindDevice(f.admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    const device = platform.tokens.verify(deviceToken);
    await f.service.heartbeat(device);
    const { call, roomId, token } = await f.service.startCall(f.person(SEED.family.liNa, 'family', '李娜'), SEED.households.zhang);
    expect(call.state).toBe('ringing');
    try {
      const family = await open(token, roomId, '李娜');
      await family.waitForFunction(() => document.querySelector('.call-status')?.getAttribute('data-state') === 'connected', null, { timeout: 20_000 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await remoteMedia(family)).toMatchObject({ tracks: 0, framesDecoded: 0 });
      // The answer button.
      const answer = await f.service.answerCall(device, call.id);
      const home = await open(answer.token, answer.roomId, '张秀英');
      for (const page of [home, family]) await waitFor(() => remoteMedia(page), (x) => x.framesDecoded > 0);
    } finally {
      await f.service.endCall(device, call.id);
      await closePages();
    }
  });

  it('look-in: the permitted family member sees home view-only; in privacy mode it is refused with the reason', async () => {
    const { token: deviceToken } = await f.service.bindDevice(f.admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    const device = platform.tokens.verify(deviceToken);
    await f.service.heartbeat(device);
    const started = new Promise<string>((resolve) => f.service.events.once('lookin:started', ({ lookIn }) => resolve(lookIn.roomId)));
    const liNa = f.person(SEED.family.liNa, 'family', '李娜');
    const { lookIn, roomId, token } = await f.service.startLookIn(liNa, SEED.households.zhang);
    try {
      // What the kiosk does on `lookin:started`: chime, show the live indicator, publish into the room.
      const home = await open((await f.service.deviceRoomToken(device, await started)).token, roomId, '家');
      const viewer = await open(token, roomId, '李娜');
      await waitFor(() => remoteMedia(viewer), (x) => x.framesDecoded > 0);
      await new Promise((r) => setTimeout(r, 1000));
      // View only: nothing of the viewer reaches the home.
      expect((await remoteMedia(home)).tracks).toBe(0);
      await f.service.setPrivacyMode(device, SEED.households.zhang, true);
      expect((await f.repo.getLookIn(lookIn.id))?.endReason).toBe('privacy');
      await expect(f.service.startLookIn(liNa, SEED.households.zhang)).rejects.toThrow(/privacy mode/);
    } finally {
      await f.service.setPrivacyMode(device, SEED.households.zhang, false);
      await closePages();
    }
  });

  it('privacy mode: the device’s room token has no camera, so no video leaves the home even if the page tries', async () => {
    const { token: deviceToken } = await f.service.bindDevice(f.admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    const device = platform.tokens.verify(deviceToken);
    await f.service.heartbeat(device);
    await f.service.setPrivacyMode(device, SEED.households.zhang, true);
    const { call, roomId, token } = await f.service.startCall(f.person(SEED.family.zhangWei, 'family', '张伟'), SEED.households.zhang);
    try {
      expect(call.state).toBe('ringing'); // auto-answer suspended in privacy mode
      const answer = await f.service.answerCall(device, call.id);
      const family = await open(token, roomId, '张伟');
      // call.html publishes camera + microphone unless told otherwise: the SFU refuses the camera.
      const home = await open(answer.token, roomId, '张秀英');
      await waitFor(() => remoteMedia(home), (x) => x.framesDecoded > 0);
      await new Promise((r) => setTimeout(r, 3000));
      expect((await remoteMedia(family)).framesDecoded).toBe(0);
    } finally {
      await f.service.endCall(device, call.id);
      await f.service.setPrivacyMode(device, SEED.households.zhang, false);
      await closePages();
    }
  });

  it('a device token opens no call room by itself, and no other household’s at all', async () => {
    const { token: wangDevice } = await f.service.bindDevice(f.admin, SEED.households.wang, { id: SEED.devices.wang, name: '客厅终端', place: 'living-room' });
    const zhangDeviceToken = (await f.service.bindDevice(f.admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' })).token;
    const zhangDevice = platform.tokens.verify(zhangDeviceToken);
    await f.service.heartbeat(zhangDevice);
    const { call, roomId } = await f.service.startCall(f.person(SEED.family.zhangWei, 'family'), SEED.households.zhang);
    try {
      for (const t of [wangDevice, zhangDeviceToken]) {
        const intruder = await open(t, roomId, '终端');
        await intruder.waitForFunction(() => document.getElementById('app')?.dataset.error, null, { timeout: 10_000 });
        expect(await intruder.evaluate(() => document.getElementById('app')!.dataset.error)).toBe('forbidden');
      }
      await expect(f.service.deviceRoomToken(platform.tokens.verify(wangDevice), roomId)).rejects.toThrow(/own household/);
    } finally {
      await f.service.endCall(zhangDevice, call.id);
      await closePages();
    }
  });
});
