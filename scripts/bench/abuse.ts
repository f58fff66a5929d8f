// npm run bench:abuse [seconds per phase] [--runs N] [--unlimited] — what a flood from one client costs
// everybody else. A product node in its own process (default edge limits, or all of them lifted
// with --unlimited, to see what the limits buy), a bystander official in a room on 127.0.0.1 timing a
// signalling round trip (refreshToken in its room: token, the room's domain and ban list in Redis)
// every 50 ms, and an attacker in another process on 127.0.0.2 — its own client address, as a
// second machine would have — flooding in turn:
//   rest-token   REST as fast as 64 connections go, with a valid coordinator token (queue reads)
//   rest-junk    REST with junk tokens and 30 KB bodies (petition starts)
//   socket       signalling: fresh handshakes as fast as they go, each socket flooding requests
// Prints the bystander's p50/p95 for the unloaded baseline and under each flood — medians over
// N runs (default 3), each flood's p95 also as a ratio to the same run's baseline, since the
// shared machine's load moves the absolute figures — with what the attacker got back. The
// attacker runs at the lowest CPU priority (nice 19): on a real deployment its CPU is on another
// machine, and on this one it would otherwise be counted as the node's cost. The issue's figure to beat: p95 ≤ 100 ms (1,442 ms
// during a 1,000-request REST burst before the edge limits).
import http from 'node:http';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { workerBin } from '../../sfu/worker-bin.ts';
import { startProductNode } from '../harness/product-node.ts';

const ATTACKER_ADDRESS = '127.0.0.2';
const SAMPLE_EVERY_MS = 50;
const FLOODS = ['rest-token', 'rest-junk', 'socket'] as const;
type Flood = (typeof FLOODS)[number];

// ---- the attacker (a child process: its CPU is not the bystander's event loop) ----------------

async function flood(kind: Flood, url: string, token: string, seconds: number): Promise<void> {
  // Loaded and compiled: the bystander's measurement starts now, not during this process's start.
  process.stdout.write('ready\n');
  const until = Date.now() + seconds * 1000;
  const answers = new Map<string, number>();
  const count = (k: string) => answers.set(k, (answers.get(k) ?? 0) + 1);
  if (kind === 'socket') {
    const opened: Socket[] = [];
    const requests = async (s: Socket) => {
      while (Date.now() < until && s.connected) {
        const r = (await s.timeout(5000).emitWithAck('refreshToken', { token }).catch(() => ({ ok: false, error: { code: 'timeout' } }))) as { ok: boolean; error?: { code: string } };
        count(r.ok ? 'ok' : r.error!.code);
      }
    };
    const handshakes = async () => {
      while (Date.now() < until) {
        const s = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false, localAddress: ATTACKER_ADDRESS } as never);
        const ok = await new Promise<boolean>((resolve) => {
          s.once('connect', () => resolve(true));
          s.once('connect_error', () => resolve(false));
        });
        count(ok ? 'handshake ok' : 'handshake refused');
        if (ok) {
          opened.push(s);
          void requests(s);
        } else s.close();
      }
    };
    await Promise.all(Array.from({ length: 8 }, handshakes));
    for (const s of opened) s.close();
  } else {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const junk = JSON.stringify({ note: 'x'.repeat(30_000) });
    const one = () =>
      new Promise<void>((resolve) => {
        const req = http.request(
          kind === 'rest-token'
            ? `${url}/api/petition/queues`
            : `${url}/api/petition/cases`,
          {
            agent,
            localAddress: ATTACKER_ADDRESS,
            method: kind === 'rest-token' ? 'GET' : 'POST',
            headers: kind === 'rest-token' ? { authorization: `Bearer ${token}` } : { authorization: `Bearer junk.${Math.random()}.x`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => (count(String(res.statusCode)), resolve()));
          },
        );
        req.on('error', (err) => (count(err.message), resolve()));
        req.end(kind === 'rest-junk' ? junk : undefined);
      });
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (Date.now() < until) await one();
      }),
    );
    agent.destroy();
  }
  process.stdout.write(JSON.stringify(Object.fromEntries(answers)));
}

/** Starts a flood in its own process; `ready` once it is loaded and flooding, `done` with what it got back. */
function runFlood(kind: Flood, url: string, token: string, seconds: number): { ready: Promise<void>; done: Promise<Record<string, number>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--flood', kind, url, token, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    os.setPriority(child.pid!, 19);
  } catch {
    // not permitted here: the attacker competes at normal priority
  }
  let out = '';
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) ready();
  });
  const done = new Promise<Record<string, number>>((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as Record<string, number>) : reject(new Error(`flood ${kind} exited ${code}`))));
  });
  done.catch(() => ready());
  return { ready: readyP, done };
}

// ---- the bystander and the report ------------------------------------------------------------

