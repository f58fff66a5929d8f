// npm run bench:sessions [-- --steps 5,10,20,30,40,50,60,70 --seconds 20 --settle 6 --workers 2 --segment 15 --json]
//
// K recorded three-party petition sessions on this machine, K stepped up until the receivers see
// ≥1 % loss or the machine saturates. Each session goes through the product's petition path in
// this process: a terminal starts a petition (PetitionService on an embedded redis-server and a
// SQLite store), an official of the routed department claims it, invites a second department,
// whose official accepts; the three join the case's room (sfu/ RoomRegistry on the product's
// WorkerPool) with the tokens the service issued and the permission the case grants, and the room
// is recorded from the first join as the app does (server/app/session-recording.ts, which a script
// may not import: the same recordRoom() with the case's details).
//
// Media: a VP8+Opus clip shaped like the product's camera (640x360, 20 fps, the top simulcast
// layer's 900 kbit/s; key frame every 2 s) is encoded once and sent by one `ffmpeg -c copy` into
// a load-generator mediasoup worker; every participant's camera and microphone are consumers of
// that source sent by the generator's worker into the participant's PlainTransport in the room
// (so 3K distinct RTP sources cost no extra process). Each participant receives the other two
// (four consumers on a PlainTransport of theirs) into a sink producer on the generator worker,
// whose receive statistics count packets and sequence gaps: the loss. Receivers ask for no
// retransmission (no NACK), so every packet dropped anywhere on the way counts.
//
// Per step: CPU in % of one core (utime+stime from /proc) of the product's workers, the recording
// ffmpegs, and this Node process (product: petition service, rooms, recorders' RTP intake; the
// bench's own control is idle while measuring), and apart the load generator (its worker and the
// sender ffmpeg); loss at the receivers; what the recorders' intakes found missing; kernel drops
// on the recorders' sockets (/proc/net/udp, per socket) and UdpRcvbufErrors (/proc/net/snmp, the
// whole machine); recorder port bind failures; archive growth; recording ffmpegs vs tracks (no
// spares); Node event-loop delay; load average. Ratios are against the first step of the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import { workerBin } from '../../sfu/worker-bin.ts';
import { loopbackReference } from './loopback-reference.ts';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '5,10,20,30,40,50,60,70' },
    seconds: { type: 'string', default: '20' },
    settle: { type: 'string', default: '6' },
    workers: { type: 'string', default: String(os.availableParallelism()) },
    segment: { type: 'string', default: '15' },
    'max-loss': { type: 'string', default: '1' },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
// At most 100 sessions: what the port ranges below hold.
const STEPS = args.steps.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 100).sort((a, b) => a - b);
const SECONDS = clamp(Number(args.seconds), 5, 300);
const SETTLE = clamp(Number(args.settle), 2, 60);
const WORKERS = clamp(Number(args.workers), 1, 16);
const SEGMENT = clamp(Number(args.segment), 2, 60);
const MAX_LOSS = Number(args['max-loss']) || 1;
/** The first step is measured unrecorded too, then recorded: what recording adds per track, in the same run. */
const BASELINE = !args['no-baseline'];
if (STEPS.length === 0) throw new Error('--steps: a comma-separated list of session counts');

// This helper's ports (the machine is shared): HTTP-like listeners 7400–7499, UDP 42000–44999.
const PORTS = {
  webRtcServerBase: 7400, // worker i's WebRtcServer (unused here: everything is plain RTP)
  productRtc: { min: 42000, max: 43299 }, // 12 per session (3 send, 3 recv, 6 recording)
  generatorRtc: { min: 43300, max: 43999 }, // 6 per session, 4 for the source
  recorder: { min: 44000, max: 44999 },
};

// mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: set it, then import.
process.env.MEDIASOUP_WORKER_BIN = workerBin();
const mediasoup = await import('mediasoup');
const { ensureClip } = await import('./rtp-clip.ts');
const { startFeed, MEDIA_CODECS: FEED_CODECS } = await import('../harness/rtp-feed.ts');
const { seedBenchTerminals } = await import('./seed-terminals.ts');
const { createLogger } = await import('../../server/core/log.ts');
const { startEmbeddedRedis } = await import('../../server/core/embedded-redis.ts');
const { Redis } = await import('ioredis');
const { TokenIssuer, grantAllowsRoom } = await import('../../server/auth/grants.ts');
const { intersect } = await import('../../server/auth/room-access.ts');
const { PetitionService } = await import('../../server/petition/service.ts');
const { openPetitionStore } = await import('../../server/petition/store.ts');
const { actorFromClaims } = await import('../../server/petition/access.ts');
const { buildDirectory } = await import('../../server/petition/seed.ts');
const { RoutingRuleBook } = await import('../../server/scheduler/routing-rules.ts');
const { WorkerPool } = await import('../../sfu/worker-pool.ts');
const { RoomRegistry } = await import('../../sfu/rooms.ts');
const { Peer } = await import('../../sfu/peer.ts');
const { Archive } = await import('../../recordings/archive.ts');
const { recordRoom } = await import('../../recordings/room-recording.ts');
const { recorderPortStats } = await import('../../recordings/ports.ts');
type SessionRecorder = import('../../recordings/session-recorder.ts').SessionRecorder;
type Room = import('../../sfu/room.ts').Room;

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : min;
}

// ---------------------------------------------------------------- /proc readers

function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** This process's children, with their command lines. */
function children(): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      out.push({ pid: Number(d), cmdline: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Recording ffmpegs read their RTP over RTSP/TCP (recordings/segmenter.ts); the sender does not. */
const recordingFfmpegs = () => children().filter((c) => c.cmdline.includes('-rtsp_transport')).map((c) => c.pid);

/** Kernel drops of the UDP sockets bound in `range` on 127.0.0.1 (the recorders' intakes). */
function socketDrops(range: { min: number; max: number }): number {
  let drops = 0;
  for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1]!.split(':')[1]!, 16);
    if (port >= range.min && port <= range.max) drops += Number(f[12]);
  }
  return drops;
}

function udpRcvbufErrors(): number {
  const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

function treeBytes(dir: string): number {
  let n = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    try {
      if (e.isDirectory()) n += treeBytes(p);
      else if (e.isFile()) n += fs.statSync(p).size;
    } catch {
      /* moved meanwhile (spool → archive) */
    }
  }
  return n;
}

// ---------------------------------------------------------------- the product, in process

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sessions-'));
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn');
const maxK = STEPS.at(-1)!;
const LEAD_DEPT = '341321-rs'; // 砀山县人社局: where a wages petition from 砀山县 goes
const INVITED_DEPT = '341321-zj'; // 砀山县住建局: invited into the joint session

const storeFile = path.join(tmp, 'petition.db');
const terminals = await seedBenchTerminals(storeFile, maxK, ['341321']);
{
  // The demo directory has three officials per county office; a bench of K sessions needs K in each.
  const dir = buildDirectory();
  const template = dir.officials.find((o) => o.departmentId === LEAD_DEPT && !o.head)!;
  const officials = [LEAD_DEPT, INVITED_DEPT].flatMap((departmentId) =>
    Array.from({ length: maxK }, (_, i) => ({ ...template, id: `OB-${departmentId}-${i + 1}`, name: `压测${departmentId}-${i + 1}`, departmentId, maxSessions: 1 })),
  );
  const s = await openPetitionStore(storeFile);
  await s.repo.importDirectory({ regions: [], terminals: [], departments: [], officials, receptionDays: [] });
  await s.close();
}
const redisServer = await startEmbeddedRedis(tmp, log);
const redis = new Redis(redisServer.url, { enableAutoPipelining: true, commandTimeout: 800 });
const store = await openPetitionStore(storeFile);
const tokens = new TokenIssuer('bench-sessions-secret-0123456789abcdef', 3600);
const petition = await PetitionService.create({ repo: store.repo, redis, tokens, rules: await RoutingRuleBook.inMemory(), prefix: 'bench:', log });
const pool = await WorkerPool.create(
  { size: WORKERS, logLevel: 'warn', listenIp: '127.0.0.1', portBase: PORTS.webRtcServerBase, rtcMinPort: PORTS.productRtc.min, rtcMaxPort: PORTS.productRtc.max },
  log,
);
const rooms = new RoomRegistry(pool, log, 60_000);
const archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
const recorders = new Map<string, SessionRecorder>();
const SYSTEM = { id: 'system', name: '系统', role: 'system' } as const;

