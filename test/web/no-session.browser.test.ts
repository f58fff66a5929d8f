// Every role page opened without a session (no token, nobody signed in) offers the way back to
// the home page, and every page has a favicon the server serves.
import { describe, expect, it } from 'vitest';
import { browserPlatform } from '../support/browser-platform.ts';

// The kiosk pages (terminal, device) have no "no session" state: without a credential they show
// their pairing code (test/identity/enrol-*.browser.test.ts).
const ROLE_PAGES = ['official', 'coordinator', 'family', 'counsellor', 'archive', 'call'];

describe('role pages opened without a session', () => {
  const env = browserPlatform();

  it.each(ROLE_PAGES)('%s.html shows a visible link back to the home page and has a favicon', async (name) => {
    const page = await env.browser.newPage();
    try {
      await page.goto(`${env.platform.url}/${name}.html`);
      const home = page.locator('a[href$="index.html"]').first();
      await home.waitFor({ state: 'visible', timeout: 15_000 });
      await home.click();
      await page.waitForURL(/\/(index\.html)?$/, { timeout: 10_000 });

      await page.goto(`${env.platform.url}/${name}.html`);
      const icon = await page.locator('link[rel="icon"]').getAttribute('href');
      expect(icon).toBeTruthy();
      const res = await page.request.get(new URL(icon!, page.url()).href);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toContain('image/svg+xml');
    } finally {
      await page.close();
    }
  });
});
