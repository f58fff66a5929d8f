// npm run bench:terminals [-- --sizes 500,1000,4000 --runs 3 --claims 3 --idle-seconds 10 --cpu-prof DIR --port P]
//
// N petition terminals as socket.io clients on the real `/live` path of one product node
// (scripts/harness/product-node.ts, its own process and Redis). Each run:
//   1. starts N petitions at once over HTTP (`POST /api/petition/cases`, one terminal token each;
//      all from 砀山县 village terminals, so all N wait in one queue: the worst case for pushes),
//   2. connects N `/live` sockets, each watching its case (connect + watch time),
//   3. measures the node's CPU and RSS while the N terminals sit idle,
//   4. has officials claim the head of the queue `--claims` times; for every claim, the time from
//      the claim's answer to each waiting terminal receiving its new place (the place it was told
//      before, minus one) (p50/p95), and counts terminals that never got it (or had no place),
//   5. counts sockets that dropped.
// One open petition per terminal: each run seeds its own N terminals (scripts/bench/seed-terminals.ts)
// into the node's data directory before the node starts, so the N cases are distinct. Figures are
// medians over runs; ratios against the baseline size (`--baseline`, default 100), measured first
// in the same process, so a loaded machine shows in both.
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import os from 'node:os';
import { io, type Socket } from 'socket.io-client';
import path from 'node:path';
import { startProductNode, type ProductNode } from '../harness/product-node.ts';
import { seedBenchTerminals } from './seed-terminals.ts';