/** The room's recording, with the case's details (as server/app/session-recording.ts starts it). */
async function record(room: Room): Promise<void> {
  const c = await petition.getCase(SYSTEM, room.id.slice('petition:'.length));
  const recorder = await recordRoom(room, {
    archive,
    caseInfo: { kind: 'petition', caseNumber: c.id, terminalId: c.terminalId, region: c.regionCode, departments: [c.departmentId, ...c.routedDepartmentIds].filter((d): d is string => !!d), officials: [] },
    log,
    segmentSeconds: SEGMENT,
    ports: PORTS.recorder,
  });
  recorders.set(room.id, recorder);
}
/** Off only for the unrecorded baseline: the product records a petition room from its first real participant. */
let recordOnJoin = !BASELINE;
rooms.on('room', (room) => {
  const begin = (peer: { hidden: boolean }) => {
    if (peer.hidden || !recordOnJoin) return;
    room.off('peerjoined', begin);
    record(room).catch((err: unknown) => log.error({ err, roomId: room.id }, 'bench: recording could not start'));
  };
  room.on('peerjoined', begin);
});

// ---------------------------------------------------------------- the load generator

const generator = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: PORTS.generatorRtc.min, rtcMaxPort: PORTS.generatorRtc.max });
const genRouter = await generator.createRouter({ mediaCodecs: FEED_CODECS });
const clip = await ensureClip(path.resolve('.cache/bench'), { width: 640, height: 360, fps: 20, videoKbps: 900, keyframeSec: 2, audioKbps: 48, durationSec: 20 });
const source = await startFeed(genRouter, clip, 'source', 70_000);

/** What a plain RTP endpoint asks for: the codecs with key-frame requests only (no NACK, no RTX, no header extensions). */
function plainCaps(caps: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: (caps.codecs ?? [])
      .filter((c) => !/\/rtx$/i.test(c.mimeType))
      .map((c) => ({ ...c, rtcpFeedback: c.kind === 'video' ? [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] : [] })),
    headerExtensions: [],
  };
}
const asProduced = (p: types.RtpParameters): types.RtpParameters => ({ codecs: p.codecs, encodings: p.encodings, headerExtensions: [], ...(p.rtcp ? { rtcp: p.rtcp } : {}) });
const LOCAL = { listenIp: { ip: '127.0.0.1' }, rtcpMux: true, comedia: false } as const;

/** Two plain transports sending to each other. */
async function pair(a: types.PlainTransport, b: types.PlainTransport): Promise<void> {
  await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort });
  await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort });
}

// ---------------------------------------------------------------- one session

interface Session {
  caseId: string;
  room: Room;
  sinks: types.Producer[];
  generatorTransports: types.PlainTransport[];
}

