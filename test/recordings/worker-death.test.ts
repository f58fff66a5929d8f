// A mediasoup worker dying under a recorded session does not split the case's recording in two:
// the session is interrupted (every lane shows a `worker-died` gap from the death), and the
// rejoined room — a new router on a new worker, new producers of the same participants —
// continues the same archive session, each gap ending at its lane's first recorded packet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { allSegments, readManifest, type Manifest } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';

describe('a recorded session whose mediasoup worker dies', () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let tmp: string;
  const workers: types.Worker[] = [];
  let archive: Archive;
  const feeds: Feed[] = [];
  let manifest: Manifest;
  let diedAt = 0;
  let resumedAt = 0;
  const before = new Set<string>();
  const after = new Set<string>();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-worker-death-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    const first = await createTestWorker();
    workers.push(first);
    const router = await first.createRouter({ mediaCodecs: MEDIA_CODECS });
    const recorder = await SessionRecorder.create({
      router,
      archive,
      sessionId: 'S-WORKER-0001',
      caseInfo: { kind: 'petition', roomId: 'petition:T-11', caseNumber: 'SZ-2026-0011' },
      segmentSeconds: 2,
      noPacketSeconds: 5,
      log,
    });
    const publish = async (r: types.Router, ssrcBase: number, into: Set<string>) => {
      for (const [i, id] of ['alice', 'bob'].entries()) {
        const f = await startFeed(r, clip, id, ssrcBase + 1000 * i);
        feeds.push(f);
        for (const producer of [f.video, f.audio]) {
          into.add(producer.id);
          void recorder.addProducer({ participantId: id, name: id, role: 'official', producer });
        }
      }
    };
    const tracksOf = (ids: Set<string>) => recorder.manifest.participants.flatMap((p) => p.tracks).filter((t) => ids.has(t.producerId));
    await publish(router, 1000, before);
    await until('a finished segment on each of the four lanes', () => tracksOf(before).length === 4 && tracksOf(before).every((t) => t.segments.length >= 1));

    const interrupted = new Promise<void>((resolve) => recorder.once('interrupted', () => resolve()));
    process.kill(first.pid, 'SIGKILL');
    diedAt = Date.now();
    await interrupted;
    for (const f of feeds.splice(0)) f.close();
    await until('the old tracks ended', () => tracksOf(before).every((t) => t.endedAt));

    // The room comes back on another worker; its participants rejoin and publish again.
    const second = await createTestWorker();
    workers.push(second);
    const router2 = await second.createRouter({ mediaCodecs: MEDIA_CODECS });
    recorder.resume(router2);
    resumedAt = Date.now();
    await publish(router2, 5000, after);
    await until('a finished segment on each lane again', () => tracksOf(after).length === 4 && tracksOf(after).every((t) => t.segments.length >= 1));
    manifest = await recorder.stop();
  }, 120_000);

  afterAll(async () => {
    for (const f of feeds) f.close();
    for (const w of workers) w.close();
    await archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps one archive session for the case, sealed, with the interruption on its timeline', () => {
    expect(archive.sessionIds()).toEqual(['S-WORKER-0001']);
    expect(manifest.status).toBe('stopped');
    expect(readManifest(archive.sessionDir('S-WORKER-0001'))).toEqual(manifest);
    const types = manifest.timeline.map((e) => e.type);
    expect(types).toContain('recording-interrupted');
    expect(types.indexOf('recording-resumed')).toBeGreaterThan(types.indexOf('recording-interrupted'));
    // Each participant: camera and microphone before the death, and again after it.
    for (const p of manifest.participants) expect(p.tracks.map((t) => `${t.lane}/${before.has(t.producerId) ? 'before' : after.has(t.producerId) ? 'after' : '?'}`).sort()).toEqual(['camera/after', 'camera/before', 'microphone/after', 'microphone/before']);
  });

  it('logs one worker-died gap per lane, from the death to the lane\'s first packet after it', () => {
    for (const p of manifest.participants) {
      expect(p.gaps.map((g) => `${g.lane}/${g.reason}`).sort(), p.participantId).toEqual(['camera/worker-died', 'microphone/worker-died']);
      for (const g of p.gaps) {
        expect(Math.abs(Date.parse(g.start) - diedAt), `${p.participantId} ${g.lane} gap start`).toBeLessThan(1500);
        const resumed = p.tracks.find((t) => t.lane === g.lane && after.has(t.producerId))!;
        expect(g.end).toBe(resumed.runs[0]!.firstPacketAt);
        expect(Date.parse(g.end!)).toBeGreaterThanOrEqual(resumedAt - 50);
      }
    }
  });

  it('verifies as a whole: the segments of both workers under one seal', async () => {
    const rep = await verifyArchive(archive.root);
    expect(rep.problems.filter((x) => x.severity === 'error')).toEqual([]);
    expect(rep.segmentsChecked).toBe(allSegments(manifest).length);
    const producers = new Set(allSegments(manifest).map(({ track }) => track.producerId));
    for (const id of [...before, ...after]) expect(producers.has(id), id).toBe(true);
  });
});
