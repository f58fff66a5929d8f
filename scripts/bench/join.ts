// npm run bench:join [-- runs] — how long a participant waits to see the other side: the product's
// call page (server, worker, signalling, Debian's Chromium with a fake camera) beside a bare
// mediasoup page (scripts/bench/join-bare/: mediasoup, mediasoup-client, a minimal socket.io
// signalling, nothing else), alternating in one process, one browser, the same flags and camera.
// The bare page is the floor on this machine; the ratio product ÷ bare is what the product adds.
//
// For each run, a fresh room: page A joins and publishes, then page B opens and is timed, in two
// ways (both every run, alternating):
//   fresh tab   B is a new tab sent straight to the call page (what a call link opened from
//               outside the product does: the product's COOP/Origin-Agent-Cluster headers give it a
//               renderer process of its own)
//   journey     B first shows its own origin's landing page (the product's home page, the bare
//               server's landing page), which navigates the same tab to the call page as the
//               product's home page does (location.href): the user's path inside the product
// Either way the clock is the call page's navigation start (the click, in the journey). Steps,
// from it (User Timing marks both pages leave, and a probe in front of the page that watches its
// RTCPeerConnections, so neither page is asked to time itself differently):
//   html            the HTML document has arrived
//   scripts         → the call's script has run and dialled the socket (`call:page`; the
//                   product's UI loads after it, `call:ui`)
//   socket          → socket.io connected (the product verifies the token here)
//   join            → the join reply (the product: room access, placement, seat, router)
//   join→track      → the first remote track (device load, recv transport, consume)
//   track→frame     → its first decoded video frame (ICE+DTLS, resume, key frame, decode)
//   page→frame      the total a user waits for the picture
// Steps are measured on one main thread: a step also holds whatever else the page ran meanwhile
// (the product's UI evaluation and first render), which the long-task row totals. Medians over
// the runs (and p90 of the total), then every mark's median. The first page load of each (the
// warm-up: no HTTP or code cache yet) is printed on its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { once as onceEvent } from 'node:events';
import { build } from 'vite';
import type { Page } from 'playwright-core';
import { workerBin } from '../../sfu/worker-bin.ts';
import { freePort, startProductNode } from '../harness/product-node.ts';
import { launchBrowser } from '../harness/chromium.ts';

const runs = Number(process.argv[2] ?? 12);
if (!Number.isInteger(runs) || runs < 1 || runs > 200) throw new Error('usage: bench:join [runs 1..200]');

