// A fresh home device in Chromium: with no credential it shows a pairing code; the household's
// manager enters it; the kiosk comes online and a call from the family reaches it; revoking the
// device in one click ends that call and takes the kiosk back to a new pairing code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { HouseholdRepository, SEED } from '../../server/household/index.ts';
import type { EnrolledDevice } from '../../server/protocol/http/identity-shapes.ts';
import { createTestClock } from '../household/fixture.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

describe('a home device enrolled by its household manager', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let http: Browser;

  beforeAll(async () => {
    // Noon in 宿州: the demo household's night privacy window (22:00–07:00) would stop the
    // manager's call from being answered by itself, whatever time the suite runs.
    platform = await startTestPlatform({}, { household: { clock: createTestClock() } });
    browser = await launchBrowser();
    http = new Browser(platform);
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('pairs, takes a call, and stops when revoked', async () => {
    const errors: string[] = [];
    const kiosk = await browser.newPage();
    kiosk.on('pageerror', (e) => errors.push(e.message));
    await kiosk.goto(`${platform.url}/device.html`);
    const code = (await kiosk.locator('#pairing-code').getAttribute('data-code', { timeout: 15_000 }))!;
    expect(await kiosk.locator('#pairing').textContent()).toContain('家中的管理人');

    const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' });
    const device = await http.data<EnrolledDevice>('POST', '/api/enrol/claims', {
      token: manager,
      body: { kind: 'home-device', code, householdId: SEED.households.zhang, name: '客厅新终端', place: 'living-room' },
    });
    await kiosk.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 20_000 });

    const { call } = await http.data<{ call: { id: string } }>('POST', `/api/household/households/${SEED.households.zhang}/calls`, { token: manager, body: {} });
    await kiosk.waitForFunction(() => ['ringing', 'in-call'].includes(document.body.dataset.state ?? ''), null, { timeout: 15_000 });

    expect(await http.data<EnrolledDevice>('POST', `/api/enrol/devices/${device.id}/revoke`, { token: manager })).toMatchObject({ state: 'revoked' });
    await kiosk.locator('#pairing-code').waitFor({ timeout: 10_000 });
    const ended = await new HouseholdRepository(platform.services.store).getCall(call.id);
    expect(ended?.state).toBe('ended');
    expect(errors).toEqual([]);
  });
});
