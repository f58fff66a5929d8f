// npm run bench:terminals [-- --sizes 500,1000,4000 --runs 3 --claims 3 --idle-seconds 10]
//
// N petition terminals as socket.io clients on the real `/live` path of one product node
// (scripts/harness/product-node.ts, its own process and Redis). Each run:
//   1. starts N petitions at once over HTTP (`POST /api/petition/cases`, one terminal token each;
//      all from 砀山县 village terminals, so all N wait in one queue: the worst case for pushes),
//   2. connects N `/live` sockets, each watching its case (connect + watch time),
//   3. measures the node's CPU and RSS while the N terminals sit idle,
//   4. has officials claim the head of the queue `--claims` times; for every claim, the time from
//      the claim's answer to each waiting terminal receiving its new place (p50/p95), and counts
//      terminals that never got it,
//   5. counts sockets that dropped.
// The seed has 88 Dangshan terminals; N > 88 reuses them (each socket is its own terminal
// connection either way). Figures are medians over runs; ratios against the first size.
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import os from 'node:os';
import { io, type Socket } from 'socket.io-client';
import { startProductNode, type ProductNode } from '../harness/product-node.ts';

const argv = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const clampInt = (v: string | undefined, dflt: number, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : dflt;
};
const SIZES = (argv('sizes') ?? '500,1000,4000').split(',').map((s) => clampInt(s, 500, 10_000));
const RUNS = clampInt(argv('runs'), 3, 20);
const CLAIMS = clampInt(argv('claims'), 3, 20);
const IDLE_SECONDS = clampInt(argv('idle-seconds'), 10, 120);
const COUNTY = '341321';
const START_CONCURRENCY = 500;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const median = (xs: number[]) => pct(xs, 50);

interface RunResult {
  startP50: number;
  startP99: number;
  connectMs: number;
  idleCpuPct: number;
  rssMb: number;
  pushP50: number;
  pushP95: number;
  missed: number;
  drops: number;
}

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (clock ticks; 100 Hz here)
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function api<T>(node: ProductNode, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${node.url}/api/petition${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as { ok: boolean; data?: T; error?: unknown };
  if (!json.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.error)}`);
  return json.data as T;
}

async function inBatches<T, R>(items: T[], size: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((t, j) => fn(t, i + j)))));
  return out;
}

async function run(n: number): Promise<RunResult> {
  const node = await startProductNode();
  const pid = node.child.pid!;
  const sockets: Socket[] = [];
  try {
    const coordinator = await node.token({ sub: 'bench-coordinator', role: 'coordinator', rooms: [] });
    const groups = await api<{ regionCode: string; offlineIds: string[] }[]>(node, coordinator, 'GET', '/terminals');
    const terminals = groups.find((g) => g.regionCode === COUNTY)!.offlineIds.filter((id) => id.length > 7);
    const tokens = new Map<string, string>();
    for (const id of terminals) tokens.set(id, await node.token({ sub: `device-${id}`, role: 'terminal', rooms: [], attributes: { terminalId: id } }));
    const terminalOf = (i: number) => terminals[i % terminals.length]!;

    // 1. N petitions at once (bounded only by START_CONCURRENCY in flight).
    const startMs: number[] = [];
    const cases = await inBatches([...Array(n).keys()], START_CONCURRENCY, async (i) => {
      const id = terminalOf(i);
      const t0 = performance.now();
      const started = await api<{ case: { id: string } }>(node, tokens.get(id)!, 'POST', '/cases', { terminalId: id, category: 'wages' });
      startMs.push(performance.now() - t0);
      return started.case.id;
    });

    // 2. N terminals connect and watch their case.
    const told = new Map<string, { position: number | null; at: number }>();
    let drops = 0;
    const c0 = performance.now();
    await inBatches(cases, 200, async (caseId, i) => {
      const s = io(`${node.url}/live`, { auth: { token: tokens.get(terminalOf(i)) }, transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      s.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') drops++;
      });
      s.on('petition:wait', (w: { caseId: string; position: number | null }) => {
        if (w.caseId === caseId) told.set(caseId, { position: w.position, at: performance.now() });
      });
      const ack = (await s.timeout(30_000).emitWithAck('watchCase', { caseId })) as { ok: boolean };
      if (!ack.ok) throw new Error(`watchCase refused for ${caseId}`);
    });
    const connectMs = performance.now() - c0;

    // 3. Idle: nothing happens but socket.io's pings.
    await new Promise((r) => setTimeout(r, 2000));
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idleCpuPct = (100 * (cpuSeconds(pid) - cpu0)) / ((performance.now() - t0) / 1000);
    const rss = rssMb(pid);

    // 4. Claims at the head of the queue; each waiting terminal must be told its new place.
    const pushMs: number[] = [];
    let missed = 0;
    const officials = [1, 2, 3].map((k) => `O${COUNTY}-rs-${k}`);
    const officialTokens = await Promise.all(officials.map((sub) => node.token({ sub, role: 'official', rooms: [] })));
    for (const t of officialTokens) await api(node, t, 'POST', '/presence', { status: 'available' });
    for (let k = 0; k < Math.min(CLAIMS, n - 1); k++) {
      const official = officialTokens[k % officialTokens.length]!;
      if (k >= officialTokens.length) throw new Error('more claims than officials with a free session');
      await api(node, official, 'POST', '/claims', {});
      const answered = performance.now();
      // Case k+j (j ≥ 1) waits at place j now.
      const waiting = cases.slice(k + 1);
      const deadline = answered + 30_000;
      while (performance.now() < deadline && waiting.some((c, j) => told.get(c)?.position !== j + 1)) await new Promise((r) => setTimeout(r, 5));
      for (const [j, c] of waiting.entries()) {
        const w = told.get(c);
        if (w?.position === j + 1) pushMs.push(Math.max(0, w.at - answered));
        else missed++;
      }
    }
    return { startP50: median(startMs), startP99: pct(startMs, 99), connectMs, idleCpuPct, rssMb: rss, pushP50: median(pushMs), pushP95: pct(pushMs, 95), missed, drops };
  } finally {
    for (const s of sockets) s.disconnect();
    await node.stop();
  }
}

const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log(`# bench:terminals — ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${fs.readFileSync('/proc/loadavg', 'utf8').trim()} (load at start)`);
console.log(`runs ${RUNS}, claims ${CLAIMS} per run, idle window ${IDLE_SECONDS} s; medians over runs\n`);
console.log('| terminals | start p50 / p99 ms | connect+watch all ms | server idle CPU % | server RSS MB | push p50 / p95 ms | missed pushes | drops | idle CPU × | push p95 × |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
let base: { cpu: number; p95: number } | undefined;
for (const n of SIZES) {
  const runs: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await run(n));
  const m = (k: keyof RunResult) => median(runs.map((x) => x[k]));
  const row = { cpu: m('idleCpuPct'), p95: m('pushP95') };
  base ??= row;
  console.log(
    `| ${n} | ${f(m('startP50'))} / ${f(m('startP99'))} | ${f(m('connectMs'))} | ${f(row.cpu, 1)} | ${f(m('rssMb'))} | ${f(m('pushP50'))} / ${f(row.p95)} | ${m('missed')} | ${m('drops')} | ${f(row.cpu / base.cpu, 2)} | ${f(row.p95 / base.p95, 2)} |`,
  );
}
console.log(`\nload at end: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
