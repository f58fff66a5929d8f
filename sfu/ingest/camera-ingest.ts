// Camera ingest: the server pulls an RTSP (or any ffmpeg-readable) URL and feeds it into a
// mediasoup PlainTransport producer, so a browser consumes the camera like any participant.
// ffmpeg passes VP8 / H.264 constrained baseline through untouched and transcodes only what a
// browser cannot play. If ffmpeg dies or the stream stalls, it is restarted into the same
// producer, so consumers in the room keep their producer id.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from '../../server/core/log.ts';
import { SafeEmitter } from '../../server/core/safe-emitter.ts';
import { resolveFfmpegBin } from '../../server/core/ffmpeg-binaries.ts';
import { diesWithParent } from '../../server/core/parent-death.ts';
import {
  IngestError,
  inputArgs,
  planIngest,
  probe,
  redact,
  routerH264ConstrainedBaseline,
  type AudioPlan,
  type IngestPlan,
  type ProbeResult,
  type VideoCodecName,
  type VideoPlan,
} from './probe.ts';

export interface CameraIngestOptions {
  router: types.Router;
  url: string;
  /**
   * Checks the URL before every connection (probe, each ffmpeg start) and answers the one to
   * connect to (its host pinned to the checked address); throws to refuse. The server passes
   * its camera network rules (server/core/camera-address.ts): DNS can change between two starts.
   */
  vetUrl: (url: string) => Promise<string>;
  /** Stable id of the camera; lands in the producers' appData. */
  cameraId: string;
  log: Logger;
  /** Ingest the camera's audio too, if it has any (transcoded to Opus unless it is Opus). Default true. */
  audio?: boolean;
  /** Target when a transcode is needed. Default H264 (x264 ultrafast is far cheaper than libvpx). */
  transcodeTo?: VideoCodecName;
  /** Where the PlainTransports listen; ffmpeg runs on this host. Default 127.0.0.1. */
  listenIp?: string;
  ffmpegBin?: string;
  ffprobeBin?: string;
  /** Restart ffmpeg when no media has arrived for this long. Default 15 s. */
  stallMs?: number;
  /** Restart back-off bounds. Default 1 s doubling up to 30 s. */
  restartDelayMs?: { min: number; max: number };
  /** Merged into the producers' appData (e.g. householdId). */
  appData?: Record<string, unknown>;
}

export interface CameraIngestEvents {
  /** ffmpeg ended or stalled and is being started again. */
  restart: [{ attempt: number; reason: 'exit' | 'stall'; code: number | null; signal: string | null; lastError: string }];
  /** The ingest stopped (stop(), or the router closed); producers and transports are closed. */
  close: [];
}

/** Payload types on the PlainTransport: arbitrary (mediasoup maps them), fixed so SDP-free ffmpeg output agrees. */
const VIDEO_PT = 101;
const AUDIO_PT = 100;
/** Local ports ffmpeg sends from: outside Linux's ephemeral range and the worker's RTC range, so a restart gets them back. */
const FFMPEG_PORT_MIN = 20000;
const FFMPEG_PORT_MAX = 29999;

interface Leg {
  transport: types.PlainTransport;
  producer: types.Producer;
  ssrc: number;
  /** ffmpeg's fixed source ports: with comedia, mediasoup accepts packets only from the first tuple it saw. */
  localRtpPort: number;
  localRtcpPort: number;
}

export class CameraIngest extends SafeEmitter<CameraIngestEvents> {
  readonly cameraId: string;
  readonly plan: IngestPlan;
  readonly probed: ProbeResult;
  readonly #opts: CameraIngestOptions;
  readonly #log: Logger;
  readonly #video: Leg;
  readonly #audio: Leg | null;
  #child: ChildProcess | null = null;
  #closed = false;
  #restarts = 0;
  #failuresInARow = 0;
  #restartTimer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #stderrTail: string[] = [];
  #lastBytes = 0;
  #lastGrowthAt = 0;
  #grewThisRun = false;
  #stallKill = false;

  private constructor(opts: CameraIngestOptions, probed: ProbeResult, plan: IngestPlan, video: Leg, audio: Leg | null) {
    super();
    this.#opts = opts;
    this.cameraId = opts.cameraId;
    this.#log = opts.log.child({ cameraId: opts.cameraId });
    this.probed = probed;
    this.plan = plan;
    this.#video = video;
    this.#audio = audio;
  }