process.env.MEDIASOUP_WORKER_BIN ??= workerBin();
execFileSync('npx', ['vite', 'build', '--config', 'client-web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
const bareRoot = path.resolve('scripts/bench/join-bare');
const bareWeb = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-bare-web-'));
await build({ configFile: false, root: bareRoot, base: './', logLevel: 'warn', build: { outDir: bareWeb, emptyOutDir: true, target: 'es2022' } });

type Mode = 'fresh tab' | 'journey';
const MODES: Mode[] = ['fresh tab', 'journey'];

/** The journey to the call page: the landing page, what it leaves in sessionStorage, where it goes. */
interface Journey {
  landing: string;
  storage: Record<string, string>;
  href: string;
}

interface Target {
  name: 'product' | 'bare';
  /** The call page opened on its own. */
  url(room: string, who: string): Promise<string>;
  journey(room: string, who: string): Promise<Journey>;
  /** Page A has joined and publishes. */
  ready(page: Page): Promise<unknown>;
}

// The product as deployed: its own process, its own embedded Redis.
const node = await startProductNode();
const productToken = (room: string, who: string) => node.token({ sub: who, role: 'official', rooms: [room] });
const product: Target = {
  name: 'product',
  url: async (room, who) => `${node.url}/call.html?room=${room}&token=${encodeURIComponent(await productToken(room, who))}`,
  // As the home page's own call entry (client-web/src/home/main.ts): the token in sessionStorage.
  journey: async (room, who) => ({ landing: `${node.url}/`, storage: { token: await productToken(room, who) }, href: `call.html?room=${room}` }),
  ready: (page) => page.waitForFunction(() => (window as unknown as { callSession?: { state: string } }).callSession?.state === 'joined', null, { timeout: 20_000 }),
};

// The bare server, its own process too; it exits when its standard input closes.
const bareChild = spawn(process.execPath, ['--import', 'tsx', path.join(bareRoot, 'server.ts')], {
  env: { ...process.env, BARE_WEB_DIR: bareWeb, BARE_RTC_PORT: String(await freePort()) },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const [line] = (await Promise.race([onceEvent(bareChild.stdout!, 'data'), onceEvent(bareChild, 'exit').then(() => { throw new Error('bare server exited'); })])) as [Buffer];
const barePort = /listening (\d+)/.exec(line.toString())?.[1];
if (!barePort) throw new Error(`bare server: ${line.toString()}`);
const bare: Target = {
  name: 'bare',
  url: async (room) => `http://127.0.0.1:${barePort}/?room=${room}`,
  journey: async (room) => ({ landing: `http://127.0.0.1:${barePort}/landing`, storage: {}, href: `/?room=${room}` }),
  ready: (page) => page.waitForFunction(() => (window as unknown as { bare: { published: boolean } }).bare?.published, null, { timeout: 20_000 }),
};

const browser = await launchBrowser();

// In front of page B's own scripts: every RTCPeerConnection the page makes is watched for its
// first remote track and polled (5 ms, cheap next to decoding) for its first decoded video frame;
// long tasks (over 50 ms) on the main thread are recorded.
// Plain source text: a function would be serialized with the bundler's helpers, which the page lacks.
const PROBE = `(() => {
  const marks = (window.benchMarks = { long: [] });
  new PerformanceObserver((list) => list.getEntries().forEach((e) => marks.long.push([Math.round(e.startTime), Math.round(e.duration)]))).observe({ type: 'longtask', buffered: true });
  const pcs = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      pcs.push(this);
      this.addEventListener('track', () => { if (marks.track === undefined) marks.track = performance.now(); });
    }
  };
  const tick = async () => {
    for (const pc of pcs) {
      if (marks.frame !== undefined || pc.signalingState === 'closed') continue;
      const stats = await pc.getStats().catch(() => new Map());
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0 && marks.frame === undefined) marks.frame = performance.now();
      });
    }
    if (marks.frame === undefined) setTimeout(tick, 5);
  };
  setTimeout(tick, 5);
})();`;

// What page B measured, read the same way (plain source text, as PROBE).
const COLLECT = `(() => {
  const mark = (name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN;
  const js = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'));
  const kb = (f) => js.reduce((s, r) => s + f(r), 0) / 1024;
  return {
    html: performance.getEntriesByType('navigation')[0].responseEnd,
    page: mark('call:page'),
    socket: mark('call:socket'),
    join: mark('call:join'),
    track: window.benchMarks.track,
    frame: window.benchMarks.frame,
    jsKB: kb((r) => r.decodedBodySize),
    jsWireKB: kb((r) => r.transferSize),
    long: window.benchMarks.long,
    marks: Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
  };
})()`;

interface Sample {
  html: number;
  page: number;
  socket: number;
  join: number;
  track: number;
  frame: number;
  /** JavaScript the page loaded (decoded bytes), and how much of it came over the wire. */
  jsKB: number;
  jsWireKB: number;
  /** The page's long tasks (over 50 ms): [start, duration] from navigation start. */
  long: [number, number][];
  /** Every User Timing mark the page left, from navigation start. */
  marks: Record<string, number>;
}

async function once(t: Target, mode: Mode, i: number): Promise<Sample> {
  const room = `bench:join-${t.name}-${mode === 'journey' ? 'j' : 'f'}${i}`;
  const a = await browser.newPage();
  await a.goto(await t.url(room, `a${i}`));
  await t.ready(a);
  const b = await browser.newPage();
  await b.addInitScript(PROBE);
  if (mode === 'fresh tab') {
    await b.goto(await t.url(room, `b${i}`));
  } else {
    const j = await t.journey(room, `b${i}`);
    await b.goto(j.landing);
    // Out of the evaluation's own task, so the navigation does not tear down the context it answers from.
    await b.evaluate(([storage, href]) => {
      for (const [k, v] of Object.entries(storage)) sessionStorage.setItem(k, v);
      setTimeout(() => (location.href = href), 0);
    }, [j.storage, j.href] as const);
    await b.waitForURL((u) => u.searchParams.get('room') === room, { waitUntil: 'commit' });
  }
  try {
    await b.waitForFunction(() => (window as unknown as { benchMarks: { frame?: number } }).benchMarks.frame !== undefined, null, { timeout: 20_000 });
  } catch (err) {
    const state = await b.evaluate(() => ({ marks: (window as unknown as { benchMarks: unknown }).benchMarks, status: document.querySelector('.call-status')?.textContent }));
    throw new Error(`${t.name} ${mode} run ${i}: no decoded frame in 20 s (${JSON.stringify(state)})`, { cause: err });
  }
  const m = (await b.evaluate(COLLECT)) as Sample;
  await a.close();
  await b.close();
  return m;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const steps: [string, (s: Sample) => number][] = [
  ['html', (s) => s.html],
  ['scripts', (s) => s.page - s.html],
  ['socket', (s) => s.socket - s.page],
  ['join', (s) => s.join - s.socket],
  ['join→track', (s) => s.track - s.join],
  ['track→frame', (s) => s.frame - s.track],
  ['page→frame', (s) => s.frame],
];

/** Main-thread time in tasks over 50 ms (script evaluation, rendering) before the first frame. */
const longTasks = (s: Sample) => s.long.filter(([start]) => start < s.frame).reduce((sum, [, d]) => sum + d, 0);

const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`bench:join — ${runs} runs each, both modes, alternating; ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}; load ${load()}`);
type Samples = Record<Target['name'], Sample[]>;
const samples: Record<Mode, Samples> = { 'fresh tab': { product: [], bare: [] }, journey: { product: [], bare: [] } };
let first: Samples;
try {
  // Warm-up: the first page load has no HTTP or code cache, the first room warms the worker.
  first = { product: [await once(product, 'fresh tab', -1), await once(product, 'journey', -1)], bare: [await once(bare, 'fresh tab', -1), await once(bare, 'journey', -1)] };
  for (let i = 0; i < runs; i++) {
    // Alternating who goes first and which mode, so neither always runs on the heels of the other.
    const modes = i % 2 === 0 ? MODES : [...MODES].reverse();
    const targets = i % 4 < 2 ? [product, bare] : [bare, product];
    for (const mode of modes) for (const t of targets) samples[mode][t.name].push(await once(t, mode, i));
  }
} finally {
  await browser.cleanup();
  await node.stop();
  bareChild.stdin!.end();
  fs.rmSync(bareWeb, { recursive: true, force: true });
}

const ms = (x: number) => x.toFixed(0);
const total = steps.at(-1)![1];
const median = (xs: Sample[], f: (s: Sample) => number) => pct(xs.map(f), 50);
const ratio = (p: number, b: number) => (b > 0 ? (p / b).toFixed(2) : '–');
for (const mode of MODES) {
  const { product: ps, bare: bs } = samples[mode];
  console.log(`\n${mode}\n| step | product median ms | bare median ms | product ÷ bare |\n|---|---:|---:|---:|`);
  for (const [name, f] of steps) console.log(`| ${name} | ${ms(median(ps, f))} | ${ms(median(bs, f))} | ${ratio(median(ps, f), median(bs, f))} |`);
  const p90 = (xs: Sample[]) => pct(xs.map(total), 90);
  console.log(`| page→frame p90 | ${ms(p90(ps))} | ${ms(p90(bs))} | ${ratio(p90(ps), p90(bs))} |`);
  const kb = (xs: Sample[]) => `${median(xs, (s) => s.jsKB).toFixed(0)} KB (${median(xs, (s) => s.jsWireKB).toFixed(0)} over the wire)`;
  console.log(`| JavaScript loaded | ${kb(ps)} | ${kb(bs)} | |`);
  console.log(`| main-thread long tasks before the frame, ms | ${ms(median(ps, longTasks))} | ${ms(median(bs, longTasks))} | ${ratio(median(ps, longTasks), median(bs, longTasks))} |`);
  // Every mark a page left, in the order of their medians: where the time between the steps goes.
  for (const [name, xs] of [['product', ps], ['bare', bs]] as const) {
    const names = [...new Set(xs.flatMap((s) => Object.keys(s.marks)))];
    const medians = names.map((n) => [n, pct(xs.flatMap((s) => (n in s.marks ? [s.marks[n]!] : [])), 50)] as const).sort((x, y) => x[1] - y[1]);
    console.log(`${name} marks (median ms from navigation start): ${medians.map(([n, v]) => `${n} ${ms(v)}`).join(', ')}`);
  }
}
console.log(`\nfirst load (no cache, fresh tab): product page→frame ${ms(total(first.product[0]!))} ms (scripts ${ms(first.product[0]!.page - first.product[0]!.html)}, ${first.product[0]!.jsKB.toFixed(0)} KB), bare ${ms(total(first.bare[0]!))} ms (scripts ${ms(first.bare[0]!.page - first.bare[0]!.html)}, ${first.bare[0]!.jsKB.toFixed(0)} KB)`);
// The issue's figure: page→frame median ≤ 400 ms, side by side with the bare path, in each mode.
console.log('\n| mode | product page→frame median ms | bare median ms | product ÷ bare | product p90 ms | ≤ 400 ms median |\n|---|---:|---:|---:|---:|---|');
for (const mode of MODES) {
  const p = median(samples[mode].product, total);
  const b = median(samples[mode].bare, total);
  console.log(`| ${mode} | ${ms(p)} | ${ms(b)} | ${ratio(p, b)} | ${ms(pct(samples[mode].product.map(total), 90))} | ${p <= 400 ? 'met' : 'not met'} |`);
}
console.log(`load average at the end: ${load()}`);
process.exit(0);
