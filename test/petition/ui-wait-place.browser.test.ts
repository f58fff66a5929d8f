// The terminal page follows its place in the queue from pushes alone: after the first whole wait,
// a claim ahead of it is pushed as `petition:place` (the place without the unchanged offer), and
// the page merges that into the wait it shows. A second socket watching the same case sees what
// the page is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Actor } from '../../server/petition/types.ts';
import { until } from '../support/evidence.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSignedIn, petitionTokens } from './ui-support.ts';

const OFFICIAL: Actor = { id: 'O341321-rs-1', name: 'O341321-rs-1', role: 'official' }; // 砀山县人社局, two sessions at once

describe('terminal page: place pushes', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let probe: Socket | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    probe?.disconnect();
    await browser?.cleanup();
    await platform?.close();
  });

  it('shows each new place, the last one told by a place push', async () => {
    const petition = platform.services.petition;
    const villages = (await new DbPetitionRepository(platform.services.store).listTerminals()).filter((t) => t.level === 'village' && t.regionCode.startsWith('341321'));
    const [a, b, kioskTerminal] = villages;
    const ahead = [];
    for (const t of [a!, b!]) ahead.push((await petition.startPetition({ id: t.id, name: t.name, role: 'terminal', terminalId: t.id }, { terminalId: t.id, category: 'wages' })).case.id);

    const token = petitionTokens(platform).terminal(kioskTerminal!);
    const kiosk = await openSignedIn(browser, platform.url, errors, 'terminal', 'terminal.html', token);
    await kiosk.locator('[data-category=wages]').click();
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();
    await kiosk.locator('.position[data-position="3"]').waitFor({ timeout: 10_000 });

    probe = io(`${platform.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    const told: { event: string; position: number | null; offer?: unknown }[] = [];
    for (const event of ['petition:wait', 'petition:place']) probe.on(event, (w: { caseId: string; position: number | null }) => w.caseId === caseId && told.push({ event, ...w }));
    expect(await probe.timeout(10_000).emitWithAck('watchCase', { caseId })).toEqual({ ok: true, data: {} });

    await petition.heartbeat(OFFICIAL, 'available');
    expect((await petition.claimNext(OFFICIAL))?.case.id).toBe(ahead[0]);
    await kiosk.locator('.position[data-position="2"]').waitFor({ timeout: 10_000 });
    expect((await petition.claimNext(OFFICIAL))?.case.id).toBe(ahead[1]);
    await kiosk.locator('.position[data-position="1"]').waitFor({ timeout: 10_000 });

    const last = await until('the probe told place 1', () => told.find((w) => w.position === 1));
    expect(last.event).toBe('petition:place');
    expect(last).not.toHaveProperty('offer');
    expect(errors).toEqual([]);
  });
});
