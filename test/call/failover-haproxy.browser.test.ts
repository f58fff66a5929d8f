// Node failover through a real load balancer (issue 10, item 4): Debian's HAProxy, configured by
// scripts/haproxy-conf.sh as docs/deployment.md documents it (health checks on /healthz, sticky
// socket.io sessions by cookie, redispatch), in front of two product nodes. The pages know only
// the entry URL. The node hosting a recorded three-party petition is SIGKILLed: all three pages
// are back in the call on the other node within 10 s with no user action, and the recording is one archive session with a `node-failed` gap that verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestHaproxy, type TestHaproxy } from '../../scripts/harness/haproxy.ts';
import { freePort, type ProductNode } from '../../scripts/harness/product-node.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import { callView, caseSessions, framesOnEveryPage, holdThreePartyPetition, segmentsArchived, sessionManifest, startCluster, type Cluster } from '../support/cluster-call.ts';
import { waitFor } from '../support/media.ts';

/** The call states a page went through since `since` (recorded in the page as they happen). */
const statesSince = (page: Page, since: number): Promise<string[]> =>
  page.evaluate((t) => ((window as unknown as { svStates: { at: number; s: string }[] }).svStates ?? []).filter((x) => x.at >= t).map((x) => x.s), since);

describe('SIGKILL of the node hosting a recorded three-party petition, behind HAProxy', () => {
  let cluster: Cluster;
  let lb: TestHaproxy;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let pages: Page[] = [];
  let caseId = '';
  let host: ProductNode;
  let survivor: ProductNode;

  beforeAll(async () => {
    const entryPort = await freePort();
    // Pages are served by the entry URL: the nodes allow its origin.
    cluster = await startCluster({ name: 'failover-lb', origins: [`http://127.0.0.1:${entryPort}`] });
    const [a, b] = cluster.nodes as [ProductNode, ProductNode];
    lb = await startTestHaproxy({ 'node-a': a.url, 'node-b': b.url }, { port: entryPort });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.cleanup();
    await lb?.stop();
    await cluster?.stop();
  });

  it('holds the petition with the pages opened at the entry URL', async () => {
    ({ caseId, pages } = await holdThreePartyPetition(cluster.nodes[0]!, browser, lb.url));
    // A page HAProxy placed on the node not hosting the room is sent to the host's own URL by its join.
    const origins = [lb.url, ...cluster.nodes.map((n) => n.url)];
    await waitFor(() => Promise.all(pages.map(callView)), (v) => v.every((x) => x.state === 'joined' && x.tracks >= 4 && origins.includes(x.node)), { what: 'three pages in the call', timeoutMs: 30_000 });
    for (const page of pages) {
      await page.evaluate(() => {
        const w = window as unknown as { svStates: { at: number; s: string }[]; callSession: { on(e: 'state', fn: (s: string) => void): unknown } };
        w.svStates = [];
        w.callSession.on('state', (s) => w.svStates.push({ at: Date.now(), s }));
      });
    }
    await framesOnEveryPage(pages);
    // The node that hosts the room (its worker has the router), wherever HAProxy placed the pages.
    const hosting = await Promise.all(cluster.nodes.map(async (n) => (await n.health()).workers.some((w) => w.routers > 0)));
    expect(hosting.filter(Boolean)).toHaveLength(1);
    host = cluster.nodes[hosting.indexOf(true)]!;
    survivor = cluster.nodes[hosting.indexOf(false)]!;
    await segmentsArchived(cluster.shared, caseId);
  });

  it('brings all three pages back in the call on the other node within 10 s, with no user action', async () => {
    const killedAt = Date.now();
    host.child.kill('SIGKILL');
    // Back: each page left the call (the socket dropped) and is in it again, all parties' tracks there.
    // Through the entry URL, or straight to the survivor: the client tries its own address (here
    // the entry URL) for 2 s, then the entry URL and the nodes its last join reply listed.
    const back = await waitFor(
      async () => {
        const views = await Promise.all(pages.map(callView));
        const states = await Promise.all(pages.map((p) => statesSince(p, killedAt)));
        const ok = views.every((v, i) => v.state === 'joined' && v.tracks >= 4 && [lb.url, survivor.url].includes(v.node) && states[i]!.includes('reconnecting') && states[i]!.at(-1) === 'joined');
        return { ok, views, states };
      },
      (v) => v.ok,
      { what: 'three pages back in the call', timeoutMs: 10_000 },
    ).then((v) => v.views);
    const after = Date.now() - killedAt;
    expect(back).toHaveLength(3);
    expect(after, `back after ${after} ms`).toBeLessThan(10_000);
    if (process.env.TEST_DUMP) console.log(`failover behind HAProxy: all three pages back in the call ${after} ms after the SIGKILL, signalling to ${back!.map((v) => v.node).join(', ')} (entry ${lb.url}, survivor ${survivor.url})`);
    await framesOnEveryPage(pages);
    // The room lives on the survivor now.
    expect((await survivor.health()).workers.some((w) => w.routers > 0)).toBe(true);
  });

  it('records on in the same archive session with a node-failed gap on every lane, and verifies once the call ends', async () => {
    const m = await waitFor(async () => sessionManifest(cluster.shared, caseId), (x) => !!x && x.timeline.some((e) => e.type === 'node-failed'), { what: 'the session continued on the survivor', timeoutMs: 15_000 });
    expect(caseSessions(cluster.shared, caseId).map((x) => x.sessionId)).toEqual([m!.sessionId]);
    for (const p of m!.participants) expect(p.gaps.some((g) => g.reason === 'node-failed'), `${p.name}: ${JSON.stringify(p.gaps)}`).toBe(true);
    const failedAt = Date.parse(m!.timeline.find((e) => e.type === 'node-failed')!.at);
    await waitFor(async () => sessionManifest(cluster.shared, caseId), (x) => !!x && x.participants.every((p) => p.tracks.some((t) => t.segments.some((s) => Date.parse(s.firstPacketAt) > failedAt))), {
      what: 'segments recorded on the survivor',
      timeoutMs: 20_000,
    });

    for (const page of pages) await page.close();
    await survivor.stop('SIGTERM');
    const report = await verifyArchive(cluster.shared);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(caseSessions(cluster.shared, caseId)[0]!.status).toBe('stopped');
  });
});
