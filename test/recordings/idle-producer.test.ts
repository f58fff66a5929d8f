// A microphone muted for longer than a segment (and longer than ffmpeg's RTP input would wait
// for a packet, 10 s): the run ends on purpose ("idle"), a new one starts on resume. One paused
// gap, no crash, no near-empty segments for the skipped boundaries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { decodeErrors } from '../../recordings/ffmpeg.ts';
import type { Manifest } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a microphone muted for longer than ffmpeg waits for packets', () => {
  let tmp: string;
  let worker: types.Worker;
  let archive: Archive;
  let feed: Feed;
  let manifest: Manifest;
  const t: Record<string, number> = {};

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-idle-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    worker = await createTestWorker();
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    feed = await startFeed(router, clip, 'grandma', 7000);
    const recorder = await SessionRecorder.create({
      router,
      archive,
      sessionId: 'S-idle',
      caseInfo: { kind: 'household', roomId: 'household:H7:call', householdId: 'H7' },
      segmentSeconds: 3,
      noPacketSeconds: 2,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
    });
    await recorder.addProducer({ participantId: 'grandma', name: '奶奶', role: 'home-device', producer: feed.audio });
    await sleep(1500);
    t.paused = Date.now();
    await feed.audio.pause();
    await sleep(12_500);
    t.resumed = Date.now();
    await feed.audio.resume();
    await sleep(2500);
    manifest = await recorder.stop();
  }, 60_000);

  afterAll(() => {
    feed?.close();
    worker?.close();
    archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('logs one paused gap, no crash, and records again after the resume', async () => {
    const p = manifest.participants[0]!;
    expect(p.gaps.map((g) => g.reason)).toEqual(['recorder-starting', 'producer-paused']);
    const gap = p.gaps[1]!;
    expect(Math.abs(Date.parse(gap.start) - t.paused!)).toBeLessThan(500);
    expect(Date.parse(gap.end!)).toBeGreaterThanOrEqual(t.resumed! - 50);
    expect(Date.parse(gap.end!) - t.resumed!).toBeLessThan(2500); // a new ffmpeg starts on resume

    const track = p.tracks[0]!;
    expect(track.runs.map((r) => r.exit)).toEqual(['idle: exit code 0', 'exit code 0']);
    expect(Date.parse(track.runs[0]!.endedAt!) - t.paused!).toBeGreaterThan(2500); // one segment length
    expect(Date.parse(track.runs[0]!.endedAt!) - t.paused!).toBeLessThan(6000);
    expect(track.segments.filter((s) => s.durationSeconds < 0.5)).toEqual([]);
    const before = track.segments.filter((s) => Date.parse(s.firstPacketAt) < t.paused!);
    const after = track.segments.filter((s) => Date.parse(s.firstPacketAt) >= t.resumed! - 100);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(after.length).toBeGreaterThanOrEqual(1);
    // What was recorded matches what was sent: ~1.5 s before the pause, ~2.5 s after.
    const total = track.segments.reduce((n, s) => n + s.durationSeconds, 0);
    expect(total).toBeGreaterThan(3);
    expect(total).toBeLessThan(5);
    for (const s of track.segments) {
      expect(s.truncated).toBeUndefined();
      expect(await decodeErrors(path.join(archive.sessionDir('S-idle'), s.file))).toBe('');
    }
  });
});