const argv = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const clampInt = (v: string | undefined, dflt: number, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : dflt;
};
const BASELINE = clampInt(argv('baseline'), 100, 10_000);
const SIZES = [...new Set([BASELINE, ...(argv('sizes') ?? '500,1000,4000').split(',').map((s) => clampInt(s, 500, 10_000))])];
const RUNS = clampInt(argv('runs'), 3, 20);
const CLAIMS = clampInt(argv('claims'), 3, 20);
const IDLE_SECONDS = clampInt(argv('idle-seconds'), 10, 120);
// --cpu-prof DIR: each node writes a V8 CPU profile there on exit; --port P: the node listens on P.
const CPU_PROF = argv('cpu-prof');
const PORT = argv('port');
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
  connectErrors: number;
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
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-terminals-'));
  const terminals = (await seedBenchTerminals(path.join(dataDir, 'app.db'), n, [COUNTY])).map((t) => t.id);
  // All N terminals come from 127.0.0.1 here (from N addresses in the field): lift the per-IP
  // limit only; the per-identity limits stay as deployed.
  const node = await startProductNode(
    { DATA_DIR: dataDir, RATE_LIMIT_IP: '10000000', ...(PORT ? { PORT } : {}) },
    CPU_PROF ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF)] } : {},
  );
  const pid = node.child.pid!;
  const sockets: Socket[] = [];
  try {
    const tokens = new Map<string, string>();
    await inBatches(terminals, 50, async (id) => tokens.set(id, await node.token({ sub: `device-${id}`, role: 'terminal', rooms: [], attributes: { terminalId: id } })));
    const terminalOf = (i: number) => terminals[i]!;

    // 1. N petitions at once (bounded only by START_CONCURRENCY in flight).
    const startMs: number[] = [];
    // The place each start answered: what the terminal shows until its first push.
    const startPlace = new Map<string, number | null>();
    const cases = await inBatches([...Array(n).keys()], START_CONCURRENCY, async (i) => {
      const id = terminalOf(i);
      const t0 = performance.now();
      const started = await api<{ case: { id: string }; wait: { position: number | null } }>(node, tokens.get(id)!, 'POST', '/cases', { terminalId: id, category: 'wages' });
      startMs.push(performance.now() - t0);
      startPlace.set(started.case.id, started.wait.position);
      return started.case.id;
    });
    if (new Set(cases).size !== n) throw new Error(`${n} starts gave ${new Set(cases).size} distinct cases`);

    // 2. N terminals connect and watch their case.
    const told = new Map<string, { position: number | null; at: number }>();
    // The places the current claim must tell (the place before, minus one): each push that tells
    // one counts down, so the bench is not polling thousands of entries while the pushes arrive.
    let round: { want: Map<string, number>; done: () => void } | undefined;
    let drops = 0;
    // A terminal that cannot connect (in 60 s) is counted, and left out of the push figures.
    const unconnected = new Set<string>();
    const c0 = performance.now();
    await inBatches(cases, 200, async (caseId, i) => {
      const s = io(`${node.url}/live`, { auth: { token: tokens.get(terminalOf(i)) }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
      sockets.push(s);
      const connected = await new Promise<boolean>((resolve) => {
        s.once('connect', () => resolve(true));
        s.once('connect_error', () => resolve(false));
      });
      if (!connected) {
        unconnected.add(caseId);
        return;
      }
      s.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') drops++;
      });
      // The whole wait, or only the place (the offer unchanged): either tells the place.
      const onWait = (w: { caseId: string; position: number | null }) => {
        if (w.caseId !== caseId) return;
        told.set(caseId, { position: w.position, at: performance.now() });
        if (round?.want.get(caseId) === w.position && round.want.delete(caseId) && round.want.size === 0) round.done();
      };
      s.on('petition:wait', onWait);
      s.on('petition:place', onWait);
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
      // The queue's order is the order the starts arrived in, not the bench's loop order: each
      // connected terminal behind the head must be told the place it was told before, minus one.
      const before = new Map(cases.filter((c) => !unconnected.has(c)).map((c) => [c, told.has(c) ? told.get(c)!.position : startPlace.get(c) ?? null]));
      const waiting = [...before].filter(([, p]) => p !== 1);
      const want = new Map(waiting.flatMap(([c, p]) => (p === null ? [] : [[c, p - 1] as const])));
      let timer: NodeJS.Timeout | undefined;
      const allTold = new Promise<void>((resolve) => {
        round = { want, done: resolve };
        if (want.size === 0) resolve();
        timer = setTimeout(resolve, 30_000);
      });
      await api(node, official, 'POST', '/claims', {});
      const answered = performance.now();
      await allTold;
      clearTimeout(timer);
      round = undefined;
      const expected = ([c, p]: [string, number | null]) => p !== null && told.get(c)?.position === p - 1;
      for (const w of waiting) {
        if (expected(w)) pushMs.push(Math.max(0, told.get(w[0])!.at - answered));
        else missed++;
      }
    }
    return { startP50: median(startMs), startP99: pct(startMs, 99), connectMs, connectErrors: unconnected.size, idleCpuPct, rssMb: rss, pushP50: median(pushMs), pushP95: pct(pushMs, 95), missed, drops };
  } finally {
    for (const s of sockets) s.disconnect();
    await node.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const load1 = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
console.log(`# bench:terminals — ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; ${fs.readFileSync('/proc/loadavg', 'utf8').trim()} (load at start)`);
console.log(`runs ${RUNS}, claims ${CLAIMS} per run, idle window ${IDLE_SECONDS} s; medians over runs, errors, missed pushes and drops summed over them\n`);
console.log('| terminals | start p50 / p99 ms | connect+watch all ms | connect errors | server idle CPU % | server RSS MB | push p50 / p95 ms | missed pushes | drops | load (1 min) | idle CPU × | push p95 × |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
let base: { cpu: number; p95: number } | undefined;
const perRun: string[] = [];
for (const n of SIZES) {
  const runs: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    const x = await run(n);
    runs.push(x);
    perRun.push(`${n} #${r + 1}: push ${f(x.pushP50)} / ${f(x.pushP95)} ms, idle CPU ${f(x.idleCpuPct, 1)} %, load ${load1()}`);
  }
  const m = (k: keyof RunResult) => median(runs.map((x) => x[k]));
  const sum = (k: keyof RunResult) => runs.reduce((a, x) => a + x[k], 0);
  const row = { cpu: m('idleCpuPct'), p95: m('pushP95') };
  base ??= row;
  console.log(
    `| ${n} | ${f(m('startP50'))} / ${f(m('startP99'))} | ${f(m('connectMs'))} | ${sum('connectErrors')} | ${f(row.cpu, 1)} | ${f(m('rssMb'))} | ${f(m('pushP50'))} / ${f(row.p95)} | ${sum('missed')} | ${sum('drops')} | ${load1()} | ${f(row.cpu / base.cpu, 2)} | ${f(row.p95 / base.p95, 2)} |`,
  );
}
console.log(`\neach run (load at its end):\n${perRun.join('\n')}`);
console.log(`\nload at end: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
