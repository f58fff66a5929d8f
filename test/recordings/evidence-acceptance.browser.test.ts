// Issue 15's acceptance, end to end: a three-party joint petition session recorded in Chromium on
// a node with a real RFC 3161 TSA; the archivist opens it, exports it with the composite court
// video while the page shows the progress bar and the API counts to 100 %; the composite plays
// in Chromium as long as the session; the audit trail in the page lists the views and the export
// under the archivist's name; the audit administrator finds them by person; and the package
// verifies with `archive:verify --package` once the node and its archive are gone (SHA-256, SM3,
// signatures, tokens), and fails naming the file when one byte of a segment, the manifest or a
// timestamp token changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestTsa, type TestTsa } from '../../scripts/harness/tsa.ts';
import { allSegments, readManifest, type Manifest } from '../../recordings/manifest.ts';
import type { ExportJobView } from '../../server/protocol/http/archive-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { recordPetitionSession } from '../support/recorded-session.ts';
import { until } from '../support/evidence.ts';
import { tamper } from '../support/tamper.ts';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const ZJ = { departmentId: '341321-zj', officialId: 'O341321-zj-1' }; // 砀山县住建局 (seed)

/** `npm run archive:verify -- --package FILE` as a records office runs it: exit code and output. */
async function verifyCli(pkg: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(path.join(REPO, 'node_modules/.bin/tsx'), ['recordings/cli/verify.ts', '--package', pkg], { cwd: REPO, env });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('evidence-grade archive: a recorded three-party session, from the page to a package that verifies alone', () => {
  let tsa: TestTsa;
  let platform: TestPlatform | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let tmp: string;
  let sessionId = '';
  let caseNumber = '';
  let manifest: Manifest;
  let page: Page;
  let archivistToken = '';
  let job: ExportJobView;
  let pkg = '';

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-evidence-acceptance-'));
    tsa = await startTestTsa();
    const caFile = path.join(tmp, 'tsa-ca.pem');
    fs.writeFileSync(caFile, tsa.caCertPem);
    platform = await startTestPlatform({ TSA_URL: tsa.url, TSA_CA_FILE: caFile }, { recordingSegmentSeconds: 2 });
    browser = await launchBrowser();
    ({ sessionId, caseNumber } = await recordPetitionSession(platform, browser, { invite: ZJ }));
    const archive = platform.services.archive;
    manifest = readManifest(archive.sessionDir(sessionId));
    // The seal's token, before anything is exported.
    await archive.evidence.settled();
    archivistToken = platform.tokens.issue({
      sub: 'archivist-1',
      name: '档案员',
      role: 'archivist',
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true },
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
    await tsa?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records all three parties, and the node reports its TSA as answering', async () => {
    expect(manifest.participants.map((p) => p.participantId).sort()).toEqual(['O341321-rs-1', ZJ.officialId, 'device-T341321101201'].sort());
    const res = await fetch(`${platform!.url}/api/archive/status`, { headers: { authorization: `Bearer ${archivistToken}` } });
    expect(((await res.json()) as { data: { timestamps: { state: string; pending: number } } }).data.timestamps).toMatchObject({ state: 'ok', pending: 0 });
  });

  it('exports with the composite video: the page shows the bar while the API counts to 100 %', async () => {
    page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${platform!.url}/archive.html?token=${encodeURIComponent(archivistToken)}#/session/${encodeURIComponent(sessionId)}`);
    await page.waitForSelector('#session');
    expect(await page.textContent('#case-number')).toBe(caseNumber);

    await page.check('#export-composite');
    const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/sessions/${encodeURIComponent(sessionId)}/exports`));
    await page.click('#export');
    const { job: first } = ((await (await started).json()) as { data: { job: ExportJobView } }).data;
    expect(first.options.composite).toBe(true);

    // Poll the API as any client would; at every sample while the job runs, the page shows its bar.
    const seen: number[] = [];
    let barWhileRunning = 0;
    job = (await until(
      'the export job done',
      async () => {
        const r = await fetch(`${platform!.url}/api/archive/exports/${first.jobId}`, { headers: { authorization: `Bearer ${archivistToken}` } });
        const j = ((await r.json()) as { data: { job: ExportJobView } }).data.job;
        seen.push(j.percent);
        if (j.state === 'running' && (await page.isVisible('#export-progress'))) barWhileRunning++;
        return j.state === 'running' ? undefined : j;
      },
      240_000,
      250,
    ))!;
    expect(job, JSON.stringify(job)).toMatchObject({ state: 'done', percent: 100, progress: 1, phase: 'finished', composite: { progress: 1 } });
    expect(barWhileRunning, 'the progress bar was on screen while the job ran').toBeGreaterThan(0);
    expect(seen.some((p) => p > 0 && p < 100), `percent rose through the run: ${seen.join(',')}`).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!, 'percent never goes back').toBeGreaterThanOrEqual(seen[i - 1]!);
    await page.waitForSelector('#export-progress[data-pct="100"][data-state="done"]', { timeout: 10_000 });
    expect(await page.textContent('#composite-hash')).toContain(job.composite!.sha256!);
  });

  it('the composite MP4 plays in Chromium, as long as the session within 0.5 s', async () => {
    await page.click('#composite-play');
    await page.waitForSelector('#composite-video');
    const played = await page.evaluate(async () => {
      const v = document.querySelector<HTMLVideoElement>('#composite-video')!;
      if (v.readyState < 1) await new Promise((ok, fail) => { v.addEventListener('loadedmetadata', ok, { once: true }); v.addEventListener('error', () => fail(new Error(`video error ${v.error?.code}`)), { once: true }); });
      v.muted = true;
      await v.play();
      const deadline = Date.now() + 20_000;
      while (v.currentTime < 1.5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const q = v.getVideoPlaybackQuality();
      v.pause();
      return { duration: v.duration, currentTime: v.currentTime, frames: q.totalVideoFrames, width: v.videoWidth, height: v.videoHeight };
    });
    const session = (Date.parse(manifest.stoppedAt!) - Date.parse(manifest.startedAt)) / 1000;
    expect(Math.abs(played.duration - session), `composite ${played.duration} s, session ${session} s`).toBeLessThanOrEqual(0.5);
    expect(played.currentTime).toBeGreaterThanOrEqual(1.5);
    expect(played.frames, 'frames decoded').toBeGreaterThan(10);
    expect(played.width).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(os.tmpdir(), 'evidence-acceptance-composite.png'), fullPage: true });
  });

  it('the audit trail in the page lists the views and the export just made, under the archivist\'s name', async () => {
    await page.click('#audit-refresh');
    await page.waitForFunction(() => document.querySelector('#audit-entries tr[data-type="export"]') !== null, null, { timeout: 10_000 });
    const rows = await page.locator('#audit-entries tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        type: tr.getAttribute('data-type'),
        who: tr.querySelector('td:nth-child(2) strong')?.textContent ?? '',
        from: tr.querySelector('td:nth-child(4)')?.textContent ?? '',
        detail: tr.querySelector('td:nth-child(5)')?.textContent ?? '',
      })),
    );
    const by = (type: string, detail = '') => rows.filter((r) => r.type === type && r.detail.includes(detail)).map((r) => r.who);
    expect(rows.filter((r) => r.type === 'view' && r.detail === '录像').map((r) => r.who), 'the recording opened').toEqual(['档案员']);
    expect(by('view', `合成视频 · packageId ${job.packageId}`), 'the composite played').toEqual(['档案员']);
    expect(by('export', job.packageId), 'the export started').toEqual(['档案员']);
    // From where: the browser's loopback address as the server saw it.
    expect(rows.find((r) => r.type === 'export')!.from).toMatch(/127\.0\.0\.1/);
    expect(await page.getAttribute('#audit-chain', 'data-ok')).toBe('true');

    // The case's trail: every recording of the case (here the one), the export among it.
    const caseAnswered = page.waitForResponse((r) => r.url().includes(`/api/archive/cases/${encodeURIComponent(caseNumber)}/audit`));
    await page.click('#audit [data-scope="case"]');
    await caseAnswered;
    await page.waitForSelector('#audit [data-scope="case"][aria-pressed="true"]');
    expect(await page.locator('#audit-entries tr[data-type="export"] td:nth-child(2) strong').allTextContents()).toEqual(['档案员']);
  });

  it('the audit administrator finds the archivist\'s views and export by person', async () => {
    const auditor = platform!.tokens.issue({ sub: 'auditor-1', name: '审计员', role: 'audit-admin', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
    const p = await browser.newPage();
    await p.goto(`${platform!.url}/archive.html?token=${encodeURIComponent(auditor)}`);
    await p.waitForSelector('#audit-form');
    await p.fill('#audit-form input[name="person"]', 'archivist-1');
    const answered = p.waitForResponse((r) => r.url().includes('/api/archive/audit?') && r.url().includes('person=archivist-1'));
    await p.click('#audit-search');
    await answered;
    await p.waitForFunction(() => document.querySelector('#audit-entries tr[data-type="export"]') !== null, null, { timeout: 10_000 });
    const types = await p.locator('#audit-entries tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-type')} ${tr.querySelector('td:nth-child(2) strong')?.textContent}`));
    expect(types).toEqual(expect.arrayContaining(['view 档案员', 'export 档案员']));
    // Only the archivist's entries came back.
    expect(types.filter((t) => !t.endsWith(' 档案员')), 'entries of others').toEqual([]);
    await p.close();
  });

  it('the package verifies with archive:verify --package where only the package is, and fails naming the file for one changed byte', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const alone = fs.mkdtempSync(path.join(tmp, 'only-the-package-'));
    pkg = path.join(alone, download.suggestedFilename());
    await download.saveAs(pkg);
    // The node, its archive, its keys and the TSA's CA file are gone: only the package is left.
    await page.close();
    await platform!.close();
    fs.rmSync(platform!.dataDir, { recursive: true, force: true });
    platform = undefined;
    fs.rmSync(path.join(tmp, 'tsa-ca.pem'));
    const env = { PATH: process.env.PATH, HOME: alone, DATA_DIR: path.join(alone, 'no-archive-here') };

    const ok = await verifyCli(pkg, env);
    expect(ok.code, ok.out).toBe(0);
    const segments = allSegments(manifest).length;
    expect(ok.out).toMatch(new RegExp(`^OK: package .*: 1 session\\(s\\), ${segments} segment\\(s\\), \\d+ audit entries, [1-9]\\d* signed statement\\(s\\), [1-9]\\d* timestamp token\\(s\\)`, 'm'));
    expect(ok.out).toMatch(/trusted {2}sm2 key/);
    expect(ok.out).toMatch(/trusted {2}ed25519 key/);
    expect(ok.out).toMatch(/trusted {2}TSA CA \(package\)/);

    const segment = allSegments(manifest).find(({ track }) => track.kind === 'video')!.segment.file;
    for (const [entry, file, kind] of [
      [`${sessionId}/${segment}`, segment, 'segment-altered'],
      [`${sessionId}/manifest.json`, 'manifest.json', 'manifest-altered'],
      [`${sessionId}/evidence/manifest-seal.json.tsr`, 'evidence/manifest-seal.json.tsr', 'timestamp-invalid'],
    ] as const) {
      const bad = path.join(alone, `changed-${path.basename(file)}.tar`);
      // Past the first bytes: inside the media, the JSON's values, the token's signed content.
      tamper(pkg, bad, entry, entry.endsWith('.json') ? 60 : 100);
      const r = await verifyCli(bad, env);
      expect(r.code, `${file} changed: ${r.out}`).toBe(1);
      expect(r.out, `${file} changed`).toMatch(new RegExp(`^FAIL {2}${kind} {2}${file.replace(/[.]/g, '\\.')} `, 'm'));
      expect(r.out).toMatch(/^FAILED: /m);
    }
  }, 120_000);
});
