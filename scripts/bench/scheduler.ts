// npm run bench:scheduler [-- --rounds 3 --cases 1000 --processes 2 --warmup 1 | --no-warmup] [--store sqlite|postgres]
//
// Simulates petition terminals (500 starting at once, `--cases` in all, one open petition each:
// bench-seeded terminals, scripts/bench/seed-terminals.ts) and 100 officials against a real
// redis-server (the product's embedded one: AOF on, everysec) and the store — a SQLite file
// (default), or with `--store postgres` a throw-away PostgreSQL cluster with fsync,
// synchronous_commit and full_page_writes on, as deployed (scripts/harness/postgres.ts) —, and prints
// claims per second and p50/p99 claim latency for
//   - the full service path (PetitionService.claimNext: Lua lease + Lua confirm + the store's record,
//     group-committed: the assignments of claims made together are written in one transaction),
//   - the scheduler alone (TicketQueue.claim + confirm: two Lua calls, no store),
// next to raw Redis figures measured in the same run against the same server: redis-benchmark
// (PING/SET/GET/ZADD/ZPOPMIN, 50 clients) and a trivial EVALSHA round-trip from this process.
// Each round starts from empty queues; the medians over rounds are reported.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { Redis } from 'ioredis';
import { TokenIssuer } from '../../server/auth/grants.ts';
import { describeLocation, type StoreLocation } from '../../server/core/db.ts';
import { createLogger } from '../../server/core/log.ts';
import { PetitionService } from '../../server/petition/service.ts';
import { openPetitionStore } from '../../server/petition/store.ts';
import type { Actor, Official } from '../../server/petition/types.ts';
import { startEmbeddedRedis } from '../../server/core/embedded-redis.ts';
import { TicketQueue } from '../../server/scheduler/queue.ts';
import { RoutingRuleBook } from '../../server/scheduler/routing-rules.ts';
import { LuaScript } from '../../server/scheduler/scripts.ts';
import type { Terminal } from '../../server/petition/types.ts';
import { loopbackReference } from './loopback-reference.ts';
import { seedBenchTerminals } from './seed-terminals.ts';
import { startThrowawayPostgres } from '../harness/postgres.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isInteger(v) && v > 0 ? Math.min(v, 10_000) : dflt;
};
const ROUNDS = Math.min(arg('rounds', 3), 20);
/** Rounds run first and not counted: the first round runs on code the JIT has not compiled yet. */
const WARMUP = process.argv.includes('--no-warmup') ? 0 : Math.min(arg('warmup', 1), 5);
const PROCESSES = Math.min(arg('processes', 2), 8);
const CASES = arg('cases', 1000);
const STORE = (() => {
  const i = process.argv.indexOf('--store');
  const v = i > 0 ? process.argv[i + 1] : 'sqlite';
  if (v !== 'sqlite' && v !== 'postgres') throw new Error(`--store sqlite|postgres, got ${v}`);
  return v;
})();
/** Terminals pressing "start" in the same instant (the issue's "500 at once"). */
const AT_ONCE = 500;
const COUNTIES = ['341302', '341321', '341322', '341323', '341324'];
const COUNTY_KINDS = ['rs', 'zrzy', 'zj', 'wsjk', 'xfj'];
const CATEGORIES = ['wages', 'social_insurance', 'land', 'housing', 'medical', 'other'];

/** As the node connects (server/app/redis-clients.ts, which a script may not import): auto-pipelined, 800 ms command timeout. */
const NODE_LIKE = { enableAutoPipelining: true, commandTimeout: 800 } as const;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 50);

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
  /** This process's event loop busy per operation (ms; performance.eventLoopUtilization), where measured in this process. */
  loopMs?: number;
}

