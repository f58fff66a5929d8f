// The home device in the field, in Chromium on the real platform with the real clock (no test
// clock: the periodic checker runs by itself under its lease, as in production): a call nobody
// answered is listed on the kiosk with who and when, its call-back rings the caller and, once
// answered, takes it off the list; a kiosk switched off raises the counsellor's offline alert
// within the configured time (short here), and not while it is on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createFixture, SEED, type Fixture } from './fixture.ts';
import { openPage, personToken } from './ui-support.ts';

const HOME = SEED.households.zhang;
const OFFLINE_ALERT_MS = 4000;

describe('home device: missed calls and offline alerts', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let f: Fixture;
  let device: Page;
  let desk: Page;

  const open = (path: string, token: string, name: string): Promise<Page> => openPage(browser, platform, path, token, name);
  const deviceIdle = () => device.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 15_000 });

  beforeAll(async () => {
    platform = await startTestPlatform({}, { household: { timings: { offlineAlertAfterMs: OFFLINE_ALERT_MS, ringTimeoutMs: 4000 } } });
    browser = await launchBrowser();
    f = await createFixture({}, { tokens: platform.tokens, platform });
    const { token } = await f.service.bindDevice(f.admin, HOME, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    device = await open('device.html', token, 'device');
    await device.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 15_000 });
    desk = await open('counsellor.html', personToken(platform, SEED.counsellors.chen, 'counsellor', '陈静'), 'desk');
    await desk.waitForSelector(`#households tr[data-household-id="${HOME}"]`);
  });
  afterAll(async () => {
    await f?.close();
    await browser?.cleanup();
    await platform?.close();
  });

  it('a call that rang out is listed on the kiosk with who and when; its call-back rings the caller and, answered, clears the list', async () => {
    const zhangLei = await open('family.html', personToken(platform, SEED.family.zhangLei, 'family', '张磊'), 'zhangLei');
    await zhangLei.click(`[data-household-id="${HOME}"] [data-act=call]`);
    await device.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    // Nobody at home picks up: it rings out (4 s here) and the kiosk lists it.
    await device.waitForSelector('#missed li[data-call-id]', { timeout: 20_000 });
    await deviceIdle();
    const row = await device.textContent('#missed li[data-call-id]');
    expect(row).toContain('张磊');
    expect(row).toMatch(/\d{1,2}:\d{2} 打来/);
    await zhangLei.close();

    const caller = await open('family.html', personToken(platform, SEED.family.zhangLei, 'family', '张磊'), 'zhangLei-again');
    await caller.waitForSelector(`[data-household-id="${HOME}"]`);
    await device.click(`#missed [data-call-back="${SEED.family.zhangLei}"]`);
    await caller.waitForSelector('#incoming[data-sos="false"]', { timeout: 15_000 });
    await caller.click('#answer');
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    await caller.click('.call-controls [data-act=leave]');
    await deviceIdle();
    // Returned: nothing left to call back.
    await device.waitForFunction(() => !document.querySelector('#missed'), null, { timeout: 10_000 });
    await caller.close();
  });

  it('a kiosk that is on raises no alert; switched off, the counsellor sees the offline alert within the set time', async () => {
    const alert = `#alerts li[data-household-id="${HOME}"]`;
    // The kiosk has been on for longer than the alert time (the calls above): it beat often enough.
    expect(await desk.$(alert)).toBeNull();
    const closedAt = Date.now();
    await device.close();
    await desk.waitForSelector(alert, { timeout: 15_000 });
    const late = Date.now() - closedAt;
    expect(await desk.textContent(alert)).toContain('离线');
    // Silent for the alert time, plus at most one pass of the checker (a third of it) and the push.
    expect(late).toBeGreaterThanOrEqual(OFFLINE_ALERT_MS - 1000);
    expect(late).toBeLessThan(OFFLINE_ALERT_MS + 5000);
  });
});
