// Node failover and graceful restart (issue 10, items 4, 7, 8): two product nodes as their own
// processes — separate DATA_DIRs, one PostgreSQL, one Redis, one shared RECORDINGS_DIR. A
// recorded three-party petition runs on node A; A is SIGKILLed and every page is back in the
// call on node B by itself, A's children died with it, and the recording goes on in the same
// archive session with a node-failed gap. Then B is stopped with SIGTERM during the call: it
// exits within 10 s, and once it is back the pages resume the call by themselves. The pages are
// opened on A only: they know B from the node list of their join reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { ProductNode } from '../../scripts/harness/product-node.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import { allInCall, callView, caseSessions, framesOnEveryPage, holdThreePartyPetition, processAlive, segmentsArchived, sessionManifest, startCluster, type Cluster } from '../support/cluster-call.ts';
import { waitFor } from '../support/media.ts';

describe('SIGKILL of the node hosting a recorded three-party petition, then SIGTERM of the other', () => {
  let cluster: Cluster;
  let a: ProductNode;
  let b: ProductNode;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let pages: Page[] = [];
  let caseId = '';
  /** Every status line the pages showed, sampled through the test. */
  const shown = new Set<string>();
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    cluster = await startCluster({ name: 'failover' });
    [a, b] = cluster.nodes as [ProductNode, ProductNode];
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    clearInterval(sampler);
    await browser?.cleanup();
    await cluster?.stop();
  });

  it('holds a recorded three-party petition on node A', async () => {
    ({ caseId, pages } = await holdThreePartyPetition(a, browser, a.url));
    sampler = setInterval(() => {
      for (const page of pages) void callView(page).then((v) => shown.add(v.status), () => undefined);
    }, 200);
    await waitFor(() => allInCall(pages, a.url, 4), (v) => !!v, { what: 'three pages in the call on node A', timeoutMs: 30_000 });
    await framesOnEveryPage(pages);
    // Some media archived from A before it dies: a finished segment on every track.
    await segmentsArchived(cluster.shared, caseId);
  });

  it('brings all three pages back in the call on node B within 10 s of A\'s SIGKILL, with no user action, and A\'s children die with it', async () => {
    // The public /healthz says only whether A is up; the pages learnt B from their join reply.
    expect(await (await fetch(`${a.url}/healthz`)).json()).toEqual({ ok: true });
    const health = await a.health();
    expect(health.nodes.map((n) => n.url).sort()).toEqual([a.url, b.url].sort());
    const workerPids = health.workers.map((w) => w.pid);
    expect(workerPids.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    const back = await waitFor(() => allInCall(pages, b.url, 4), (v) => !!v, { what: 'three pages in the call on node B', timeoutMs: 10_000 });
    const after = Date.now() - killedAt;
    expect(back).toHaveLength(3);
    expect(after, `back on B after ${after} ms`).toBeLessThan(10_000);
    if (process.env.TEST_DUMP) console.log(`failover: all three pages back in the call on B ${after} ms after A's SIGKILL`);
    await framesOnEveryPage(pages);
    // The kernel killed A's mediasoup worker (and recording ffmpegs) with A: nothing writes on.
    await waitFor(async () => workerPids.filter(processAlive), (alive) => alive.length === 0, { what: 'A\'s workers gone', timeoutMs: 5_000 });
  });

  it('continues the recording in the same archive session, with a node-failed gap on every lane', async () => {
    const m = await waitFor(async () => sessionManifest(cluster.shared, caseId), (x) => !!x && x.timeline.some((e) => e.type === 'node-failed'), { what: 'the session continued on B', timeoutMs: 15_000 });
    expect(caseSessions(cluster.shared, caseId).map((x) => x.sessionId)).toEqual([m!.sessionId]);
    for (const p of m!.participants) expect(p.gaps.some((g) => g.reason === 'node-failed'), `${p.name}: ${JSON.stringify(p.gaps)}`).toBe(true);
    // B archives new media of the same session.
    await waitFor(async () => sessionManifest(cluster.shared, caseId), (x) => !!x && x.participants.every((p) => p.tracks.some((t) => t.runs.length > 0 && t.segments.some((s) => Date.parse(s.firstPacketAt) > Date.parse(m!.timeline.find((e) => e.type === 'node-failed')!.at)))), {
      what: 'segments recorded on B',
      timeoutMs: 20_000,
    });
  });

  it('stops node B within 10 s on SIGTERM during the call, and the pages resume the call by themselves once it is back', async () => {
    const termAt = Date.now();
    await b.stop('SIGTERM');
    expect(Date.now() - termAt).toBeLessThan(10_000);
    await waitFor(() => Promise.all(pages.map(callView)), (v) => v.every((x) => x.state === 'reconnecting'), { what: 'pages reconnecting', timeoutMs: 5_000 });

    // The same node again: same port, same data dir.
    b = await cluster.restart(1);
    await waitFor(() => allInCall(pages, b.url, 4), (v) => !!v, { what: 'three pages back in the call after the restart', timeoutMs: 20_000 });
    await framesOnEveryPage(pages);
    // What the users saw: the call, "reconnecting", never a raw error.
    expect([...shown].filter((s) => s && !/已接通|正在重新连接|正在连接/.test(s))).toEqual([]);
    expect([...shown].some((s) => s.includes('正在重新连接'))).toBe(true);
  });

  it('leaves an archive that verifies once the calls end', async () => {
    for (const page of pages) await page.close();
    await b.stop('SIGTERM');
    const report = await verifyArchive(cluster.shared);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
