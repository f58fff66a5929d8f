// A petition session held in Chromium through the real platform is recorded without anyone
// asking: both participants see the recording badge, and when the room closes the archive holds
// per-participant segments whose bytes match the manifest's hashes, findable by case number.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { readManifest, segmentPath, allSegments } from '../../recordings/manifest.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇, first village (seed)
const OFFICIAL = 'O341321-rs-1'; // 砀山县人社局

describe('petition sessions are recorded', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    platform = await startTestPlatform({}, { recordingSegmentSeconds: 2 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('records both participants of a session and indexes it by case number', async () => {
    const petition = platform.services.petition;
    const terminal = { id: `device-${TERMINAL}`, name: '终端', role: 'terminal', terminalId: TERMINAL } as const;
    const official = { id: OFFICIAL, name: OFFICIAL, role: 'official' } as const;
    const started = await petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' });
    await petition.heartbeat(official, 'available');
    const assignment = await petition.claimNext(official);
    expect(assignment?.case.id).toBe(started.case.id);

    const open = async (token: string) => {
      const page = await browser.newPage();
      await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(started.roomId)}&token=${encodeURIComponent(token)}`);
      return page;
    };
    const pages = [await open(started.token), await open(assignment!.token)];
    for (const page of pages) {
      await page.waitForSelector('.call-recording:not([hidden])', { timeout: 15_000 });
      await page.waitForFunction(() => (window as unknown as { callSession: { remote: Map<string, unknown> } }).callSession.remote.size >= 2, null, { timeout: 20_000 });
    }
    await new Promise((r) => setTimeout(r, 6000));
    for (const page of pages) await page.close();
    await new Promise((r) => setTimeout(r, 500));
    platform.rooms.get(started.roomId)?.close('ended');

    // The recorder seals the manifest shortly after the room closes.
    const archive = platform.services.archive;
    let sessionId = '';
    for (let i = 0; i < 60 && !sessionId; i++) {
      const hits = archive.catalog.search({ caseNumber: started.case.id });
      const hit = hits.find((h: { status?: string }) => h.status === 'stopped') as { sessionId: string } | undefined;
      if (hit) sessionId = hit.sessionId;
      else await new Promise((r) => setTimeout(r, 250));
    }
    expect(sessionId).not.toBe('');
    const dir = archive.sessionDir(sessionId);
    const manifest = readManifest(dir);
    expect(manifest.caseInfo.caseNumber).toBe(started.case.id);
    expect(manifest.participants.map((p) => p.participantId).sort()).toEqual([OFFICIAL, terminal.id].sort());
    for (const p of manifest.participants) {
      const kinds = new Set(p.tracks.filter((t) => t.segments.length > 0).map((t) => t.kind));
      expect([...kinds].sort(), `${p.participantId} recorded audio and video`).toEqual(['audio', 'video']);
    }
    // An orderly end is not an interruption: only the recorder's own start-up shows as a gap.
    const gaps = manifest.participants.flatMap((p) => p.gaps).filter((g) => g.reason !== 'recorder-starting');
    expect(gaps).toEqual([]);
    const segments = allSegments(manifest);
    expect(segments.length).toBeGreaterThanOrEqual(4);
    for (const { segment: s } of segments) {
      const bytes = fs.readFileSync(segmentPath(dir, s.file));
      expect(bytes.length).toBe(s.bytes);
      expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(s.sha256);
    }
    expect(path.basename(dir)).toBe(sessionId);
  });
});
