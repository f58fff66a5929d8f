// Every screen of the two kiosks — the petition terminal and the home device — fits a 1024×600
// and a 1280×800 screen without scrolling: every primary control inside the screen and at least
// 60 px each way, text at least 18 px, no name tag under the self-view (test/support/kiosk-fit.ts).
// The screens are reached the way a villager reaches them, on the real platform.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import { startTestPlatform } from '../support/platform.ts';
import { browserPlatform } from '../support/browser-platform.ts';
import { remoteMedia, waitFor } from '../support/media.ts';
import { kioskFitAtBothSizes } from '../support/kiosk-fit.ts';
import { openSignedIn, petitionTokens } from '../petition/ui-support.ts';
import { createFixture, createTestClock, SEED, type Fixture } from '../household/fixture.ts';
import { personToken } from '../household/ui-support.ts';

describe('kiosk screens fit 1024×600 and 1280×800', () => {
  const clock = createTestClock();
  const env = browserPlatform({ start: () => startTestPlatform({}, { household: { clock } }) });
  let f: Fixture;
  const errors: string[] = [];

  beforeAll(async () => {
    f = await createFixture({}, { tokens: env.platform.tokens, platform: env.platform, clock });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('the terminal: pairing, start (helper open too), waiting, in call, rating, receipt, lookup, reception days', async () => {
    const problems: string[] = [];
    const check = async (page: Page, screen: string) => problems.push(...(await kioskFitAtBothSizes(page, screen)));

    const bare = await env.browser.newPage();
    await bare.goto(`${env.platform.url}/terminal.html`);
    await bare.locator('#pairing-code').waitFor({ timeout: 15_000 });
    await check(bare, 'terminal pairing');
    await bare.close();

    const repo = new DbPetitionRepository(env.platform.services.store);
    const terminal = (await repo.listTerminals()).find((t) => t.level === 'village' && t.regionCode.startsWith('341321'))!;
    const rs = (await repo.listOfficials()).find((o) => o.departmentId === '341321-rs' && !o.post && !o.head)!;
    const tokens = petitionTokens(env.platform);
    const desk = await openSignedIn(env.browser, env.platform.url, errors, 'desk', 'official.html', tokens.staff(rs));
    await desk.locator('#queue-count').filter({ hasText: '人等待' }).waitFor();
    const kiosk = await openSignedIn(env.browser, env.platform.url, errors, 'terminal', 'terminal.html', tokens.terminal(terminal));

    await kiosk.locator('[data-category=wages]').waitFor();
    await check(kiosk, 'terminal start');
    await kiosk.locator('.helper summary').click();
    await kiosk.locator('.helper [name=petitionerName]').waitFor();
    await check(kiosk, 'terminal start, helper open');
    await kiosk.locator('.helper summary').click();

    await kiosk.locator('[data-act=lookup]').click();
    await kiosk.locator('.lookup').waitFor();
    await check(kiosk, 'terminal lookup');
    await kiosk.locator('[data-act=back-to-start]').click();

    await kiosk.locator('[data-act=days]').click();
    await kiosk.locator('.days').waitFor();
    await check(kiosk, 'terminal reception days');
    await kiosk.locator('[data-act=back-to-start]').click();

    await kiosk.locator('[data-category=wages]').click();
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
    await check(kiosk, 'terminal waiting');
    await kiosk.locator('[data-act=give-up]').click();
    await kiosk.locator('#dialog[data-dialog=withdraw]').waitFor();
    await check(kiosk, 'terminal waiting, 不等了 asked');
    await kiosk.locator('#dialog [data-act=keep-waiting]').click();

    await desk.locator(`#queue [data-ticket^="${caseId}"]`).waitFor({ timeout: 10_000 });
    await desk.locator('[data-act=next]').click();
    await desk.locator('[data-act=accept-offer]').click();
    await kiosk.locator('.incall .call-banner').waitFor({ timeout: 10_000 });
    await waitFor(() => remoteMedia(kiosk), (m) => Object.values(m.byPeer).some((p) => p.framesDecoded > 0), { what: 'the terminal decodes the official', timeoutMs: 20_000 });
    await check(kiosk, 'terminal in call');

    await desk.locator('[name=opinion]').fill('经核实，责成用工单位十日内结清工资。');
    await desk.locator('[data-act=opinion]').click();
    await kiosk.locator('[data-rate=satisfied]').waitFor({ timeout: 10_000 });
    await check(kiosk, 'terminal rating over the call');
    await kiosk.locator('[data-rate=satisfied]').click();
    await kiosk.locator('[data-receipt]').waitFor();
    await check(kiosk, 'terminal receipt');

    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
    await desk.close();
    await kiosk.close();
  }, 180_000);

  it('the home device: pairing, idle, ringing, in call, SOS', async () => {
    const problems: string[] = [];
    const check = async (page: Page, screen: string) => problems.push(...(await kioskFitAtBothSizes(page, screen)));
    const HOME = SEED.households.zhang;

    const bare = await env.browser.newPage();
    await bare.goto(`${env.platform.url}/device.html`);
    await bare.locator('#pairing-code').waitFor({ timeout: 15_000 });
    await check(bare, 'device pairing');
    await bare.close();

    const { token } = await f.service.bindDevice(f.admin, HOME, { id: SEED.devices.zhang, name: '客厅终端', place: 'living-room' });
    const device = await openSignedIn(env.browser, env.platform.url, errors, 'device', 'device.html', token);
    await device.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 15_000 });
    await check(device, 'device idle');

    // 张磊 is not on the auto-answer list: the device rings.
    const card = `[data-household-id="${HOME}"]`;
    const family = await openSignedIn(env.browser, env.platform.url, errors, 'family', 'family.html', personToken(env.platform, SEED.family.zhangLei, 'family', '张磊'));
    await family.locator(`${card} [data-act=call]`).click();
    await device.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    await check(device, 'device ringing');
    await device.locator('#answer').click();
    await device.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    await waitFor(() => remoteMedia(device), (m) => m.framesDecoded > 0, { what: 'the device decodes the family', timeoutMs: 20_000 });
    await check(device, 'device in call');
    await device.locator('.call-controls [data-act=leave]').click();
    await device.waitForFunction(() => document.body.dataset.state === 'idle', null, { timeout: 15_000 });
    await family.close();

    await device.locator('#sos').click();
    await device.locator('#outgoing[data-sos="true"]:not([hidden]) li[data-step="0"]').waitFor({ timeout: 15_000 });
    await check(device, 'device SOS');

    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
    await device.close();
  }, 180_000);
});
