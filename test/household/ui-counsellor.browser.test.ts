// The counsellor desk and the home kiosks in Chromium on the real platform, with the household
// service's clock moved by the test: a region notice appears on the devices in that region only;
// a scheduled check-in falls due and its "call now" rings the home; a device whose heartbeats
// stop raises the offline alert on the desk, and the alert clears when the device is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createFixture, createTestClock, SEED, type Fixture, type TestClock } from './fixture.ts';
import { media, openPage, personToken, waitFor } from './ui-support.ts';

describe('counsellor desk in Chromium', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let f: Fixture;
  let clock: TestClock;
  let desk: Page;
  let zhangToken: string;
  let zhang: Page;

  const open = (path: string, token: string, name: string): Promise<Page> => openPage(browser, platform, path, token, name);
  const openDevice = async (token: string, name: string): Promise<Page> => {
    const page = await open('device.html', token, name);
    await page.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 15_000 });
    return page;
  };

  beforeAll(async () => {
    clock = createTestClock(); // Thursday 2026-11-26 12:00 CST
    platform = await startTestPlatform({}, { household: { clock } });
    browser = await launchBrowser();
    f = await createFixture({}, { tokens: platform.tokens, platform, clock });
    zhangToken = (await f.service.bindDevice(f.admin, SEED.households.zhang, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' })).token;
    zhang = await openDevice(zhangToken, 'zhang-device');
    desk = await open('counsellor.html', personToken(platform, SEED.counsellors.chen, 'counsellor', '陈静'), 'desk');
    await desk.waitForSelector(`#households tr[data-household-id="${SEED.households.zhang}"]`);
  });
  afterAll(async () => {
    await f?.close();
    await browser?.cleanup();
    await platform?.close();
  });

  it('a notice to a region appears on the devices there and not elsewhere', async () => {
    const wangToken = (await f.service.bindDevice(f.admin, SEED.households.wang, { id: SEED.devices.wang, name: '客厅终端', place: 'living-room' })).token;
    const wang = await openDevice(wangToken, 'wang-device'); // 砀山县, not in 陈静's region
    await desk.selectOption('#notice-target', 'r:341302');
    await desk.fill('#notice-form [name=title]', '明天上午免费体检');
    await desk.fill('#notice-form [name=body]', '明天上午 9 点在村卫生室，请带身份证。');
    await desk.click('#notice-form button');
    await desk.waitForSelector('#msg:not([hidden])');
    expect(await desk.textContent('#msg')).toContain('1');
    await zhang.waitForFunction(() => document.getElementById('notices')?.textContent?.includes('明天上午免费体检'), null, { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await wang.textContent('#notices')).not.toContain('明天上午免费体检');
    await wang.close();
  });

  it('a scheduled check-in falls due on the desk and "call now" rings the home', async () => {
    await desk.uncheck('#checkin-form input[name=day][value="3"]');
    await desk.check('#checkin-form input[name=day][value="4"]');
    await desk.fill('#checkin-form [name=time]', '12:05');
    await desk.fill('#checkin-form [name=note]', '问问张奶奶的血压');
    await desk.click('#checkin-form button');
    await desk.waitForSelector('#checkins li[data-schedule-id]');
    clock.advance(6 * 60_000);
    await f.service.tick();
    await desk.waitForSelector('#due .cs-due button[data-call]', { timeout: 10_000 });
    // The kiosk beats on its own every 15 s; nudge it so it counts as online at the new time.
    await zhang.evaluate(() => window.dispatchEvent(new Event('online')));
    await waitFor(async () => (await f.service.getHousehold(f.admin, SEED.households.zhang)).devices[0]!.online, (x) => x, 10_000);
    await desk.click('#due .cs-due button[data-call]');
    // Counsellor calls always ring; the home answers with the big button.
    await zhang.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    expect(await zhang.textContent('#incoming-who')).toContain('陈静');
    await zhang.click('#answer');
    for (const page of [desk, zhang]) await waitFor(() => media(page), (m) => m.framesDecoded > 0);
    await desk.click('.call-controls [data-act=leave]');
    await zhang.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 15_000 });
  });

  it('a device silent for longer than the set time raises the offline alert; it shows as recovered when the device is back, until acknowledged', async () => {
    await zhang.close();
    clock.advance(f.service.timings.offlineAlertAfterMs + 60_000);
    await f.service.tick();
    const alert = `#alerts li[data-household-id="${SEED.households.zhang}"]`;
    await desk.waitForSelector(alert, { timeout: 10_000 });
    expect(await desk.textContent(alert)).toContain('离线');
    await desk.waitForSelector(`#households tr[data-household-id="${SEED.households.zhang}"] .dev-state[data-online="false"]`, { timeout: 25_000 });
    // The kiosk is switched on again: its first heartbeat resolves the alert.
    zhang = await openDevice(zhangToken, 'zhang-device');
    await desk.waitForSelector(`${alert}[data-resolved="true"]`, { timeout: 10_000 });
    await desk.click(`${alert} button[data-ack]`);
    await desk.waitForSelector(`${alert}.acked`, { timeout: 10_000 });
  });
});
