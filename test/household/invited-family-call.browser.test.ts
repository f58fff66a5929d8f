// The whole way in for a migrant worker, in Chromium: the household's manager enrols a fresh home
// device by its pairing code and invites her; she opens the invitation link on her phone, joins
// with a sign-in name and password, lands on family.html, and calls home; the kiosk rings (she is
// not on its auto-answer list), is answered there, and both sides see and hear each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { HouseholdRepository, SEED } from '../../server/household/index.ts';
import type { EnrolledDevice, Invitation } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from '../identity/support.ts';
import { createTestClock } from './fixture.ts';
import { media, waitFor } from './ui-support.ts';

const HOME = SEED.households.zhang;

describe('a family member who joined by invitation calls the home device', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];

  beforeAll(async () => {
    // Noon: no quiet hours stand between the call and the ringing kiosk.
    platform = await startTestPlatform({}, { household: { clock: createTestClock() } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  const page = async (name: string, url: string): Promise<Page> => {
    const p = await browser.newPage();
    p.on('pageerror', (e) => errors.push(`[${name}] ${e.message}`));
    await p.setViewportSize({ width: 1024, height: 600 });
    await p.goto(url);
    return p;
  };

  it('enrols, invites, joins, calls, rings, answers', async () => {
    const http = new Browser(platform);
    const manager = platform.token(SEED.family.zhangWei, 'family', { rooms: [] }, { name: '张伟' });

    const kiosk = await page('device', `${platform.url}/device.html`);
    const code = (await kiosk.locator('#pairing-code').getAttribute('data-code', { timeout: 15_000 }))!;
    await http.data<EnrolledDevice>('POST', '/api/enrol/claims', { token: manager, body: { kind: 'home-device', code, householdId: HOME, name: '客厅新终端', place: 'living-room' } });
    await kiosk.waitForFunction(() => document.getElementById('net')?.dataset.state === 'online' && document.body.dataset.state === 'idle', null, { timeout: 20_000 });

    const invitation = await http.data<Invitation>('POST', '/api/identity/invitations', { token: manager, body: { householdId: HOME, relation: '女儿', permission: 'call' } });
    if (!invitation.link) throw new Error('an open invitation has a link');
    const phone = await page('phone', invitation.link.replace(/^https?:\/\/[^/]+/, platform.url));
    await phone.locator('#preview').waitFor({ timeout: 15_000 });
    expect(await phone.locator('#preview').textContent()).toContain('张伟');
    const join = phone.locator('form#join');
    for (const [name, value] of Object.entries({ name: '张丽', city: '宁波', username: 'zhang.li', password: 'Ningbo-Harbour-7', repeat: 'Ningbo-Harbour-7' })) await join.locator(`input[name=${name}]`).fill(value);
    await phone.locator('#submit').click();
    await phone.waitForURL(/family\.html/, { timeout: 15_000 });

    const call = phone.locator(`[data-household-id="${HOME}"] [data-act=call]`);
    await call.waitFor({ timeout: 15_000 }).catch(async (err: unknown) => {
      throw new Error(`family.html shows no call button: ${(await phone.locator('body').innerText()).slice(0, 400)}`, { cause: err });
    });
    await call.click();
    await kiosk.waitForFunction(() => document.body.dataset.state === 'ringing', null, { timeout: 15_000 });
    // The kiosk says who is calling: the name she gave when she joined.
    expect(await kiosk.locator('body').textContent()).toContain('张丽');
    const answered = new Promise<{ callerId: string; callerName: string }>((resolve) => platform.services.households.events.once('call:answered', ({ call: c }) => resolve(c)));
    await kiosk.locator('#answer:not([disabled])').click();
    await kiosk.waitForFunction(() => document.body.dataset.state === 'in-call', null, { timeout: 15_000 });
    for (const p of [kiosk, phone]) await waitFor(() => media(p), (m) => m.framesDecoded > 0 && m.audioPackets > 0);

    // The call answered is hers: placed as the member she became, not as the manager.
    const member = (await new HouseholdRepository(platform.services.store).listFamily(HOME)).find((m) => m.name === '张丽');
    expect(member).toMatchObject({ city: '宁波', permission: 'call' });
    expect(await answered).toMatchObject({ callerId: member!.id, callerName: '张丽' });
    expect(errors).toEqual([]);
  });
});
