// npm run bench:weak-network [-- rounds] — what a villager's call sounds and looks like on a
// village link. One call between two Chromium pages through the product (its own process) and
// the lossy relay (scripts/harness/weak-call.ts); each round shapes the link clean, then at 0, 5
// and 10% loss on each uplink with 1 Mbps and 300 kbps each way per transport, lets it settle,
// and measures on the official's page what it receives from the villager: audio concealment
// (concealed / played samples, WebRTC stats) and decoded video fps and width. The table shows the
// medians over the rounds, and each condition's fps as a ratio of the clean run measured in the
// same process, so a loaded machine shifts both alike.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { workerBin } from '../../sfu/worker-bin.ts';
import type { LinkShape } from '../harness/lossy-relay.ts';
import { startWeakCall, type MediaSample } from '../harness/weak-call.ts';

const rounds = Number(process.argv[2] ?? 3);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('usage: bench:weak-network [rounds 1..20]');
const SETTLE_MS = 6_000;
const MEASURE_MS = 8_000;
const DELAY_MS = 40;

interface Condition {
  name: string;
  up: LinkShape;
  down: LinkShape;
}
const shape = (loss: number, rateBps: number): Condition => ({
  name: `${loss * 100}% loss, ${rateBps >= 1_000_000 ? `${rateBps / 1_000_000} Mbps` : `${rateBps / 1000} kbps`}`,
  // Loss on each sender's uplink only, so a stream crosses one lossy hop; the rate both ways.
  up: { loss, delayMs: DELAY_MS, rateBps },
  down: { loss: 0, delayMs: DELAY_MS, rateBps },
});
const CLEAN: Condition = { name: 'clean', up: { loss: 0, delayMs: DELAY_MS, rateBps: 0 }, down: { loss: 0, delayMs: DELAY_MS, rateBps: 0 } };
const CONDITIONS = [CLEAN, ...[1_000_000, 300_000].flatMap((rate) => [0, 0.05, 0.1].map((loss) => shape(loss, rate)))];

process.env.MEDIASOUP_WORKER_BIN ??= workerBin();
execFileSync('npx', ['vite', 'build', '--config', 'client-web/vite.config.ts', '--logLevel', 'error'], { stdio: 'inherit' });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadBefore = os.loadavg();
const call = await startWeakCall({ up: CLEAN.up, down: CLEAN.down });
const results = new Map<string, MediaSample[]>(CONDITIONS.map((c) => [c.name, []]));
try {
  for (let i = 0; i < 120 && (await call.counters()).framesDecoded === 0; i++) await wait(500);
  for (let round = 0; round < rounds; round++) {
    for (const c of CONDITIONS) {
      call.relay.shape(c.up, c.down);
      await wait(SETTLE_MS);
      const s = await call.sample(MEASURE_MS);
      results.get(c.name)!.push(s);
      process.stderr.write(`round ${round + 1}/${rounds} ${c.name}: ${s.concealedPct.toFixed(1)}% concealed, ${s.fps.toFixed(1)} fps, ${s.width} px\n`);
    }
  }
} finally {
  await call.close();
}

const cleanFps = median(results.get('clean')!.map((s) => s.fps));
const cleanConcealed = median(results.get('clean')!.map((s) => s.concealedPct));
console.log(
  `bench:weak-network — ${rounds} round(s), ${SETTLE_MS / 1000} s settle + ${MEASURE_MS / 1000} s measured per condition, ${DELAY_MS} ms one-way delay; ` +
    `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${loadBefore.map((l) => l.toFixed(1)).join(' ')} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`,
);
console.log('| link | audio concealed % | vs clean (points) | video fps | vs clean | width px |');
console.log('|---|---|---|---|---|---|');
for (const c of CONDITIONS) {
  const xs = results.get(c.name)!;
  const concealed = median(xs.map((s) => s.concealedPct));
  const fps = median(xs.map((s) => s.fps));
  console.log(
    `| ${c.name} | ${concealed.toFixed(1)} | ${(concealed - cleanConcealed >= 0 ? '+' : '') + (concealed - cleanConcealed).toFixed(1)} | ${fps.toFixed(1)} | ${(fps / cleanFps).toFixed(2)} | ${median(xs.map((s) => s.width))} |`,
  );
}
