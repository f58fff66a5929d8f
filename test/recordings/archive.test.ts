// The archive without media: audit chain, catalog search and rebuild, legal hold, retention
// with tombstones, the tar format and Range parsing. Sessions here are written by hand (random
// bytes as segments) — the hashing and bookkeeping do not care what the bytes are.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Archive } from '../../recordings/archive.ts';
import { SYSTEM_ACTOR, verifyAuditChain, type AuditActor } from '../../server/core/audit-chain.ts';
import { ExportJobs } from '../../recordings/export.ts';
import { parseRange } from '../../recordings/http/router.ts';
import { MANIFEST_FILE, newSessionId, sessionIdSchema, writeJsonAtomic, type Manifest } from '../../recordings/manifest.ts';
import { TarWriter, listTar, readTarEntry } from '../../recordings/tar.ts';
import { verifyArchive, verifyPackage } from '../../recordings/verify.ts';
import { Store } from '../../server/core/db.ts';
import { createLogger } from '../../server/core/log.ts';
import { DIALECTS } from '../support/stores.ts';
import { writeSession } from '../support/archive-session.ts';

const archivist: AuditActor = { kind: 'user', sub: 'u-1', name: '档案员甲', role: 'archivist' };


// The catalog lives in the node's store: every case here runs on SQLite and on PostgreSQL.
describe.each(DIALECTS)('the archive, its catalog on %s', (_dialect, fresh) => {
  let tmp: string;
  let store: Store;
  let archive: Archive;
  const open = async () => {
    store = await Store.open(await fresh('archive'));
    archive = await Archive.open({ dataDir: tmp, store, retentionDays: { household: 30, petition: 1095 } });
  };

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-'));
    await open();
  });
  afterEach(async () => {
    await archive.close();
    await store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('names the audit line that was altered, and the break where one was removed', async () => {
    for (let i = 0; i < 5; i++) await archive.audit.append({ type: 'view', sessionId: 's', actor: archivist, details: { i } });
    const lines = archive.audit.rawLines();
    expect(verifyAuditChain(lines, { fromGenesis: true })).toEqual([]);

    const edited = [...lines];
    edited[2] = edited[2]!.replace('"i":2', '"i":7');
    expect(verifyAuditChain(edited, { fromGenesis: true })).toEqual([{ line: 3, seq: 2, problem: expect.stringContaining('entry altered') }]);

    const removed = lines.filter((_, i) => i !== 1);
    const problems = verifyAuditChain(removed, { fromGenesis: true });
    expect(problems.map((p) => p.line)).toEqual([2, 2]);
    expect(problems.map((p) => p.problem).join(' ')).toMatch(/sequence jumps from 0 to 2.*prev hash does not match/);

    // archive:verify reports it too.
    fs.writeFileSync(archive.audit.file, edited.join('\n') + '\n');
    const rep = await verifyArchive(archive.root);
    expect(rep.ok).toBe(false);
    expect(rep.problems[0]!.message).toMatch(/audit log line 3 \(seq 2\): entry content does not match its hash/);
  });

  it('gives a session excerpt that proves its own continuity without other sessions\' content', async () => {
    await Promise.all([
      archive.audit.append({ type: 'recording-start', sessionId: 'mine', actor: SYSTEM_ACTOR }),
      archive.audit.append({ type: 'view', sessionId: 'other', actor: archivist, details: { secret: 'other case' } }),
      archive.audit.append({ type: 'recording-stop', sessionId: 'mine', actor: SYSTEM_ACTOR }),
    ]);
    const excerpt = archive.audit.excerptFor('mine');
    expect(excerpt).toHaveLength(3);
    expect(JSON.stringify(excerpt)).not.toContain('other case');
    const lines = excerpt.map((e) => JSON.stringify(e));
    expect(verifyAuditChain(lines, { fromGenesis: false })).toEqual([]);
    lines[1] = lines[1]!.replace(/"contentHash":"[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    expect(verifyAuditChain(lines, { fromGenesis: false })).toHaveLength(1);
  });

  it('finds sessions by case number, terminal, region, department, official, petitioner and date', async () => {
    await writeSession(archive, 's-1', { caseNumber: 'C-1', startedAt: '2026-03-01T02:00:00.000Z', department: '住建' });
    await writeSession(archive, 's-2', { caseNumber: 'C-2', startedAt: '2026-04-01T02:00:00.000Z' });
    const ids = async (q: Parameters<typeof archive.catalog.search>[0]) => (await archive.catalog.search(q)).map((r) => r.sessionId);
    expect(await ids({ caseNumber: 'C-1' })).toEqual(['s-1']);
    expect(await ids({ terminalId: 'T-1' })).toEqual(['s-2', 's-1']);
    expect(await ids({ region: 'R-1', department: '住建' })).toEqual(['s-1']);
    expect(await ids({ department: '人社' })).toEqual(['s-2', 's-1']); // from the official's department
    expect(await ids({ official: '王科长' })).toEqual(['s-2', 's-1']);
    expect(await ids({ official: 'o-1', from: '2026-03-15' })).toEqual(['s-2']);
    expect(await ids({ petitioner: '大爷', to: '2026-03-02' })).toEqual(['s-1']);
    expect(await ids({ petitioner: '%' })).toEqual([]);
  });

  it('rebuilds the catalog from manifests and the audit log alone', async () => {
    await writeSession(archive, 's-1', { caseNumber: 'C-1', startedAt: '2026-03-01T02:00:00.000Z' });
    await writeSession(archive, 's-2', { caseNumber: 'C-2', startedAt: '2026-04-01T02:00:00.000Z' });
    await archive.placeLegalHold('s-1', archivist, '行政复议');
    await archive.addBookmark('s-1', archivist, 2.5, '出示材料');
    await archive.deleteSession('s-2', SYSTEM_ACTOR, 'test deletion');
    const before = { one: await archive.catalog.get('s-1'), two: await archive.catalog.get('s-2'), bookmarks: await archive.catalog.bookmarks('s-1') };
    await archive.close();
    await store.close();
    // A new, empty store (the old one lost, or a first-version data dir, whose catalog was a
    // file of its own): the archive finds its catalog empty and rebuilds it on opening.
    await open();
    const check = async () => {
      expect(await archive.catalog.get('s-1')).toEqual(before.one);
      expect(await archive.catalog.bookmarks('s-1')).toEqual(before.bookmarks);
      expect(await archive.catalog.get('s-2')).toMatchObject({ deletedAt: before.two!.deletedAt, caseNumber: 'C-2', manifestSha256: before.two!.manifestSha256 });
      expect(await archive.catalog.search({ caseNumber: 'C-2' })).toEqual([]);
    };
    await check();
    expect(await archive.reindex()).toEqual({ sessions: 1, tombstones: 1, holds: 1, bookmarks: 1 });
    await check();
  });

  it('keeps a held session past its retention, then deletes it leaving a tombstone that verify accepts', async () => {
    const m = await writeSession(archive, 'h-1', { caseNumber: 'H-1', kind: 'household', startedAt: '2026-01-01T00:00:00.000Z' });
    const later = new Date('2026-03-01T00:00:00.000Z'); // past 30 days
    await archive.placeLegalHold('h-1', archivist, '纠纷调查');
    expect(await archive.sweepRetention(later)).toEqual([]);
    await expect(archive.deleteSession('h-1', archivist, 'manual')).rejects.toThrow(/legal hold/);
    // Four eyes: a second archivist releases it.
    await archive.releaseLegalHold('h-1', { ...archivist, sub: `${archivist.sub}-2`, name: '第二档案员' }, '调查结束');
    expect(await archive.sweepRetention(later)).toEqual(['h-1']);
    expect(fs.existsSync(archive.sessionDir('h-1'))).toBe(false);

    const tomb = archive.audit.entries().find((e) => e.type === 'deletion')!;
    expect(tomb.sessionId).toBe('h-1');
    expect(tomb.actor.sub).toBe('retention');
    expect(tomb.details.reason).toMatch(/retention period of class household ended/);
    expect(tomb.details.segments).toEqual(m.participants[0]!.tracks[0]!.segments.map((s) => ({ file: s.file, sha256: s.sha256, bytes: s.bytes })));
    expect(archive.audit.entries().map((e) => e.type)).toEqual(['recording-start', 'recording-stop', 'legal-hold', 'legal-hold-release', 'deletion']);

    const rep = await verifyArchive(archive.root);
    expect(rep).toMatchObject({ ok: true, deleted: ['h-1'], problems: [] });
    // A folder removed without a tombstone is a missing session.
    await writeSession(archive, 'p-1', { caseNumber: 'P-1', startedAt: '2026-01-01T00:00:00.000Z' });
    fs.rmSync(archive.sessionDir('p-1'), { recursive: true });
    const bad = await verifyArchive(archive.root);
    expect(bad.problems.map((p) => [p.kind, p.sessionId])).toEqual([['session-missing', 'p-1']]);
  });

  it('seals a session left "recording" by a crash as interrupted, keeping the segment open at the crash', async () => {
    const m = await writeSession(archive, 'c-1', { caseNumber: 'C-1', startedAt: '2026-03-01T02:00:00.000Z' });
    // Undo the seal: as if the process died mid-session, with a third segment on disk but not listed.
    const dir = archive.sessionDir('c-1');
    writeJsonAtomic(path.join(dir, MANIFEST_FILE), { ...m, status: 'recording', stoppedAt: undefined });
    fs.writeFileSync(archive.audit.file, archive.audit.rawLines().filter((l) => !l.includes('recording-stop')).join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'p-a/camera-x-r0-00002.webm'), randomBytes(777));
    fs.symlinkSync(path.join(dir, 'p-a'), path.join(dir, '.slot-video-0badf00d')); // a spare ffmpeg's output slot (earlier recorders)
    expect((await verifyArchive(archive.root)).problems.map((p) => p.kind).sort()).toEqual(['manifest-unsealed', 'unlisted-file']);

    expect(await archive.recoverInterrupted()).toEqual(['c-1']);
    const after = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    expect(after.status).toBe('interrupted');
    const segs = after.participants[0]!.tracks[0]!.segments;
    expect(segs.map((x) => [x.file, x.truncated ?? false, x.bytes])).toEqual([
      ['p-a/camera-x-r0-00000.webm', false, 2000],
      ['p-a/camera-x-r0-00001.webm', false, 2001],
      ['p-a/camera-x-r0-00002.webm', true, 777],
    ]);
    expect(archive.audit.entries().at(-1)!.type).toBe('recording-interrupted');
    expect(fs.existsSync(path.join(dir, '.slot-video-0badf00d'))).toBe(false);
    const rep = await verifyArchive(archive.root);
    expect(rep.ok).toBe(true);
    // The defective segment is kept and said to be (its random bytes play for 0 s).
    expect(rep.problems.map((p) => [p.severity, p.kind, p.file])).toEqual([['warning', 'segment-truncated', 'p-a/camera-x-r0-00002.webm']]);
    expect(await archive.recoverInterrupted()).toEqual([]);
  });

  it('catches a segment and its manifest hash both rewritten before the seal, from the checkpoint', async () => {
    // Still recording: segment hashes checkpointed, no seal yet.
    const m = await writeSession(archive, 'k-1', { caseNumber: 'K-1', startedAt: '2026-03-01T02:00:00.000Z', recording: true });
    const dir = archive.sessionDir('k-1');
    const seg = m.participants[0]!.tracks[0]!.segments[0]!;
    await archive.audit.append({ type: 'segments-checkpoint', sessionId: 'k-1', actor: SYSTEM_ACTOR, details: { segments: [{ file: seg.file, sha256: seg.sha256, bytes: seg.bytes }] } });
    // Rewrite the segment and make the manifest agree with it.
    const forged = randomBytes(seg.bytes);
    fs.writeFileSync(path.join(dir, seg.file), forged);
    const forgedSha = createHash('sha256').update(forged).digest('hex');
    writeJsonAtomic(path.join(dir, MANIFEST_FILE), { ...m, participants: [{ ...m.participants[0]!, tracks: [{ ...m.participants[0]!.tracks[0]!, segments: [{ ...seg, sha256: forgedSha }, ...m.participants[0]!.tracks[0]!.segments.slice(1)] }] }] });
    const rep = await verifyArchive(archive.root);
    const errors = rep.problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => [p.kind, p.file])).toEqual([['manifest-altered', seg.file]]);
    expect(errors[0]!.message).toMatch(/differs from the one checkpointed in the audit log/);
  });

  it('detects a manifest edited after it was sealed', async () => {
    await writeSession(archive, 's-1', { caseNumber: 'C-1', startedAt: '2026-03-01T02:00:00.000Z' });
    const file = path.join(archive.sessionDir('s-1'), MANIFEST_FILE);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"C-1"', '"C-9"'));
    const rep = await verifyArchive(archive.root);
    expect(rep.problems.map((p) => p.kind)).toEqual(['manifest-altered']);
  });

  it('exports a package that verifies with no archive at hand', async () => {
    await writeSession(archive, 's-1', { caseNumber: 'C-1', startedAt: '2026-03-01T02:00:00.000Z' });
    const job = await new ExportJobs(archive, createLogger('silent')).exportAndWait('s-1', archivist);
    expect(job.bytesDone).toBe(job.bytesTotal);
    const copy = path.join(tmp, 'copy.tar');
    fs.copyFileSync(job.file!, copy);
    fs.rmSync(archive.root, { recursive: true });
    const rep = await verifyPackage(copy);
    expect(rep).toMatchObject({ ok: true, problems: [], segmentsChecked: 2 });
    // Sealed by hand here (no statement): no signature files; the archive's public keys still go along.
    expect(listTar(copy).map((e) => e.name.replace(/-[0-9a-f]{16}\.pem$/, '-ID.pem'))).toEqual([
      's-1/package.json', 's-1/manifest.json', 's-1/SHA256SUMS', 's-1/SM3SUMS', 's-1/audit-excerpt.jsonl',
      's-1/keys/archive-keys.json', 's-1/keys/archive-sm2-ID.pem', 's-1/keys/archive-ed25519-ID.pem',
      's-1/p-a/camera-x-r0-00000.webm', 's-1/p-a/camera-x-r0-00001.webm',
    ]);
  });
});

