// A dead node's spool (issue 10, item 3): segments its recorders finished but had not yet moved
// to the shared archive when it died stay on its local disk. When it starts again they go to the
// archive store (hash-checked) even though the session went on elsewhere — and the node that
// writes the manifest next lists them, so the seal covers them; for a session sealed already
// they are kept beside it and archive:verify names them. A node that never returns: its spool
// folder is given to `npm run archive:recover-spool`, which does the same.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive } from '../../recordings/archive.ts';
import { MANIFEST_FILE, allSegments, readManifest, writeJsonAtomic } from '../../recordings/manifest.ts';
import { LocalSessionLeases, type SessionLeases } from '../../recordings/session-lease.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import { Store } from '../../server/core/db.ts';
import { sha256Hex } from '../../server/core/audit-chain.ts';
import { writeSession } from '../support/archive-session.ts';

/** Three real 2-second WebM segments of one camera, as the recorder's segment muxer writes them. */
function realSegments(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=25', '-t', '6', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '25',
    '-f', 'segment', '-segment_time', '2', '-reset_timestamps', '1', path.join(dir, 'camera-x-r0-%05d.webm')]);
  return fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
}

/** node-a's view while node-b (alive) holds the session: it may not write it. */
const heldByNodeB: SessionLeases = {
  nodeId: 'node-a',
  acquire: async () => ({ held: false, holder: 'node-b' }),
  held: () => false,
  release: async () => undefined,
};

/** A finished segment left in a node's spool: the third of track camera-x (writeSession lists the first two). */
function spooled(spoolDir: string): { file: string; sha256: string } {
  const bytes = randomBytes(4000);
  const dir = path.join(spoolDir, 'p-a');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'camera-x-r0-00002.webm'), bytes);
  return { file: 'p-a/camera-x-r0-00002.webm', sha256: sha256Hex(bytes) };
}

