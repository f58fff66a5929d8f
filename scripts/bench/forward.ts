// Forwarding benchmark: ffmpeg streams a pre-encoded VP8 + Opus clip as real RTP into two
// PlainTransport producers; N subscribers each consume both streams over a PlainTransport that
// sends to a Node UDP sink, which counts packets per SSRC. N steps up; the same topology is built
// twice in one run and the two are measured alternately at every step:
//   product  — WorkerPool → RoomRegistry → Room.join / createPlainTransport / addProducer /
//              consume / resumeConsumer, i.e. the SFU code the server runs;
//   baseline — bare mediasoup: createWorker → createRouter(MEDIA_CODECS) → plain transports.
// Only one topology carries media at a time (the other's producers are paused). Every figure is
// the median of `--repeats` samples. Usage: `npm run bench:forward -- --help`.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import type { Claims } from '../../server/auth/grants.ts';
import type { Peer as PeerT, ProducerAppData } from '../../sfu/peer.ts';
import { findWorkerBin } from '../../sfu/worker-bin.ts';
import {
  audioRtpParameters,
  ensureClip,
  ffmpegBin,
  killAllSenders,
  startRtpSender,
  videoRtpParameters,
  type RtpSender,
} from './rtp-clip.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LOOPBACK = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Options

const HELP = `npm run bench:forward -- [options]

  --steps 1,10,50,100,200,300   subscriber counts (each subscriber consumes video + audio)
  --repeats 3                   samples per step and topology (the table shows medians)
  --warmup 2.5                  seconds between resuming the producers and measuring
                                (covers the clip's 2 s key-frame interval)
  --window 3                    seconds measured per sample
  --sockets 4                   UDP sink sockets (subscribers are spread over them)
  --product-ports 45000-45999   RTC port range of the product's worker (env BENCH_PRODUCT_PORTS)
  --baseline-ports 46000-46999  RTC port range of the baseline worker (env BENCH_BASELINE_PORTS)
  --webrtc-port 44990           the product pool's WebRtcServer port (env BENCH_WEBRTC_PORT)
  --stop-loss 5                 stop stepping up once a step's median loss (either topology)
                                exceeds this percent, or a sample overran its time three-fold
  --max-minutes 12              skip the remaining steps after this long
  --json FILE                   also write every sample and the medians as JSON
  --wait-worker 900             seconds to wait for a mediasoup worker build to appear

Environment: MEDIASOUP_WORKER_BIN (else .cache/worker-bin, else
~/.cache/suzhou-video/mediasoup-worker/<version>-*/mediasoup-worker), FFMPEG_BIN.
`;

interface Options {
  steps: number[];
  repeats: number;
  warmupMs: number;
  windowMs: number;
  sockets: number;
  productPorts: [number, number];
  baselinePorts: [number, number];
  webRtcPort: number;
  json: string | undefined;
  stopLossPct: number;
  maxMinutes: number;
  waitWorkerSec: number;
}

function fail(msg: string): never {
  process.stderr.write(`bench:forward: ${msg}\n`);
  process.exit(2);
}

