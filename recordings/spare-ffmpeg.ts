// Recording ffmpegs started before they are needed. Starting ffmpeg (215 shared libraries) and
// waiting for it to listen is most of the time between a producer appearing and its first
// recorded packet — 0.2–0.5 s normally, seconds on a saturated host. A spare already listens on
// its ports with an SDP for the router's codec; taking one leaves only mediasoup's transport and
// consumer to build.
//
// Spares are for participants who arrive after the recording started (the official joining the
// waiting petitioner, a joint-session department): the pool starts filling a second after the
// session starts, so it does not compete for the CPU with the ffmpegs of producers already there.
//
// Where a spare writes is decided when it starts, before anyone knows whose media it will get:
// its output folder is a symlink (`.slot-<trackId>`) that is re-pointed at the participant's
// folder when the spare is taken. ffmpeg creates its first segment only when media arrives, so
// every file lands in the participant's folder.
//
// Idle, ffmpeg's RTP input gives up after 10 s without a datagram; a tiny RTCP receiver report
// every few seconds (which ffmpeg reads and ignores) keeps a spare waiting.
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from '../server/core/log.ts';
import { allocateRtpPortPair } from './ports.ts';
import { sdpCodecOf, type RecordedCodec } from './sdp.ts';
import { killSegmenter, releaseSegmenter, segmenterAlive, spawnSegmenter, type Segmenter } from './segmenter.ts';

export interface Spare extends Segmenter {
  kind: 'audio' | 'video';
  trackId: string;
  /** The symlink ffmpeg writes through; re-pointed by `assign()`. */
  slotLink: string;
}

export interface SparePoolOptions {
  router: types.Router;
  sessionDir: string;
  workDir: string;
  segmentSeconds: number;
  ffmpegBin: string;
  /** How many spares to keep ready per kind. */
  count: { audio: number; video: number };
  /** Wait before starting the first spares (default 1 s). */
  startDelayMs?: number;
  log: Logger;
}

const KEEPALIVE_MS = 4000;
const REFILL_DELAY_MS = 2000;
// Two empty RTCP receiver reports (V=2, PT=201, length 1): ffmpeg ignores datagrams under 12 bytes.
const KEEPALIVE = Buffer.from([0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 0, 0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 0]);

export class SparePool {
  readonly #o: SparePoolOptions;
  readonly #ready: Spare[] = [];
  readonly #socket = dgram.createSocket('udp4');
  readonly #keepalive: NodeJS.Timeout;
  #closed = false;
  readonly #starting = { audio: 0, video: 0 };


  constructor(opts: SparePoolOptions) {
    this.#o = opts;
    this.#socket.unref();
    this.#keepalive = setInterval(() => {
      for (const s of this.#ready) this.#socket.send(KEEPALIVE, s.rtcpPort, '127.0.0.1', () => undefined);
    }, KEEPALIVE_MS);
    this.#keepalive.unref();
    fs.mkdirSync(opts.workDir, { recursive: true });
    setTimeout(() => this.#refill(), opts.startDelayMs ?? 1000).unref();
  }

  /** The router's codec for a kind, as a spare's SDP states it (no fmtp: see docs/recordings.md). */
  #codecFor(kind: 'audio' | 'video'): RecordedCodec | undefined {
    const cap = (this.#o.router.rtpCapabilities.codecs ?? []).find((c) => c.kind === kind && !/\/(rtx|red|ulpfec)$/i.test(c.mimeType));
    return cap && sdpCodecOf(cap);
  }

  #refill(): void {
    if (this.#closed) return;
    for (const kind of ['video', 'audio'] as const) {
      const have = this.#ready.filter((s) => s.kind === kind).length + this.#starting[kind];
      for (let i = have; i < this.#o.count[kind]; i++) {
        this.#starting[kind]++;
        this.#spawn(kind)
          .then((s) => {
            if (!s) return;
            if (this.#closed) this.#discard(s);
            else this.#ready.push(s);
          })
          .catch((err: unknown) => this.#o.log.warn({ err, kind }, 'spare recording ffmpeg could not start'))
          .finally(() => this.#starting[kind]--);
      }
    }
  }

  async #spawn(kind: 'audio' | 'video'): Promise<Spare | undefined> {
    const o = this.#o;
    const codec = this.#codecFor(kind);
    if (!codec) return undefined;
    const { rtpPort, rtcpPort } = await allocateRtpPortPair();
    const trackId = `${kind}-${randomBytes(4).toString('hex')}`;
    const placeholder = path.join(o.workDir, `slot-${trackId}`);
    fs.mkdirSync(placeholder, { recursive: true });
    const slotLink = path.join(o.sessionDir, `.slot-${trackId}`);
    fs.symlinkSync(placeholder, slotLink);
    const segmenter = spawnSegmenter({
      ffmpegBin: o.ffmpegBin,
      kind,
      codec,
      rtpPort,
      rtcpPort,
      sdpFile: path.join(o.workDir, `${trackId}-r0.sdp`),
      outputStem: path.join(slotLink, `${trackId}-r0-%05d`),
      segmentSeconds: o.segmentSeconds,
    });
    const { proc } = segmenter;
    // Drained until taken, so a chatty ffmpeg never blocks on a full pipe.
    proc.stderr?.resume();
    const spare: Spare = { ...segmenter, kind, trackId, slotLink };
    proc.once('exit', () => {
      const i = this.#ready.indexOf(spare);
      if (i < 0) return; // taken or discarded: no longer ours
      this.#ready.splice(i, 1);
      this.#cleanup(spare);
      this.#o.log.warn({ trackId }, 'spare recording ffmpeg exited; starting another');
      setTimeout(() => this.#refill(), 1000).unref();
    });
    return spare;
  }

  /** A ready spare whose SDP fits `codec`, or undefined. The caller owns it from now on. */
  take(kind: 'audio' | 'video', fits: (c: RecordedCodec) => boolean): Spare | undefined {
    const i = this.#ready.findIndex((s) => s.kind === kind && fits(s.codec) && segmenterAlive(s));
    if (i < 0) return undefined;
    const [spare] = this.#ready.splice(i, 1);
    // Later: right now the taker's ffmpeg and mediasoup requests need the CPU more.
    setTimeout(() => this.#refill(), REFILL_DELAY_MS).unref();
    spare!.proc.stderr?.pause();
    return spare;
  }

  /** Points the spare's output at the participant's folder; call before media flows. */
  static assign(spare: Spare, participantDirAbs: string): void {
    fs.mkdirSync(participantDirAbs, { recursive: true });
    const tmp = `${spare.slotLink}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(participantDirAbs, tmp);
    fs.renameSync(tmp, spare.slotLink); // atomic: ffmpeg sees the old or the new folder
  }

  #cleanup(s: Spare): void {
    releaseSegmenter(s);
    fs.rmSync(path.join(this.#o.workDir, `slot-${s.trackId}`), { recursive: true, force: true });
  }

  #discard(s: Spare): void {
    void killSegmenter(s);
    this.#cleanup(s);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    for (const s of this.#ready.splice(0)) this.#discard(s);
    this.#socket.close();
  }
}
