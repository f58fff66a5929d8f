// npm run bench:recording [-- --participants 3 --seconds 15 --rounds 3 --size 1280x720 --bitrate 1500k --segment 10 --json]
//
// CPU cost of recording: the same session (N participants, each VP8 video + Opus audio sent as
// real RTP by ffmpeg into PlainTransport producers) measured unrecorded and recorded, in
// alternating rounds; medians printed. Recorded = one PlainTransport + consumer + `ffmpeg -c copy`
// segmenter per track. CPU is read from /proc (utime+stime) for the mediasoup worker and the
// recording ffmpegs, and process.cpuUsage() for this Node process; senders are excluded (they
// are the same in both phases and stand in for browsers). ffprobe runs (one per closed segment)
// are counted through this process's reaped-children CPU time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { workerBin } from '../../sfu/worker-bin.ts';

const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '3' },
    size: { type: 'string', default: '1280x720' },
    bitrate: { type: 'string', default: '1500k' },
    segment: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const participants = clampInt(args.participants, 1, 10);
const seconds = clampInt(args.seconds, 3, 300);
const rounds = clampInt(args.rounds, 1, 10);
const segmentSeconds = clampInt(args.segment, 2, 60);

// mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported: set it, then import.
process.env.MEDIASOUP_WORKER_BIN = workerBin();
const feed = await import('../harness/rtp-feed.ts');
const { Archive } = await import('../../recordings/archive.ts');
const { SessionRecorder } = await import('../../recordings/session-recorder.ts');
const { createLogger } = await import('../../server/core/log.ts');

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function clampInt(v: string | undefined, min: number, max: number): number {
  const n = Math.round(Number(v));
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}

/** CPU seconds (user+system) a process has used so far; 0 once it is gone. */
function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's children already reaped (here: ffprobe runs at segment close). */
function reapedChildrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK; // cutime, cstime
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Sample {
  workerPct: number;
  nodePct: number;
  ffmpegPct: number;
  ffmpegVideoPct: number;
  ffmpegAudioPct: number;
  ffprobePct: number;
  totalPct: number;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-recording-'));
const clip = feed.makeClip(path.join(tmp, 'clip.webm'), { seconds: 10, size: args.size, fps: 30, gop: 60, bitrate: args.bitrate });
const worker = await feed.createTestWorker();
const router = await worker.createRouter({ mediaCodecs: feed.MEDIA_CODECS });
const feeds = await Promise.all(Array.from({ length: participants }, (_, i) => feed.startFeed(router, clip, `p${i}`, 10_000 * (i + 1))));
const archive = await Archive.open({ dataDir: path.join(tmp, 'data') });
const log = createLogger('warn');
const tracks = participants * 2;

async function measure(pids: () => { kind: 'audio' | 'video'; pid: number | undefined }[]): Promise<Sample> {
  const w0 = procCpuSeconds(worker.pid);
  const n0 = process.cpuUsage();
  const c0 = reapedChildrenCpuSeconds();
  const p0 = pids().map((p) => ({ ...p, before: procCpuSeconds(p.pid) }));
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const n1 = process.cpuUsage(n0);
  const ffprobePct = ((reapedChildrenCpuSeconds() - c0) / wall) * 100;
  const workerPct = ((procCpuSeconds(worker.pid) - w0) / wall) * 100;
  const nodePct = ((n1.user + n1.system) / 1e6 / wall) * 100;
  const used = (kind?: 'audio' | 'video') =>
    (p0.filter((p) => !kind || p.kind === kind).reduce((sum, p) => sum + Math.max(0, procCpuSeconds(p.pid) - p.before), 0) / wall) * 100;
  const ffmpegPct = used();
  return { workerPct, nodePct, ffmpegPct, ffmpegVideoPct: used('video'), ffmpegAudioPct: used('audio'), ffprobePct, totalPct: workerPct + nodePct + ffmpegPct + ffprobePct };
}

const plain: Sample[] = [];
const recorded: Sample[] = [];
let bytesPerSecond = 0;
await sleep(2000); // senders settle
for (let round = 0; round < rounds; round++) {
  plain.push(await measure(() => []));
  const recorder = await SessionRecorder.create({
    router,
    archive,
    sessionId: `bench-${round}`,
    caseInfo: { kind: 'petition', roomId: 'bench' },
    segmentSeconds,
    log,
  });
  for (const f of feeds) {
    for (const producer of [f.video, f.audio]) await recorder.addProducer({ participantId: f.participantId, name: f.participantId, role: 'official', producer });
  }
  await sleep(3000); // ffmpeg start-up and first key frame are not the steady state
  const producers = feeds.flatMap((f) => [f.video, f.audio]);
  recorded.push(await measure(() => producers.map((p) => ({ kind: p.kind, pid: recorder.ffmpegPidOf(p.id) }))));
  const m = await recorder.stop();
  const segs = m.participants.flatMap((p) => p.tracks.flatMap((t) => t.segments));
  const dur = (Date.parse(m.stoppedAt!) - Date.parse(m.startedAt)) / 1000;
  bytesPerSecond = segs.reduce((n, s) => n + s.bytes, 0) / dur;
  if (!args.json) console.error(`round ${round + 1}/${rounds}: unrecorded ${plain.at(-1)!.totalPct.toFixed(1)}%  recorded ${recorded.at(-1)!.totalPct.toFixed(1)}% (ffmpeg ${recorded.at(-1)!.ffmpegPct.toFixed(1)}%)`);
}

const med = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
const result = {
  setup: {
    participants,
    tracks,
    video: `${args.size} VP8 ${args.bitrate} 30 fps`,
    audio: 'Opus 48 kHz stereo 48k',
    secondsPerPhase: seconds,
    rounds,
    segmentSeconds,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    ffmpeg: execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0],
  },
  unrecorded: { workerPct: med(plain, 'workerPct'), nodePct: med(plain, 'nodePct'), totalPct: med(plain, 'totalPct') },
  recorded: { workerPct: med(recorded, 'workerPct'), nodePct: med(recorded, 'nodePct'), ffmpegPct: med(recorded, 'ffmpegPct'), ffprobePct: med(recorded, 'ffprobePct'), totalPct: med(recorded, 'totalPct') },
  perTrack: {
    ffmpegCopyPct: med(recorded, 'ffmpegPct') / tracks,
    ffmpegCopyVideoPct: med(recorded, 'ffmpegVideoPct') / participants,
    ffmpegCopyAudioPct: med(recorded, 'ffmpegAudioPct') / participants,
    addedTotalPct: (med(recorded, 'totalPct') - med(plain, 'totalPct')) / tracks,
  },
  archiveBytesPerSecond: Math.round(bytesPerSecond),
};

