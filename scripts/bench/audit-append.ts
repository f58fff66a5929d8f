// npm run bench:audit [-- --appends 1000 --rounds 3]
//
// How much of the event loop 1,000 audit appends take — the media node's loop, which also
// carries signalling and mediasoup's channel. Each append arrives in its own turn of the loop, as
// archive views from separate HTTP requests do. Two ways, in the same run, same disk:
//   sync   the former AuditLog.append: lock file by openSync('wx') (spin-wait when busy), re-read
//          the tail, write, fsyncSync — per append, on the loop (kept here only as the baseline);
//   async  server/core/audit-chain.ts: one writer per file, appends queued, written and fsync'd in
//          batches off the loop, chain head in memory.
// Printed per way: wall time until every append is durable, event-loop utilisation (share of that
// time the loop was busy, perf_hooks), and the loop's longest stall (monitorEventLoopDelay), then
// the ratios sync/async. Medians over rounds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { z } from 'zod';
import {
  AuditLog,
  GENESIS_HASH,
  chainHash,
  contentHashOf,
  verifyAuditChain,
  type AppendInput,
  type AuditEntry,
} from '../../server/core/audit-chain.ts';

const arg = (name: string, dflt: number, max: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.min(Math.floor(v), max) : dflt;
};
const APPENDS = arg('appends', 1000, 100_000);
const ROUNDS = arg('rounds', 3, 20);

/** The synchronous append this replaced, verbatim in behaviour. Baseline only. */
function syncAppend(file: string, input: AppendInput & { details?: Record<string, unknown> }): AuditEntry {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lockFile, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() > deadline) throw new Error('lock busy');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    let last: { seq: number; hash: string } | undefined;
    if (fs.existsSync(file)) {
      const fd = fs.openSync(file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size > 0) {
          const len = Math.min(size, 64 * 1024);
          const buf = Buffer.alloc(len);
          fs.readSync(fd, buf, 0, len, size - len);
          const lines = buf.toString('utf8').split('\n').filter((l) => l.length > 0);
          last = z.object({ seq: z.number(), hash: z.string() }).parse(JSON.parse(lines[lines.length - 1]!));
        }
      } finally {
        fs.closeSync(fd);
      }
    }
    const base = { seq: last ? last.seq + 1 : 0, at: new Date().toISOString(), type: input.type, actor: input.actor, details: input.details ?? {} };
    const prev = last ? last.hash : GENESIS_HASH;
    const entry: AuditEntry = { ...base, prev, hash: chainHash(prev, contentHashOf(base)) };
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify(entry) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return entry;
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

interface Measure {
  wallMs: number;
  utilisation: number;
  maxStallMs: number;
  p99StallMs: number;
}

const input = (i: number): AppendInput & { details: Record<string, unknown> } => ({ type: 'view', sessionId: `S-${i % 50}`, actor: { kind: 'user', sub: 'bench', role: 'archivist' }, details: { what: 'session', i } });

/** Issues one append per turn of the loop and waits until all are durable. */
async function measure(append: (i: number) => Promise<unknown> | unknown): Promise<Measure> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  delay.enable();
  const pending: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    let i = 0;
    const next = () => {
      pending.push(Promise.resolve(append(i)));
      if (++i < APPENDS) setImmediate(next);
      else resolve();
    };
    setImmediate(next);
  });
  await Promise.all(pending);
  delay.disable();
  const wallMs = performance.now() - t0;
  return { wallMs, utilisation: performance.eventLoopUtilization(elu0).utilization, maxStallMs: delay.max / 1e6, p99StallMs: delay.percentile(99) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
const results: Record<'sync' | 'async', Measure[]> = { sync: [], async: [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const syncFile = path.join(tmp, `sync-${round}.jsonl`);
    results.sync.push(await measure((i) => syncAppend(syncFile, input(i))));
    const log = new AuditLog(path.join(tmp, `async-${round}.jsonl`));
    results.async.push(await measure((i) => log.append(input(i))));
    for (const f of [syncFile, log.file]) {
      const lines = fs.readFileSync(f, 'utf8').split('\n').filter(Boolean);
      if (lines.length !== APPENDS || verifyAuditChain(lines, { fromGenesis: true }).length > 0) throw new Error(`${f}: not ${APPENDS} chained entries`);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const row = (name: string, ms: Measure[]) => {
  const m = {
    wallMs: median(ms.map((x) => x.wallMs)),
    utilisation: median(ms.map((x) => x.utilisation)),
    maxStallMs: median(ms.map((x) => x.maxStallMs)),
    p99StallMs: median(ms.map((x) => x.p99StallMs)),
  };
  console.log(
    `${name.padEnd(6)} ${m.wallMs.toFixed(0).padStart(8)} ms  loop busy ${(m.utilisation * 100).toFixed(1).padStart(5)} %  ` +
      `stall p99 ${m.p99StallMs.toFixed(1).padStart(6)} ms, longest ${m.maxStallMs.toFixed(1).padStart(6)} ms`,
  );
  return m;
};
console.log(`${APPENDS} audit appends, one per turn of the event loop, median of ${ROUNDS} round(s), ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);
const s = row('sync', results.sync);
const a = row('async', results.async);
const busyMs = (m: typeof s) => m.wallMs * m.utilisation;
console.log(
  `sync/async: wall ${(s.wallMs / a.wallMs).toFixed(1)}×, loop-busy time ${(busyMs(s) / busyMs(a)).toFixed(1)}×, stall p99 ${(s.p99StallMs / a.p99StallMs).toFixed(1)}×, longest ${(s.maxStallMs / a.maxStallMs).toFixed(1)}×`,
);
