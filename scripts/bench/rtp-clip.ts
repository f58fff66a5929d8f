// A pre-encoded VP8 + Opus test clip and an ffmpeg process that streams it as real RTP, in a loop,
// to two UDP destinations (a mediasoup PlainTransport per stream). Used by the forwarding
// benchmark; self-contained so other bench or test scripts can reuse it.
//
// The clip is encoded once (lavfi test pattern + tone, libvpx realtime, libopus) and cached;
// streaming is `-re -stream_loop -1 -c copy`, so the sender costs almost no CPU.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { types } from 'mediasoup';

export interface ClipSpec {
  width: number;
  height: number;
  fps: number;
  videoKbps: number;
  /** Key frame interval in seconds. */
  keyframeSec: number;
  audioKbps: number;
  durationSec: number;
}

export const DEFAULT_CLIP: ClipSpec = {
  width: 640,
  height: 360,
  fps: 30,
  videoKbps: 800,
  keyframeSec: 2,
  audioKbps: 48,
  durationSec: 20,
};

/** What the sender puts on the wire; the producer's rtpParameters must declare the same. */
export interface RtpStreamSpec {
  payloadType: number;
  ssrc: number;
}
export const VIDEO_STREAM: RtpStreamSpec = { payloadType: 101, ssrc: 11111111 };
export const AUDIO_STREAM: RtpStreamSpec = { payloadType: 100, ssrc: 22222222 };

/** Largest RTP packet ffmpeg emits (payload + header), well under a loopback or WAN MTU. */
export const RTP_PKT_SIZE = 1200;

export function ffmpegBin(): string {
  return process.env.FFMPEG_BIN || '/usr/bin/ffmpeg';
}

/** Producer rtpParameters matching what `startRtpSender` sends. */
export function videoRtpParameters(): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'video/VP8', clockRate: 90000, payloadType: VIDEO_STREAM.payloadType }],
    encodings: [{ ssrc: VIDEO_STREAM.ssrc }],
  };
}
export function audioRtpParameters(): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: AUDIO_STREAM.payloadType }],
    encodings: [{ ssrc: AUDIO_STREAM.ssrc }],
  };
}

function clipName(s: ClipSpec): string {
  return `clip-vp8-${s.width}x${s.height}-${s.fps}fps-${s.videoKbps}k-kf${s.keyframeSec}s-opus${s.audioKbps}k-${s.durationSec}s.webm`;
}

/** Runs ffmpeg to completion; rejects with the tail of its stderr on failure. */
function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegBin(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${code}: ${tail}`));
    });
  });
}

/**
 * Returns the path of the cached clip, encoding it first if needed (a few seconds). The cache
 * lives under `<repo>/.cache/bench/` (gitignored) unless `cacheDir` says otherwise.
 */
export async function ensureClip(cacheDir: string, spec: ClipSpec = DEFAULT_CLIP): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, clipName(spec));
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp.webm`;
  const gop = Math.round(spec.fps * spec.keyframeSec);
  try {
    await runFfmpeg([
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(spec.durationSec),
      '-map', '0:v', '-map', '1:a',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8',
      '-b:v', `${spec.videoKbps}k`, '-minrate', `${spec.videoKbps}k`, '-maxrate', `${spec.videoKbps}k`,
      '-bufsize', `${spec.videoKbps}k`,
      '-g', String(gop), '-keyint_min', String(gop), '-auto-alt-ref', '0', '-lag-in-frames', '0',
      '-pix_fmt', 'yuv420p',
      '-c:a', 'libopus', '-b:a', `${spec.audioKbps}k`, '-ac', '2', '-ar', '48000', '-frame_duration', '20',
      '-f', 'webm', tmp,
    ]);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
  return file;
}

export interface RtpDestination {
  ip: string;
  port: number;
  /** Separate RTCP port (the transport has rtcpMux false); omitted means RTCP to `port`. */
  rtcpPort?: number;
}

export interface RtpSender {
  readonly process: ChildProcess;
  /** Kills ffmpeg (SIGKILL after 1 s if SIGTERM is ignored); resolves once it exited. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every sender still running; safe to call from exit and signal handlers. */
export function killAllSenders(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

function rtpUrl(d: RtpDestination): string {
  const q = [`pkt_size=${RTP_PKT_SIZE}`];
  q.push(`rtcpport=${d.rtcpPort ?? d.port}`);
  return `rtp://${d.ip}:${d.port}?${q.join('&')}`;
}

/**
 * Streams the clip in real time, forever, as two RTP streams (VP8 and Opus) with the payload
 * types and SSRCs of VIDEO_STREAM / AUDIO_STREAM. The process is killed on Node's exit.
 */
export function startRtpSender(clip: string, video: RtpDestination, audio: RtpDestination): RtpSender {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllSenders);
  }
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-re', '-stream_loop', '-1', '-i', clip,
    '-map', '0:v:0', '-c:v', 'copy', '-f', 'rtp',
    '-ssrc', String(VIDEO_STREAM.ssrc), '-payload_type', String(VIDEO_STREAM.payloadType), rtpUrl(video),
    '-map', '0:a:0', '-c:a', 'copy', '-f', 'rtp',
    '-ssrc', String(AUDIO_STREAM.ssrc), '-payload_type', String(AUDIO_STREAM.payloadType), rtpUrl(audio),
  ];
  const child = spawn(ffmpegBin(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stopping = false;
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (!stopping && code !== 0 && signal === null) process.stderr.write(`rtp sender: ffmpeg exited with ${code}: ${tail}\n`);
      resolve();
    });
    child.once('error', (err) => {
      live.delete(child);
      process.stderr.write(`rtp sender: could not start ffmpeg: ${err.message}\n`);
      resolve();
    });
  });
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(t);
    },
  };
}