for (const f of feeds) f.close();
worker.close();
await archive.close();
fs.rmSync(tmp, { recursive: true, force: true });

if (args.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const pct = (n: number) => `${n.toFixed(2)}%`;
  console.log(`recording benchmark: ${participants} participants × (video ${result.setup.video} + Opus) = ${tracks} tracks, ${rounds} rounds × ${seconds}s per phase, medians, % of one core`);
  console.log(`  unrecorded: worker ${pct(result.unrecorded.workerPct)}  node ${pct(result.unrecorded.nodePct)}  total ${pct(result.unrecorded.totalPct)}`);
  console.log(`  recorded:   worker ${pct(result.recorded.workerPct)}  node ${pct(result.recorded.nodePct)}  ffmpeg ${pct(result.recorded.ffmpegPct)}  ffprobe ${pct(result.recorded.ffprobePct)}  total ${pct(result.recorded.totalPct)}`);
  // The unrecorded phase is this run's baseline (measured alternately in the same process).
  console.log(`  recorded ÷ unrecorded (total CPU): ${(result.recorded.totalPct / result.unrecorded.totalPct).toFixed(2)}×`);
  console.log(`  per recorded track: ffmpeg -c copy ${pct(result.perTrack.ffmpegCopyPct)} (video ${pct(result.perTrack.ffmpegCopyVideoPct)}, audio ${pct(result.perTrack.ffmpegCopyAudioPct)}); everything added (ffmpeg + ffprobe + worker + node) ${pct(result.perTrack.addedTotalPct)}`);
  console.log(`  archive growth: ${(result.archiveBytesPerSecond / 1024).toFixed(0)} KiB/s for the session (${((result.archiveBytesPerSecond * 3600) / 1024 ** 3).toFixed(2)} GiB per hour)`);
}
