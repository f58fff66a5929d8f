// npm run bench:join — how fast a participant sees the other side, through the real product:
// server, worker, signalling and the call page in Debian's Chromium with a fake camera.
// For each run, a fresh room: page A joins and publishes, then page B opens and we time, on B:
//   page→joined      navigation start to the join reply (signalling + router + transports)
//   join→track       join reply to the first remote track (consume round trips)
//   track→frame      first remote track to its first decoded video frame
//   page→frame       the total a user waits for the picture
// Prints medians and p90 over the runs. The brief's bare mediasoup check measured ≈200 ms from
// consume to first decoded frame on loopback: track→frame is the comparable figure.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { workerBin } from '../../sfu/worker-bin.ts';
import { startProductNode } from '../harness/product-node.ts';
import { launchBrowser } from '../harness/chromium.ts';

const runs = Number(process.argv[2] ?? 15);
if (!Number.isInteger(runs) || runs < 1 || runs > 200) throw new Error('usage: bench:join [runs 1..200]');

process.env.MEDIASOUP_WORKER_BIN ??= workerBin();
execFileSync('npx', ['vite', 'build', '--config', 'client-web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });

// The product as deployed: its own process, its own embedded Redis.
const node = await startProductNode();
const browser = await launchBrowser();

interface Sample { joined: number; track: number; frame: number }

// Runs inside the page from its first script, polling at 5 ms (cheap next to decoding). Plain
// source text: a function would be serialized with the bundler's helpers, which the page lacks.
const PROBE = `
  window.benchMarks = {};
  const tick = async () => {
    const s = window.callSession, m = window.benchMarks;
    try {
      if (s && s.state === 'joined' && m.joined === undefined) m.joined = performance.now();
      if (s && s.remote.size > 0 && m.track === undefined) m.track = performance.now();
      if (s && m.track !== undefined && m.frame === undefined) {
        for (const r of s.remote.values()) {
          const stats = await s.getRemoteStats(r.consumerId);
          stats?.forEach((st) => {
            if (st.type === 'inbound-rtp' && st.kind === 'video' && st.framesDecoded > 0 && m.frame === undefined) m.frame = performance.now();
          });
        }
      }
    } finally {
      if (m.frame === undefined) setTimeout(tick, 5);
    }
  };
  setTimeout(tick, 5);
`;

async function once(i: number): Promise<Sample> {
  const room = `bench:join-${i}`;
  const url = async (sub: string) => `${node.url}/call.html?room=${room}&token=${encodeURIComponent(await node.token({ sub, role: 'official', rooms: [room] }))}`;
  const a = await browser.newPage();
  await a.goto(await url(`a${i}`));
  await a.waitForFunction(() => (window as unknown as { callSession?: { state: string } }).callSession?.state === 'joined', null, { timeout: 20_000 });
  const b = await browser.newPage();
  await b.addInitScript(PROBE);
  await b.goto(await url(`b${i}`));
  try {
    await b.waitForFunction(() => (window as unknown as { benchMarks: { frame?: number } }).benchMarks.frame !== undefined, null, { timeout: 20_000 });
  } catch (err) {
    const state = await b.evaluate(() => ({ marks: (window as unknown as { benchMarks: unknown }).benchMarks, status: document.querySelector('.call-status')?.textContent}));
    throw new Error(`run ${i}: no decoded frame in 20 s (${JSON.stringify(state)})`, { cause: err });
  }
  const m = await b.evaluate(() => (window as unknown as { benchMarks: Sample }).benchMarks);
  await a.close();
  await b.close();
  return m;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

console.log(`bench:join — ${runs} runs; ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}`);
await once(-1); // warm-up: first page load compiles the bundle, first router warms the worker
const samples: Sample[] = [];
for (let i = 0; i < runs; i++) samples.push(await once(i));
const rows: [string, number[]][] = [
  ['page→joined', samples.map((s) => s.joined)],
  ['join→track', samples.map((s) => s.track - s.joined)],
  ['track→frame', samples.map((s) => s.frame - s.track)],
  ['page→frame', samples.map((s) => s.frame)],
];
console.log('\n| step | median ms | p90 ms |\n|---|---:|---:|');
for (const [name, xs] of rows) console.log(`| ${name} | ${pct(xs, 50).toFixed(0)} | ${pct(xs, 90).toFixed(0)} |`);

await browser.cleanup();
await node.stop();
process.exit(0);
