// A missing trusted-timestamp authority is an alarm on the running node, never a silent skip:
// /healthz says `degraded` naming it, the metrics drop `sv_archive_tsa_up` to 0 and count the
// pending tokens, and the archive page shows the archivist a banner; all clear again once the TSA
// answers and the pending token is fetched. A node without a TSA, or whose speech-to-text model
// file is missing, says so the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestTsa, type TestTsa } from '../../scripts/harness/tsa.ts';
import type { HealthReport } from '../../server/protocol/http/ops.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { until } from '../support/evidence.ts';

// The detailed /healthz and /metrics are for the scrape token (or the internal listener) only.
const SCRAPE = 'scrape-token-for-the-evidence-alarm-test-0123456789';
const scrape = { headers: { authorization: `Bearer ${SCRAPE}` } };
const health = async (p: TestPlatform): Promise<HealthReport> => ((await (await fetch(`${p.url}/healthz`, scrape)).json()) as { data: HealthReport }).data;
const metric = async (p: TestPlatform, name: string): Promise<number> => {
  const text = await (await fetch(`${p.url}/metrics`, scrape)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no metric ${name}`);
  return Number(line.split(' ')[1]);
};
const archivist = (p: TestPlatform) =>
  p.tokens.issue({ sub: 'archivist-1', name: '档案员', role: 'archivist', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true } });

describe('the trusted-timestamp alarm on a running node', () => {
  let tsa: TestTsa;
  let tmp: string;
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-tsa-alarm-'));
    tsa = await startTestTsa();
    const caFile = path.join(tmp, 'tsa-ca.pem');
    fs.writeFileSync(caFile, tsa.caCertPem);
    platform = await startTestPlatform({ TSA_URL: tsa.url, TSA_CA_FILE: caFile, METRICS_TOKEN: SCRAPE });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
    await tsa?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is raised while the TSA is down (health, metrics, the archivist\'s banner) and cleared once the token is fetched', async () => {
    const evidence = platform.services.archive.evidence;
    expect(await health(platform)).toMatchObject({ status: 'ok', degraded: [] });
    expect(await metric(platform, 'sv_archive_tsa_up')).toBe(1);
    const page = await browser.newPage();
    const url = `${platform.url}/archive.html?token=${encodeURIComponent(archivist(platform))}`;
    /** Opens the page and waits until its status poll has been answered and rendered. */
    const open = async () => {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/archive/status'));
      await page.goto(url);
      await answered;
      await page.waitForSelector('#search-form');
    };
    await open();
    expect(await page.isVisible('#archive-alarm')).toBe(false);

    await tsa.stop();
    // The hourly checkpoint, now: it is signed at once and waits for its token.
    await evidence.checkpoint();
    await until('the TSA reported unreachable', () => evidence.status.state === 'unreachable', 30_000);
    const down = await health(platform);
    expect(down.status).toBe('degraded');
    expect(down.degraded).toEqual([expect.objectContaining({ component: 'archive-timestamps', reason: expect.stringMatching(/^TSA unreachable, 1 token\(s\) pending/) })]);
    expect(await metric(platform, 'sv_archive_tsa_up')).toBe(0);
    expect(await metric(platform, 'sv_archive_timestamps_pending')).toBe(1);
    await open();
    await page.waitForSelector('#archive-alarm:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#archive-alarm')).toContain('可信时间戳服务不可用');
    expect(await page.textContent('#archive-alarm')).toContain('1 项封存等待时间戳');
    // The coordinator is told too.
    const coordinator = platform.tokens.issue({ sub: 'coordinator-city', name: '综治中心值班员', role: 'coordinator', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes: { level: 'city', region: '341300' } });
    const overview = await browser.newPage();
    await overview.goto(`${platform.url}/coordinator.html?token=${encodeURIComponent(coordinator)}`);
    await overview.waitForSelector('#archive-alarm:not([hidden])', { timeout: 10_000 });
    expect(await overview.textContent('#archive-alarm')).toContain('可信时间戳服务不可用');

    await tsa.start();
    await until('the pending token fetched after the TSA came back', () => evidence.status.state === 'ok' && evidence.status.pending === 0, 60_000);
    expect(await health(platform)).toMatchObject({ status: 'ok', degraded: [] });
    expect(await metric(platform, 'sv_archive_tsa_up')).toBe(1);
    expect(await metric(platform, 'sv_archive_timestamps_pending')).toBe(0);
    expect(platform.services.archive.audit.entries().filter((e) => e.type === 'timestamp').length).toBeGreaterThan(0);
    await open();
    expect(await page.isVisible('#archive-alarm')).toBe(false);
    await page.close();
    const answered = overview.waitForResponse((r) => r.url().endsWith('/api/archive/status'));
    await overview.reload();
    await answered;
    await overview.waitForSelector('#archive-alarm[hidden]', { state: 'attached', timeout: 10_000 });
    await overview.close();
  }, 120_000);
});

describe('a node without a TSA or without its speech-to-text model', () => {
  it('says so on /healthz, naming the missing model file', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-no-model-'));
    const platform = await startTestPlatform({ TRANSCRIPT_MODEL_DIR: empty, METRICS_TOKEN: SCRAPE });
    try {
      const h = await health(platform);
      expect(h.status).toBe('degraded');
      expect(h.degraded).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ component: 'archive-timestamps', reason: expect.stringContaining('no TSA configured (TSA_URL)') }),
          expect.objectContaining({ component: 'archive-transcripts', reason: `speech-to-text model file missing: ${path.join(empty, 'model.int8.onnx')}` }),
        ]),
      );
      expect(await metric(platform, 'sv_archive_tsa_up')).toBe(0);
    } finally {
      await platform.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});
