// Evidence exports in a cluster (issue 10): the job is a row in the shared store and the package
// a file on the shared RECORDINGS_DIR, so behind a load balancer any node answers for it. Two
// product nodes as their own processes (separate DATA_DIRs, one PostgreSQL, one Redis, one
// shared archive): an export started on A is followed and downloaded on B; an export whose node
// is SIGKILLed while rendering its composite video is reported failed by B (and by A once it is
// back) — never "not found", never running forever — with one `export-failed` audit entry naming
// the node, and its half-rendered composite gone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Archive } from '../../recordings/archive.ts';
import { resolveFfmpegBin } from '../../recordings/ffmpeg.ts';
import { verifyPackage } from '../../recordings/verify.ts';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { Store, storeLocation } from '../../server/core/db.ts';
import type { ExportJobView } from '../../server/protocol/http/archive-shapes.ts';
import { startCluster, type Cluster } from '../support/cluster-call.ts';
import { until } from '../support/evidence.ts';
import { sealedSession } from '../support/sealed-session.ts';

const SESSION = 'S-EXPORT-CLUSTER';
/** A session with real video, whose composite takes long enough to render that its node can be killed during it. */
const VIDEO_SESSION = 'S-EXPORT-CLUSTER-VIDEO';
const VIDEO_SECONDS = 40;
/** The export stale time the nodes run with: a dead node's job is failed this long after its last report. */
const STALE_SECONDS = 5;

type JobAnswer = { job: ExportJobView; downloadUrl?: string };