  /** Probes the source, creates the producers, starts ffmpeg. Throws IngestError if the source is unreadable. */
  static async start(opts: CameraIngestOptions): Promise<CameraIngest> {
    const target = await opts.vetUrl(opts.url);
    const probed = await probe(target, opts.ffprobeBin ? { bin: opts.ffprobeBin } : {});
    const plan = planIngest(probed, opts.router.rtpCapabilities, {
      ...(opts.transcodeTo ? { prefer: opts.transcodeTo } : {}),
      audio: opts.audio !== false,
    });
    const created: types.PlainTransport[] = [];
    try {
      const appData = { ...opts.appData, source: 'camera', cameraId: opts.cameraId, ingest: true };
      const video = await createLeg(opts, created, 'video', videoRtpParameters(plan.video, opts.router), appData);
      const audio = plan.audio ? await createLeg(opts, created, 'audio', audioRtpParameters(), { ...appData, source: 'microphone' }) : null;
      const ingest = new CameraIngest(opts, probed, plan, video, audio);
      opts.router.observer.once('close', ingest.#onRouterClose);
      ingest.#log.info({ url: redact(opts.url), video: plan.video, audio: plan.audio, producerId: video.producer.id }, 'camera ingest → start');
      ingest.#spawn(target);
      ingest.#startWatchdog();
      return ingest;
    } catch (err) {
      for (const t of created) t.close();
      throw err;
    }
  }

  get producer(): types.Producer {
    return this.#video.producer;
  }
  get audioProducer(): types.Producer | null {
    return this.#audio?.producer ?? null;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** The running ffmpeg's pid (tests kill it to see the restart). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  readonly #onRouterClose = (): void => void this.stop();

  /** Stops ffmpeg and closes producers and transports. Idempotent. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opts.router.observer.off('close', this.#onRouterClose);
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(force);
    }
    this.#video.transport.close();
    this.#audio?.transport.close();
    this.#log.info({ restarts: this.#restarts }, 'camera ingest stopped');
    this.emit('close');
  }


  #spawn(target: string): void {
    const bin = this.#opts.ffmpegBin ?? resolveFfmpegBin();
    const args = this.#ffmpegArgs(target);
    this.#stderrTail = [];
    this.#grewThisRun = false;
    this.#stallKill = false;
    this.#lastGrowthAt = Date.now();
    // It dies with the node (a killed server otherwise leaves it pulling the camera).
    const child = spawn(...diesWithParent(bin, args, 'KILL'), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line.trim()) continue;
        this.#stderrTail.push(redact(line));
        if (this.#stderrTail.length > 20) this.#stderrTail.shift();
      }
    });
    // A spawn failure (binary missing) emits 'error' and maybe no 'exit': handle either, once.
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      this.#onExit(child, code, signal);
    };
    child.once('error', (err) => {
      this.#log.error({ err, bin }, 'ffmpeg could not be started');
      this.#stderrTail.push(err.message);
      end(null, null);
    });
    child.once('exit', end);
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child === child) this.#child = null;
    if (this.#closed) return;
    const reason = this.#stallKill ? 'stall' : 'exit';
    this.#failuresInARow = this.#grewThisRun ? 0 : this.#failuresInARow + 1;
    const { min, max } = this.#opts.restartDelayMs ?? { min: 1_000, max: 30_000 };
    const delay = Math.min(max, min * 2 ** Math.max(0, this.#failuresInARow - 1));
    const lastError = this.#stderrTail.at(-1) ?? '';
    this.#restarts++;
    this.#log.warn({ code, signal, reason, lastError, delayMs: delay, attempt: this.#restarts }, 'ffmpeg ended; restarting');
    this.emit('restart', { attempt: this.#restarts, reason, code, signal, lastError });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#closed) return;
      this.#opts.vetUrl(this.#opts.url).then(
        (target) => {
          if (!this.#closed) this.#spawn(target);
        },
        (err: unknown) => {
          // The camera's address is no longer one the server may connect to: stop, do not retry.
          this.#log.warn({ err }, 'camera address refused at restart; stopping the ingest');
          void this.stop();
        },
      );
    }, delay);
  }

  /** Bytes that stop growing mean a hung camera or network; ffmpeg's own timeouts miss some of those. */
  #startWatchdog(): void {
    const stallMs = this.#opts.stallMs ?? 15_000;
    this.#watchdog = setInterval(() => {
      this.#video.producer
        .getStats()
        .then((stats) => {
          const bytes = stats.reduce((n, s) => n + s.byteCount, 0);
          const now = Date.now();
          if (bytes > this.#lastBytes) {
            this.#lastBytes = bytes;
            this.#lastGrowthAt = now;
            this.#grewThisRun = true;
            return;
          }
          const child = this.#child;
          if (child && now - this.#lastGrowthAt > stallMs) {
            this.#stallKill = true;
            child.kill('SIGKILL');
          }
        })
        .catch(() => {
          // The producer closed under us (router closed); stop() is on its way.
        });
    }, Math.max(250, Math.floor(stallMs / 3)));
    this.#watchdog.unref();
  }

  #ffmpegArgs(url: string): string[] {
    const ip = this.#opts.listenIp ?? '127.0.0.1';
    const out = (leg: Leg, pt: number): string[] => [
      '-f', 'rtp', '-ssrc', String(leg.ssrc), '-payload_type', String(pt),
      `rtp://${ip}:${leg.transport.tuple.localPort}?rtcpport=${leg.transport.rtcpTuple!.localPort}` +
        `&localrtpport=${leg.localRtpPort}&localrtcpport=${leg.localRtcpPort}&pkt_size=1200`,
    ];
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...inputArgs(url), '-i', url];
    args.push('-map', '0:v:0', ...videoCodecArgs(this.plan.video), ...out(this.#video, VIDEO_PT));
    if (this.#audio && this.plan.audio) args.push('-map', '0:a:0', ...audioCodecArgs(this.plan.audio), ...out(this.#audio, AUDIO_PT));
    return args;
  }
}

async function createLeg(
  opts: CameraIngestOptions,
  created: types.PlainTransport[],
  kind: 'audio' | 'video',
  rtpParameters: types.RtpParameters,
  appData: Record<string, unknown>,
): Promise<Leg> {
  const transport = await opts.router.createPlainTransport({
    listenIp: { ip: opts.listenIp ?? '127.0.0.1' },
    // Separate RTCP port and comedia: mediasoup learns ffmpeg's RTP and RTCP source ports from
    // the first packets; ffmpeg sends from fixed ports so a restarted ffmpeg is recognised.
    rtcpMux: false,
    comedia: true,
    appData: { cameraId: opts.cameraId, ingest: true },
  });
  created.push(transport);
  const ssrc = randomInt(1, 2 ** 31 - 1);
  const producer = await transport.produce({
    kind,
    rtpParameters: { ...rtpParameters, encodings: [{ ssrc }] },
    appData,
  });
  const [localRtpPort, localRtcpPort] = await freeUdpPorts(2);
  return { transport, producer, ssrc, localRtpPort: localRtpPort!, localRtcpPort: localRtcpPort! };
}

function videoRtpParameters(plan: VideoPlan, router: types.Router): types.RtpParameters {
  if (plan.codec === 'VP8') return { codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000 }] };
  const h264 = routerH264ConstrainedBaseline(router.rtpCapabilities);
  if (!h264) throw new IngestError('the router has no H.264 constrained baseline codec');
  return {
    codecs: [
      {
        mimeType: 'video/H264',
        payloadType: VIDEO_PT,
        clockRate: 90000,
        parameters: { 'packetization-mode': 1, 'profile-level-id': String(h264.parameters?.['profile-level-id'] ?? '42e01f') },
      },
    ],
  };
}