async function bystander(url: string, token: string, room: string) {
  const s = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  const ask = async <T>(event: string, payload: unknown): Promise<T> => {
    const r = (await s.timeout(10_000).emitWithAck(event, payload)) as { ok: boolean; data?: T; error?: unknown };
    if (!r.ok) throw new Error(`${event}: ${JSON.stringify(r.error)}`);
    return r.data!;
  };
  await ask('join', { roomId: room });
  return {
    /** Round trips (ms) sampled every SAMPLE_EVERY_MS for `seconds`; a lost answer counts as 10 s. */
    async sample(seconds: number): Promise<number[]> {
      const out: number[] = [];
      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        const t0 = performance.now();
        try {
          await ask('refreshToken', { token });
          out.push(performance.now() - t0);
        } catch {
          out.push(10_000);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, SAMPLE_EVERY_MS - (performance.now() - t0))));
      }
      return out;
    },
    close: () => void s.close(),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unlimited = args.includes('--unlimited');
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  const seconds = Number(args.find((a, i) => /^\d+$/.test(a) && (runsAt < 0 || i !== runsAt + 1)) ?? 10);
  if (!(seconds >= 2 && seconds <= 120) || !(runs >= 1 && runs <= 15)) throw new Error('usage: bench:abuse [seconds per phase 2..120] [--runs 1..15] [--unlimited]');
  process.env.MEDIASOUP_WORKER_BIN ??= workerBin();
  const lifted = { RATE_LIMIT_IP: '10000000', RATE_LIMIT_IDENTITY: '10000000', RATE_LIMIT_CONCURRENT: '1000', RATE_LIMIT_SOCKETS: '1000', ROOMS_PER_IDENTITY: '1000', RATE_LIMIT_COST_MS: '0' };
  const node = await startProductNode(unlimited ? lifted : {});
  try {
    const room = 'bench:abuse-bystander';
    const watcher = await bystander(node.url, await node.token({ sub: 'bench-bystander', role: 'official', rooms: [room] }), room);
    const coordinator = await node.token({ sub: 'bench-attacker', role: 'coordinator', rooms: ['bench:abuse-attacker'] });
    await watcher.sample(1); // warm-up
    const limits = unlimited ? 'edge limits lifted' : 'default edge limits (per IP 300 and per identity 60 points per 10 s, 6 in flight, 4 sockets)';
    console.log(`bench:abuse — ${seconds} s per phase, ${runs} runs, ${limits}; ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
    const phases = ['baseline (no flood)', ...FLOODS.map((k) => `${k} flood`), 'baseline again'];
    const results = new Map<string, { p50: number; p95: number; ratio: number; samples: number; attacker: Record<string, number> }[]>(phases.map((p) => [p, []]));
    for (let run = 0; run < runs; run++) {
      const base = await watcher.sample(seconds);
      const b95 = pct(base, 95);
      const record = (phase: string, ms: number[], attacker: Record<string, number> = {}) =>
        results.get(phase)!.push({ p50: pct(ms, 50), p95: pct(ms, 95), ratio: pct(ms, 95) / b95, samples: ms.length, attacker });
      record(phases[0]!, base);
      for (const kind of FLOODS) {
        const f = runFlood(kind, node.url, coordinator, seconds);
        await f.ready;
        const [answers, ms] = await Promise.all([f.done, watcher.sample(seconds)]);
        record(`${kind} flood`, ms, answers);
        // Let the attacker's budget refill so the next flood starts from the same place.
        await watcher.sample(2);
      }
      record(phases.at(-1)!, await watcher.sample(seconds));
      console.error(`run ${run + 1}/${runs}: ${phases.map((p) => `${p} p95 ${results.get(p)!.at(-1)!.p95.toFixed(1)}`).join(', ')}`);
    }
    watcher.close();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const head = ['bystander during', 'samples (median)', 'p50 ms', 'p95 ms', 'p95 ÷ baseline p95', 'p95 of each run', 'the attacker got (median run)'];
    console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
    for (const phase of phases) {
      const r = results.get(phase)!;
      const got = r[Math.floor(r.length / 2)]!.attacker;
      const attacker = Object.keys(got).length === 0 ? '—' : Object.entries(got).map(([k, n]) => `${k}: ${n}`).join(', ');
      const cells = [phase, String(median(r.map((x) => x.samples))), median(r.map((x) => x.p50)).toFixed(1), median(r.map((x) => x.p95)).toFixed(1), `${median(r.map((x) => x.ratio)).toFixed(1)}×`, r.map((x) => x.p95.toFixed(0)).join(' / '), attacker];
      console.log(`| ${cells.join(' | ')} |`);
    }
  } finally {
    await node.stop();
  }
}

if (process.argv[2] === '--flood') {
  const [, kind, url, token, seconds] = process.argv.slice(2);
  await flood(kind as Flood, url!, token!, Number(seconds));
  process.exit(0);
} else {
  await main();
}