describe('export jobs across two nodes', () => {
  let cluster: Cluster;
  let tmp: string;
  let token: string;
  const states: Record<string, string[]> = {};

  beforeAll(async () => {
    // The per-account request budget is the product's; this test polls one account hard.
    cluster = await startCluster({ name: 'export_jobs', env: { EXPORT_STALE_SECONDS: String(STALE_SECONDS), RATE_LIMIT_IDENTITY: '100000', RATE_LIMIT_IP: '100000' } });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-export-cluster-'));
    // A sealed session in the shared archive and catalog, large enough that packing it takes a
    // while (three segments of 24 MiB): long enough to kill its node during the job.
    const store = await Store.open(storeLocation(cluster.env.DATABASE_URL, tmp));
    const archive = await Archive.open({ dataDir: tmp, recordingsDir: cluster.shared, store });
    try {
      await sealedSession(archive, SESSION, { lane: 'camera', segments: [0, 1, 2].map(() => ({ bytes: randomBytes(24 * 1024 * 1024), seconds: 3 })) });
      const webm = path.join(tmp, 'camera.webm');
      execFileSync(resolveFfmpegBin(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', String(VIDEO_SECONDS),
        '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', webm]);
      await sealedSession(archive, VIDEO_SESSION, { lane: 'camera', segments: [{ bytes: fs.readFileSync(webm), seconds: VIDEO_SECONDS }] });
    } finally {
      await archive.close();
      await store.close();
    }
    token = new TokenIssuer(cluster.env.JWT_SECRET!, 3600).issue({
      sub: 'archivist-city', name: '档案员', role: 'archivist',
      grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [], canArchive: true },
    });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const a = () => cluster.nodes[0]!.url;
  const b = () => cluster.nodes[1]!.url;
  const api = async <T>(url: string, method: string, p: string, body?: unknown): Promise<{ status: number; data?: T; error?: { code: string; message: string } }> => {
    const res = await fetch(`${url}/api/archive${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { ok: boolean; data?: T; error?: { code: string; message: string } };
    return { status: res.status, ...json };
  };
  const readAudit = () =>
    fs.readFileSync(path.join(cluster.shared, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; details?: Record<string, unknown> });
  /** The job as `url` answers it, every answer's state recorded. */
  const jobOn = async (url: string, jobId: string): Promise<JobAnswer> => {
    const r = await api<JobAnswer>(url, 'GET', `/exports/${jobId}`);
    if (!r.data) throw new Error(`GET /exports/${jobId} on ${url}: ${r.status} ${JSON.stringify(r.error)}`);
    (states[jobId] ??= []).push(`${r.data.job.state}:${r.data.job.percent}`);
    return r.data;
  };

  it('follows an export started on A through B, and B serves its package by a ticket A gave', async () => {
    const started = await api<{ job: ExportJobView }>(a(), 'POST', `/sessions/${SESSION}/exports`, {});
    expect(started.status).toBe(202);
    const jobId = started.data!.job.jobId;
    const done = await until('B reports the export done', async () => {
      const r = await jobOn(b(), jobId);
      return r.job.state === 'running' ? undefined : r;
    }, 120_000, 100);
    expect(done.job).toMatchObject({ state: 'done', phase: 'finished', percent: 100, sessionId: SESSION });
    expect(done.downloadUrl).toBe(`/api/archive/exports/${jobId}/download`);
    // B knew the job from its first answer on (never "not found"), and its progress only went up.
    const seen = states[jobId]!;
    const percents = seen.map((s) => Number(s.split(':')[1]));
    expect(percents).toEqual([...percents].sort((x, y) => x - y));

    // The page's one-time link from A, followed on B (the load balancer may send it anywhere).
    const ticket = await api<{ url: string }>(a(), 'POST', `/exports/${jobId}/ticket`);
    expect(ticket.status).toBe(200);
    const res = await fetch(`${b()}${ticket.data!.url}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(done.job.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.job.sha256);
    // The ticket was used up, on whichever node.
    expect((await fetch(`${a()}${ticket.data!.url}`)).status).toBe(401);
    const file = path.join(tmp, 'package.tar');
    fs.writeFileSync(file, bytes);
    expect(await verifyPackage(file)).toMatchObject({ ok: true });
  }, 180_000);

  it('reports failed on B, not running forever, an export whose node was killed while building it; A says so too once back', async () => {
    const started = await api<{ job: ExportJobView }>(a(), 'POST', `/sessions/${VIDEO_SESSION}/exports`, { composite: true });
    expect(started.status).toBe(202);
    const { jobId, packageId } = started.data!.job;
    // Killed once its composite is half-written in the session's derived folder.
    const derivedDir = path.join(cluster.shared, '.derived', VIDEO_SESSION);
    const compositeFiles = () => (fs.existsSync(derivedDir) ? fs.readdirSync(derivedDir).filter((f) => f.includes(packageId)) : []);
    await until('A is writing the composite', async () => (compositeFiles().some((f) => fs.statSync(path.join(derivedDir, f)).size > 0) ? true : undefined), 60_000, 50);
    await cluster.nodes[0]!.stop('SIGKILL');
    const killedAt = Date.now();

    const first = await jobOn(b(), jobId);
    expect(first.job.state).toBe('running'); // A reported on it a moment ago
    const failed = await until('B reports the export failed', async () => {
      const r = await jobOn(b(), jobId);
      return r.job.state === 'failed' ? r : undefined;
    }, (STALE_SECONDS + 30) * 1000, 200);
    // Failed once A had been silent for the stale time, not sooner.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual((STALE_SECONDS - 1.5) * 1000);
    expect(failed.job.error).toMatch(/node node-a/);
    expect(failed.downloadUrl).toBeUndefined();
    expect((await api(b(), 'POST', `/exports/${jobId}/ticket`)).status).toBe(409);
    // Nothing of the half-built package is left in the shared archive.
    const exportDir = path.join(cluster.shared, '.exports');
    expect(fs.readdirSync(exportDir).filter((f) => f.includes(packageId))).toEqual([]);
    expect(compositeFiles()).toEqual([]);
    // The failure is in the archive's audit chain: once, naming the node that died, written by B.
    const failures = () => readAudit().filter((e) => e.type === 'export-failed' && e.details?.packageId === packageId);
    await until('the export-failed entry is written', async () => (failures().length > 0 ? true : undefined), 30_000, 100);
    expect(failures()).toHaveLength(1);
    expect(failures()[0]!.details).toMatchObject({ jobId, packageId, node: 'node-a', markedBy: 'node-b', reason: expect.stringMatching(/node node-a/) });

    // A restarted: the job is still known, as failed; the finished export of the test before is still offered.
    await cluster.restart(0);
    expect((await jobOn(a(), jobId)).job).toMatchObject({ state: 'failed' });
    const earlier = Object.keys(states).find((id) => id !== jobId)!;
    expect((await jobOn(a(), earlier)).job).toMatchObject({ state: 'done', percent: 100 });
    // A back and sweeping adds no second entry.
    expect(failures()).toHaveLength(1);
    expect(compositeFiles()).toEqual([]);
  }, 180_000);

  it('cancels through B an export A is building: A stops it, nothing is kept', async () => {
    const started = await api<{ job: ExportJobView }>(a(), 'POST', `/sessions/${SESSION}/exports`, {});
    const { jobId, packageId } = started.data!.job;
    // A held still (SIGSTOP) while B takes the request, so the job cannot finish before A hears of it.
    const nodeA = cluster.nodes[0]!.child;
    nodeA.kill('SIGSTOP');
    let cancelled: Promise<Awaited<ReturnType<typeof api<{ job: ExportJobView }>>>>;
    const store = await Store.open(storeLocation(cluster.env.DATABASE_URL, tmp));
    try {
      cancelled = api<{ job: ExportJobView }>(b(), 'DELETE', `/exports/${jobId}`);
      await until('B asked for the cancellation in the store', async () => {
        const row = await store.db<{ archive_export_jobs: { job_id: string; cancel_requested: number } }>().selectFrom('archive_export_jobs').select('cancel_requested').where('job_id', '=', jobId).executeTakeFirst();
        return row?.cancel_requested === 1;
      }, 30_000);
    } finally {
      nodeA.kill('SIGCONT');
      await store.close();
    }
    const answer = await cancelled;
    expect(answer.status, JSON.stringify(answer.error)).toBe(200);
    expect(answer.data!.job.state).toBe('cancelled');
    expect((await jobOn(a(), jobId)).job.state).toBe('cancelled');
    expect(fs.readdirSync(path.join(cluster.shared, '.exports')).filter((f) => f.includes(packageId))).toEqual([]);
    const audit = readAudit();
    expect(audit.filter((e) => e.type === 'export-cancelled' && e.details?.packageId === packageId)).toHaveLength(1);
  }, 120_000);
});
