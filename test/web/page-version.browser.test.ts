// A kiosk left open across an upgrade: the node it talks to restarts with another build of the
// pages, the terminal page's live connection comes back, is told the new build, and the page
// reloads itself to it (nobody is using it) — instead of running the old code against the new
// server until someone walks up and finds it broken.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import { WEB_DIR } from '../../server/app/platform.ts';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSignedIn, petitionTokens } from '../petition/ui-support.ts';

describe('a page of an older build', () => {
  let before: TestPlatform | undefined;
  let after: TestPlatform | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let nextBuild: string;
  const errors: string[] = [];

  beforeAll(async () => {
    // The next release: the same pages, one of them changed.
    nextBuild = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-next-build-'));
    fs.cpSync(WEB_DIR, nextBuild, { recursive: true });
    const page = path.join(nextBuild, 'terminal.html');
    fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('<head>', '<head><!-- next build -->'));
    before = await startTestPlatform();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.cleanup();
    await before?.close();
    await after?.close();
    fs.rmSync(nextBuild, { recursive: true, force: true });
  });

  /** The build the page's own response named (the page compares the nodes' announcements with it). */
  const servedBuild = (page: Page) =>
    page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).serverTiming.find((t) => t.name === 'build')?.description);

  it('reloads itself to the build the upgraded node serves', async () => {
    const terminal = (await new DbPetitionRepository(before!.services.store).listTerminals()).find((t) => t.level === 'village')!;
    const kiosk = await openSignedIn(browser, before!.url, errors, 'kiosk', 'terminal.html', petitionTokens(before!).terminal(terminal));
    await kiosk.locator('[data-category=wages]').waitFor();
    expect(await kiosk.evaluate(() => document.head.innerHTML.includes('next build'))).toBe(false);
    const first = await servedBuild(kiosk);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    await kiosk.evaluate(() => ((window as unknown as { loadedBefore: boolean }).loadedBefore = true));

    // The upgrade: the node goes, and comes back on the same address with the next build.
    const port = new URL(before!.url).port;
    await before!.close();
    before = undefined;
    after = await startTestPlatform({ PORT: port }, { webDir: nextBuild });

    await kiosk.waitForFunction(() => document.head.innerHTML.includes('next build'), undefined, { timeout: 30_000 });
    expect(await kiosk.evaluate(() => (window as unknown as { loadedBefore?: boolean }).loadedBefore)).toBeUndefined();
    expect(await servedBuild(kiosk)).not.toBe(first);
    await kiosk.locator('[data-category=wages]').waitFor();
    expect(errors).toEqual([]);
  }, 120_000);
});