describe('segments left in a dead node\'s spool', () => {
  let tmp: string;
  let store: Store;
  let shared: string;
  let nodeA: Archive;
  let nodeB: Archive;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-spool-recovery-'));
    shared = path.join(tmp, 'shared');
    store = await Store.open({ dialect: 'sqlite', file: path.join(tmp, 'app.db') });
    // Two nodes: one archive store and catalog, a spool each. node-a is the node that died and starts again.
    nodeA = await Archive.open({ dataDir: path.join(tmp, 'a'), recordingsDir: shared, store, leases: heldByNodeB });
    nodeB = await Archive.open({ dataDir: path.join(tmp, 'b'), recordingsDir: shared, store, leases: new LocalSessionLeases('node-b') });
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await store?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('go to the archive when the node restarts although the session went on elsewhere, and the seal of the node that ends it covers them', async () => {
    const id = 'S-SPOOL-LIVE';
    await writeSession(nodeA, id, { caseNumber: 'XF20261202-000101', startedAt: new Date(Date.now() - 60_000).toISOString(), recording: true });
    const left = spooled(nodeA.spoolDir(id));

    // node-a's start-up: its recovery may not take the session (node-b continues it)…
    expect(await nodeA.recoverInterrupted()).toEqual([]);
    // …but its spool goes to the archive store, unchanged, and the spool folder with it.
    expect(await nodeA.recoverSpool({ quietMs: 100 })).toEqual([{ sessionId: id, files: [left.file] }]);
    expect(sha256Hex(fs.readFileSync(path.join(nodeA.sessionDir(id), left.file)))).toBe(left.sha256);
    expect(fs.existsSync(nodeA.spoolDir(id))).toBe(false);
    expect(readManifest(nodeA.sessionDir(id)).status).toBe('recording'); // node-b's manifest: untouched

    // node-b writes the manifest next (here: seals it as interrupted; a recorder stopping does the same).
    expect(await nodeB.recoverInterrupted({ settle: { quietMs: 100 } })).toEqual([id]);
    const m = readManifest(nodeB.sessionDir(id));
    const segment = allSegments(m).find((s) => s.segment.file === left.file)?.segment;
    expect(segment).toMatchObject({ sha256: left.sha256, bytes: 4000 });
    const report = await verifyArchive(shared, { sessionId: id });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.problems.filter((p) => p.kind === 'unlisted-file')).toEqual([]);
  });

  it('are kept beside a session sealed meanwhile, and archive:verify names them', async () => {
    const id = 'S-SPOOL-SEALED';
    await writeSession(nodeA, id, { caseNumber: 'XF20261202-000102', startedAt: new Date(Date.now() - 60_000).toISOString() });
    const left = spooled(nodeA.spoolDir(id));
    expect(await nodeA.recoverSpool({ quietMs: 100 })).toEqual([{ sessionId: id, files: [left.file] }]);
    const report = await verifyArchive(shared, { sessionId: id });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.problems.filter((p) => p.kind === 'unlisted-file').map((p) => p.file)).toEqual([left.file]);
  });

  it('of a node that never returns are moved by npm run archive:recover-spool', async () => {
    const id = 'S-SPOOL-GONE';
    const dataDir = path.join(tmp, 'cluster');
    // The archive as the tools open it with --data-dir: DATA_DIR/recordings and DATA_DIR/app.db.
    const archive = await Archive.open({ dataDir });
    await writeSession(archive, id, { caseNumber: 'XF20261202-000103', startedAt: new Date(Date.now() - 60_000).toISOString(), recording: true });
    await archive.close();
    // The dead node's spool, copied off its disk.
    const left = spooled(path.join(tmp, 'copied-spool', id));

    const { DATABASE_URL: _db, RECORDINGS_DIR: _rec, ...env } = process.env;
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'recordings/cli/recover-spool.ts', '--spool', path.join(tmp, 'copied-spool'), '--data-dir', dataDir], { env, encoding: 'utf8' });
    expect(out).toContain(`${id}: 1 segment(s) moved`);
    expect(sha256Hex(fs.readFileSync(path.join(dataDir, 'recordings', id, left.file)))).toBe(left.sha256);
    expect(fs.existsSync(path.join(tmp, 'copied-spool', id))).toBe(false);
  });

  it('lists whole segments a dead node\'s spool gave back as whole, only a cut one as truncated, and starts the node-failed gap where the written media ends', async () => {
    const id = 'S-SPOOL-GAP';
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    await writeSession(nodeA, id, { caseNumber: 'XF20261202-000104', startedAt, recording: true });
    const [first, second, third] = realSegments(path.join(tmp, 'real'));
    // The session as node-b continued it: it saw only the first segment, so its tracks ended
    // there and the lane's node-failed gap starts there.
    const dir = nodeB.sessionDir(id);
    fs.rmSync(path.join(dir, 'p-a'), { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'p-a'));
    fs.copyFileSync(first!, path.join(dir, 'p-a/camera-x-r0-00000.webm'));
    const bytes0 = fs.readFileSync(first!);
    const m = readManifest(dir);
    const track = m.participants[0]!.tracks[0]!;
    const firstEnd = new Date(Date.parse(startedAt) + 2000).toISOString();
    track.segments = [{ id: 'camera-x-r0-00000', file: 'p-a/camera-x-r0-00000.webm', run: 0, seq: 0, sha256: sha256Hex(bytes0), bytes: bytes0.length, durationSeconds: 2, firstPacketAt: startedAt, offsetSeconds: 0, closedAt: firstEnd }];
    Object.assign(track, { endedAt: firstEnd, endReason: 'node-failed' });
    m.participants[0]!.gaps = [{ lane: 'camera', start: firstEnd, reason: 'node-failed', detail: 'recording continued on node node-b after node node-a failed' }];
    writeJsonAtomic(path.join(dir, MANIFEST_FILE), m);
    // node-a's spool: the second segment finished, the third cut short by the kill (its tail lost).
    const spool = path.join(nodeA.spoolDir(id), 'p-a');
    fs.mkdirSync(spool, { recursive: true });
    fs.copyFileSync(second!, path.join(spool, 'camera-x-r0-00001.webm'));
    const cut = fs.readFileSync(third!);
    fs.writeFileSync(path.join(spool, 'camera-x-r0-00002.webm'), cut.subarray(0, Math.floor(cut.length / 2)));

    expect((await nodeA.recoverSpool({ quietMs: 100 }))[0]?.files).toHaveLength(2);
    expect(await nodeB.recoverInterrupted({ settle: { quietMs: 100 } })).toEqual([id]);
    const sealed = readManifest(dir);
    const segs = sealed.participants[0]!.tracks[0]!.segments;
    expect(segs.map((x) => [x.seq, x.truncated ?? false])).toEqual([[0, false], [1, false], [2, true]]);
    expect(segs[1]!.durationSeconds).toBeGreaterThan(1.9);
    // The gap begins where the last media written before the node died ends, not where node-b's view ended.
    const gap = sealed.participants[0]!.gaps.find((g) => g.reason === 'node-failed')!;
    const writtenEnd = Date.parse(segs[2]!.firstPacketAt) + segs[2]!.durationSeconds * 1000;
    expect(Date.parse(gap.start)).toBe(writtenEnd);
    expect(Date.parse(gap.start) - Date.parse(firstEnd)).toBeGreaterThan(2500);
    const report = await verifyArchive(shared, { sessionId: id });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.problems.filter((p) => p.kind === 'segment-truncated').map((p) => p.file)).toEqual(['p-a/camera-x-r0-00002.webm']);
  }, 60_000);
});
