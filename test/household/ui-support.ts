// Helpers for the 平安心居 page tests: what a page receives (the shared reader in
// test/support/media.ts), polling, sign-in tokens, and whether the kiosk is sending its camera.
import type { Browser, Page } from 'playwright-core';
import type { TestPlatform } from '../support/platform.ts';
import type { Role } from '../../server/auth/grants.ts';
import { remoteMedia, waitFor as poll } from '../support/media.ts';

/** Decoded frames, audio packets and distinct remote (peer, source) pairs of `window.callSession`. */
export const media = remoteMedia;

export function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return poll(probe, ok, { timeoutMs });
}

/** A person's sign-in token (no rooms: rooms come from the household API). */
export function personToken(platform: TestPlatform, sub: string, role: Role, name: string): string {
  return platform.tokens.issue({ sub, name, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
}

/** A page of `path` signed in with `token`; its errors (and, with DEBUG_UI, console and failed requests) logged under `name`. */
export async function openPage(browser: Pick<Browser, 'newPage'>, platform: TestPlatform, path: string, token: string, name: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
  if (process.env.DEBUG_UI) {
    page.on('console', (m) => console.log(`[${name}] ${m.type()} ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && console.log(`[${name}] ${r.status()} ${r.url()}`));
  }
  await page.goto(`${platform.url}/${path}?token=${encodeURIComponent(token)}`);
  return page;
}

/** Whether the page is sending its camera (the device's producer exists). */
export function sendingCamera(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const s = (window as unknown as { callSession?: { state: string; hasSource(s: string): boolean } }).callSession;
    return !!s && s.state !== 'closed' && s.hasSource('camera');
  });
}
