// One real recorded session: three participants whose VP8+Opus arrives as RTP from ffmpeg into
// PlainTransport producers, recorded by SessionRecorder into 3 s segments. Then the archive
// around it: integrity, tampering, export, and the archivist API. Assertions are on bytes on
// disk, hashes and ffprobe durations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { createLogger } from '../../server/core/log.ts';
import { Archive } from '../../recordings/archive.ts';
import { verifyAuditChain } from '../../server/core/audit-chain.ts';
import { ExportJobs } from '../../recordings/export.ts';
import { decodeErrors, probe } from '../../recordings/ffmpeg.ts';
import { createArchiveRouter } from '../../recordings/http/router.ts';
import { allSegments, readManifest, type Manifest } from '../../recordings/manifest.ts';
import { SessionRecorder } from '../../recordings/session-recorder.ts';
import { listTar } from '../../recordings/tar.ts';
import { verifyArchive, verifyPackage } from '../../recordings/verify.ts';
import { createTestWorker, makeClip, MEDIA_CODECS, startFeed, type Feed } from '../../scripts/harness/rtp-feed.ts';
import { until } from '../support/evidence.ts';

const execFileP = promisify(execFile);
const packetCount = async (p: types.Producer) => (await p.getStats()).reduce((n, s) => n + (s.packetCount ?? 0), 0);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('a recorded petition session with three participants', () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let tmp: string;
  let worker: types.Worker;
  let archive: Archive;
  let recorder: SessionRecorder;
  let feeds: Feed[] = [];
  let manifest: Manifest;
  let killedAt = 0;
  let packageFile: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-test-'));
    const clip = makeClip(path.join(tmp, 'clip.webm'));
    worker = await createTestWorker();
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
    feeds = await Promise.all([
      startFeed(router, clip, 'alice', 1000),
      startFeed(router, clip, 'bob', 2000),
      startFeed(router, clip, 'carol', 3000),
    ]);
    // The session starts with its participants' media flowing (the senders take a moment to start).
    await until('every feed sending', async () => (await Promise.all(feeds.flatMap((f) => [f.video, f.audio]).map(packetCount))).every((n) => n > 0));
    recorder = await SessionRecorder.create({
      router,
      archive,
      sessionId: 'S-2026-0001',
      caseInfo: {
        kind: 'petition',
        roomId: 'petition:T-VILLAGE-07',
        caseNumber: 'SZ-2026-000123',
        terminalId: 'T-VILLAGE-07',
        region: '埇桥区',
        departments: ['人社'],
        officials: [{ id: 'off-bob', name: '王科长', department: '人社' }, { id: 'off-carol', name: '李主任', department: '住建' }],
        petitioner: { id: 'pet-alice', name: '张大爷' },
      },
      segmentSeconds: 3,
      noPacketSeconds: 2,
      checkpointSeconds: 4,
      log,
    });
    const roles = { alice: 'petitioner', bob: 'official', carol: 'official' } as const;
    // As the room would: every producer present at the start is added at once.
    await Promise.all(
      feeds.flatMap((f) => {
        const who = { participantId: f.participantId, name: f.participantId, role: roles[f.participantId as keyof typeof roles] };
        return [recorder.addProducer({ ...who, producer: f.video }), recorder.addProducer({ ...who, producer: f.audio })];
      }),
    );
    const tracks = (id: string) => recorder.manifest.participants.find((p) => p.participantId === id)?.tracks ?? [];
    // Mid-session, once bob's camera has a finished segment, kill the ffmpeg recording it.
    await until('a finished segment of bob\'s camera', () => tracks('bob').find((x) => x.lane === 'camera')?.segments.length);
    // Killed mid-segment: once the open segment in the spool holds media beyond its header.
    const camera = tracks('bob').find((x) => x.lane === 'camera')!;
    const spool = path.join(archive.spoolDir('S-2026-0001'), 'p-bob');
    await until('media in bob\'s open camera segment', () => {
      const open = fs.readdirSync(spool).filter((f) => f.startsWith(`${camera.trackId}-r0-`) && !camera.segments.some((x) => x.file.endsWith(f))).sort().at(-1);
      return open && fs.statSync(path.join(spool, open)).size > 16_384;
    });
    const pid = recorder.ffmpegPidOf(feeds[1]!.video.id);
    expect(pid).toBeTypeOf('number');
    process.kill(pid!, 'SIGKILL');
    killedAt = Date.now();
    // Long enough for every uninterrupted track to cut two segments (a third is open at the
    // stop), for bob's camera to record again, and for a checkpoint while recording.
    await until('bob\'s camera recording again', () => tracks('bob').find((x) => x.lane === 'camera')?.runs[1]?.firstPacketAt);
    await until('two finished segments on every uninterrupted track', () =>
      ['alice', 'bob', 'carol'].every((id) => tracks(id).filter((x) => id !== 'bob' || x.lane === 'microphone').every((x) => x.segments.length >= 2)) &&
      ['alice', 'carol'].every((id) => tracks(id).length === 2),
    );
    await until('a checkpoint in the audit log', () => archive.audit.entries().some((e) => e.type === 'segments-checkpoint'));
    manifest = await recorder.stop();
  }, 90_000);

  afterAll(() => {
    for (const f of feeds) f.close();
    worker?.close();
    archive?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const sessionDir = () => archive.sessionDir('S-2026-0001');
  const participant = (id: string) => manifest.participants.find((p) => p.participantId === id)!;
  const sessionSeconds = () => (Date.parse(manifest.stoppedAt!) - Date.parse(manifest.startedAt)) / 1000;

  it('writes per-participant segments whose codecs are VP8 and Opus, summing to the session duration within 1 s', async () => {
    expect(manifest.status).toBe('stopped');
    expect(manifest.participants.map((p) => p.participantId).sort()).toEqual(['alice', 'bob', 'carol']);
    for (const id of ['alice', 'bob', 'carol']) {
      // Each participant's folder holds exactly the segments of their camera and microphone lanes.
      const files = fs.readdirSync(path.join(sessionDir(), `p-${id}`)).sort();
      expect(participant(id).tracks.map((t) => t.lane).sort()).toEqual(['camera', 'microphone']);
      expect(participant(id).tracks.flatMap((t) => t.segments.map((x) => x.file)).sort()).toEqual(files.map((f) => `p-${id}/${f}`));
    }
    for (const id of ['alice', 'carol']) {
      for (const track of participant(id).tracks) {
        expect(track.segments.length).toBeGreaterThanOrEqual(3);
        let total = 0;
        for (const s of track.segments) {
          const info = await probe(path.join(sessionDir(), s.file));
          expect(info.streams.map((x) => x.codecName)).toEqual([track.kind === 'video' ? 'vp8' : 'opus']);
          // The manifest's duration (from ffmpeg's segment list) is what the container says.
          expect(Math.abs(info.durationSeconds - s.durationSeconds), s.file).toBeLessThan(0.05);
          total += info.durationSeconds;
        }
        if (process.env.TEST_DUMP) {
          const rel = (iso?: string) => (iso ? ((Date.parse(iso) - Date.parse(manifest.startedAt)) / 1000).toFixed(3) : '-');
          const last = track.segments.at(-1)!;
          console.log(`${id} ${track.lane} ${track.trackId}: ${total.toFixed(3)}s of ${sessionSeconds()}s; track +${rel(track.startedAt)} run +${rel(track.runs[0]!.startedAt)} first +${rel(track.runs[0]!.firstPacketAt)} last ends +${(Date.parse(last.firstPacketAt) / 1000 + last.durationSeconds - Date.parse(manifest.startedAt) / 1000).toFixed(3)}`);
        }
        expect(Math.abs(total - sessionSeconds()), `${id} ${track.lane}: ${total}s of ${sessionSeconds()}s`).toBeLessThan(1);
      }
    }
  });

  it('records the hash and size of every segment as they are on disk', () => {
    const segments = allSegments(manifest);
    expect(segments.length).toBeGreaterThanOrEqual(18);
    for (const { segment } of segments) {
      const file = path.join(sessionDir(), segment.file);
      expect(sha256(file)).toBe(segment.sha256);
      expect(fs.statSync(file).size).toBe(segment.bytes);
    }
    // Segment hashes were checkpointed into the audit chain during the session, and all of
    // them by the seal.
    const checkpoints = archive.audit.entries().filter((e) => e.type === 'segments-checkpoint');
    expect(checkpoints.length).toBeGreaterThanOrEqual(2);
    const checkpointed = checkpoints.flatMap((e) => e.details.segments as { file: string; sha256: string }[]);
    expect(new Map(checkpointed.map((c) => [c.file, c.sha256]))).toEqual(new Map(segments.map(({ segment }) => [segment.file, segment.sha256])));
    // The manifest on disk is the sealed one.
    const stop = archive.audit.entries().find((e) => e.type === 'recording-stop')!;
    expect(stop.details.manifestSha256).toBe(sha256(path.join(sessionDir(), 'manifest.json')));
    expect(readManifest(sessionDir())).toEqual(manifest);
  });

  it('logs a gap with its reason when a recording ffmpeg dies, from the end of what it wrote to the next recorded packet, losing under 1.5 s', () => {
    const bob = participant('bob');
    const gap = bob.gaps.find((g) => g.reason === 'recorder-exited');
    expect(gap, JSON.stringify(bob.gaps)).toBeDefined();
    expect(gap!.lane).toBe('camera');
    expect(gap!.detail).toMatch(/SIGKILL/);
    const camera = bob.tracks.find((t) => t.lane === 'camera')!;
    expect(camera.runs.length).toBe(2);
    // The segment open at the kill is kept, flagged, with what was written of it (flushed as written).
    const truncated = camera.segments.filter((x) => x.truncated);
    expect(truncated).toHaveLength(1);
    expect(truncated[0]!.run).toBe(0);
    expect(truncated[0]!.bytes).toBeGreaterThan(0);
    const writtenEnd = Date.parse(truncated[0]!.firstPacketAt) + truncated[0]!.durationSeconds * 1000;
    // The gap says what is missing: from the end of the written media to the next run's first.
    expect(Math.abs(Date.parse(gap!.start) - writtenEnd)).toBeLessThan(5);
    expect(Date.parse(gap!.start)).toBeLessThanOrEqual(killedAt + 50);
    expect(gap!.end).toBe(camera.runs[1]!.firstPacketAt);
    const resumed = camera.segments.filter((s) => s.run === 1);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    // Segments are dated by the run's media clock, anchored on its least delayed packet.
    expect(Math.abs(Date.parse(resumed[0]!.firstPacketAt) - Date.parse(gap!.end!))).toBeLessThan(100);
    const lostMs = Date.parse(gap!.end!) - Date.parse(gap!.start);
    if (process.env.TEST_DUMP) console.log(`ffmpeg kill: written until ${writtenEnd - killedAt} ms from the kill, lost ${lostMs} ms`);
    expect(lostMs).toBeGreaterThan(0);
    expect(lostMs).toBeLessThan(1500);
    // Bob's microphone was never interrupted.
    expect(bob.gaps.filter((g) => g.lane === 'microphone')).toEqual([]);
  });

  it('keeps what the killed ffmpeg wrote of its open segment: the gap starts where that media ends and says what was lost (≤ 1.5 s)', async () => {
    const bob = manifest.participants.find((p) => p.participantId === 'bob')!;
    const camera = bob.tracks.find((t) => t.lane === 'camera')!;
    const truncated = camera.segments.filter((x) => x.run === 0 && x.truncated);
    expect(truncated, JSON.stringify(camera.segments)).toHaveLength(1);
    const open = truncated[0]!;
    // Flushed as written: the open segment is not the 0 bytes an unflushed WebM muxer leaves.
    expect(open.bytes).toBeGreaterThan(16_384);
    expect(open.durationSeconds).toBeGreaterThan(0);
    const previous = camera.segments.filter((x) => x.run === 0 && !x.truncated).at(-1)!;
    expect(Math.abs(Date.parse(open.firstPacketAt) - (Date.parse(previous.firstPacketAt) + previous.durationSeconds * 1000))).toBeLessThan(100);
    const mediaEnd = Date.parse(open.firstPacketAt) + open.durationSeconds * 1000;
    const gap = bob.gaps.find((g) => g.reason === 'recorder-exited')!;
    expect(Math.abs(Date.parse(gap.start) - mediaEnd)).toBeLessThan(50);
    const lost = Date.parse(gap.end!) - mediaEnd;
    expect(lost, `lost ${lost} ms of bob's camera`).toBeLessThanOrEqual(1500);
    // verify names it, as a warning with the media it kept.
    const rep = await verifyArchive(archive.root, { sessionId: manifest.sessionId });
    const warning = rep.problems.find((p) => p.kind === 'segment-truncated');
    expect(warning).toMatchObject({ severity: 'warning', file: open.file });
    expect(warning!.message).toContain(`${open.durationSeconds.toFixed(3)} s of media`);
  });

  it('has no gap but the crash: every track records from its first packet, whatever ffmpeg\'s start-up takes', () => {
    expect(manifest.participants.flatMap((p) => p.gaps.map((g) => `${p.participantId}/${g.lane}/${g.reason}`))).toEqual(['bob/camera/recorder-exited']);
    for (const p of manifest.participants) {
      for (const t of p.tracks) {
        // Media arrives within a key-frame interval of the consumer: nothing waits for ffmpeg.
        expect(Date.parse(t.runs[0]!.firstPacketAt!) - Date.parse(t.startedAt), `${p.participantId} ${t.lane}`).toBeLessThan(1000);
        expect(Date.parse(t.runs[0]!.firstPacketAt!)).toBeLessThanOrEqual(Date.parse(t.runs[0]!.startedAt));
      }
    }
  });

  it('leaves every finished segment playable, including those before and after the crash', async () => {
    const finished = allSegments(manifest).filter(({ segment }) => !segment.truncated);
    const errors = await Promise.all(finished.map(async ({ segment }) => [segment.file, await decodeErrors(path.join(sessionDir(), segment.file))] as const));
    expect(errors.filter(([, e]) => e !== '')).toEqual([]);
  });

  it('verifies the untouched archive, warning about the truncated segment with its duration', async () => {
    const rep = await verifyArchive(archive.root);
    expect(rep.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(rep.ok).toBe(true);
    expect(rep.segmentsChecked).toBe(allSegments(manifest).length);
    const truncated = allSegments(manifest).find(({ segment }) => segment.truncated)!.segment;
    const warnings = rep.problems.filter((p) => p.kind === 'segment-truncated');
    expect(warnings.map((p) => [p.severity, p.file])).toEqual([['warning', truncated.file]]);
    expect(warnings[0]!.message).toContain(`${truncated.durationSeconds.toFixed(3)} s`);
  });

  it('serves archivists only, and audits each view, segment fetch and export', async () => {
    const tokens = new TokenIssuer('test-secret-at-least-16-chars', 600);
    const exports = new ExportJobs(archive, log);
    const app = express();
    app.use('/api/archive', createArchiveRouter({ archive, tokens, log, exports }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/archive`;
    const token = (role: 'archivist' | 'official', canArchive: boolean) =>
      tokens.issue({ sub: `u-${role}`, name: role, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive } });
    const archivist = { authorization: `Bearer ${token('archivist', true)}` };
    // Four eyes: holds this archivist places are released by a colleague.
    const colleague = { authorization: `Bearer ${tokens.issue({ sub: 'u-archivist-2', name: '档案员乙', role: 'archivist', grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true } })}` };
    try {
      expect((await fetch(`${base}/sessions?caseNumber=SZ-2026-000123`)).status).toBe(401);
      expect((await fetch(`${base}/sessions?caseNumber=SZ-2026-000123`, { headers: { authorization: `Bearer ${token('official', true)}` } })).status).toBe(403);
      expect((await fetch(`${base}/sessions?caseNumber=SZ-2026-000123`, { headers: { authorization: `Bearer ${token('archivist', false)}` } })).status).toBe(403);

      for (const q of ['caseNumber=SZ-2026-000123', 'terminalId=T-VILLAGE-07', 'department=住建', 'official=王科长', 'petitioner=张', `from=${manifest.startedAt.slice(0, 10)}&to=${manifest.startedAt.slice(0, 10)}`]) {
        const body = (await (await fetch(`${base}/sessions?${encodeURI(q)}`, { headers: archivist })).json()) as { data: { sessions: { sessionId: string }[] } };
        expect(body.data.sessions.map((s) => s.sessionId), q).toEqual(['S-2026-0001']);
      }
      const none = (await (await fetch(`${base}/sessions?caseNumber=OTHER`, { headers: archivist })).json()) as { data: { sessions: unknown[] } };
      expect(none.data.sessions).toEqual([]);

      const detail = (await (await fetch(`${base}/sessions/S-2026-0001`, { headers: archivist })).json()) as {
        data: { gaps: { reason: string }[]; timeline: { type: string }[]; manifest: Manifest & { participants: { tracks: { segments: { url: string; sha256: string; bytes: number }[] }[] }[] } };
      };
      expect(detail.data.gaps.map((g) => g.reason)).toContain('recorder-exited');
      expect(detail.data.timeline.map((e) => e.type)).toContain('participant-joined');
      const seg = detail.data.manifest.participants[0]!.tracks[0]!.segments[0]!;
      const full = Buffer.from(await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${seg.url}`, { headers: archivist })).arrayBuffer());
      expect(createHash('sha256').update(full).digest('hex')).toBe(seg.sha256);
      const part = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${seg.url}`, { headers: { ...archivist, range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 100-199/${seg.bytes}`);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(full.subarray(100, 200));

      const bm = await fetch(`${base}/sessions/S-2026-0001/bookmarks`, { method: 'POST', headers: { ...archivist, 'content-type': 'application/json' }, body: JSON.stringify({ offsetSeconds: 4.2, note: '信访人陈述诉求' }) });
      expect(bm.status).toBe(201);

      const started = (await (await fetch(`${base}/sessions/S-2026-0001/exports`, { method: 'POST', headers: archivist })).json()) as { data: { job: { jobId: string } } };
      type Job = { state: string; progress: number; sha256?: string };
      const seen: number[] = [];
      const job = await until('the export finished', async () => {
        const j = ((await (await fetch(`${base}/exports/${started.data.job.jobId}`, { headers: archivist })).json()) as { data: { job: Job } }).data.job;
        seen.push(j.progress);
        return j.state !== 'running' && j;
      });
      expect(job.state).toBe('done');
      expect(seen.at(-1)).toBe(1);
      const tar = Buffer.from(await (await fetch(`${base}/exports/${started.data.job.jobId}/download`, { headers: archivist })).arrayBuffer());
      expect(createHash('sha256').update(tar).digest('hex')).toBe(job.sha256);
      packageFile = path.join(tmp, 'evidence.tar');
      fs.writeFileSync(packageFile, tar);

      const json = { ...archivist, 'content-type': 'application/json' };
      const verified = (await (await fetch(`${base}/sessions/S-2026-0001/verify`, { method: 'POST', headers: archivist })).json()) as { data: { ok: boolean; segmentsChecked: number } };
      expect(verified.data).toMatchObject({ ok: true, segmentsChecked: allSegments(manifest).length });
      const held = await fetch(`${base}/sessions/S-2026-0001/legal-hold`, { method: 'POST', headers: json, body: JSON.stringify({ reason: '复查申请' }) });
      expect(((await held.json()) as { data: { session: { legalHold: boolean } } }).data.session.legalHold).toBe(true);
      expect((await fetch(`${base}/sessions/S-2026-0001/legal-hold`, { method: 'POST', headers: json, body: JSON.stringify({ reason: 'again' }) })).status).toBe(409);
      const released = await fetch(`${base}/sessions/S-2026-0001/legal-hold`, { method: 'DELETE', headers: { ...json, ...colleague }, body: JSON.stringify({ reason: '复查结束' }) });
      expect(((await released.json()) as { data: { session: { legalHold: boolean } } }).data.session.legalHold).toBe(false);
      // A plain DELETE (no body) releases with the reason in the query; without any reason it is a 400.
      await fetch(`${base}/sessions/S-2026-0001/legal-hold`, { method: 'POST', headers: json, body: JSON.stringify({ reason: '再次保全' }) });
      expect((await fetch(`${base}/sessions/S-2026-0001/legal-hold`, { method: 'DELETE', headers: colleague })).status).toBe(400);
      const bodyless = await fetch(`${base}/sessions/S-2026-0001/legal-hold?reason=${encodeURIComponent('保全解除')}`, { method: 'DELETE', headers: colleague });
      expect(((await bodyless.json()) as { data: { session: { legalHold: boolean } } }).data.session.legalHold).toBe(false);
      expect((await fetch(`${base}/sessions/..%2Fetc/segments/x`, { headers: archivist })).status).toBe(400);
      expect((await fetch(`${base}/sessions/S-2026-0001/segments/nope`, { headers: archivist })).status).toBe(404);

      const types = archive.audit.entries().filter((e) => e.actor.sub === 'u-archivist').map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['search', 'view', 'view-segment', 'bookmark', 'export', 'export-completed', 'export-download', 'verify', 'legal-hold']));
      expect(types.filter((t) => t === 'view-segment')).toHaveLength(1); // one per token and segment, not per Range request
      expect(verifyAuditChain(archive.audit.rawLines(), { fromGenesis: true })).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('produces an evidence package that re-verifies on its own, and fails if altered', async () => {
    const ok = await verifyPackage(packageFile);
    expect(ok.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(ok.problems.map((p) => p.kind)).toEqual(['segment-truncated']); // bob's camera at the kill, said so
    expect(ok.segmentsChecked).toBe(allSegments(manifest).length);
    const cli = await execFileP('npx', ['tsx', 'recordings/cli/verify.ts', '--package', packageFile]);
    expect(cli.stdout).toMatch(/^OK: package/m);

    // Flip one byte inside the last segment's data: the package names that segment.
    const bad = path.join(tmp, 'evidence-altered.tar');
    const bytes = fs.readFileSync(packageFile);
    const last = allSegments(manifest).at(-1)!.segment;
    const entry = listTar(packageFile).find((e) => e.name.endsWith(`/${last.file}`))!;
    const at = entry.offset + Math.floor(entry.size / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    fs.writeFileSync(bad, bytes);
    const rep = await verifyPackage(bad);
    expect(rep.ok).toBe(false);
    expect(rep.problems.filter((p) => p.severity === 'error').map((p) => [p.kind, p.file])).toEqual([
      ['segment-altered', last.file],
      ['segment-altered', last.file],
      ['segment-altered', last.file], // against the manifest, SHA256SUMS and SM3SUMS
    ]);
  });

  it('fails archive:verify naming a segment changed by one byte and a segment deleted', async () => {
    const segs = allSegments(manifest).map((s) => s.segment);
    const altered = segs[1]!;
    const deleted = segs[4]!;
    const file = path.join(sessionDir(), altered.file);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0x01;
    fs.writeFileSync(file, bytes);
    fs.rmSync(path.join(sessionDir(), deleted.file));

    const rep = await verifyArchive(archive.root);
    expect(rep.ok).toBe(false);
    const errors = rep.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => [p.kind, p.file])).toEqual(
      expect.arrayContaining([
        ['segment-altered', altered.file],
        ['segment-missing', deleted.file],
      ]),
    );
    expect(errors).toHaveLength(2);

    const cli = await execFileP('npx', ['tsx', 'recordings/cli/verify.ts', '--data-dir', path.join(tmp, 'data')]).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`segment ${altered.file} altered`);
    expect(cli.stdout).toContain(`segment ${deleted.file} is missing`);

    // The package exported before the tampering still proves the originals.
    expect((await verifyPackage(packageFile)).ok).toBe(true);
  });
});