function num(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number in [${min}, ${max}], got "${raw}"`);
  return n;
}

function portRange(name: string, raw: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(raw);
  if (!m) fail(`--${name} must look like 45000-45999, got "${raw}"`);
  const lo = num(name, m[1]!, 1024, 65535);
  const hi = num(name, m[2]!, lo, 65535);
  return [lo, hi];
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '1,10,50,100,200,300' },
      repeats: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2.5' },
      window: { type: 'string', default: '3' },
      sockets: { type: 'string', default: '4' },
      'product-ports': { type: 'string', default: process.env.BENCH_PRODUCT_PORTS ?? '45000-45999' },
      'baseline-ports': { type: 'string', default: process.env.BENCH_BASELINE_PORTS ?? '46000-46999' },
      'webrtc-port': { type: 'string', default: process.env.BENCH_WEBRTC_PORT ?? '44990' },
      json: { type: 'string' },
      'stop-loss': { type: 'string', default: '5' },
      'max-minutes': { type: 'string', default: '12' },
      'wait-worker': { type: 'string', default: '900' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const steps = values.steps.split(',').map((s) => Math.round(num('steps', s.trim(), 1, 2000)));
  if (steps.length === 0 || steps.length > 20) fail('--steps takes 1 to 20 counts');
  const o: Options = {
    steps,
    repeats: Math.round(num('repeats', values.repeats, 1, 15)),
    warmupMs: num('warmup', values.warmup, 0.5, 30) * 1000,
    windowMs: num('window', values.window, 0.5, 60) * 1000,
    sockets: Math.round(num('sockets', values.sockets, 1, 32)),
    productPorts: portRange('product-ports', values['product-ports']),
    baselinePorts: portRange('baseline-ports', values['baseline-ports']),
    webRtcPort: Math.round(num('webrtc-port', values['webrtc-port'], 1024, 65535)),
    json: values.json,
    stopLossPct: num('stop-loss', values['stop-loss'], 0, 100),
    maxMinutes: num('max-minutes', values['max-minutes'], 0.5, 120),
    waitWorkerSec: num('wait-worker', values['wait-worker'], 0, 3600),
  };
  // Each subscriber transport takes one port (rtcpMux); the two ingest transports take four.
  const maxN = Math.max(...o.steps);
  for (const [name, [lo, hi]] of [['product-ports', o.productPorts], ['baseline-ports', o.baselinePorts]] as const) {
    if (hi - lo + 1 < maxN + 8) fail(`--${name} ${lo}-${hi} is too small for ${maxN} subscribers`);
  }
  const [pl, ph] = o.productPorts;
  const [bl, bh] = o.baselinePorts;
  if (pl <= bh && bl <= ph) fail('--product-ports and --baseline-ports overlap');
  if ((o.webRtcPort >= pl && o.webRtcPort <= ph) || (o.webRtcPort >= bl && o.webRtcPort <= bh)) {
    fail('--webrtc-port lies inside an RTC port range');
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The mediasoup worker binary (must be known before mediasoup is imported)

/** sfu/worker-bin.ts's lookup, waiting (up to `waitSec`) for a build still under way. */
async function resolveWorkerBin(waitSec: number): Promise<string> {
  const deadline = Date.now() + waitSec * 1000;
  let said = false;
  for (;;) {
    const bin = findWorkerBin();
    if (bin && existsSync(bin)) {
      // A build still linking may have the file but not its final size: wait until it is stable.
      const size = statSync(bin).size;
      await sleep(1000);
      if (statSync(bin).size === size && size > 0) return bin;
    }
    if (Date.now() > deadline) fail('no mediasoup worker binary; run `npm run setup` or set MEDIASOUP_WORKER_BIN');
    if (!said) {
      process.stderr.write('waiting for the mediasoup worker build (npm run setup)…\n');
      said = true;
    }
    await sleep(5000);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

class TimeoutError extends Error {}

/** Rejects with TimeoutError after `ms`; the original promise's outcome is then ignored. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += limit) out.push(...(await Promise.all(items.slice(i, i + limit).map(fn))));
  return out;
}

/** Kernel UDP counters (system-wide): drops because a socket's receive buffer was full. */
function udpCounters(): { rcvbufErrors: number; sndbufErrors: number } {
  // Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors …
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const keys = lines[0]!.split(/\s+/);
    const vals = lines[1]!.split(/\s+/).map(Number);
    const get = (k: string) => vals[keys.indexOf(k)] ?? 0;
    return { rcvbufErrors: get('RcvbufErrors'), sndbufErrors: get('SndbufErrors') };
  } catch {
    return { rcvbufErrors: 0, sndbufErrors: 0 };
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// The sink: Node UDP sockets that count RTP packets per SSRC

/** Per consumer SSRC since the last reset: packets and the extended sequence-number span. */
interface StreamCount {
  packets: number;
  /** Extended (32-bit-safe) first and highest sequence numbers; -1 before the first packet. */
  first: number;
  highest: number;
}

class Sink {
  readonly sockets: dgram.Socket[] = [];
  /** Only SSRCs of live consumers are counted. */
  readonly streams = new Map<number, StreamCount>();
  total = 0;
  other = 0;
  rtcp = 0;
  /** performance.now() of the last RTP packet (RTCP reports keep coming while paused). */
  lastRtpAt = 0;

  private constructor() {}

  static async create(n: number): Promise<Sink> {
    const sink = new Sink();
    for (let i = 0; i < n; i++) {
      const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
      s.on('message', (msg) => sink.#onPacket(msg));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, LOOPBACK, () => {
          s.off('error', reject);
          resolve();
        });
      });
      sink.sockets.push(s);
    }
    return sink;
  }

  port(i: number): number {
    return this.sockets[i % this.sockets.length]!.address().port;
  }

  recvBufferSize(): number {
    return this.sockets[0]?.getRecvBufferSize() ?? 0;
  }

  register(ssrc: number): void {
    this.streams.set(ssrc, { packets: 0, first: -1, highest: -1 });
  }
  unregister(ssrc: number): void {
    this.streams.delete(ssrc);
  }

  reset(): void {
    for (const st of this.streams.values()) {
      st.packets = 0;
      st.first = -1;
      st.highest = -1;
    }
    this.total = 0;
    this.other = 0;
    this.rtcp = 0;
  }

  /**
   * Over `ssrcs` since the last reset: packets received, packets the sequence numbers say were
   * sent (highest − first + 1 per stream, as RTCP receiver reports count), and silent streams.
   * Independent of when the window opened or closed, unlike a comparison with producer stats.
   *
   * `ssrcs` lists each subscriber's consumers in producer order (`streamsPerSubscriber` of them).
   * A consumer's sequence numbers mirror its producer's (mediasoup keeps gaps so receivers can
   * NACK), so a gap every consumer of a producer shares was lost before the fan-out (ffmpeg →
   * worker ingest); `commonLost` estimates those packets from the least-lossy consumer of each
   * producer.
   */
  tally(ssrcs: readonly number[], streamsPerSubscriber: number): { received: number; expected: number; commonLost: number; silent: number } {
    let received = 0;
    let expected = 0;
    let silent = 0;
    const minFrac = new Array<number>(streamsPerSubscriber).fill(Infinity);
    const spans = new Array<number>(streamsPerSubscriber).fill(0);
    ssrcs.forEach((ssrc, i) => {
      const st = this.streams.get(ssrc);
      if (!st || st.packets === 0) {
        silent++;
        return;
      }
      const span = st.highest - st.first + 1;
      const k = i % streamsPerSubscriber;
      received += st.packets;
      expected += span;
      spans[k]! += span;
      minFrac[k] = Math.min(minFrac[k]!, Math.max(0, 1 - st.packets / span));
    });
    let commonLost = 0;
    for (let k = 0; k < streamsPerSubscriber; k++) if (Number.isFinite(minFrac[k]!)) commonLost += minFrac[k]! * spans[k]!;
    return { received, expected, commonLost, silent };
  }

  /** Resolves once nothing arrived for `quietMs` (backlogs drained), or after `maxMs`. */
  async quiet(quietMs: number, maxMs: number): Promise<boolean> {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline) {
      if (performance.now() - this.lastRtpAt >= quietMs) return true;
      await sleep(50);
    }
    return false;
  }

  #onPacket(msg: Buffer): void {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) {
      this.other++;
      return;
    }
    const b1 = msg[1]!;
    if (b1 >= 192 && b1 <= 223) {
      this.rtcp++; // RFC 5761 demultiplexing: RTCP packet types 192–223
      return;
    }
    this.lastRtpAt = performance.now();
    const st = this.streams.get(msg.readUInt32BE(8));
    if (st === undefined) {
      this.other++; // RTX, probation or a consumer of a torn-down step
      return;
    }
    const seq = msg.readUInt16BE(2);
    if (st.packets === 0) {
      st.first = seq;
      st.highest = seq;
    } else {
      const delta = (seq - st.highest) & 0xffff;
      if (delta !== 0 && delta < 0x8000) st.highest += delta; // forward (with wrap); else late/duplicate
    }
    st.packets++;
    this.total++;
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Topologies

type TopologyName = 'product' | 'baseline';

interface Topology {
  readonly name: TopologyName;
  readonly worker: types.Worker;
  readonly producers: types.Producer[];
  /** Ingest ports for the RTP sender. */
  readonly ingest: { video: { port: number; rtcpPort: number }; audio: { port: number; rtcpPort: number } };
  /** Adds N subscribers each consuming every producer; returns the consumers' SSRCs. */
  addSubscribers(n: number, sink: Sink): Promise<number[]>;
  /** SSRCs of the current subscribers' consumers. */
  readonly ssrcs: readonly number[];
  removeSubscribers(): Promise<void>;
  setFlowing(flowing: boolean): Promise<void>;
  close(): Promise<void>;
}

const INGEST_TRANSPORT = { listenIp: LOOPBACK, rtcpMux: false, comedia: true } as const;
const SINK_TRANSPORT = { listenIp: LOOPBACK, rtcpMux: true, comedia: false } as const;
const BATCH = 16;

function ingestPorts(t: types.PlainTransport) {
  return { port: t.tuple.localPort, rtcpPort: t.rtcpTuple!.localPort };
}

function consumerSsrc(rtp: types.RtpParameters): number {
  const ssrc = rtp.encodings?.[0]?.ssrc;
  if (ssrc === undefined) throw new Error('consumer without an SSRC');
  return ssrc;
}

type Mediasoup = typeof import('mediasoup');

async function createBaseline(ms: Mediasoup, ports: [number, number], codecs: types.RtpCodecCapability[]): Promise<Topology> {
  const worker = await ms.createWorker({ logLevel: 'warn', rtcMinPort: ports[0], rtcMaxPort: ports[1] });
  const router = await worker.createRouter({ mediaCodecs: codecs });
  const vt = await router.createPlainTransport(INGEST_TRANSPORT);
  const at = await router.createPlainTransport(INGEST_TRANSPORT);
  const video = await vt.produce({ kind: 'video', rtpParameters: videoRtpParameters(), paused: true });
  const audio = await at.produce({ kind: 'audio', rtpParameters: audioRtpParameters(), paused: true });
  const producers = [video, audio];
  let subs: types.PlainTransport[] = [];
  let ssrcs: number[] = [];
  return {
    name: 'baseline',
    worker,
    producers,
    get ssrcs() {
      return ssrcs;
    },
    ingest: { video: ingestPorts(vt), audio: ingestPorts(at) },
    async addSubscribers(n, sink) {
      const made = await inBatches([...Array(n).keys()], BATCH, async (i) => {
        const t = await router.createPlainTransport(SINK_TRANSPORT);
        await t.connect({ ip: LOOPBACK, port: sink.port(i) });
        const out: number[] = [];
        for (const p of producers) {
          const c = await t.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities, paused: true });
          const ssrc = consumerSsrc(c.rtpParameters);
          sink.register(ssrc);
          out.push(ssrc);
          await c.resume();
          if (c.kind === 'video') await c.requestKeyFrame().catch(() => undefined);
        }
        return { t, out };
      });
      subs = made.map((m) => m.t);
      ssrcs = made.flatMap((m) => m.out);
      return ssrcs;
    },
    async removeSubscribers() {
      for (const t of subs) t.close();
      subs = [];
      ssrcs = [];
    },
    async setFlowing(flowing) {
      for (const p of producers) await (flowing ? p.resume() : p.pause());
    },
    async close() {
      worker.close();
    },
  };
}

/** The product's own SFU code; it imports mediasoup itself (after MEDIASOUP_WORKER_BIN is set). */
async function createProduct(o: Options): Promise<Topology> {
  const { createLogger } = await import('../../server/core/log.ts');
  const { WorkerPool } = await import('../../sfu/worker-pool.ts');
  const { RoomRegistry } = await import('../../sfu/rooms.ts');
  const { Peer } = await import('../../sfu/peer.ts');
  const log = createLogger('warn', { bench: 'forward' });
  const pool = await WorkerPool.create(
    {
      size: 1,
      logLevel: 'warn',
      listenIp: LOOPBACK,
      portBase: o.webRtcPort,
      rtcMinPort: o.productPorts[0],
      rtcMaxPort: o.productPorts[1],
    },
    log,
  );
  const rooms = new RoomRegistry(pool, log, 60_000);
  const roomId = 'bench-forward';
  const room = await rooms.getOrCreate(roomId);
  const claims = (sub: string): Claims => ({
    use: 'room',
    sub,
    name: sub,
    role: 'official',
    grant: { rooms: [roomId], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] },
    attributes: {},
    jti: 'x',
    iat: 0,
    exp: 4_102_444_800,
  });
  const notify = () => undefined;
  const publisher = new Peer('publisher', 'publisher', claims('publisher'), notify);
  room.join(publisher, room.rtpCapabilities);
  const vt = await room.createPlainTransport(publisher, 'send', INGEST_TRANSPORT);
  const at = await room.createPlainTransport(publisher, 'send', INGEST_TRANSPORT);
  const video = await vt.produce<ProducerAppData>({
    kind: 'video',
    rtpParameters: videoRtpParameters(),
    paused: true,
    appData: { peerId: publisher.id, source: 'camera' },
  });
  room.addProducer(publisher, video);
  const audio = await at.produce<ProducerAppData>({
    kind: 'audio',
    rtpParameters: audioRtpParameters(),
    paused: true,
    appData: { peerId: publisher.id, source: 'microphone' },
  });
  room.addProducer(publisher, audio);
  const producers = [video, audio];
  let subs: PeerT[] = [];
  let ssrcs: number[] = [];
  let generation = 0;
  return {
    name: 'product',
    worker: pool.slots[0]!.worker,
    producers,
    get ssrcs() {
      return ssrcs;
    },
    ingest: { video: ingestPorts(vt), audio: ingestPorts(at) },
    async addSubscribers(n, sink) {
      const gen = ++generation;
      const made = await inBatches([...Array(n).keys()], BATCH, async (i) => {
        const id = `sub-${gen}-${i}`;
        const peer = new Peer(id, id, claims(id), notify);
        room.join(peer, room.rtpCapabilities);
        const t = await room.createPlainTransport(peer, 'recv', SINK_TRANSPORT);
        await t.connect({ ip: LOOPBACK, port: sink.port(i) });
        const out: number[] = [];
        for (const p of producers) {
          const c = await room.consume(peer, t.id, p.id);
          const ssrc = consumerSsrc(peer.assertConsumer(c.consumerId).rtpParameters);
          sink.register(ssrc);
          out.push(ssrc);
          await room.resumeConsumer(peer, c.consumerId);
        }
        return { peer, out };
      });
      subs = made.map((m) => m.peer);
      ssrcs = made.flatMap((m) => m.out);
      return ssrcs;
    },
    async removeSubscribers() {
      for (const p of subs) room.leave(p);
      subs = [];
      ssrcs = [];
    },
    async setFlowing(flowing) {
      for (const p of producers) await room.setProducerPaused(publisher, p.id, !flowing);
    },
    async close() {
      rooms.closeAll('server-shutdown');
      await pool.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface Sample {
  topology: TopologyName;
  subscribers: number;
  repeat: number;
  /** Packets/s the sink counted (all subscribers together). */
  forwardedPps: number;
  /** Packets/s the producers received (ingest), from producer.getStats() packetCount. */
  ingestPps: number;
  /** From the consumers' RTP sequence numbers: what the worker sent that the sink never read. */
  lossPct: number;
  /** The part of lossPct every consumer of a producer shared: lost before the fan-out (ingest). */
  beforeFanoutLossPct: number;
  /** 1 − received ÷ (producer packetCount × N); noisy, as the window edges are not aligned. */
  lossVsProducerCountPct: number;
  workerCpuPct: number;
  /** Worker CPU time per packet the sink received: the cost figure that ingest jitter does not skew. */
  workerUsPerPacket: number;
  /** The Node process (the sink; the control plane is idle while measuring). */
  sinkCpuPct: number;
  /** Whole machine, percent of one core (so up to 100 × cores). */
  machineCpuPct: number;
  /** System-wide kernel UDP counters; on this loopback the sink is nearly all of the traffic. */
  udpRcvbufDropsPerSec: number;
  udpSndbufDropsPerSec: number;
  silentConsumers: number;
  /** The worker's peak resident memory so far (it queues in user space when sends would block). */
  workerMaxRssMb: number;
  /** Wall time of the whole sample incl. warm-up and drain; far above warm-up + window = overload. */
  sampleSec: number;
}

/** Packets the producers received (exact counters, unlike packetsLost, which mediasoup only
 * refreshes when it builds a receiver report). */
async function producerPackets(t: Topology): Promise<number> {
  let n = 0;
  for (const p of t.producers) for (const s of await p.getStats()) n += s.packetCount;
  return n;
}

async function cpuMs(w: types.Worker): Promise<number> {
  const u = await w.getResourceUsage();
  return u.ru_utime + u.ru_stime;
}

async function measure(t: Topology, sink: Sink, n: number, repeat: number, o: Options): Promise<Sample> {
  const started = performance.now();
  await t.setFlowing(true);
  await sleep(o.warmupMs);
  const w0 = await cpuMs(t.worker);
  const p0 = await producerPackets(t);
  sink.reset();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = machineCpu();
  const u0 = udpCounters();
  await sleep(o.windowMs);
  const p1 = await producerPackets(t);
  const { received, expected, commonLost, silent } = sink.tally(t.ssrcs, t.producers.length);
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const m1 = machineCpu();
  const u1 = udpCounters();
  const w1 = await cpuMs(t.worker);
  const rssKb = (await t.worker.getResourceUsage()).ru_maxrss;
  await t.setFlowing(false);
  // Let queued packets (kernel buffers, the worker's own send queue) drain before the next sample.
  await sink.quiet(300, 10_000);
  const sec = (t1 - t0) / 1000;
  const ingest = p1 - p0;
  const ingestExpected = ingest * n;
  const cores = os.cpus().length;
  return {
    topology: t.name,
    subscribers: n,
    repeat,
    forwardedPps: received / sec,
    ingestPps: ingest / sec,
    lossPct: expected > 0 ? (1 - received / expected) * 100 : NaN,
    beforeFanoutLossPct: expected > 0 ? (commonLost / expected) * 100 : NaN,
    // Signed: under overload the ingest arrives in bursts and the two counts drift apart.
    lossVsProducerCountPct: ingestExpected > 0 ? (1 - received / ingestExpected) * 100 : NaN,
    workerCpuPct: ((w1 - w0) / (t1 - t0)) * 100,
    workerUsPerPacket: received > 0 ? ((w1 - w0) * 1000) / received : NaN,
    sinkCpuPct: ((c1.user + c1.system) / 1000 / (t1 - t0)) * 100,
    machineCpuPct: m1.total > m0.total ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100 * cores : NaN,
    udpRcvbufDropsPerSec: (u1.rcvbufErrors - u0.rcvbufErrors) / sec,
    udpSndbufDropsPerSec: (u1.sndbufErrors - u0.sndbufErrors) / sec,
    silentConsumers: silent,
    workerMaxRssMb: rssKb / 1024,
    sampleSec: (performance.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---:')), ...rows.map(line)].join('\n');
}

function machineInfo(ms: Mediasoup, workerBin: string): string[] {
  let ffmpeg = 'unknown';
  try {
    ffmpeg = execFileSync(ffmpegBin(), ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? ffmpeg;
  } catch {
    /* reported as unknown */
  }
  const cpus = os.cpus();
  return [
    `date:       ${new Date().toISOString()}`,
    `cpu:        ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} (os.cpus), load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `memory:     ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, kernel ${os.release()}`,
    `node:       ${process.version}`,
    `mediasoup:  ${ms.version} (worker ${workerBin})`,
    `ffmpeg:     ${ffmpeg}`,
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions();
  process.env.MEDIASOUP_WORKER_BIN = await resolveWorkerBin(o.waitWorkerSec);
  const ms = await import('mediasoup');
  const { MEDIA_CODECS } = await import('../../sfu/media-codecs.ts');

  const info = machineInfo(ms, process.env.MEDIASOUP_WORKER_BIN);
  process.stdout.write(`# bench:forward\n\n${info.map((l) => `    ${l}`).join('\n')}\n\n`);
  process.stdout.write(
    `    steps ${o.steps.join(',')} subscribers × (VP8 + Opus); ${o.repeats} samples per step and topology; ` +
      `warm-up ${o.warmupMs / 1000} s, window ${o.windowMs / 1000} s; ${o.sockets} sink sockets\n\n`,
  );

  const clip = await ensureClip(path.join(REPO, '.cache/bench'));
  const sink = await Sink.create(o.sockets);
  process.stderr.write(`clip ${path.relative(REPO, clip)}; sink receive buffer ${sink.recvBufferSize()} bytes per socket\n`);

  const topologies: Topology[] = [];
  const senders: RtpSender[] = [];
  let cleaning = false;
  const cleanup = async () => {
    if (cleaning) return;
    cleaning = true;
    await Promise.all(senders.map((s) => s.stop()));
    for (const t of topologies) await t.close().catch(() => undefined);
    // A stalled worker may take a while to act on close(); never leave one behind.
    for (const t of topologies) {
      try {
        process.kill(t.worker.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    sink.close();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAllSenders();
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const product = await createProduct(o);
    topologies.push(product);
    const baseline = await createBaseline(ms, o.baselinePorts, MEDIA_CODECS);
    topologies.push(baseline);
    for (const t of topologies) {
      senders.push(
        startRtpSender(
          clip,
          { ip: LOOPBACK, port: t.ingest.video.port, rtcpPort: t.ingest.video.rtcpPort },
          { ip: LOOPBACK, port: t.ingest.audio.port, rtcpPort: t.ingest.audio.rtcpPort },
        ),
      );
    }
    await sleep(1500); // ffmpeg start-up; comedia transports learn the sender's address

    const samples: Sample[] = [];
    /** `${topology}:${n}` → ms to add n subscribers (transport, connect, consume ×2, resume ×2). */
    const setupMs = new Map<string, number>();
    let turn = 0;
    const runStart = performance.now();
    const measured: number[] = [];
    let stopReason = '';
    const sampleLimitMs = 4 * (o.warmupMs + o.windowMs) + 20_000;
    steps: for (const n of o.steps) {
      if (performance.now() - runStart > o.maxMinutes * 60_000) {
        stopReason = `--max-minutes ${o.maxMinutes} reached before step ${n}`;
        break;
      }
      measured.push(n);
      const ssrcs: number[] = [];
      for (const t of topologies) {
        const t0 = performance.now();
        ssrcs.push(...(await t.addSubscribers(n, sink)));
        setupMs.set(`${t.name}:${n}`, performance.now() - t0);
      }
      process.stderr.write(
        `step ${n}: ${n} subscribers per topology set up in ${fmt(setupMs.get(`product:${n}`)!)} ms (product), ` +
          `${fmt(setupMs.get(`baseline:${n}`)!)} ms (baseline)\n`,
      );
      for (let r = 0; r < o.repeats; r++) {
        const order = turn++ % 2 === 0 ? [product, baseline] : [baseline, product];
        for (const t of order) {
          let s: Sample;
          try {
            s = await withTimeout(measure(t, sink, n, r, o), sampleLimitMs);
          } catch (err) {
            if (!(err instanceof TimeoutError)) throw err;
            // An overloaded worker can stop answering for minutes (see docs/bench-forward.md).
            stopReason = `a ${t.name} sample at ${n} subscribers did not finish within ${fmt(sampleLimitMs / 1000)} s (worker stalled)`;
            break steps;
          }
          samples.push(s);
          process.stderr.write(
            `  ${t.name.padEnd(8)} #${r + 1}: ${fmt(s.forwardedPps)} pkt/s, ingest ${fmt(s.ingestPps)} pkt/s, ` +
              `loss ${fmt(s.lossPct, 2)} % (before fan-out ${fmt(s.beforeFanoutLossPct, 2)} %, vs producer count ${fmt(s.lossVsProducerCountPct, 2)} %), worker ${fmt(s.workerCpuPct, 1)} %, sink ${fmt(s.sinkCpuPct, 1)} %, ` +
              `machine ${fmt(s.machineCpuPct)} %, udp drops ${fmt(s.udpRcvbufDropsPerSec)}+${fmt(s.udpSndbufDropsPerSec)}/s, silent ${s.silentConsumers}, ` +
              `worker max RSS ${fmt(s.workerMaxRssMb)} MB, ${fmt(s.sampleSec, 1)} s\n`,
          );
        }
      }
      for (const t of topologies) await t.removeSubscribers();
      for (const s of ssrcs) sink.unregister(s);
      await sink.quiet(300, 10_000);

      const mine = samples.filter((s) => s.subscribers === n);
      const worstLoss = Math.max(...(['product', 'baseline'] as const).map((t) => median(mine.filter((s) => s.topology === t).map((s) => s.lossPct))));
      const overran = mine.some((s) => s.sampleSec > 3 * (o.warmupMs + o.windowMs) / 1000);
      if (worstLoss > o.stopLossPct || overran) {
        stopReason = `saturated at ${n} subscribers (median loss ${fmt(worstLoss, 1)} %${overran ? ', samples overran their time' : ''})`;
        break;
      }
    }
    const skipped = o.steps.filter((n) => !measured.includes(n));
    if (stopReason) process.stderr.write(`stopped: ${stopReason}\n`);

    // Medians per step and topology.
    const med = (n: number, t: TopologyName, k: keyof Omit<Sample, 'topology'>) =>
      median(samples.filter((s) => s.subscribers === n && s.topology === t).map((s) => s[k]));
    const rows = measured.map((n) => {
      const pp = med(n, 'product', 'forwardedPps');
      const bp = med(n, 'baseline', 'forwardedPps');
      const pc = med(n, 'product', 'workerCpuPct');
      const bc = med(n, 'baseline', 'workerCpuPct');
      return [
        String(n),
        String(2 * n),
        fmt(pp),
        fmt(bp),
        fmt(pp / bp, 3),
        fmt(pc, 1),
        fmt(bc, 1),
        fmt(pc / bc, 2),
        fmt(med(n, 'product', 'lossPct'), 2),
        fmt(med(n, 'baseline', 'lossPct'), 2),
      ];
    });
    const pair = (n: number, k: keyof Omit<Sample, 'topology'>, digits = 0) =>
      `${fmt(med(n, 'product', k), digits)} / ${fmt(med(n, 'baseline', k), digits)}`;
    const diag = measured.map((n) => [
      String(n),
      `${pair(n, 'workerUsPerPacket', 2)} (${fmt(med(n, 'product', 'workerUsPerPacket') / med(n, 'baseline', 'workerUsPerPacket'), 2)})`,
      `${fmt(setupMs.get(`product:${n}`)!)} / ${fmt(setupMs.get(`baseline:${n}`)!)}`,
      pair(n, 'ingestPps'),
      pair(n, 'beforeFanoutLossPct', 2),
      pair(n, 'sinkCpuPct'),
      pair(n, 'machineCpuPct'),
      `${pair(n, 'udpRcvbufDropsPerSec')}; ${pair(n, 'udpSndbufDropsPerSec')}`,
      pair(n, 'silentConsumers'),
      pair(n, 'workerMaxRssMb'),
    ]);
    const cores = os.cpus().length;
    process.stdout.write(
      `## Forwarding (medians of ${o.repeats}; product = the SFU's Room code, baseline = bare mediasoup)\n\n` +
        table(
          [
            'subscribers',
            'consumers',
            'product pkt/s',
            'baseline pkt/s',
            'pkt/s ratio',
            'product worker CPU %',
            'baseline worker CPU %',
            'CPU ratio',
            'product loss %',
            'baseline loss %',
          ],
          rows,
        ) +
        `\n\n## Diagnostics (product / baseline)\n\n` +
        table(
          [
            'subscribers',
            'worker µs/packet (ratio)',
            'set-up ms',
            'ingest pkt/s',
            'loss before fan-out %',
            'Node sink CPU %',
            `machine CPU % (of ${cores * 100})`,
            'kernel UDP drops/s rcvbuf; sndbuf',
            'silent consumers',
            'worker peak RSS MB',
          ],
          diag,
        ) +
        '\n' +
        (stopReason ? `\nStopped early: ${stopReason}; not measured: ${skipped.join(', ') || 'none'}.\n` : ''),
    );
    if (o.json) {
      writeFileSync(o.json, JSON.stringify({ machine: info, options: o, measured, stopReason, setupMs: Object.fromEntries(setupMs), samples }, null, 2));
      process.stderr.write(`samples written to ${o.json}\n`);
    }
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    killAllSenders();
    process.stderr.write(`bench:forward failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
