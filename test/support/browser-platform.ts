// The set-up most browser tests share: one platform and one Chromium for a describe block, up
// before its tests and closed after them, the browser first. A test's own fixtures go in hooks
// of its own after this call: vitest runs `beforeAll` in order and `afterAll` in reverse, so
// they start once both are up and close before them.
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, type BrowserMedia } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export type TestBrowser = Awaited<ReturnType<typeof launchBrowser>>;

export interface BrowserPlatform {
  /** Set once the describe block's `beforeAll` ran. */
  readonly platform: TestPlatform;
  readonly browser: TestBrowser;
}

/** `start`: the platform with the test's own environment or options (default: a plain one). */
export function browserPlatform(opts: { start?: () => Promise<TestPlatform>; media?: BrowserMedia } = {}): BrowserPlatform {
  let platform: TestPlatform | undefined;
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    platform = await (opts.start ?? startTestPlatform)();
    browser = await launchBrowser(opts.media);
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });
  const up = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`${what} is not up: read it in a hook or a test, not while the describe block is collected`);
    return x;
  };
  return {
    get platform() {
      return up(platform, 'the platform');
    },
    get browser() {
      return up(browser, 'the browser');
    },
  };
}
