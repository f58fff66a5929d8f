// The archivist's page, in Chromium against the real platform: a petition session recorded a
// moment ago is found by its case number, opened, and played with every participant's tracks on
// one clock; the view and the export land in the chained audit log; the evidence package the page
// downloads verifies on its own; and someone who is not an archivist is shown a refusal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { recordPetitionSession } from '../support/recorded-session.ts';

const OFFICIAL = 'O341321-rs-1'; // 砀山县人社局 (seed): an official, not an archivist
import { allSegments, readManifest, segmentPath, type Manifest } from '../../recordings/manifest.ts';
import { verifyPackage } from '../../recordings/verify.ts';


interface PlayerPosition {
  trackId: string;
  kind: 'audio' | 'video';
  state: string;
  segmentId: string | null;
  currentTime: number;
  timeline: number | null;
  paused: boolean;
}
interface Sample {
  clock: number;
  positions: PlayerPosition[];
}

async function sample(page: Page): Promise<Sample> {
  return page.evaluate(() => {
    const p = (window as unknown as { archivePlayer: { clock(): number; positions(): PlayerPosition[] } }).archivePlayer;
    return { clock: p.clock(), positions: p.positions() };
  });
}

describe('archivist UI', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let caseNumber = '';
  let sessionId = '';
  let manifest: Manifest;
  let archivistToken = '';
  let page: Page;

  beforeAll(async () => {
    platform = await startTestPlatform({}, { recordingSegmentSeconds: 2 });
    browser = await launchBrowser();

    ({ caseNumber, sessionId } = await recordPetitionSession(platform, browser));
    const archive = platform.services.archive;
    manifest = readManifest(archive.sessionDir(sessionId));

    archivistToken = platform.tokens.issue({
      sub: 'archivist-1',
      name: '档案员',
      role: 'archivist',
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true },
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('an archivist finds the session by case number and its players advance in sync on one clock', async () => {
    page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${platform.url}/archive.html?token=${encodeURIComponent(archivistToken)}`);
    // The token is kept out of the address bar once read.
    await page.waitForSelector('#search-form');
    expect(page.url()).not.toContain('token=');

    await page.fill('input[name="caseNumber"]', caseNumber);
    await page.click('#search-btn');
    const row = page.locator(`tr[data-session="${sessionId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-session]').count()).toBe(1);
    await row.click();

    await page.waitForSelector('#session');
    expect(await page.textContent('#case-number')).toBe(caseNumber);
    // One tile per recorded camera, one lane per recorded track, every gap on the scrubber.
    const tracks = manifest.participants.flatMap((p) => p.tracks.filter((t) => t.segments.length > 0));
    expect(await page.locator('.atile video').count()).toBe(2 * tracks.filter((t) => t.kind === 'video').length);
    expect(await page.locator('.lane').count()).toBe(tracks.length);
    expect(await page.locator('.scrub-gap').count()).toBe(manifest.participants.reduce((n, p) => n + p.gaps.length, 0));
    expect(await page.locator('#case-timeline li').count()).toBe(manifest.timeline.length);

    // Seek (on the scrubber) to where every track has been recording for a moment, then play.
    const from = Math.max(...tracks.map((t) => t.segments[0]!.offsetSeconds)) + 0.3;
    const duration = await page.evaluate(() => (window as unknown as { archivePlayer: { duration(): number } }).archivePlayer.duration());
    const box = (await page.locator('#scrubber').boundingBox())!;
    await page.mouse.click(box.x + (box.width * from) / duration, box.y + box.height / 2 + 6);
    await page.click('#play');
    await page.waitForFunction(
      () => (window as unknown as { archivePlayer: { positions(): PlayerPosition[] } }).archivePlayer.positions().every((p) => p.state === 'ready' && !p.paused),
      null,
      { timeout: 10_000 },
    );

    // Five samples, each once the shared clock has moved on half a second.
    const samples: Sample[] = [await sample(page)];
    while (samples.length < 5) {
      const after = samples.at(-1)!.clock + 0.5;
      await page.waitForFunction((t) => (window as unknown as { archivePlayer: { clock(): number } }).archivePlayer.clock() >= t, after, { timeout: 10_000 });
      samples.push(await sample(page));
    }
    expect(samples[0]!.positions).toHaveLength(tracks.length);
    for (const s of samples) {
      const times = s.positions.map((p) => p.timeline);
      expect(times.every((t) => t !== null), `every player has a position: ${JSON.stringify(s.positions)}`).toBe(true);
      const spread = Math.max(...(times as number[])) - Math.min(...(times as number[]));
      expect(spread, `players within 0.5 s of each other: ${JSON.stringify(s.positions)}`).toBeLessThanOrEqual(0.5);
      for (const t of times as number[]) expect(Math.abs(t - s.clock)).toBeLessThanOrEqual(0.5);
    }
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    expect(last.clock - first.clock, 'the shared clock advances').toBeGreaterThan(1.5);
    for (const p of last.positions) {
      const before = first.positions.find((q) => q.trackId === p.trackId)!;
      expect(p.timeline! - before.timeline!, `${p.kind} ${p.trackId} advances`).toBeGreaterThan(1.5);
      // The element itself plays: either its own currentTime moved, or it moved on to the next segment.
      expect(p.currentTime !== before.currentTime || p.segmentId !== before.segmentId).toBe(true);
    }

    // Pausing stops every player.
    await page.click('#play');
    await page.waitForFunction(() => (window as unknown as { archivePlayer: { playing(): boolean } }).archivePlayer.playing() === false);
    await page.screenshot({ path: path.join(os.tmpdir(), 'ui-archive-session.png'), fullPage: true });
  });

  it('the view, the segment fetches and the search are in the chained audit log', () => {
    const entries = platform.services.archive.audit.entries();
    const mine = entries.filter((e) => e.actor.sub === 'archivist-1');
    expect(mine.some((e) => e.type === 'search' && (e.details.query as { caseNumber?: string }).caseNumber === caseNumber)).toBe(true);
    expect(mine.some((e) => e.type === 'view' && e.sessionId === sessionId)).toBe(true);
    const fetched = new Set(mine.filter((e) => e.type === 'view-segment' && e.sessionId === sessionId).map((e) => e.details.segmentId));
    expect(fetched.size).toBeGreaterThanOrEqual(4);
    for (const id of fetched) expect(allSegments(manifest).some(({ segment }) => segment.id === id)).toBe(true);
    // Each entry carries the hash of the one before it.
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prev).toBe(entries[i - 1]!.hash);
  });

  it('a bookmark with a note is saved at the current position and shown on the scrubber', async () => {
    await page.fill('#bookmark-note', '信访人陈述欠薪经过');
    await page.click('#bookmark-add');
    await page.waitForSelector('#bookmarks li .bm-note');
    expect(await page.textContent('#bookmarks li .bm-note')).toBe('信访人陈述欠薪经过');
    expect(await page.locator('.scrub-mark[data-kind="bookmark"]').count()).toBe(1);
    const saved = await platform.services.archive.catalog.bookmarks(sessionId);
    expect(saved.map((b) => b.note)).toEqual(['信访人陈述欠薪经过']);
    expect(platform.services.archive.audit.entries().some((e) => e.type === 'bookmark' && e.sessionId === sessionId)).toBe(true);
  });

  it('a legal hold is placed from the page and released only by a second archivist, both named in the audit log', async () => {
    await page.fill('#hold-reason', '行政复议期间保全');
    await page.click('#hold-toggle');
    await page.waitForSelector('#hold-badge:not([hidden])');
    expect(await page.textContent('#legal-hold .hold-status')).toContain('行政复议期间保全');
    expect((await platform.services.archive.catalog.get(sessionId))?.legalHold).toBe(true);

    // The one who placed it cannot release it: the page says a colleague must, and stays.
    await page.fill('#hold-reason', '复议结束');
    await page.click('#hold-toggle');
    await page.waitForFunction(() => !document.getElementById('banner')!.hidden);
    expect(await page.textContent('#banner')).toContain('另一名档案员');
    expect((await platform.services.archive.catalog.get(sessionId))?.legalHold).toBe(true);

    const colleague = platform.tokens.issue({
      sub: 'archivist-2', name: '档案员乙', role: 'archivist',
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true },
    });
    const released = await fetch(`${platform.url}/api/archive/sessions/${sessionId}/legal-hold?reason=${encodeURIComponent('复议结束')}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${colleague}` },
    });
    expect(released.status).toBe(200);
    expect((await platform.services.archive.catalog.get(sessionId))?.legalHold).toBe(false);
    const holds = platform.services.archive.audit.entries().filter((e) => e.sessionId === sessionId && e.type.startsWith('legal-hold'));
    expect(holds.map((e) => e.type)).toEqual(['legal-hold', 'legal-hold-release']);
    expect(holds[0]!.details.reason).toBe('行政复议期间保全');
    expect(holds[1]).toMatchObject({ actor: { sub: 'archivist-2', name: '档案员乙' }, details: { reason: '复议结束', placedBy: { sub: 'archivist-1', name: '档案员' } } });
  });

  it('verifying the session from the page re-hashes it and reports success', async () => {
    await page.click('#verify');
    await page.waitForSelector('#verify-result[data-state="ok"]', { timeout: 20_000 });
    expect(await page.textContent('#verify-result')).toContain(String(allSegments(manifest).length));
  });

  it('the export runs to 100% and the downloaded package verifies on its own', async () => {
    await page.click('#export');
    await page.waitForSelector('#export-progress[data-pct="100"][data-state="done"]', { timeout: 30_000 });
    expect(await page.getAttribute('#export-progress', 'aria-valuenow')).toBe('100');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sv-export-')), download.suggestedFilename());
    await download.saveAs(file);
    expect(path.basename(file)).toMatch(new RegExp(`^${sessionId}-[0-9a-f-]+\\.tar$`));

    const report = await verifyPackage(file);
    expect(report.problems, JSON.stringify(report.problems)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.segmentsChecked).toBe(allSegments(manifest).length);

    const types = platform.services.archive.audit.entries().filter((e) => e.sessionId === sessionId && e.actor.sub === 'archivist-1').map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['export', 'export-download']));
    // The page saved it through a one-time link: the same link does not work twice.
    expect(download.url()).toMatch(/\/download\?ticket=/);
    const again = await fetch(download.url());
    expect(again.status).toBe(401);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('someone who is not an archivist is refused, with the reason shown', async () => {
    const official = platform.tokens.issue({ sub: OFFICIAL, name: '陈建国', role: 'official', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] } });
    const other = await browser.newPage();
    // A fresh token in the URL replaces the archivist's remembered one.
    await other.goto(`${platform.url}/archive.html?token=${encodeURIComponent(official)}#/session/${encodeURIComponent(sessionId)}`);
    const denied = other.locator('.denied[data-kind="forbidden"]');
    await denied.waitFor({ timeout: 10_000 });
    expect(await denied.textContent()).toContain('无权访问录像档案');
    expect(await other.locator('#session').count()).toBe(0);
    expect(await other.locator('video').count()).toBe(0);
    // Nothing was viewed under that identity.
    expect(platform.services.archive.audit.entries().some((e) => e.actor.sub === OFFICIAL && e.type === 'view')).toBe(false);
    await other.close();
  });

  it('a segment altered or deleted in the archive is flagged while playing and named by verify', async () => {
    // Runs last: it damages the archive on purpose.
    const dir = platform.services.archive.sessionDir(sessionId);
    const videos = manifest.participants.flatMap((p) => p.tracks.filter((t) => t.kind === 'video' && t.segments.length >= 3));
    const altered = videos[0]!.segments[1]!;
    const deleted = videos[1]!.segments[1]!;
    const fd = fs.openSync(segmentPath(dir, altered.file), 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, altered.bytes - 10);
    fs.writeSync(fd, Buffer.from([b[0]! ^ 0xff]), 0, 1, altered.bytes - 10);
    fs.closeSync(fd);
    fs.rmSync(segmentPath(dir, deleted.file));

    const p = await browser.newPage();
    await p.goto(`${platform.url}/archive.html?token=${encodeURIComponent(archivistToken)}#/session/${encodeURIComponent(sessionId)}`);
    await p.waitForSelector('#session');
    // Pausing on each damaged segment fetches it: the page hashes what it got against the manifest.
    for (const seg of [altered, deleted]) {
      await p.evaluate((t) => (window as unknown as { archivePlayer: { seek(t: number): void } }).archivePlayer.seek(t), seg.offsetSeconds + 0.2);
    }
    await p.waitForSelector(`#integrity-alert [data-integrity="mismatch"][data-seg="${altered.id}"]`, { timeout: 10_000 });
    await p.waitForSelector(`#integrity-alert [data-integrity="missing"][data-seg="${deleted.id}"]`, { timeout: 10_000 });
    expect(await p.getAttribute(`.lane-seg[data-seg="${altered.id}"]`, 'data-integrity')).toBe('mismatch');
    expect(await p.getAttribute(`.lane-seg[data-seg="${deleted.id}"]`, 'data-integrity')).toBe('missing');

    await p.click('#verify');
    await p.waitForSelector('#verify-result[data-state="fail"]', { timeout: 20_000 });
    const kinds = await p.locator('#verify-result li').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.textContent}`));
    expect(kinds.some((k) => k.startsWith('segment-altered') && k.includes(altered.file))).toBe(true);
    expect(kinds.some((k) => k.startsWith('segment-missing') && k.includes(deleted.file))).toBe(true);
    await p.close();
  });
});