async function openSession(i: number): Promise<Session> {
  const terminal = terminals[i]!;
  const device = { id: `device-${terminal.id}`, name: '终端', role: 'terminal', terminalId: terminal.id } as const;
  const started = await petition.startPetition(device, { terminalId: terminal.id, category: 'wages', petitionerName: `压测${i + 1}` });
  const lead = { id: `OB-${LEAD_DEPT}-${i + 1}`, name: `压测${LEAD_DEPT}-${i + 1}`, role: 'official' } as const;
  await petition.heartbeat(lead, 'available');
  const claimed = await petition.claimNext(lead);
  if (claimed?.case.id !== started.case.id) throw new Error(`official ${lead.id} got ${claimed?.case.id ?? 'nothing'}, not ${started.case.id}`);
  const invited = { id: `OB-${INVITED_DEPT}-${i + 1}`, name: `压测${INVITED_DEPT}-${i + 1}`, role: 'official' } as const;
  const ticket = await petition.invite(lead, started.case.id, { departmentId: INVITED_DEPT });
  await petition.heartbeat(invited, 'available');
  const joined = await petition.acceptTicket(invited, ticket.id);

  const room = await rooms.getOrCreate(started.roomId);
  const recvCaps = plainCaps(room.rtpCapabilities);
  // Joined as signalling does: the token's grant names the room, the case decides the rest.
  const peers = await Promise.all(
    [started.token, claimed.token, joined.token].map(async (token) => {
      const claims = tokens.verify(token);
      if (!grantAllowsRoom(claims.grant, room.id)) throw new Error(`token of ${claims.sub} does not grant ${room.id}`);
      const permission = intersect(claims.grant, await petition.roomPermission(actorFromClaims(claims), started.case.id));
      return new Peer(claims.sub, claims.name, claims, () => undefined, permission);
    }),
  );
  for (const peer of peers) room.join(peer, recvCaps);

  const generatorTransports: types.PlainTransport[] = [];
  const sendCaps = plainCaps(genRouter.rtpCapabilities);
  const producerIds = new Map<string, string[]>();
  for (const peer of peers) {
    const inRoom = await room.createPlainTransport(peer, 'send', LOCAL);
    const out = await genRouter.createPlainTransport(LOCAL);
    generatorTransports.push(out);
    await pair(inRoom, out);
    const ids: string[] = [];
    for (const [from, kind, src] of [[source.video, 'video', 'camera'], [source.audio, 'audio', 'microphone']] as const) {
      const c = await out.consume({ producerId: from.id, rtpCapabilities: sendCaps, paused: true });
      ids.push(await room.produce(peer, inRoom.id, kind, asProduced(c.rtpParameters), src));
      await c.resume();
    }
    producerIds.set(peer.id, ids);
  }
  const sinks: types.Producer[] = [];
  for (const peer of peers) {
    const fromRoom = await room.createPlainTransport(peer, 'recv', LOCAL);
    const into = await genRouter.createPlainTransport(LOCAL);
    generatorTransports.push(into);
    await pair(fromRoom, into);
    for (const other of peers) {
      if (other === peer) continue;
      for (const producerId of producerIds.get(other.id)!) {
        const c = await room.consume(peer, fromRoom.id, producerId);
        sinks.push(await into.produce({ kind: c.kind, rtpParameters: asProduced(c.rtpParameters as types.RtpParameters) }));
        await room.resumeConsumer(peer, c.consumerId);
      }
    }
  }
  return { caseId: started.case.id, room, sinks, generatorTransports };
}

// ---------------------------------------------------------------- measuring

interface Received {
  packets: number;
  lost: number;
}

interface Snapshot {
  at: number;
  workers: number[];
  generator: number;
  sender: number;
  node: NodeJS.CpuUsage;
  ffmpeg: Map<number, number>;
  sinks: Received;
  ingest: Received;
  source: Received;
  intake: { packets: number; missing: number; tracks: number };
  drops: number;
  rcvbufErrors: number;
  bindFailures: number;
  archiveBytes: number;
}

/** Packets received and lost (sequence gaps) by these producers' receive streams. */
async function receivedBy(producers: types.Producer[]): Promise<Received> {
  const r = { packets: 0, lost: 0 };
  for (const list of await Promise.all(producers.map((p) => (p.closed ? [] : p.getStats().catch(() => []))))) {
    for (const st of list) {
      r.packets += st.packetCount;
      r.lost += Math.max(0, st.packetsLost);
    }
  }
  return r;
}

/**
 * The counters now. The window's end reads this process's CPU time first and its start last, so
 * the bench's own reading (stats requests to the workers, /proc scans) stays out of Node's share.
 */
