// Debian's Chromium driven by playwright-core, with a fake camera and microphone — or, for the
// tests of what a call does without them, with no devices at all or some permissions refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/**
 * `fake` (default): a fake camera and microphone, every request granted. `none`: no devices
 * (getUserMedia finds nothing). `{ allow }`: fake devices, but only the listed permissions
 * granted (for pages at `origin`); the others are refused, as a user's "block" would.
 */
export type BrowserMedia = 'fake' | 'none' | { allow: ('camera' | 'microphone')[]; origin: string };

/**
 * `fakeVideo`: a .y4m/.mjpeg file the fake camera plays in a loop (Chromium's own pattern otherwise).
 * `args`: more command-line switches (e.g. a test certificate's SPKI pin).
 */
export async function launchBrowser(media: BrowserMedia = 'fake', opts: { fakeVideo?: string; args?: string[] } = {}): Promise<BrowserContext & { cleanup(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-chromium-'));
  const mediaFlags =
    media === 'fake'
      ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']
      : media === 'none'
        ? ['--use-fake-ui-for-media-stream']
        : ['--use-fake-device-for-media-stream'];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...mediaFlags,
      '--autoplay-policy=no-user-gesture-required',
      ...(opts.fakeVideo ? [`--use-file-for-fake-video-capture=${opts.fakeVideo}`] : []),
      ...(opts.args ?? []),
    ],
  });
  if (typeof media === 'object') await context.grantPermissions(media.allow, { origin: media.origin });
  return Object.assign(context, {
    async cleanup() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  });
}