async function claimAll(officials: Actor[], claim: (a: Actor) => Promise<boolean>): Promise<Run & { n: number; lat: number[] }> {
  const lat: number[] = [];
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  await Promise.all(
    officials.map(async (o) => {
      for (;;) {
        const s = performance.now();
        const got = await claim(o);
        if (!got) return;
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const loopMs = performance.eventLoopUtilization(elu0).active / lat.length;
  lat.sort((a, b) => a - b);
  return { n: lat.length, perSecond: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), loopMs, lat };
}

const serviceClaim = (service: PetitionService) => async (a: Actor) => {
  const got = await service.claimNext(a);
  if (!got) return false;
  await service.queue.finish([got.ticketId]);
  return true;
};

/**
 * Worker mode (`--worker <json>`): another server process on the same Redis and store.
 * Prints "ready", waits for a line on stdin, claims with its officials, prints its latencies.
 */
async function worker(cfg: { redisUrl: string; location: StoreLocation; prefix: string; officials: string[] }): Promise<void> {
  const redis = new Redis(cfg.redisUrl, NODE_LIKE);
  const store = await openPetitionStore(cfg.location);
  const service = await PetitionService.create({
    repo: store.repo, redis, tokens: new TokenIssuer('bench-secret-0123456789', 3600), rules: await RoutingRuleBook.inMemory(), prefix: cfg.prefix, sweepIntervalMs: 0,
  });
  process.stdout.write('ready\n');
  await new Promise<void>((r) => process.stdin.once('data', () => r()));
  process.stdin.destroy();
  const run = await claimAll(cfg.officials.map((id) => ({ id, name: id, role: 'official' })), serviceClaim(service));
  process.stdout.write(`${JSON.stringify({ lat: run.lat })}\n`);
  service.close();
  await redis.quit();
  await store.close();
}

/** The full-service claim load spread over `n` server processes. */
async function claimInProcesses(n: number, cfg: { redisUrl: string; location: StoreLocation; prefix: string }, officials: string[]): Promise<Run & { n: number }> {
  const children = Array.from({ length: n }, (_, i) => {
    const mine = officials.filter((_, j) => j % n === i);
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--worker', JSON.stringify({ ...cfg, officials: mine })], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const ready = new Promise<void>((r) => child.stdout.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('ready\n')) r(); }));
    const done = new Promise<number[]>((resolve, reject) =>
      child.once('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (code !== 0 || !line) reject(new Error(`bench worker exited with ${code}`));
        else resolve((JSON.parse(line) as { lat: number[] }).lat);
      }),
    );
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  const t0 = performance.now();
  for (const c of children) c.child.stdin.write('go\n');
  const lat = (await Promise.all(children.map((c) => c.done))).flat().sort((a, b) => a - b);
  const secs = (performance.now() - t0) / 1000;
  return { n: lat.length, perSecond: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const reference = await loopbackReference(); // before anything of the bench runs
  const log = createLogger('warn');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-scheduler-'));
  const redisServer = await startEmbeddedRedis(dir, log);
  const port = new URL(redisServer.url).port;
  const redis = new Redis(redisServer.url, NODE_LIKE);
  const pg = STORE === 'postgres' ? await startThrowawayPostgres('sv_bench', { durable: true }) : undefined;
  const location: StoreLocation = pg ? { dialect: 'postgres', url: pg.url } : { dialect: 'sqlite', file: path.join(dir, 'app.db') };
  // Per round: the main load, 200 Dangshan terminals for the sequential claims, the multi-process load.
  const seeded: { main: Terminal[]; dangshan: Terminal[]; multi: Terminal[] }[] = [];
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    seeded.push({
      main: await seedBenchTerminals(location, CASES, COUNTIES, `${round}A`),
      dangshan: await seedBenchTerminals(location, 200, ['341321'], `${round}D`),
      multi: await seedBenchTerminals(location, CASES, COUNTIES, `${round}M`),
    });
  }
  const store = await openPetitionStore(location);

  // 100 officials: 4 in each of the 25 county-level offices that receive the categories below.
  const officials: Official[] = COUNTIES.flatMap((county) =>
    COUNTY_KINDS.flatMap((kind) =>
      Array.from({ length: 4 }, (_, i): Official => ({
        id: `B${county}-${kind}-${i}`, name: `bench ${kind} ${i}`, departmentId: `${county}-${kind}`, level: 'county', regionCode: county, maxSessions: 1, post: null,
      })),
    ),
  );
  await store.repo.importDirectory({ regions: [], terminals: [], departments: [], officials, receptionDays: [] });
  const actors: Actor[] = officials.map((o) => ({ id: o.id, name: o.name, role: 'official' }));
  /** Starts one petition at each terminal, AT_ONCE at a time; the latencies of every start. */
  const startAll = async (service: PetitionService, terminals: Terminal[]): Promise<number[]> => {
    const lat: number[] = [];
    for (let w = 0; w < terminals.length; w += AT_ONCE) {
      await Promise.all(
        terminals.slice(w, w + AT_ONCE).map(async (t, j) => {
          const i = w + j;
          const s = performance.now();
          await service.startPetition({ id: `dev-${t.id}`, name: 't', role: 'terminal', terminalId: t.id }, {
            terminalId: t.id, category: CATEGORIES[i % CATEGORIES.length]!, flags: { elderly: i % 6 === 0 },
          });
          lat.push(performance.now() - s);
        }),
      );
    }
    return lat;
  };

  const runs = { start: [] as Run[], startOne: [] as Run[], service: [] as Run[], serviceOne: [] as Run[], serviceMulti: [] as Run[], scheduler: [] as Run[], schedulerOne: [] as Run[] };
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    const prefix = `bench:${round}`;
    const service = await PetitionService.create({
      repo: store.repo, redis, tokens: new TokenIssuer('bench-secret-0123456789', 3600), rules: await RoutingRuleBook.inMemory(), prefix, sweepIntervalMs: 0,
    });

    // Terminals start petitions, AT_ONCE in the same instant.
    const t0 = performance.now();
    const elu0 = performance.eventLoopUtilization();
    const startLat = (await startAll(service, seeded[round]!.main)).sort((a, b) => a - b);
    const loopMs = performance.eventLoopUtilization(elu0).active / startLat.length;
    runs.start.push({ perSecond: startLat.length / ((performance.now() - t0) / 1000), p50: pct(startLat, 50), p99: pct(startLat, 99), loopMs });

    // 100 officials claim until their queues are empty; each ends the session at once.
    const full = await claimAll(actors, serviceClaim(service));
    if (full.n !== CASES) throw new Error(`claimed ${full.n}, expected ${CASES}`);
    runs.service.push(full);

    // Unloaded: one official claims 200 waiting cases one after another.
    const one = actors.find((a) => a.id === 'B341321-rs-0')!;
    // …started one after another: the unloaded start, the baseline of the burst above.
    const oneLat: number[] = [];
    const s0 = performance.now();
    for (const t of seeded[round]!.dangshan) {
      const s = performance.now();
      await service.startPetition({ id: `dev-${t.id}`, name: 't', role: 'terminal', terminalId: t.id }, { terminalId: t.id, category: 'wages' });
      oneLat.push(performance.now() - s);
    }
    oneLat.sort((a, b) => a - b);
    runs.startOne.push({ perSecond: oneLat.length / ((performance.now() - s0) / 1000), p50: pct(oneLat, 50), p99: pct(oneLat, 99) });
    runs.serviceOne.push(await claimAll([one], serviceClaim(service)));

    // The same 1,000-case load claimed by the 100 officials spread over PROCESSES server processes.
    if (PROCESSES > 1) {
      const mpPrefix = `${prefix}:mp`;
      const mp = await PetitionService.create({
        repo: store.repo, redis, tokens: new TokenIssuer('bench-secret-0123456789', 3600), rules: await RoutingRuleBook.inMemory(), prefix: mpPrefix, sweepIntervalMs: 0,
      });
      await startAll(mp, seeded[round]!.multi);
      mp.close();
      const multi = await claimInProcesses(PROCESSES, { redisUrl: redisServer.url, location, prefix: mpPrefix }, actors.map((a) => a.id));
      if (multi.n !== CASES) throw new Error(`multi-process claimed ${multi.n}`);
      runs.serviceMulti.push(multi);
    }
    service.close();

    // The scheduler alone: same number of tickets, same officials, no store.
    const q = new TicketQueue(redis, `${prefix}:raw`);
    const byDept = new Map(officials.map((o) => [o.id, o.departmentId]));
    const depts = [...new Set(officials.map((o) => o.departmentId))];
    const total = CASES;
    for (let i = 0; i < total; i++) {
      await q.enqueue({ ticketId: `r${i}`, caseId: `c${i}`, kind: 'case', departmentIds: [depts[i % depts.length]!], priority: i % 6 === 0 ? 'priority' : 'normal', enqueuedAt: new Date().toISOString() });
    }
    const raw = await claimAll(actors, async (a) => {
      const lease = await q.claim({ officialId: a.id, departmentIds: [byDept.get(a.id)!], maxHeld: 1, leaseMs: 15_000 });
      if (!lease) return false;
      await q.confirm(lease);
      await q.finish([lease.ticketId]);
      return true;
    });
    if (raw.n !== total) throw new Error(`raw claimed ${raw.n}, expected ${total}`);
    runs.scheduler.push(raw);
    for (let i = 0; i < 200; i++) {
      await q.enqueue({ ticketId: `s${i}`, caseId: `s${i}`, kind: 'case', departmentIds: ['341321-rs'], priority: 'normal', enqueuedAt: new Date().toISOString() });
    }
    runs.schedulerOne.push(await claimAll([one], async (a) => {
      const lease = await q.claim({ officialId: a.id, departmentIds: ['341321-rs'], maxHeld: 1, leaseMs: 15_000 });
      if (!lease) return false;
      await q.confirm(lease);
      await q.finish([lease.ticketId]);
      return true;
    }));
  }

  // Raw Redis on the same server, same run.
  const trivial = new LuaScript('trivial', "return redis.call('GET', KEYS[1] or 'bench:none')");
  const evalLat: number[] = [];
  await trivial.run(redis, []);
  const e0 = performance.now();
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      for (let i = 0; i < 100; i++) {
        const s = performance.now();
        await trivial.run(redis, []);
        evalLat.push(performance.now() - s);
      }
    }),
  );
  const evalRun: Run = { perSecond: evalLat.length / ((performance.now() - e0) / 1000), ...(() => { evalLat.sort((a, b) => a - b); return { p50: pct(evalLat, 50), p99: pct(evalLat, 99) }; })() };

  let benchRows: { test: string; rps: number; p50: number; p99: number }[] = [];
  try {
    const csv = execFileSync('redis-benchmark', ['-p', port, '-c', '50', '-n', '100000', '-t', 'ping,set,get,zadd,zpopmin', '--csv'], { encoding: 'utf8' });
    benchRows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map((c) => c.replaceAll('"', '')))
      .map((c) => ({ test: c[0]!, rps: Number(c[1]), p50: Number(c[4]), p99: Number(c[6]) }));
  } catch (err) {
    console.error(`redis-benchmark failed: ${(err as Error).message}`);
  }

  const med = (all: Run[]): Run => {
    const rs = all.slice(WARMUP);
    const loop = rs.flatMap((r) => (r.loopMs === undefined ? [] : [r.loopMs]));
    return { perSecond: median(rs.map((r) => r.perSecond)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), ...(loop.length > 0 ? { loopMs: median(loop) } : {}) };
  };
  // Last column: per second as a ratio of the row's baseline measured in the same rounds (a start
  // burst against starts one at a time, the full claim path against the scheduler alone), so a
  // loaded machine shows on both sides of the ratio.
  const row = (name: string, r: Run, base?: Run) =>
    `| ${name} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${base ? `${(r.perSecond / base.perSecond).toFixed(2)}` : ''} | ${r.loopMs === undefined ? '' : r.loopMs.toFixed(3)} |`;
  const lines = [
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ${execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).split(' ')[2]}; ${reference}`,
    `store: ${describeLocation(location)}${pg ? ' (fsync, synchronous_commit, full_page_writes on)' : ''}`,
    `load: ${CASES} petitions from ${CASES} terminals (${AT_ONCE} starting at once), 100 officials (25 county offices × 4), ${ROUNDS} rounds after ${WARMUP} warm-up round(s) (median shown); load average ${loadAtStart} at the start, ${loadavg()} at the end`,
    '',
    '| operation | per second | p50 ms | p99 ms | ÷ baseline (per second) | event loop ms per op |',
    '|---|---:|---:|---:|---:|---:|',
    row(`startPetition (group-committed ${STORE} + enqueue Lua + wait), ${AT_ONCE} terminals at once`, med(runs.start), med(runs.startOne)),
    row('startPetition, 1 terminal at a time (baseline of the row above)', med(runs.startOne)),
    row(`claim, full service (lease + confirm + ${STORE}), 100 officials at once`, med(runs.service), med(runs.scheduler)),
    row('claim, full service, 1 official, sequential', med(runs.serviceOne), med(runs.schedulerOne)),
    ...(runs.serviceMulti.length > 0 ? [row(`claim, full service, 100 officials over ${PROCESSES} server processes`, med(runs.serviceMulti), med(runs.scheduler))] : []),
    row('claim, scheduler only (lease + confirm Lua), 100 officials at once (baseline)', med(runs.scheduler)),
    row('claim, scheduler only, 1 official, sequential (baseline)', med(runs.schedulerOne)),
    row('raw: trivial EVALSHA from Node, 100 in flight', evalRun),
    ...benchRows.map((b) => row(`raw: redis-benchmark ${b.test} (-c 50)`, { perSecond: b.rps, p50: b.p50, p99: b.p99 })),
  ];
  const ratio = med(runs.service).perSecond / med(runs.scheduler).perSecond;
  lines.push('', `claims/s full service ÷ scheduler only (100 officials at once): ${ratio.toFixed(2)} (target ≥ 0.5); startPetition p99 at ${AT_ONCE} at once: ${med(runs.start).p99.toFixed(0)} ms (target ≤ 200)`);
  console.log(lines.join('\n'));

  await redis.quit();
  await store.close();
  await redisServer.stop();
  await pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

const w = process.argv.indexOf('--worker');
if (w > 0) await worker(JSON.parse(process.argv[w + 1] ?? '{}') as { redisUrl: string; location: StoreLocation; prefix: string; officials: string[] });
else await main();
