// The shared archive (issue 10, item 3): two nodes with separate DATA_DIRs on one PostgreSQL,
// one Redis and one RECORDINGS_DIR. A petition recorded on node A is found, played, verified
// and exported through node B; what A's recorders wrote passed through A's own spool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { ManifestView, SessionDetail, VerifyResult, ExportJobView } from '../../server/protocol/http/archive-shapes.ts';
import { verifyArchive, verifyPackage } from '../../recordings/verify.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { recordPetitionSession, type RecordedSession } from '../support/recorded-session.ts';
import { until } from '../support/evidence.ts';

describe('two nodes, one PostgreSQL, one Redis, one shared RECORDINGS_DIR', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let shared: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let recorded: RecordedSession;

  beforeAll(async () => {
    shared = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-shared-archive-'));
    const env = { DATABASE_URL: await createTestDatabase('shared_archive'), RECORDINGS_DIR: shared };
    const redisPrefix = `t${process.pid}-shared-archive-${Date.now()}:`;
    [a, b] = await Promise.all([startTestPlatform(env, { redisPrefix, recordingSegmentSeconds: 2 }), startTestPlatform(env, { redisPrefix, recordingSegmentSeconds: 2 })]);
    browser = await launchBrowser();
    recorded = await recordPetitionSession(a, browser, { segmentsPerTrack: 2 });
  }, 180_000);
  afterAll(async () => {
    await browser?.cleanup();
    await Promise.all([a?.close(), b?.close()]);
    if (shared) fs.rmSync(shared, { recursive: true, force: true });
  });

  const archivist = (node: TestPlatform) =>
    node.token('archivist-city', 'archivist', { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true }, { name: '档案员' });
  const api = async <T>(node: TestPlatform, method: string, p: string): Promise<T> => {
    const res = await fetch(`${node.url}/api/archive${p}`, { method, headers: { authorization: `Bearer ${archivist(node)}` } });
    const body = (await res.json()) as { ok: boolean; data: T; error?: unknown };
    if (!body.ok) throw new Error(`${method} ${p} on ${node.url}: ${res.status} ${JSON.stringify(body.error)}`);
    return body.data;
  };

  it('keeps the recording in the shared store, not in the recording node\'s data dir, and its spool empty', () => {
    expect(a.dataDir).not.toBe(b.dataDir);
    expect(a.services.archive.root).toBe(shared);
    expect(b.services.archive.root).toBe(shared);
    expect(fs.existsSync(path.join(shared, recorded.sessionId, 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(a.dataDir, 'recordings', recorded.sessionId))).toBe(false);
    // Every finished segment left A's spool; the session's spool folder went with the seal.
    expect(fs.existsSync(a.services.archive.spoolDir(recorded.sessionId))).toBe(false);
  });

  it('lets node B find and play every segment of the session node A recorded, byte for byte', async () => {
    const found = await api<{ sessions: { sessionId: string }[] }>(b, 'GET', `/sessions?caseNumber=${encodeURIComponent(recorded.caseNumber)}`);
    expect(found.sessions.map((s) => s.sessionId)).toEqual([recorded.sessionId]);
    const detail = await api<SessionDetail>(b, 'GET', `/sessions/${recorded.sessionId}`);
    expect(detail.session?.status).toBe('stopped');
    const segments = (detail.manifest as ManifestView).participants.flatMap((p) => p.tracks.flatMap((t) => t.segments));
    expect(segments.length).toBeGreaterThanOrEqual(8);
    for (const seg of segments) {
      const res = await fetch(`${b.url}${seg.url}`, { headers: { authorization: `Bearer ${archivist(b)}` } });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(seg.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(seg.sha256);
      expect(res.headers.get('x-content-sha256')).toBe(seg.sha256);
    }
  });

  it('verifies the session through node B, and the whole shared archive verifies', async () => {
    const result = await api<VerifyResult>(b, 'POST', `/sessions/${recorded.sessionId}/verify`);
    expect(result).toMatchObject({ ok: true, status: 'stopped', problems: [] });
    expect(result.segmentsChecked).toBeGreaterThanOrEqual(8);
    const report = await verifyArchive(shared);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('exports an evidence package of A\'s session through node B that verifies on its own', async () => {
    const { job } = await api<{ job: ExportJobView }>(b, 'POST', `/sessions/${recorded.sessionId}/exports`);
    await until('the package built on node B', async () => (await api<{ job: ExportJobView }>(b, 'GET', `/exports/${job.jobId}`)).job.state === 'done');
    const res = await fetch(`${b.url}/api/archive/exports/${job.jobId}/download`, { headers: { authorization: `Bearer ${archivist(b)}` } });
    expect(res.status).toBe(200);
    const file = path.join(b.dataDir, 'package.tar');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    expect(await verifyPackage(file)).toMatchObject({ ok: true, problems: [] });
  });
});