function audioRtpParameters(): types.RtpParameters {
  return { codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }] };
}

/** Browsers decode up to 720p cheaply; a 4K camera is scaled down when it has to be re-encoded anyway. */
const SCALE = "scale='min(1280,iw)':-2";
/** A key frame every 2 s: ffmpeg cannot answer a new viewer's PLI, so the GOP bounds the wait for a picture. */
const KEYFRAMES = ['-force_key_frames', 'expr:gte(t,n_forced*2)'];

export function videoCodecArgs(plan: VideoPlan): string[] {
  if (plan.mode === 'copy') {
    // SPS/PPS before every IDR: RTSP cameras often send them only in the SDP, and a browser that
    // joins later needs them in-band.
    return plan.codec === 'H264' ? ['-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb,dump_extra=freq=keyframe'] : ['-c:v', 'copy'];
  }
  if (plan.codec === 'H264') {
    return [
      '-vf', SCALE, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
      '-profile:v', 'baseline', '-level:v', '3.1', '-bf', '0', '-b:v', '1200k', '-maxrate', '1500k', '-bufsize', '1500k',
      ...KEYFRAMES, '-bsf:v', 'dump_extra=freq=keyframe',
    ];
  }
  return [
    '-vf', SCALE, '-pix_fmt', 'yuv420p', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8',
    '-b:v', '1000k', '-maxrate', '1200k', '-error-resilient', '1', '-auto-alt-ref', '0', '-lag-in-frames', '0', ...KEYFRAMES,
  ];
}

function audioCodecArgs(plan: NonNullable<AudioPlan>): string[] {
  return plan.mode === 'copy' ? ['-c:a', 'copy'] : ['-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-b:a', '48k', '-application', 'lowdelay'];
}

/** Ports that are free now, in a band no other part of the system allocates from. */
async function freeUdpPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < 100; attempt++) {
    const port = randomInt(FFMPEG_PORT_MIN, FFMPEG_PORT_MAX + 1);
    if (ports.includes(port)) continue;
    if (await udpPortFree(port)) ports.push(port);
  }
  if (ports.length < count) throw new IngestError('no free UDP port for ffmpeg');
  return ports;
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, () => s.close(() => resolve(true)));
  });
}
