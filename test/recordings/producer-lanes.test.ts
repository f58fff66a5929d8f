// A participant's recording follows their current producers: a camera producer closed and
// replaced continues the same lane; pauses and silence are gaps with reasons, never an end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { decodeErrors } from '../../recordings/ffmpeg.ts';
import { allSegments, type Manifest } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';


describe('a participant recorder following replaced, paused and silent producers', () => {
  let tmp: string;
  let worker: types.Worker;
  let archive: Archive;
  const feeds: Feed[] = [];
  let manifest: Manifest;
  const t: Record<string, number> = {};

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-lanes-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    worker = await createTestWorker();
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    const first = await startFeed(router, clip, 'alice', 5000);
    feeds.push(first);
    const recorder = await SessionRecorder.create({
      router,
      archive,
      sessionId: 'S-lanes',
      caseInfo: { kind: 'household', roomId: 'household:H12:call-1', householdId: 'H12' },
      segmentSeconds: 3,
      noPacketSeconds: 1.5,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
    });
    const alice = { participantId: 'alice', name: '张女士', role: 'family' };
    await recorder.addProducer({ ...alice, producer: first.video });
    await recorder.addProducer({ ...alice, producer: first.audio });
    const lane = (name: string) => recorder.manifest.participants[0]?.tracks.filter((x) => x.lane === name) ?? [];
    const gaps = (name: string) => recorder.manifest.participants[0]?.gaps.filter((g) => g.lane === name) ?? [];

    await until('a finished camera segment', () => lane('camera')[0]?.segments.length);
    t.closed = Date.now();
    first.video.close(); // camera toggled off: the recorder notices by itself
    await until('the camera lane showing the closed producer', () => gaps('camera').some((g) => g.reason === 'producer-closed'));
    const second = await startFeed(router, clip, 'alice', 6000);
    feeds.push(second);
    t.replaced = Date.now();
    await recorder.addProducer({ ...alice, producer: second.video });
    await until('a finished segment of the replacement camera', () => lane('camera')[1]?.segments.length);

    t.paused = Date.now();
    await first.audio.pause();
    await until('the microphone lane showing the pause', () => gaps('microphone').some((g) => g.reason === 'producer-paused'));
    t.resumed = Date.now();
    await first.audio.resume();
    await until('the pause gap closed', () => gaps('microphone').find((g) => g.reason === 'producer-paused')?.end);

    t.silenced = Date.now();
    second.sender!.kill('SIGKILL'); // the publisher's network drops: no packets, producer still open
    await until('the camera lane showing the silence', () => gaps('camera').some((g) => g.reason === 'no-packets'));
    manifest = await recorder.stop();
    if (process.env.TEST_DUMP) console.log(JSON.stringify({ t, manifest }, null, 1));
  }, 60_000);

  afterAll(() => {
    for (const f of feeds) f.close();
    worker?.close();
    archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const near = (iso: string | undefined, ms: number, tolerance: number) => expect(Math.abs(Date.parse(iso!) - ms)).toBeLessThan(tolerance);

  it('continues the camera lane with the replacement producer, the time between logged as a gap', () => {
    const p = manifest.participants[0]!;
    const cameras = p.tracks.filter((x) => x.lane === 'camera');
    expect(cameras.map((c) => c.producerId)).toEqual([feeds[0]!.video.id, feeds[1]!.video.id]);
    expect(cameras[0]!.endReason).toBe('producer-closed');
    for (const c of cameras) expect(c.segments.length).toBeGreaterThanOrEqual(1);
    // The lane's gaps in order: closed until the replacement's first recorded packet, then (at
    // the end of the test) the silence. No start-up gaps: media is captured from the first packet.
    const camera = p.gaps.filter((g) => g.lane === 'camera');
    expect(camera.map((g) => g.reason)).toEqual(['producer-closed', 'no-packets']);
    const gap = camera[0]!;
    near(gap.start, t.closed!, 500);
    expect(Date.parse(gap.end!)).toBeGreaterThanOrEqual(t.replaced! - 50);
    expect(gap.end).toBe(cameras[1]!.runs[0]!.firstPacketAt);
    near(cameras[1]!.segments[0]!.firstPacketAt, Date.parse(gap.end!), 100); // dated by its media clock
  });

  it('logs a paused producer as a gap from pause to resume, on that lane only', () => {
    const gaps = manifest.participants[0]!.gaps.filter((g) => g.lane === 'microphone');
    expect(gaps.map((g) => g.reason)).toEqual(['producer-paused']);
    near(gaps[0]!.start, t.paused!, 300);
    near(gaps[0]!.end, t.resumed!, 300);
    const mic = manifest.participants[0]!.tracks.filter((x) => x.lane === 'microphone');
    expect(mic).toHaveLength(1);
    expect(mic[0]!.runs).toHaveLength(1);
  });

  it('logs a publisher that goes silent as a no-packets gap that lasts until the end', () => {
    const gap = manifest.participants[0]!.gaps.find((g) => g.reason === 'no-packets')!;
    expect(gap.lane).toBe('camera');
    near(gap.start, t.silenced!, 1200);
    expect(gap.end).toBe(manifest.stoppedAt);
  });

  it('keeps every finished segment playable and the archive verifiable', async () => {
    const dir = archive.sessionDir('S-lanes');
    const segs = allSegments(manifest).filter((s) => !s.segment.truncated);
    expect(segs.length).toBeGreaterThanOrEqual(5);
    for (const { segment } of segs) expect(await decodeErrors(path.join(dir, segment.file)), segment.file).toBe('');
    const rep = await verifyArchive(archive.root);
    expect(rep.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
