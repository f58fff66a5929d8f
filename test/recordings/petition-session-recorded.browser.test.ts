// A petition session held in Chromium through the real platform is recorded without anyone
// asking: both participants see the recording badge, and when the room closes the archive holds
// per-participant segments whose bytes match the manifest's hashes, findable by case number.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { recordPetitionSession } from '../support/recorded-session.ts';
import { readManifest, segmentPath, allSegments } from '../../recordings/manifest.ts';


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
    const { caseNumber, sessionId, terminalParticipantId, officialParticipantId } = await recordPetitionSession(platform, browser);
    const archive = platform.services.archive;
    const dir = archive.sessionDir(sessionId);
    const manifest = readManifest(dir);
    expect(manifest.caseInfo.caseNumber).toBe(caseNumber);
    expect(manifest.participants.map((p) => p.participantId).sort()).toEqual([officialParticipantId, terminalParticipantId].sort());
    for (const p of manifest.participants) {
      const kinds = new Set(p.tracks.filter((t) => t.segments.length > 0).map((t) => t.kind));
      expect([...kinds].sort(), `${p.participantId} recorded audio and video`).toEqual(['audio', 'video']);
    }
    // An orderly session has no gap at all: the recorder captures from each track's first packet.
    expect(manifest.participants.flatMap((p) => p.gaps)).toEqual([]);
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