async function snapshot(sessions: Session[], end: boolean): Promise<Snapshot> {
  const nodeAtEnd = end ? { at: performance.now(), node: process.cpuUsage() } : undefined;
  // Where packets go missing: the sender into the generator (source), the generator into the
  // room (ingest: the rooms' producers), the room to the receivers (sinks, the loss reported).
  const [sinks, ingest, src] = await Promise.all([
    receivedBy(sessions.flatMap((s) => s.sinks)),
    receivedBy(sessions.flatMap((s) => [...s.room.peers.values()].flatMap((p) => [...p.producers.values()]))),
    receivedBy([source.video, source.audio]),
  ]);
  const intake = { packets: 0, missing: 0, tracks: 0 };
  for (const r of recorders.values()) {
    const s = r.intakeStats();
    intake.packets += s.packets;
    intake.missing += s.missing;
    intake.tracks += s.tracks;
  }
  const ffmpeg = new Map(recordingFfmpegs().map((pid) => [pid, cpuSecondsOf(pid)]));
  const counters = {
    workers: pool.slots.map((s) => cpuSecondsOf(s.worker.pid)),
    generator: cpuSecondsOf(generator.pid),
    sender: cpuSecondsOf(source.sender?.pid),
    ffmpeg,
    sinks,
    ingest,
    source: src,
    intake,
    drops: socketDrops(PORTS.recorder),
    rcvbufErrors: udpRcvbufErrors(),
    bindFailures: recorderPortStats.bindFailures,
    archiveBytes: treeBytes(path.join(tmp, 'data')),
  };
  return { ...counters, ...(nodeAtEnd ?? { at: performance.now(), node: process.cpuUsage() }) };
}

interface Step {
  sessions: number;
  tracks: number;
  recordingFfmpegs: number;
  seconds: number;
  cpu: { workers: number[]; worker: number; ffmpeg: number; node: number; product: number; generator: number; sender: number; all: number };
  perSession: { worker: number; ffmpeg: number; node: number; product: number };
  ffmpegPerTrack: number;
  productPerTrack: number;
  lossPct: number;
  receivedPackets: number;
  /** Loss upstream of the room: sender → generator, generator → the rooms' producers. */
  sourceLossPct: number;
  ingestLossPct: number;
  intakeMissing: number;
  socketDrops: number;
  udpRcvbufErrors: number;
  bindFailures: number;
  archiveMBps: number;
  loopDelayP99Ms: number;
  loadavg: string;
  setupSeconds: number;
}

function step(sessions: Session[], a: Snapshot, b: Snapshot, loopP99: number, setupSeconds: number): Step {
  const wall = (b.at - a.at) / 1000;
  const pct = (sec: number) => (sec / wall) * 100;
  const workers = b.workers.map((w, i) => pct(w - a.workers[i]!));
  const worker = workers.reduce((x, y) => x + y, 0);
  let ffmpegSec = 0;
  for (const [pid, end] of b.ffmpeg) ffmpegSec += end - (a.ffmpeg.get(pid) ?? 0);
  const ffmpeg = pct(ffmpegSec);
  const nodeUsage = { user: b.node.user - a.node.user, system: b.node.system - a.node.system };
  const node = pct((nodeUsage.user + nodeUsage.system) / 1e6);
  const generatorPct = pct(b.generator - a.generator);
  const sender = pct(b.sender - a.sender);
  const product = worker + ffmpeg + node;
  const k = sessions.length;
  const tracks = k * 6;
  const lossOf = (x: Received, y: Received) => {
    const packets = y.packets - x.packets;
    const lost = y.lost - x.lost;
    return packets + lost > 0 ? (lost / (packets + lost)) * 100 : 0;
  };
  const received = b.sinks.packets - a.sinks.packets;
  return {
    sessions: k,
    tracks,
    recordingFfmpegs: b.ffmpeg.size,
    seconds: wall,
    cpu: { workers, worker, ffmpeg, node, product, generator: generatorPct, sender, all: product + generatorPct + sender },
    perSession: { worker: worker / k, ffmpeg: ffmpeg / k, node: node / k, product: product / k },
    ffmpegPerTrack: ffmpeg / tracks,
    productPerTrack: product / tracks,
    lossPct: lossOf(a.sinks, b.sinks),
    receivedPackets: received,
    sourceLossPct: lossOf(a.source, b.source),
    ingestLossPct: lossOf(a.ingest, b.ingest),
    intakeMissing: b.intake.missing - a.intake.missing,
    socketDrops: b.drops - a.drops,
    udpRcvbufErrors: b.rcvbufErrors - a.rcvbufErrors,
    bindFailures: b.bindFailures - a.bindFailures,
    archiveMBps: (b.archiveBytes - a.archiveBytes) / 1e6 / wall,
    loopDelayP99Ms: loopP99,
    loadavg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    setupSeconds,
  };
}

