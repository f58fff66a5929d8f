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
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 15);
if (!Number.isInteger(runs) || runs < 1 || runs > 200) throw new Error('usage: bench:join [runs 1..200]');

if (!process.env.MEDIASOUP_WORKER_BIN) {
  process.env.MEDIASOUP_WORKER_BIN = fs.readFileSync(path.resolve('.cache/worker-bin'), 'utf8').trim();
}
execFileSync('npx', ['vite', 'build', '--config', 'client-web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });

// Imported after MEDIASOUP_WORKER_BIN is set: mediasoup reads it when it loads.
const { startEmbeddedRedis } = await import('../../server/redis/embedded.ts');
const { createLogger } = await import('../../server/log.ts');
const { startTestPlatform } = await import('../../test/support/platform.ts');
const { launchBrowser } = await import('../../test/support/browser.ts');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bench-join-'));
const redis = await startEmbeddedRedis(dataDir, createLogger('warn'));
process.env.REDIS_URL = redis.url;
const platform = await startTestPlatform();
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
  const url = (sub: string) => `${platform.url}/call.html?room=${room}&token=${encodeURIComponent(platform.token(sub, 'official', { rooms: [room] }))}`;
  const a = await browser.newPage();
  await a.goto(url(`a${i}`));
  await a.waitForFunction(() => (window as unknown as { callSession?: { state: string } }).callSession?.state === 'joined', null, { timeout: 20_000 });
  const b = await browser.newPage();
  await b.addInitScript(PROBE);
  await b.goto(url(`b${i}`));
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
await platform.close();
await redis.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
