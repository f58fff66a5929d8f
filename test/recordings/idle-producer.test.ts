// A microphone muted for longer than a segment: the run ends on purpose ("idle"), a new one
// starts on resume — one paused gap, no crash, no near-empty segments for the skipped
// boundaries. And ffmpeg ending by itself during a mute is the same idle, not a crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { decodeErrors } from '../../recordings/ffmpeg.ts';
import type { Manifest, Track } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
/** Opus as the feed sends it: one packet per 20 ms. */
const OPUS_PACKETS_PER_SECOND = 50;

const packetCount = async (p: types.Producer) => (await p.getStats()).reduce((n, s) => n + (s.packetCount ?? 0), 0);

/** Waits until `seconds` of audio more than now have reached the producer. */
async function audioFor(producer: types.Producer, seconds: number): Promise<void> {
  const from = await packetCount(producer);
  await until(`${seconds} s more audio`, async () => (await packetCount(producer)) >= from + seconds * OPUS_PACKETS_PER_SECOND);
}

interface Session {
  tmp: string;
  worker: types.Worker;
  archive: Archive;
  feed: Feed;
  recorder: SessionRecorder;
  track: () => Track | undefined;
  /** Resumes the microphone, records `seconds` more from the next run's first packet, stops. */
  resumeThenStop(seconds: number): Promise<Manifest>;
  close(): Promise<void>;
}

/** When the last resumeThenStop() called stop(), and when it returned. */
let stopCalledAt = 0;
let stopDoneAt = 0;

async function startSession(name: string): Promise<Session> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-idle-'));
  const clip = makeClip(path.join(tmp, 'clip.webm'));
  const worker = await createTestWorker();
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
  const feed = await startFeed(router, clip, 'grandma', 7000);
  const recorder = await SessionRecorder.create({
    router,
    archive,
    sessionId: name,
    caseInfo: { kind: 'household', roomId: 'household:H7:call', householdId: 'H7' },
    segmentSeconds: 3,
    noPacketSeconds: 2,
    log,
  });
  await recorder.addProducer({ participantId: 'grandma', name: '奶奶', role: 'home-device', producer: feed.audio });
  return {
    tmp, worker, archive, feed, recorder,
    track: () => recorder.manifest.participants[0]?.tracks[0],
    async resumeThenStop(seconds) {
      await feed.audio.resume();
      await until('the next run\'s first packet', () => recorder.manifest.participants[0]?.tracks[0]?.runs[1]?.firstPacketAt);
      await audioFor(feed.audio, seconds);
      stopCalledAt = Date.now();
      const m = await recorder.stop();
      stopDoneAt = Date.now();
      return m;
    },
    async close() {
      feed.close();
      worker.close();
      await archive.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

describe('a microphone muted for longer than a segment', () => {
  let s: Session;
  let manifest: Manifest;
  const t: Record<string, number> = {};

  beforeAll(async () => {
    s = await startSession('S-idle');
    await until('the first recorded packet', () => s.track()?.runs[0]?.firstPacketAt);
    await audioFor(s.feed.audio, 1.5);
    t.paused = Date.now();
    await s.feed.audio.pause();
    t.pauseDone = Date.now();
    // The muxer would otherwise cut empty segments: the run is ended once a segment length passed.
    await until('the run ended for lack of media', () => s.track()?.runs[0]?.exit?.startsWith('idle:'));
    t.runsWhilePaused = s.track()!.runs.length;
    t.resumed = Date.now();
    manifest = await s.resumeThenStop(2.5);
  }, 60_000);

  afterAll(() => s?.close());

  it('logs one paused gap, no crash, and records again after the resume', async () => {
    const p = manifest.participants[0]!;
    expect(p.gaps.map((g) => g.reason)).toEqual(['producer-paused']);
    const gap = p.gaps[0]!;
    expect(Math.abs(Date.parse(gap.start) - t.paused!)).toBeLessThan(500);
    expect(Date.parse(gap.end!)).toBeGreaterThanOrEqual(t.resumed! - 50);
    expect(Date.parse(gap.end!) - t.resumed!).toBeLessThan(1000); // the first packet after the resume: ffmpeg's start costs nothing
    expect(gap.end).toBe(p.tracks[0]!.runs[1]!.firstPacketAt);

    const track = p.tracks[0]!;
    expect(t.runsWhilePaused).toBe(1); // no new run while muted
    expect(track.runs.map((r) => r.exit)).toEqual(['idle: exit code 0', 'exit code 0']);
    expect(Date.parse(track.runs[0]!.endedAt!) - t.paused!).toBeGreaterThan(2500); // one segment length
    expect(Date.parse(track.runs[0]!.endedAt!) - t.paused!).toBeLessThan(6000);
    // No near-empty segments for the boundaries the pause skipped (the last one may be short: the stop can follow a cut).
    expect(track.segments.slice(0, -1).filter((x) => x.durationSeconds < 0.5)).toEqual([]);
    const before = track.segments.filter((x) => Date.parse(x.firstPacketAt) < t.paused!);
    const after = track.segments.filter((x) => Date.parse(x.firstPacketAt) >= t.resumed! - 100);
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(after.length).toBeGreaterThanOrEqual(1);
    // What was recorded matches what was sent: from the first packet to the pause, and from the
    // resumed run's first packet to the stop (at least 1.5 s and 2.5 s; more on a loaded machine,
    // where each step takes longer — bounded by when the pause and the stop were asked and done).
    const total = track.segments.reduce((n, x) => n + x.durationSeconds, 0);
    const first = (run: number) => Date.parse(track.runs[run]!.firstPacketAt!);
    expect(total).toBeGreaterThan(3);
    expect(total).toBeGreaterThan((t.paused! - first(0) + stopCalledAt - first(1)) / 1000 - 0.3);
    expect(total).toBeLessThan((t.pauseDone! - first(0) + stopDoneAt - first(1)) / 1000 + 0.3);
    for (const x of track.segments) {
      expect(x.truncated).toBeUndefined();
      expect(await decodeErrors(path.join(s.archive.sessionDir('S-idle'), x.file))).toBe('');
    }
  });
});

describe('a recording ffmpeg that ends by itself while the microphone is muted', () => {
  let s: Session;
  let manifest: Manifest;

  beforeAll(async () => {
    s = await startSession('S-idle-exit');
    await until('the first recorded packet', () => s.track()?.runs[0]?.firstPacketAt);
    await audioFor(s.feed.audio, 1);
    await s.feed.audio.pause();
    await until('the pause logged', () => s.recorder.manifest.participants[0]!.gaps.some((g) => g.reason === 'producer-paused'));
    // ffmpeg ends by itself while nothing is sent (here: told to).
    process.kill(s.recorder.ffmpegPidOf(s.feed.audio.id)!, 'SIGTERM');
    await until('the run ended', () => s.track()?.runs[0]?.endedAt);
    manifest = await s.resumeThenStop(1);
  }, 60_000);

  afterAll(() => s?.close());

  it('goes idle instead of logging a crash, and records again after the resume', async () => {
    const p = manifest.participants[0]!;
    expect(p.gaps.map((g) => g.reason)).toEqual(['producer-paused']);
    const track = p.tracks[0]!;
    expect(track.runs).toHaveLength(2);
    expect(track.runs[0]!.exit).toMatch(/^idle: /);
    expect(p.gaps[0]!.end).toBe(track.runs[1]!.firstPacketAt);
    for (const x of track.segments) expect(await decodeErrors(path.join(s.archive.sessionDir('S-idle-exit'), x.file)), x.file).toBe('');
  });
});