/** Which single process is at its limit (one core), else whether the machine as a whole is. */
function saturation(s: Step): string | undefined {
  const cores = os.availableParallelism();
  const busiest: [string, number][] = [...s.cpu.workers.map((w, i): [string, number] => [`product worker ${i}`, w]), ['node (product)', s.cpu.node], ['generator worker', s.cpu.generator]];
  const [name, top] = busiest.reduce((x, y) => (y[1] > x[1] ? y : x));
  if (top >= 90) return `${name} at ${top.toFixed(0)}% of a core`;
  const all = s.cpu.all;
  if (all >= cores * 100 * 0.92) return `all cores busy (${all.toFixed(0)}% of ${cores * 100}% by this bench)`;
  if (s.loopDelayP99Ms > 500) return `node event loop stalls (p99 ${s.loopDelayP99Ms.toFixed(0)} ms)`;
  return undefined;
}

// ---------------------------------------------------------------- the run

const sessions: Session[] = [];
const results: Step[] = [];
let unrecorded: Step | undefined;
let stopReason = 'all steps run';
const loop = monitorEventLoopDelay({ resolution: 10 });
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]}`;
const say = (s: string) => {
  if (!args.json) console.error(s);
};
say(`bench:sessions — ${machine}; ${await loopbackReference()}; product workers ${WORKERS}; steps ${STEPS.join(', ')}; ${SECONDS} s measured per step after ${SETTLE} s; load ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);

try {
  const measure = async (): Promise<[Snapshot, Snapshot, number]> => {
    await sleep(SETTLE * 1000);
    loop.reset();
    loop.enable();
    const a = await snapshot(sessions, false);
    await sleep(SECONDS * 1000);
    const b = await snapshot(sessions, true);
    loop.disable();
    return [a, b, loop.percentile(99) / 1e6];
  };
  /** Every track recording (its ffmpeg up: media came) before the steady state is measured. */
  const allRecording = async (k: number) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && recordingFfmpegs().length < k * 6) await sleep(200);
  };
  for (const k of STEPS) {
    const t0 = performance.now();
    while (sessions.length < k) sessions.push(await openSession(sessions.length));
    if (!recordOnJoin) {
      const [a, b, p99] = await measure();
      unrecorded = step(sessions, a, b, p99, (performance.now() - t0) / 1000);
      say(`K=${k} unrecorded: product ${unrecorded.perSession.product.toFixed(2)}%/session (worker ${unrecorded.perSession.worker.toFixed(2)}, node ${unrecorded.perSession.node.toFixed(2)}); loss ${unrecorded.lossPct.toFixed(3)}%`);
      recordOnJoin = true;
      await Promise.all(sessions.map((x) => record(x.room)));
    }
    await allRecording(k);
    const setupSeconds = (performance.now() - t0) / 1000;
    const [a, b, p99] = await measure();
    const s = step(sessions, a, b, p99, setupSeconds);
    results.push(s);
    const base = results[0]!;
    say(
      `K=${k}: product ${s.perSession.product.toFixed(2)}%/session (worker ${s.perSession.worker.toFixed(2)}, ffmpeg ${s.ffmpegPerTrack.toFixed(3)}/track, node ${s.perSession.node.toFixed(2)}; ×${(s.perSession.product / base.perSession.product).toFixed(2)} of K=${base.sessions})` +
        `, generator ${(s.cpu.generator + s.cpu.sender).toFixed(0)}%, all ${s.cpu.all.toFixed(0)}%; loss ${s.lossPct.toFixed(3)}% (upstream: source ${s.sourceLossPct.toFixed(3)}%, ingest ${s.ingestLossPct.toFixed(3)}%); intake missing ${s.intakeMissing}; socket drops ${s.socketDrops}; UdpRcvbufErrors +${s.udpRcvbufErrors}` +
        `; bind failures ${s.bindFailures}; ffmpegs ${s.recordingFfmpegs}/${s.tracks}; archive ${s.archiveMBps.toFixed(2)} MB/s; loop p99 ${s.loopDelayP99Ms.toFixed(0)} ms; load ${s.loadavg}; set up in ${s.setupSeconds.toFixed(1)} s`,
    );
    if (s.lossPct >= MAX_LOSS) {
      stopReason = `loss ${s.lossPct.toFixed(2)}% ≥ ${MAX_LOSS}% at K=${k}${saturation(s) ? `; ${saturation(s)}` : ''}`;
      break;
    }
    const sat = saturation(s);
    if (sat) {
      stopReason = `saturated at K=${k}: ${sat}`;
      break;
    }
  }
} finally {
  // Sessions end as they do in the product: the room closes and its recorder seals.
  const sealed = [...recorders.values()].map((r) => new Promise((resolve) => r.once('stopped', resolve)));
  for (const s of sessions) s.room.close('ended');
  let giveUp: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(sealed), new Promise((r) => (giveUp = setTimeout(r, 60_000)))]);
  clearTimeout(giveUp); // or the process would wait it out
  for (const s of sessions) for (const t of s.generatorTransports) t.close();
  source.close();
  generator.close();
  pool.close();
  petition.close();
  await redis.quit().catch(() => undefined);
  await redisServer.stop();
  await store.close();
  await archive.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const base = results[0];
