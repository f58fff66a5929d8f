// Tokens never in an address that stays (issue 9.11), in Chromium against a running node: signing
// in from the development page lands on the role's page with neither a token nor a code in the
// address, the page is signed in, the code it came with is spent, and the page runs under the
// CSP without a violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { send } from './edge-support.ts';

let platform: TestPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
beforeAll(async () => {
  platform = await startTestPlatform({ DEV_TOKENS: '1' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.cleanup();
  await platform?.close();
});

describe('signing in from the development page', () => {
  it('opens the terminal signed in, with no token or code left in the address, and the code spent', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${platform.url}/index.html`);
    const terminal = page.locator('button[data-kind="terminal"]').first();
    const terminalId = await terminal.getAttribute('data-id');
    await terminal.click();
    await page.waitForURL(/terminal\.html/);
    await page.waitForFunction(() => document.body.dataset.screen === 'start', null, { timeout: 20_000 });

    expect(page.url()).not.toMatch(/[?&](token|code)=/);
    const stored = await page.evaluate(() => localStorage.getItem('terminal.token'));
    expect(platform.tokens.verify(stored)).toMatchObject({ sub: terminalId, role: 'terminal' });
    // The address the browser navigated to (and keeps in its history) carried only a code…
    const navigated = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).name);
    const code = new URL(navigated).searchParams.get('code');
    expect(code).toBeTruthy();
    expect(navigated).not.toContain(stored!);
    // …which is worth nothing now.
    expect((await send(platform.url, 'POST', '/api/session/redeem', { body: { code } })).status).toBe(401);
    expect(violations).toEqual([]);
    await page.close();
  });
});
