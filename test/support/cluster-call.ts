// A two-node cluster as the failover tests run it — product nodes as their own processes with
// separate DATA_DIRs, one PostgreSQL, one Redis, one shared RECORDINGS_DIR — and a recorded
// three-party petition (terminal, lead official, invited official) held in Chromium pages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort, startProductNode, type ProductNode } from '../../scripts/harness/product-node.ts';
import { readManifest } from '../../recordings/manifest.ts';
import type { Manifest } from '../../server/protocol/http/archive-shapes.ts';
import { createTestDatabase } from './postgres.ts';
import { startRedisProcess, type RedisProcess } from './redis-process.ts';
import { remoteMedia, waitFor } from './media.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇, first village (seed)

export interface Cluster {
  redis: RedisProcess;
  /** The shared RECORDINGS_DIR. */
  shared: string;
  /** What every node is started with (a restart passes it again). */
  env: Record<string, string>;
  nodes: ProductNode[];
  /** Starts node `i` again: same NODE_ID, port and data dir. */
  restart(i: number): Promise<ProductNode>;
  stop(): Promise<void>;
}

/**
 * `origins`: further origins pages may be served from (a load balancer's entry URL); the nodes'
 * own are allowed too, since a page served by one node talks to another after a failover.
 * `env`: further settings for both nodes.
 */
export async function startCluster(o: { name: string; origins?: string[]; env?: Record<string, string> }): Promise<Cluster> {
  const redis = await startRedisProcess();
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), `sv-${o.name}-archive-`));
  const ports = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    DATABASE_URL: await createTestDatabase(o.name),
    RECORDINGS_DIR: shared,
    RECORDINGS_MIN_FREE_MB: '0',
    RECORDING_SEGMENT_SECONDS: '2',
    JWT_SECRET: `${o.name}-test-secret-shared-by-both-nodes`,
    MEDIASOUP_WORKERS: '1',
    ALLOWED_ORIGINS: [...(o.origins ?? []), ...ports.map((p) => `http://127.0.0.1:${p}`)].join(','),
    ...o.env,
  };
  const ids = ['node-a', 'node-b'];
  const dataDirs = ids.map(() => fs.mkdtempSync(path.join(os.tmpdir(), `sv-${o.name}-node-`)));
  const start = (i: number) => startProductNode({ ...env, NODE_ID: ids[i]!, DATA_DIR: dataDirs[i]!, PORT: String(ports[i]) });
  const nodes: ProductNode[] = [];
  try {
    for (const i of [0, 1]) nodes.push(await start(i));
  } catch (err) {
    // A node that could not start must not leave the other (or the Redis) running past the test.
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    await redis.stop();
    throw err;
  }
  return {
    redis,
    shared,
    env,
    nodes,
    async restart(i) {
      nodes[i] = await start(i);
      return nodes[i]!;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
      await redis.stop();
      for (const dir of [shared, ...dataDirs]) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CallView {
  state: string;
  tracks: number;
  /** The origin the page's signalling is connected to. */
  node: string;
  status: string;
}

export const callView = (page: Page): Promise<CallView> =>
  page.evaluate(() => {
    const s = (window as unknown as { callSession: { state: string; remote: Map<string, unknown>; signalling: { url: string } } }).callSession;
    return { state: s.state, tracks: s.remote.size, node: new URL(s.signalling.url, location.href).origin, status: document.querySelector('.call-status')?.textContent ?? '' };
  });

/** Every page joined through `origin` with at least `tracks` remote tracks; undefined until then. */
export async function allInCall(pages: Page[], origin: string, tracks: number): Promise<CallView[] | undefined> {
  const views = await Promise.all(pages.map(callView));
  return views.every((v) => v.state === 'joined' && v.node === origin && v.tracks >= tracks) ? views : undefined;
}

export async function framesOnEveryPage(pages: Page[]): Promise<void> {
  for (const page of pages) {
    await waitFor(() => remoteMedia(page), (m) => Object.keys(m.byPeer).length >= 2 && Object.values(m.byPeer).every((p) => p.framesDecoded > 0), { what: 'frames from both other parties', timeoutMs: 15_000 });
  }
}

/** Alive and not a zombie waiting for its reaper. */
export function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The manifest of the case's session in the shared archive (one session is expected). */
export function sessionManifest(shared: string, caseId: string): Manifest | undefined {
  return caseSessions(shared, caseId)[0];
}

export function caseSessions(shared: string, caseId: string): Manifest[] {
  return fs
    .readdirSync(shared)
    .filter((d) => fs.existsSync(path.join(shared, d, 'manifest.json')))
    .map((d) => readManifest(path.join(shared, d)))
    .filter((m) => m.caseInfo.caseNumber === caseId);
}

/**
 * Starts a petition at the terminal through `api` (a node's URL), has the lead official take it
 * and invite 住建局, whose official accepts, and opens the three call pages at `pagesAt` (a node
 * or the load balancer): three parties in one recorded session.
 */
export async function holdThreePartyPetition(node: ProductNode, browser: BrowserContext, pagesAt: string): Promise<{ caseId: string; pages: Page[] }> {
  const terminalToken = await node.token({ sub: `kiosk-${TERMINAL}`, role: 'terminal', rooms: [], attributes: { terminalId: TERMINAL } });
  const res = await fetch(`${node.url}/api/petition/cases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${terminalToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' }),
  });
  const started = ((await res.json()) as { data: { case: { id: string }; roomId: string; token: string } }).data;
  const api = async <T>(token: string, p: string, body: unknown = {}): Promise<T> => {
    const r = await fetch(`${node.url}/api/petition${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const j = (await r.json()) as { ok: boolean; data: T; error?: unknown };
    if (!j.ok) throw new Error(`${p}: ${JSON.stringify(j.error)}`);
    return j.data;
  };
  const lead = await node.token({ sub: 'O341321-rs-1', role: 'official', rooms: [] });
  const invitee = await node.token({ sub: 'O341321-zj-1', role: 'official', rooms: [] });
  await api(lead, '/presence', { status: 'available' });
  const assignment = await api<{ case: { id: string }; token: string }>(lead, '/claims');
  if (assignment.case.id !== started.case.id) throw new Error(`the lead was given ${assignment.case.id}, not ${started.case.id}`);
  const ticket = await api<{ id: string }>(lead, `/cases/${started.case.id}/invite`, { departmentId: '341321-zj' });
  await api(invitee, '/presence', { status: 'available' });
  const joined = await api<{ token: string }>(invitee, `/tickets/${ticket.id}/accept`);
  const pages: Page[] = [];
  // One after the other: behind a load balancer the first page's sticky cookie places the rest.
  for (const token of [started.token, assignment.token, joined.token]) {
    const page = await browser.newPage();
    await page.goto(`${pagesAt}/call.html?room=${encodeURIComponent(started.roomId)}&token=${encodeURIComponent(token)}`);
    pages.push(page);
  }
  return { caseId: started.case.id, pages };
}

/** Waits until every track of the case's session has a finished segment in the shared archive. */
export async function segmentsArchived(shared: string, caseId: string): Promise<void> {
  await waitFor(async () => sessionManifest(shared, caseId), (m) => !!m && m.participants.length === 3 && m.participants.every((p) => p.tracks.length >= 2 && p.tracks.every((t) => t.segments.length >= 1)), {
    what: 'a finished segment of every track in the shared archive',
    timeoutMs: 30_000,
  });
}
