// Node failover and graceful restart (issue 10, items 4, 7, 8): two product nodes as their own
// processes — separate DATA_DIRs, one PostgreSQL, one Redis, one shared RECORDINGS_DIR. A
// recorded three-party petition runs on node A; A is SIGKILLed and every page is back in the
// call on node B by itself, A's children died with it, and the recording goes on in the same
// archive session with a node-failed gap. Then B is stopped with SIGTERM during the call: it
// exits within 10 s, and once it is back the pages resume the call by themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startProductNode, type ProductNode } from '../../scripts/harness/product-node.ts';
import { readManifest } from '../../recordings/manifest.ts';
import { verifyArchive } from '../../recordings/verify.ts';
import type { Manifest } from '../../server/protocol/http/archive-shapes.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startRedisProcess, type RedisProcess } from '../support/redis-process.ts';
import { remoteMedia, waitFor } from '../support/media.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇, first village (seed)

interface CallView {
  state: string;
  tracks: number;
  node: string;
  status: string;
}

const callView = (page: Page): Promise<CallView> =>
  page.evaluate(() => {
    const s = (window as unknown as { callSession: { state: string; remote: Map<string, unknown>; signalling: { url: string } } }).callSession;
    return { state: s.state, tracks: s.remote.size, node: new URL(s.signalling.url, location.href).origin, status: document.querySelector('.call-status')?.textContent ?? '' };
  });

