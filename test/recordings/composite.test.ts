// The composite court video from a real recorded three-party session (VP8+Opus RTP from ffmpeg
// into PlainTransport producers): one H.264/AAC MP4 as long as the session, each participant a
// named tile, a slate where a camera was paused; rendered at about one core with progress, then
// listed in the evidence package beside the originals with its own hashes; and cancellable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { CompositeRender, DEFAULT_FONT_FILE } from '../../recordings/composite.ts';
import { ExportJobs, publicJob } from '../../recordings/export.ts';
import { probe, resolveFfmpegBin } from '../../recordings/ffmpeg.ts';
import { sha256Hex, type AuditActor } from '../../server/core/audit-chain.ts';
import type { Manifest } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { listTar, readTarEntry } from '../../recordings/tar.ts';
import { verifyPackage } from '../../recordings/verify.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';

const archivist: AuditActor = { kind: 'user', sub: 'u-1', name: '档案员甲', role: 'archivist' };
const composite = { ffmpegBin: resolveFfmpegBin(), fontFile: DEFAULT_FONT_FILE, timeZone: 'Asia/Shanghai' };

/** The mean RGB of a box of one frame of a video, by ffmpeg. */
function meanColour(file: string, atSeconds: number, box: { x: number; y: number; w: number; h: number }): [number, number, number] {
  const raw = execFileSync(resolveFfmpegBin(), [
    '-v', 'error', '-ss', String(atSeconds), '-i', file, '-frames:v', '1',
    '-vf', `crop=${box.w}:${box.h}:${box.x}:${box.y},scale=1:1:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ]);
  return [raw[0]!, raw[1]!, raw[2]!];
}

/** Sums utime+stime of a live process, in seconds. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

describe('the composite video of a recorded three-party session', () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let tmp: string;
  let worker: types.Worker;
  let archive: Archive;
  let feeds: Feed[] = [];
  let manifest: Manifest;
  let pausedFrom = 0;
  let pausedTo = 0;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'composite-test-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    worker = await createTestWorker();
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    feeds = await Promise.all([startFeed(router, clip, 'alice', 1000), startFeed(router, clip, 'bob', 2000), startFeed(router, clip, 'carol', 3000)]);
    const recorder = await SessionRecorder.create({
      router, archive, sessionId: 'S-composite',
      caseInfo: { kind: 'petition', roomId: 'petition:T-1', caseNumber: 'XF20261201-000042', departments: ['人社'], officials: [], petitioner: { name: '王秀英' } },
      segmentSeconds: 3, noPacketSeconds: 2, log,
    });
    const people = { alice: ['王秀英', 'petitioner'], bob: ['陈建国', 'official'], carol: ['李主任', 'official'] } as const;
    await Promise.all(
      feeds.flatMap((f) => {
        const [name, role] = people[f.participantId as keyof typeof people];
        const who = { participantId: f.participantId, name, role };
        return [recorder.addProducer({ ...who, producer: f.video }), recorder.addProducer({ ...who, producer: f.audio })];
      }),
    );
    const camera = (id: string) => recorder.manifest.participants.find((p) => p.participantId === id)?.tracks.find((t) => t.lane === 'camera');
    await until('a finished segment of every camera', () => ['alice', 'bob', 'carol'].every((id) => (camera(id)?.segments.length ?? 0) >= 1));
    // Carol's camera is paused for a while: her tile must say so.
    const start = Date.parse(recorder.manifest.startedAt);
    await feeds[2]!.video.pause();
    pausedFrom = (Date.now() - start) / 1000;
    await until('the pause as a gap', () => recorder.manifest.participants.find((p) => p.participantId === 'carol')!.gaps.some((g) => g.reason === 'producer-paused'));
    await new Promise((r) => setTimeout(r, 2500)); // the length of the slate to look at, not a wait for an event
    await feeds[2]!.video.resume();
    pausedTo = (Date.now() - start) / 1000;
    await until('carol\'s camera recording again', () => recorder.manifest.participants.find((p) => p.participantId === 'carol')!.gaps.every((g) => g.end));
    await until('two finished segments of alice\'s camera after the pause', () => (camera('alice')?.segments.filter((s) => s.offsetSeconds > pausedTo).length ?? 0) >= 1);
    const carolGap = recorder.manifest.participants.find((p) => p.participantId === 'carol')!.gaps.find((g) => g.reason === 'producer-paused')!;
    const resumedAt = (Date.parse(carolGap.end!) - start) / 1000;
    await until('a finished segment of carol\'s camera that runs past the pause', () => camera('carol')?.segments.some((s) => s.offsetSeconds + s.durationSeconds > resumedAt + 0.6) ?? false);
    manifest = await recorder.stop();
  }, 120_000);

  afterAll(async () => {
    for (const f of feeds) f.close();
    worker?.close();
    await archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const sessionSeconds = () => (Date.parse(manifest.stoppedAt!) - Date.parse(manifest.startedAt)) / 1000;

  it('renders one H.264/AAC MP4 as long as the session, at no more than about one core, with progress to 100%', async () => {
    const out = path.join(tmp, 'composite.mp4');
    const render = CompositeRender.start(manifest, archive.sessionDir('S-composite'), path.join(tmp, 'work'), out, composite);
    const progress: number[] = [];
    render.on('progress', (p) => progress.push(p));
    // CPU of the ffmpeg, sampled while it runs.
    const began = Date.now();
    let cpu = 0;
    let wall = 0;
    const sampler = setInterval(() => {
      const pid = render.pid;
      const c = pid ? cpuSeconds(pid) : undefined;
      if (c !== undefined) [cpu, wall] = [c, (Date.now() - began) / 1000];
    }, 100);
    const r = await render.done.finally(() => clearInterval(sampler));
    if (process.env.TEST_DUMP) fs.copyFileSync(out, path.join(os.tmpdir(), 'composite-dump.mp4'));
    expect(progress.at(-1)).toBe(1);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    const info = await probe(out);
    expect(info.streams.map((s) => s.codecName).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(info.durationSeconds - sessionSeconds())).toBeLessThan(0.5);
    expect(r.sha256).toBe(sha256Hex(fs.readFileSync(out)));
    if (wall > 1) expect(cpu / wall, `${cpu.toFixed(2)} s of CPU in ${wall.toFixed(2)} s`).toBeLessThan(1.3);

    // Three tiles of 640×360 side by side under a 48 px clock bar. Carol's (the third) shows the
    // slate background while paused, her picture (the test pattern) outside it.
    const tile = { x: 2 * 640 + 160, y: 48 + 90, w: 320, h: 180 };
    // The slate is sampled above its centred text (whose lines depend on the gap's detail) and
    // right of the silence notice, where only its background is.
    const slate = { x: 2 * 640 + 400, y: 48 + 20, w: 200, h: 50 };
    const during = meanColour(out, (pausedFrom + pausedTo) / 2, slate);
    // After the pause: past the gap's recorded end (the first frame after the resume, which on a
    // loaded machine can come after her next segment began) and inside a segment of her camera,
    // so a picture is certainly there.
    const carol = manifest.participants.find((p) => p.participantId === 'carol')!;
    const camera = carol.tracks.find((t) => t.lane === 'camera')!;
    const gapEnd = (Date.parse(carol.gaps.find((g) => g.reason === 'producer-paused')!.end!) - Date.parse(manifest.startedAt)) / 1000;
    const resumed = camera.segments.find((seg) => seg.offsetSeconds + seg.durationSeconds > gapEnd + 0.6)!;
    const at = Math.max(gapEnd + 0.5, resumed.offsetSeconds + Math.min(1, resumed.durationSeconds / 2));
    const after = meanColour(out, Math.min(sessionSeconds() - 0.2, resumed.offsetSeconds + resumed.durationSeconds - 0.05, at), tile);
    expect(during.every((c) => Math.abs(c - 0x1e) < 12), `slate colour ${during}`).toBe(true);
    expect(after.some((c) => Math.abs(c - 0x1e) > 20), `picture colour ${after}`).toBe(true);
  });

  it('goes into the evidence package beside the originals, with its own SHA-256 and SM3, and the package verifies', async () => {
    const exports = new ExportJobs(archive, log, composite);
    const job = await exports.exportAndWait('S-composite', archivist, { composite: true });
    expect(publicJob(job)).toMatchObject({ state: 'done', percent: 100, phase: 'finished', composite: { progress: 1 } });
    const names = listTar(job.file!).map((e) => e.name);
    expect(names).toContain('S-composite/derived/composite.mp4');
    for (const s of manifest.participants.flatMap((p) => p.tracks.flatMap((t) => t.segments))) expect(names).toContain(`S-composite/${s.file}`);
    const sums = readTarEntry(job.file!, listTar(job.file!).find((e) => e.name === 'S-composite/SHA256SUMS')!).toString();
    expect(sums).toContain(`${job.composite!.sha256}  derived/composite.mp4`);
    const rep = await verifyPackage(job.file!);
    expect(rep).toMatchObject({ ok: true, problems: [] });
    const recorded = archive.audit.entries().find((e) => e.type === 'composite');
    expect(recorded?.details).toMatchObject({ sha256: job.composite!.sha256, packageId: job.packageId });
  });

  it('can be cancelled while rendering: nothing is kept, and the audit log says so', async () => {
    const exports = new ExportJobs(archive, log, composite);
    const job = await exports.start('S-composite', archivist, { composite: true });
    await until('rendering under way', () => (job.composite?.progress ?? 0) > 0 || job.state !== 'running', 30_000, 20);
    const cancelled = await exports.cancel(job.jobId, archivist);
    expect(cancelled.state).toBe('cancelled');
    expect(fs.readdirSync(archive.derivedDir('S-composite')).filter((f) => f.includes(job.packageId))).toEqual([]);
    expect(fs.readdirSync(archive.exportDir).filter((f) => f.includes(job.packageId))).toEqual([]);
    expect(archive.audit.entries().filter((e) => e.type === 'export-cancelled').map((e) => e.details.packageId)).toEqual([job.packageId]);
  });
});