/** What recording adds per recorded track at the first step: recorded − unrecorded, same sessions, same run. */
function addedPerTrack(): { worker: number; ffmpeg: number; node: number; total: number } | undefined {
  if (!unrecorded || !base) return undefined;
  const per = (k: 'worker' | 'ffmpeg' | 'node') => (base.cpu[k] - unrecorded!.cpu[k]) / base.tracks;
  return { worker: per('worker'), ffmpeg: per('ffmpeg'), node: per('node'), total: per('worker') + per('ffmpeg') + per('node') };
}
if (args.json) {
  console.log(JSON.stringify({ machine, workers: WORKERS, secondsPerStep: SECONDS, stopReason, unrecorded, addedPerTrack: addedPerTrack(), steps: results }, null, 2));
} else if (base) {
  const f = (n: number, d = 2) => n.toFixed(d);
  console.log(`\nbench:sessions — ${machine}; ${WORKERS} product workers; ${SECONDS} s per step; CPU in % of one core; ratio = product CPU per session ÷ that at K=${base.sessions}`);
  console.log('| K | product/session | worker/session | ffmpeg/track | node/session | ratio | all (gen.) | loss (source, ingest) | intake missing | socket drops | UdpRcvbufErrors | bind failures | ffmpegs/tracks | archive MB/s | loop p99 | load |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const s of unrecorded ? [unrecorded, ...results] : results) {
    console.log(
      `| ${s === unrecorded ? `${s.sessions} unrecorded` : s.sessions} | ${f(s.perSession.product)}% | ${f(s.perSession.worker)}% | ${f(s.ffmpegPerTrack, 3)}% | ${f(s.perSession.node)}% | ${f(s.perSession.product / base.perSession.product)} | ${f(s.cpu.all, 0)}% (${f(s.cpu.generator + s.cpu.sender, 0)}%) | ${f(s.lossPct, 3)}% (${f(s.sourceLossPct, 3)}, ${f(s.ingestLossPct, 3)}) | ${s.intakeMissing} | ${s.socketDrops} | ${s.udpRcvbufErrors} | ${s.bindFailures} | ${s.recordingFfmpegs}/${s.tracks} | ${f(s.archiveMBps)} | ${f(s.loopDelayP99Ms, 0)} ms | ${s.loadavg} |`,
    );
  }
  const added = addedPerTrack();
  if (added) console.log(`recording adds per track at K=${base.sessions} (recorded − unrecorded): ${f(added.total, 3)}% of a core (worker ${f(added.worker, 3)}, ffmpeg ${f(added.ffmpeg, 3)}, node ${f(added.node, 3)})`);
  console.log(`stopped: ${stopReason}`);
}