/** Alive and not a zombie waiting for its reaper. */
function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('SIGKILL of the node hosting a recorded three-party petition, then SIGTERM of the other', () => {
  let redis: RedisProcess;
  let shared: string;
  let env: Record<string, string>;
  let a: ProductNode;
  let b: ProductNode;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let pages: Page[] = [];
  let caseId = '';
  /** Every status line the pages showed, sampled through the test. */
  const shown = new Set<string>();
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    redis = await startRedisProcess();
    shared = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-failover-archive-'));
    env = {
      REDIS_URL: redis.url,
      DATABASE_URL: await createTestDatabase('failover'),
      RECORDINGS_DIR: shared,
      RECORDINGS_MIN_FREE_MB: '0',
      RECORDING_SEGMENT_SECONDS: '2',
      JWT_SECRET: 'failover-test-secret-shared-by-both-nodes',
      MEDIASOUP_WORKERS: '1',
    };
    const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sv-failover-node-'));
    a = await startProductNode({ ...env, NODE_ID: 'node-a', DATA_DIR: dataDir() });
    b = await startProductNode({ ...env, NODE_ID: 'node-b', DATA_DIR: dataDir() });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    clearInterval(sampler);
    await browser?.cleanup();
    await Promise.all([a?.stop('SIGKILL'), b?.stop()]);
    await redis?.stop();
    for (const dir of [shared, a?.dataDir, b?.dataDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const sessionManifest = (): Manifest | undefined => {
    for (const dir of fs.readdirSync(shared)) {
      if (!fs.existsSync(path.join(shared, dir, 'manifest.json'))) continue;
      const m = readManifest(path.join(shared, dir));
      if (m.caseInfo.caseNumber === caseId) return m;
    }
    return undefined;
  };
  const allInCall = async (node: string, tracks: number) => {
    const views = await Promise.all(pages.map(callView));
    return views.every((v) => v.state === 'joined' && v.node === node && v.tracks >= tracks) ? views : undefined;
  };
  const framesOnEveryPage = async () => {
    for (const page of pages) await waitFor(() => remoteMedia(page), (m) => Object.keys(m.byPeer).length >= 2 && Object.values(m.byPeer).every((p) => p.framesDecoded > 0), { what: 'frames from both other parties', timeoutMs: 15_000 });
  };

  it('holds a recorded three-party petition on node A', async () => {
    const terminalToken = await a.token({ sub: `kiosk-${TERMINAL}`, role: 'terminal', rooms: [], attributes: { terminalId: TERMINAL } });
    const res = await fetch(`${a.url}/api/petition/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${terminalToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' }),
    });
    const started = ((await res.json()) as { data: { case: { id: string }; roomId: string; token: string } }).data;
    caseId = started.case.id;
    // The lead official takes the case and invites 住建局, whose official accepts: three parties.
    const api = async <T>(token: string, p: string, body: unknown = {}): Promise<T> => {
      const r = await fetch(`${a.url}/api/petition${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const j = (await r.json()) as { ok: boolean; data: T; error?: unknown };
      if (!j.ok) throw new Error(`${p}: ${JSON.stringify(j.error)}`);
      return j.data;
    };
    const lead = await a.token({ sub: 'O341321-rs-1', role: 'official', rooms: [] });
    const invitee = await a.token({ sub: 'O341321-zj-1', role: 'official', rooms: [] });
    await api(lead, '/presence', { status: 'available' });
    const assignment = await api<{ case: { id: string }; token: string }>(lead, '/claims');
    expect(assignment.case.id).toBe(caseId);
    const ticket = await api<{ id: string }>(lead, `/cases/${caseId}/invite`, { departmentId: '341321-zj' });
    await api(invitee, '/presence', { status: 'available' });
    const joined = await api<{ token: string }>(invitee, `/tickets/${ticket.id}/accept`);
    const tokens = [started.token, assignment.token, joined.token];
    pages = await Promise.all(
      tokens.map(async (token) => {
        const page = await browser.newPage();
        await page.goto(`${a.url}/call.html?room=${encodeURIComponent(started.roomId)}&token=${encodeURIComponent(token)}`);
        return page;
      }),
    );
    sampler = setInterval(() => {
      for (const page of pages) void callView(page).then((v) => shown.add(v.status), () => undefined);
    }, 200);
    await waitFor(() => allInCall(a.url, 4), (v) => !!v, { what: 'three pages in the call on node A', timeoutMs: 30_000 });
    await framesOnEveryPage();
    // Some media archived from A before it dies: a finished segment on every track.
    await waitFor(async () => sessionManifest(), (m) => !!m && m.participants.length === 3 && m.participants.every((p) => p.tracks.length >= 2 && p.tracks.every((t) => t.segments.length >= 1)), {
      what: 'a finished segment of every track in the shared archive',
      timeoutMs: 30_000,
    });
  });

  it('brings all three pages back in the call on node B within 10 s of A\'s SIGKILL, with no user action, and A\'s children die with it', async () => {
    const health = (await (await fetch(`${a.url}/healthz`)).json()) as { data: { workers: { pid: number }[]; nodes: { url: string }[] } };
    expect(health.data.nodes.map((n) => n.url).sort()).toEqual([a.url, b.url].sort());
    const workerPids = health.data.workers.map((w) => w.pid);
    expect(workerPids.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    const back = await waitFor(() => allInCall(b.url, 4), (v) => !!v, { what: 'three pages in the call on node B', timeoutMs: 10_000 });
    const after = Date.now() - killedAt;
    expect(back).toHaveLength(3);
    expect(after, `back on B after ${after} ms`).toBeLessThan(10_000);
    if (process.env.TEST_DUMP) console.log(`failover: all three pages back in the call on B ${after} ms after A's SIGKILL`);
    await framesOnEveryPage();
    // The kernel killed A's mediasoup worker (and recording ffmpegs) with A: nothing writes on.
    await waitFor(async () => workerPids.filter(processAlive), (alive) => alive.length === 0, { what: 'A\'s workers gone', timeoutMs: 5_000 });
  });

  it('continues the recording in the same archive session, with a node-failed gap on every lane', async () => {
    const m = await waitFor(async () => sessionManifest(), (x) => !!x && x.timeline.some((e) => e.type === 'node-failed'), { what: 'the session continued on B', timeoutMs: 15_000 });
    const sessions = fs.readdirSync(shared).filter((d) => fs.existsSync(path.join(shared, d, 'manifest.json')) && readManifest(path.join(shared, d)).caseInfo.caseNumber === caseId);
    expect(sessions).toEqual([m!.sessionId]);
    for (const p of m!.participants) expect(p.gaps.some((g) => g.reason === 'node-failed'), `${p.name}: ${JSON.stringify(p.gaps)}`).toBe(true);
    // B archives new media of the same session.
    await waitFor(async () => sessionManifest(), (x) => !!x && x.participants.every((p) => p.tracks.some((t) => t.runs.length > 0 && t.segments.some((s) => Date.parse(s.firstPacketAt) > Date.parse(m!.timeline.find((e) => e.type === 'node-failed')!.at)))), {
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
    b = await startProductNode({ ...env, NODE_ID: 'node-b', DATA_DIR: b.dataDir, PORT: new URL(b.url).port });
    await waitFor(() => allInCall(b.url, 4), (v) => !!v, { what: 'three pages back in the call after the restart', timeoutMs: 20_000 });
    await framesOnEveryPage();
    // What the users saw: the call, "reconnecting", never a raw error.
    expect([...shown].filter((s) => s && !/已接通|正在重新连接|正在连接/.test(s))).toEqual([]);
    expect([...shown].some((s) => s.includes('正在重新连接'))).toBe(true);
  });

  it('leaves an archive that verifies once the calls end', async () => {
    for (const page of pages) await page.close();
    await b.stop('SIGTERM');
    const report = await verifyArchive(shared);
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
