// The recordings disk fills up (issue 10, item 5): RECORDINGS_DIR on a small tmpfs the test
// mounts. The node stays up, /healthz says degraded and the metric raises the alarm, no new
// recording starts, what was archived before verifies, a restart on the full disk succeeds, and
// the alarm clears once space is back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import type { HealthReport } from '../../server/protocol/http/ops.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { recordPetitionSession } from '../support/recorded-session.ts';
import { waitFor } from '../support/media.ts';

// The detail of /healthz and /metrics are on the internal listener (the public one says `{ ok }`).
const health = async (node: TestPlatform) => ((await (await fetch(`${node.internalUrl}/healthz`)).json()) as { ok: boolean; data: HealthReport }).data;

describe('the recordings disk full', () => {
  let mount: string;
  let filler: string;
  let node: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const env = () => ({ RECORDINGS_DIR: mount, RECORDINGS_MIN_FREE_MB: '4' });

  beforeAll(async () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-full-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
    filler = path.join(mount, 'filler.bin');
    node = await startTestPlatform(env(), { recordingSegmentSeconds: 2 });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.cleanup();
    await node?.close();
    if (mount) {
      execFileSync('umount', ['-l', mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  it('stops new recordings with an alarm, keeps the node up and what was archived valid, restarts, and clears once space is back', async () => {
    const before = await recordPetitionSession(node, browser, { segmentsPerTrack: 1 });
    // (The node may already be degraded for other reasons, e.g. no TSA configured here.)
    expect((await health(node)).storage).toEqual([]);

    // Fill the disk to the last byte.
    const fd = fs.openSync(filler, 'w');
    const chunk = Buffer.alloc(1 << 20, 0x5a);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }

    const degraded = await waitFor(() => health(node), (h) => h.status === 'degraded' && h.storage.length > 0, { what: '/healthz degraded', timeoutMs: 15_000 });
    expect(degraded.storage).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'disk-low', area: 'archive' })]));
    const res = await fetch(`${node.url}/healthz`);
    expect(res.status).toBe(200); // calls still work: the node stays in the load balancer's pool
    expect(await res.json()).toEqual({ ok: true });
    const metrics = await (await fetch(`${node.internalUrl}/metrics`)).text();
    expect(metrics).toMatch(/sv_recordings_storage_alarm\{kind="disk-low",area="archive"\} 1/);
    expect(node.services.archive.storage.acceptsRecordings).toBe(false);
    // The coordinator's and archivist's banner reads it from archive.status.
    const coordinator = node.token('coord-1', 'coordinator', { rooms: [] });
    const status = (await (await fetch(`${node.url}/api/archive/status`, { headers: { authorization: `Bearer ${coordinator}` } })).json()) as { data: { storage: { kind: string }[] } };
    expect(status.data.storage.map((a) => a.kind)).toContain('disk-low');

    // What was archived before is intact.
    const report = await verifyArchive(mount);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.sessionsChecked).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(mount, before.sessionId, 'manifest.json'))).toBe(true);

    // A restart on the full disk succeeds, and raises the alarm again at once.
    const dataDir = node.dataDir;
    await node.close();
    // The same node again: its DATA_DIR (keys, spool) as before.
    node = await startTestPlatform({ ...env(), DATA_DIR: dataDir }, { recordingSegmentSeconds: 2 });
    expect((await health(node)).storage.length).toBeGreaterThan(0);

    fs.rmSync(filler);
    await waitFor(() => health(node), (h) => h.storage.length === 0 && !h.degraded.some((d) => d.component.startsWith('recordings-')), { what: 'the alarm cleared', timeoutMs: 15_000 });
    expect(node.services.archive.storage.acceptsRecordings).toBe(true);
    expect((await verifyArchive(mount)).ok).toBe(true);
  });
});