describe('the tar format', () => {
  it('round-trips long names and exact bytes, and is readable by tar(1)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-'));
    const file = path.join(tmp, 'x.tar');
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.bin`;
    const data = randomBytes(1500);
    const w = new TarWriter(file);
    w.addBuffer('a.txt', Buffer.from('hello'));
    w.addBuffer(long, data);
    const { sha256 } = w.finish();
    expect(sha256).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    const entries = listTar(file);
    expect(entries.map((e) => e.name)).toEqual(['a.txt', long]);
    expect(readTarEntry(file, entries[1]!)).toEqual(data);
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.txt', long]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

describe('session ids', () => {
  it('derives a folder-safe id from a room id and the start time', () => {
    const id = newSessionId('household:H12:call-1', new Date('2026-11-26T06:25:22.168Z'));
    expect(id).toBe('household_H12_call-1-20261126T062522Z');
    expect(sessionIdSchema.safeParse(id).success).toBe(true);
  });
});

describe('Range parsing for segment streaming', () => {
  it('follows RFC 9110 for single ranges', () => {
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange('bytes=0-99', 1000)).toEqual([0, 99]);
    expect(parseRange('bytes=900-', 1000)).toEqual([900, 999]);
    expect(parseRange('bytes=-100', 1000)).toEqual([900, 999]);
    expect(parseRange('bytes=990-2000', 1000)).toEqual([990, 999]);
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeUndefined();
  });
});
