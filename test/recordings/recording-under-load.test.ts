// The recording covers the whole session by design, not because the machine happens to be idle:
// a three-party session recorded while stress-ng keeps both cores busy has no gap at all, and
// every track's segments add up, within 0.2 s, to the media the worker received from its
// producer, first packet to the stop. (Before the intake captured from the first packet, every track began with
// a "recorder-starting" gap of 0.03–1 s, more under load, while its ffmpeg started.)
//
// The order is the app's (server/app/session-recording.ts): the recorder runs from the first
// participant's arrival and each producer is added when it appears, before it sends; here the
// senders start once the recorder consumes them, so every recording ffmpeg starts (niced, on a
// saturated machine) after the media it must not lose has begun to flow.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { decodeErrors, probe } from '../../recordings/ffmpeg.ts';
import { allSegments, type Manifest } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { startCpuLoad, type CpuLoad } from '../../scripts/harness/cpu-load.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';

describe('a three-party session recorded while both cores are saturated', () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let tmp: string;
  let worker: types.Worker;
  let archive: Archive;
  let feeds: Feed[] = [];
  let load: CpuLoad | undefined;
  let manifest: Manifest;

  /**
   * What the worker received of each producer, from its 'rtp' traces: arrival (wall clock) and
   * RTP timestamp of each packet. The reference is the media the producer sent, not the wall
   * clock: an ffmpeg sender started on a saturated machine sends its first frames late, then in
   * a burst, so it delivers more media than the seconds it took.
   */
  const received = new Map<string, { clockRate: number; packets: { at: number; ts: number }[] }>();
  /** Media seconds the worker received of `producerId` until `until` (a packet's own duration included). */
  const mediaSecondsUntil = (producerId: string, until: number, frameSeconds: number) => {
    const r = received.get(producerId)!;
    const upto = r.packets.filter((p) => p.at <= until);
    return ((upto.at(-1)!.ts - upto[0]!.ts) >>> 0) / r.clockRate + frameSeconds;
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-load-'));
    // A key frame every 2 frames (80 ms): a browser answers a new consumer's key-frame request
    // within a round trip, ffmpeg's RTP sender does not answer it at all.
    const clip = makeClip(path.join(tmp, 'clip.webm'), { gop: 2 });
    worker = await createTestWorker();
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    load = await startCpuLoad();
    // As the app does: the recorder is there from the first participant's arrival, and each
    // producer is added the moment it exists — before its first packet.
    const recorder = await SessionRecorder.create({
      router,
      archive,
      sessionId: 'S-LOAD-0001',
      caseInfo: { kind: 'petition', roomId: 'petition:T-LOAD', caseNumber: 'SZ-2026-LOAD' },
      segmentSeconds: 3,
      // Silence is not under test: a sender started on a saturated machine may take seconds to send.
      noPacketSeconds: 15,
      log,
    });
    const recordingConsumers = new Set<string>();
    router.observer.on('newtransport', (t) => {
      if (t.appData.purpose === 'recording') t.observer.on('newconsumer', (c) => recordingConsumers.add(c.producerId));
    });
    feeds = await Promise.all(['alice', 'bob', 'carol'].map((id, i) => startFeed(router, clip, id, 1000 * (i + 1), { sendLater: true })));
    const added: Promise<void>[] = [];
    for (const f of feeds) {
      const who = { participantId: f.participantId, name: f.participantId, role: 'official' as const };
      for (const producer of [f.video, f.audio]) {
        const log = { clockRate: producer.rtpParameters.codecs[0]!.clockRate, packets: [] as { at: number; ts: number }[] };
        received.set(producer.id, log);
        producer.on('trace', (trace) => {
          // The worker stamps it with uv_hrtime's milliseconds, the monotonic clock of process.hrtime.
          const at = Date.now() - (Number(process.hrtime.bigint() / 1_000_000n) - trace.timestamp);
          log.packets.push({ at, ts: (trace.info as { timestamp: number }).timestamp });
        });
        await producer.enableTraceEvent(['rtp']);
        added.push(recorder.addProducer({ ...who, producer }));
      }
    }
    // The senders start once the recorder consumes them; ffmpeg's start-up comes after that.
    await until('a recording consumer for each of the six producers', () => recordingConsumers.size === 6);
    for (const f of feeds) f.send();
    await Promise.all(added);
    const tracks = () => recorder.manifest.participants.flatMap((p) => p.tracks);
    await until('two finished segments on each of the six tracks', () => tracks().length === 6 && tracks().every((t) => t.segments.length >= 2), 60_000);
    manifest = await recorder.stop();
    await load.stop();
    await Promise.all(feeds.flatMap((f) => [f.video.enableTraceEvent([]), f.audio.enableTraceEvent([])]));
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    for (const f of feeds) f.close();
    worker?.close();
    await archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const sessionSeconds = () => (Date.parse(manifest.stoppedAt!) - Date.parse(manifest.startedAt)) / 1000;

  it('logs no gap on any lane', () => {
    expect(manifest.participants.flatMap((p) => p.gaps)).toEqual([]);
    expect(manifest.participants.flatMap((p) => p.tracks.map((t) => t.runs.length))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('records on every track as much media as the worker received before the stop, within 0.2 s, in playable segments', async () => {
    const dir = archive.sessionDir('S-LOAD-0001');
    for (const p of manifest.participants) {
      for (const t of p.tracks) {
        let total = 0;
        for (const s of t.segments) {
          const info = await probe(path.join(dir, s.file));
          expect(info.streams.map((x) => x.codecName)).toEqual([t.kind === 'video' ? 'vp8' : 'opus']);
          total += info.durationSeconds;
        }
        if (process.env.TEST_DUMP) {
          const rel = (iso: string) => ((Date.parse(iso) - Date.parse(manifest.startedAt)) / 1000).toFixed(3);
          const last = t.segments.at(-1)!;
          console.log(`${p.participantId} ${t.lane}: ${total.toFixed(3)} s of ${mediaSecondsUntil(t.producerId, Date.parse(manifest.stoppedAt!), t.kind === 'video' ? 0.04 : 0.02).toFixed(3)} s; at worker +${((received.get(t.producerId)!.packets[0]!.at - Date.parse(manifest.startedAt)) / 1000).toFixed(3)}, stop +${sessionSeconds()}; track +${rel(t.startedAt)}, first packet +${rel(t.runs[0]!.firstPacketAt!)}, segments ${t.segments.map((x) => `+${rel(x.firstPacketAt)}/${x.durationSeconds}`).join(' ')}, last ends +${(Date.parse(last.firstPacketAt) / 1000 + last.durationSeconds - Date.parse(manifest.startedAt) / 1000).toFixed(3)}`);
        }
        // ffmpeg 25 fps video, 20 ms Opus frames.
        const sent = mediaSecondsUntil(t.producerId, Date.parse(manifest.stoppedAt!), t.kind === 'video' ? 0.04 : 0.02);
        expect(Math.abs(total - sent), `${p.participantId} ${t.lane}: ${total} s recorded of ${sent} s received`).toBeLessThan(0.2);
      }
    }
    const errors = await Promise.all(allSegments(manifest).map(async ({ segment }) => [segment.file, await decodeErrors(path.join(dir, segment.file))] as const));
    expect(errors.filter(([, e]) => e !== '')).toEqual([]);
  });
});
