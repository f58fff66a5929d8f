// Helpers for the 平安心居 page tests: what a page receives (the shared reader in
// test/support/media.ts), polling, sign-in tokens, and whether the kiosk is sending its camera.
import type { Page } from 'playwright-core';
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

/** Whether the page is sending its camera (the device's producer exists). */
export function sendingCamera(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const s = (window as unknown as { callSession?: { state: string; hasSource(s: string): boolean } }).callSession;
    return !!s && s.state !== 'closed' && s.hasSource('camera');
  });
}
