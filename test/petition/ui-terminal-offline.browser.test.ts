// A village terminal that goes offline is raised on the coordinator's page by name once it has
// been gone for OFFLINE_ALERT_SECONDS (3 s here; 60 by default), never while it is connected, and
// the alert clears when the terminal is back. Real clock, the sweep running under its lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Terminal } from '../../server/petition/types.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/media.ts';
import { openSignedIn, petitionTokens } from './ui-support.ts';

const ALERT_SECONDS = 3;

describe('terminal offline alert on the coordinator page', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let terminal: Terminal;
  let overview: Page;
  const errors: string[] = [];
  const openTerminal = () => openSignedIn(browser, platform.url, errors, terminal.id, 'terminal.html', petitionTokens(platform).terminal(terminal));
  const connected = async (): Promise<boolean> => (await platform.services.petition.presence.onlineTerminals()).has(terminal.id);
  const alert = () => `#terminal-alerts li[data-terminal-id="${terminal.id}"]`;

  beforeAll(async () => {
    platform = await startTestPlatform({ OFFLINE_ALERT_SECONDS: String(ALERT_SECONDS) });
    browser = await launchBrowser();
    terminal = (await new DbPetitionRepository(platform.services.store).listTerminals()).find((t) => t.level === 'village')!;
    overview = await openSignedIn(browser, platform.url, errors, 'coordinator', 'coordinator.html', petitionTokens(platform).coordinator());
    await overview.waitForSelector('#terminals tr[data-region]');
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('connected for longer than the alert time: no alert; gone that long: raised by name; back: cleared', async () => {
    const kiosk = await openTerminal();
    await waitFor(connected, (x) => x, { timeoutMs: 15_000 });
    // Connected past the alert time and a sweep after it: nothing raised.
    const onSince = Date.now();
    await waitFor(
      async () => (await overview.$(alert())) === null && Date.now() - onSince,
      (ms) => ms === false || ms > (ALERT_SECONDS + 2) * 1000,
      { timeoutMs: 20_000 },
    );
    expect(await overview.$(alert())).toBeNull();

    const goneAt = Date.now();
    await kiosk.close();
    await overview.waitForSelector(alert(), { timeout: 15_000 });
    const late = Date.now() - goneAt;
    expect(late).toBeGreaterThanOrEqual((ALERT_SECONDS - 1) * 1000);
    expect(late).toBeLessThan((ALERT_SECONDS + 5) * 1000);
    const text = (await overview.textContent(alert()))!;
    expect(text).toContain(terminal.name);
    expect(text).not.toContain(terminal.id);
    expect(await overview.locator('.tile-n.alert [data-n=terminals]').count()).toBe(1);

    const back = await openTerminal();
    await overview.waitForSelector(alert(), { state: 'detached', timeout: 15_000 });
    await back.close();
    expect(errors).toEqual([]);
  });
});
