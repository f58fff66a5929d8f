// Records one producer. Its RTP is captured from the consumer's first packet by an intake
// (rtp-intake.ts: a UDP socket of ours, bound before the consumer exists) and written by ffmpeg's
// segment muxer (segmenter.ts), which reads it over a local RTSP/TCP feed (rtsp-feed.ts). What
// the recorder does, and which gap the lane shows, is one state with a transition table
// (track-state.ts); this file is what each phase does on entry and where the events come from.
//
// The intake — PlainTransport, consumer and socket — lives as long as the track. A run is one
// ffmpeg fed from it: media that arrives while no ffmpeg takes it (the first one starting, a
// dead one being replaced) is held and handed over in order, so starting ffmpeg costs no media
// and a crash loses only what the dead ffmpeg had not written. Every run ends through one
// `#teardown(run, end)`: on purpose (stop, idle), because ffmpeg died, or because it could not
// be built.
//
// The segment muxer can only cut at key frames, so the producer is asked for a key frame just
// after each intended cut (and once more a second later, since mediasoup throttles requests to
// one per second).
//
// A paused or silent producer makes the run go idle: after segmentSeconds without media the run
// is ended on purpose and a new one starts when the producer resumes or packets arrive again.
// Kept running, ffmpeg's segmenter would see the timestamps jump by the whole pause and write one
// near-empty segment per boundary it skipped.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { types } from 'mediasoup';
import type { Logger } from '../server/core/log.ts';
import { measureDuration } from './ffmpeg.ts';
import { hashFile, type Segment, type Track } from './manifest.ts';
import { bindRecorderSocket, type PortRange } from './ports.ts';
import { RtpIntake, type IntakeSink, type IntakeStream } from './rtp-intake.ts';
import { mediaCodecOf } from './sdp.ts';
import { endSegmenter, killSegmenter, segmenterAlive, spawnSegmenter, type Segmenter } from './segmenter.ts';
import { INITIAL_TRACK_STATE, idleTimerRuns, transition, type GapReason, type OpenGap, type TrackEvent, type TrackPhase, type TrackState } from './track-state.ts';

export type { GapReason } from './track-state.ts';

/** The participant's lane (camera, microphone…) this track records into; owns the gap list. */
export interface LaneLedger {
  /** Opens a gap; the lane closes the one open before it at the same instant. */
  openGap(reason: GapReason, at: Date, detail?: string): void;
  closeGap(at: Date): void;
}

export interface TrackRecorderOptions {
  router: types.Router;
  producer: types.Producer;
  track: Track;
  sessionDir: string;
  /** Folder of this participant's segments, relative to sessionDir. */
  participantDir: string;
  sessionStartedAt: Date;
  segmentSeconds: number;
  noPacketSeconds: number;
  ffmpegBin: string;
  ffprobeBin: string;
  ports: PortRange;
  ledger: LaneLedger;
  log: Logger;
  /** The manifest changed (segment closed, run started…): persist it. */
  onChange: () => void;
  onSegment?: (segment: Segment) => void;
  /**
   * Moves a finished segment from `sessionDir` (the spool) to the archive store before it is
   * listed; false when it could not (the session lists it once it can).
   */
  archiveSegment?: (segment: Segment) => Promise<boolean>;
  /** The lane's gap still open when this track starts (producer replaced, worker died): this track's first media closes it. */
  openGap?: OpenGap;
}

/** Why a run ends: stop, idle (on purpose), exited (ffmpeg died by itself), failed (never built). */
type RunEnd = 'stopped' | 'idle' | 'exited' | 'failed';

interface Intake {
  rtp: RtpIntake;
  transport: types.PlainTransport;
  consumer: types.Consumer;
}

interface Run {
  index: number;
  ffmpeg?: Segmenter;
  /** What the intake writes to while this run takes media. */
  sink?: IntakeSink;
  meta?: Track['runs'][number];
  /** The build, settled (never rejects); a teardown waits for it so nothing is created after. */
  built: Promise<void>;
  /** Set when the teardown begins: the build and the exit watcher stop there. */
  ending?: RunEnd;
  /** Wakes a build waiting for media or for ffmpeg when the teardown begins. */
  abort: AbortController;
  torndown?: Promise<void>;
  exitDescription?: string;
  exitedAt?: Date;
  /** Arrival of the first packet this run was given. */
  firstPacketAt?: Date;
  /** The media it was given; its clock anchor dates the segments. */
  stream?: IntakeStream;
  firstListStart?: number;
  /** End (stream seconds) of the last listed segment: where an unlisted one, open at a crash, starts. */
  lastListEnd?: number;
  listed: Set<string>;
  pending: Promise<unknown>[];
  timers: Set<NodeJS.Timeout>;
  stderrTail: string[];
}

/** Thrown inside a build whose run is being torn down. */
class RunEnding extends Error {}

const KEYFRAME_RETRY_MS = 1100;
const MAX_RESTART_DELAY_MS = 5000;
/** ffmpeg connects and asks for the stream within this, or it is given up (machine saturated). */
const PLAY_TIMEOUT_MS = 15_000;
/** Written to ffmpeg and not taken: beyond this it is stuck, and replaced like a crash. */
const MAX_FEED_BACKLOG = 8 * 1024 * 1024;
/** At a stop, how long to wait for media sent before it that the loaded event loop has not read yet. */
const STOP_CATCH_UP_MS = 2000;
/** How long an event loop stall (or a slow turn) the receive buffer must absorb without drops. */
const STALL_SECONDS = 2;
/**
 * What a track may carry: video up to 4 Mbit/s (the room caps a camera at 1.5; a screen share
 * runs higher) in ~1.2 KB packets, Opus up to 128 kbit/s at 50 packets/s. The kernel charges
 * each datagram ~1 KiB of bookkeeping on top of its bytes, so packets count as well as bits.
 */
const RATES = { video: { bitsPerSecond: 4_000_000, packetsPerSecond: 420 }, audio: { bitsPerSecond: 128_000, packetsPerSecond: 50 } } as const;

/** The receive buffer a track's socket asks for: STALL_SECONDS of its highest rate. */
export function receiveBufferBytes(kind: 'audio' | 'video'): number {
  const r = RATES[kind];
  return Math.ceil(STALL_SECONDS * (r.bitsPerSecond / 8 + r.packetsPerSecond * 1024));
}

let smallBufferWarned = false;
let perPacketWarned = false;

export class TrackRecorder {
  readonly #o: TrackRecorderOptions;
  #state: TrackState;
  /** The run of the phases starting, recording and ending-idle. */
  #run: Run | undefined;
  /** Every run not yet torn down (the current one, and one ending after a crash or idle). */
  readonly #runs = new Set<Run>();
  #intake: Intake | undefined;
  #intakeBuilding: Promise<Intake> | undefined;
  #nextRun = 0;
  #restartAttempts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #watchdog: NodeJS.Timeout;
  readonly #startedMs: number;
  /** When the producer last resumed: a silence counts from there, not from the last packet before the pause. */
  #resumedMs = 0;
  #endReason = '';
  /** When stop() was called: media up to this instant belongs to the recording. */
  #stopAt = 0;
  #stopping: Promise<void> | undefined;

  static async create(opts: TrackRecorderOptions): Promise<TrackRecorder> {
    const t = new TrackRecorder(opts);
    t.#dispatch({ type: 'start', at: new Date(opts.track.startedAt) });
    // A failed first run is not fatal: the recorder retries, like after a crash.
    await t.#run?.built;
    return t;
  }

  private constructor(opts: TrackRecorderOptions) {
    this.#o = opts;
    this.#state = { ...INITIAL_TRACK_STATE, gap: opts.openGap };
    this.#startedMs = Date.parse(opts.track.startedAt);
    fs.mkdirSync(path.join(opts.sessionDir, opts.participantDir), { recursive: true });
    this.#watchdog = setInterval(() => this.#checkSilence(), 1000);
    this.#watchdog.unref();
    // The producer's observer, not the consumer's events: they come whatever the intake's state.
    opts.producer.observer.on('pause', this.#onProducerPause);
    opts.producer.observer.on('resume', this.#onProducerResume);
  }

  readonly #onProducerPause = (): void => this.markPaused(new Date());
  readonly #onProducerResume = (): void => this.markResumed(new Date());

  get producerId(): string {
    return this.#o.producer.id;
  }

  get closed(): boolean {
    return this.#state.phase === 'stopping' || this.#state.phase === 'stopped';
  }

  /** The phase the recorder is in (diagnostics). */
  get phase(): TrackPhase {
    return this.#state.phase;
  }

  /** The ffmpeg process id of the current run (tests kill it to prove restarts). */
  get ffmpegPid(): number | undefined {
    const ffmpeg = this.#run?.ffmpeg;
    return ffmpeg && segmenterAlive(ffmpeg) ? ffmpeg.proc.pid : undefined;
  }

  /** Packets received, and sequence numbers that never arrived (benchmarks, diagnostics). */
  get intakeStats(): { packets: number; bytes: number; missing: number } | undefined {
    return this.#intake ? { ...this.#intake.rtp.stats } : undefined;
  }

  /** Records a gap the room knows about (e.g. privacy mode) on top of what mediasoup reports. */
  markPaused(at: Date, detail?: string): void {
    this.#dispatch({ type: 'pause', at, ...(detail !== undefined ? { detail } : {}) });
  }

  markResumed(at: Date): void {
    this.#dispatch({ type: 'resume', at });
  }

  /** Finishes the open segment cleanly and releases everything. Idempotent. */
  stop(reason: string): Promise<void> {
    if (!this.#stopping) {
      this.#endReason = reason;
      this.#stopAt = Date.now();
      this.#dispatch({ type: 'stop', at: new Date() });
    }
    return this.#stopping ?? Promise.resolve();
  }

  /** The one place the state changes; the lane's gap follows it. */
  #dispatch(e: TrackEvent): void {
    const before = this.#state;
    let after: TrackState;
    try {
      after = transition(before, e);
    } catch (err) {
      this.#o.log.error({ err, producerId: this.#o.producer.id }, 'track recorder: event ignored');
      return;
    }
    if (after === before) return;
    this.#state = after;
    if (e.type === 'resume') this.#resumedMs = Date.now();
    this.#o.log.debug({ producerId: this.#o.producer.id, event: e.type, from: before.phase, to: after.phase, gap: after.gap?.reason }, 'track recorder transition');
    if (after.gap !== before.gap) {
      if (after.gap) this.#o.ledger.openGap(after.gap.reason, after.gap.since, after.gap.detail);
      else this.#o.ledger.closeGap(e.at);
    }
    this.#syncIdleTimer();
    this.#syncWake();
    if (after.phase !== before.phase) this.#enter(after.phase, before.phase, e);
    else if (after.phase === 'recording' && before.gap && !after.gap) this.#requestKeyFrame(); // media back: a picture at once
  }

  #enter(phase: TrackPhase, from: TrackPhase, e: TrackEvent): void {
    const { log, producer } = this.#o;
    switch (phase) {
      case 'starting':
        this.#beginRun();
        return;
      case 'ending-idle': {
        const run = this.#run!;
        log.debug({ producerId: producer.id, run: run.index }, 'no media for a segment length: ending the run until media returns');
        void this.#teardown(run, 'idle').then(() => this.#dispatch({ type: 'run-ended', at: new Date() }));
        return;
      }
      case 'idle':
        if (from !== 'ending-idle') {
          log.debug({ producerId: producer.id }, 'recording ffmpeg ended while no media came; idle until it returns');
          this.#endRun('idle');
        }
        this.#run = undefined;
        return;
      case 'restarting':
        if (e.type === 'ffmpeg-exited') log.warn({ producerId: producer.id, detail: e.detail }, 'recording ffmpeg died; restarting');
        this.#endRun(e.type === 'start-failed' ? 'failed' : 'exited');
        this.#scheduleRestart();
        return;
      case 'stopping':
        this.#stopping = this.#stop();
        return;
      case 'new':
      case 'recording':
      case 'stopped':
        return;
    }
  }

  async #stop(): Promise<void> {
    const o = this.#o;
    clearInterval(this.#watchdog);
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    o.producer.observer.off('pause', this.#onProducerPause);
    o.producer.observer.off('resume', this.#onProducerResume);
    // Also a run already ending (idle, crash): stop() returns when nothing of it is left.
    await Promise.all([...this.#runs].map((run) => this.#teardown(run, 'stopped')));
    this.#run = undefined;
    const intake = this.#intake ?? (await this.#intakeBuilding?.catch(() => undefined));
    intake?.transport.close();
    intake?.rtp.close();
    o.track.endedAt = new Date().toISOString();
    o.track.endReason = this.#endReason;
    o.onChange();
    this.#dispatch({ type: 'stopped', at: new Date() });
  }

  #endRun(end: RunEnd): void {
    const run = this.#run;
    this.#run = undefined;
    if (run) void this.#teardown(run, end);
  }

  #beginRun(): void {
    const run: Run = { index: this.#nextRun++, built: Promise.resolve(), abort: new AbortController(), listed: new Set(), pending: [], timers: new Set(), stderrTail: [] };
    this.#run = run;
    this.#runs.add(run);
    let failure: unknown;
    run.built = this.#build(run).catch((err: unknown) => {
      failure = err;
    });
    void run.built.then(() => {
      if (failure === undefined || failure instanceof RunEnding || run.ending || this.#run !== run) return;
      this.#o.log.warn({ err: failure, producerId: this.#o.producer.id, run: run.index }, 'recording run failed to start; retrying');
      this.#dispatch({ type: 'start-failed', at: new Date(), detail: `start failed: ${(failure as Error).message}`.slice(0, 500) });
    });
  }

  /** Stops a build whose run is being torn down; whatever it created is on the run for the teardown. */
  #check(run: Run): void {
    if (run.ending) throw new RunEnding();
  }

  /**
   * The PlainTransport, its consumer and the socket they send to, built once per track (again
   * only if building failed). The socket is bound first, so the consumer's first packet has
   * somewhere to go; the consumer starts unpaused and the intake holds what it sends.
   */
  #ensureIntake(): Promise<Intake> {
    if (this.#intake) return Promise.resolve(this.#intake);
    this.#intakeBuilding ??= this.#buildIntake().then(
      (intake) => {
        this.#intake = intake;
        return intake;
      },
      (err: unknown) => {
        this.#intakeBuilding = undefined;
        throw err;
      },
    );
    return this.#intakeBuilding;
  }

  async #buildIntake(): Promise<Intake> {
    const o = this.#o;
    const kind = o.producer.kind;
    const wanted = receiveBufferBytes(kind);
    const socket = await bindRecorderSocket(o.ports, wanted);
    const codec = mediaCodecOf(o.producer.rtpParameters);
    const rtp = new RtpIntake(socket, {
      mimeType: codec.mimeType,
      clockRate: codec.clockRate,
      requestKeyFrame: () => this.#requestKeyFrame(),
      onLoss: (at, detail) => this.#dispatch({ type: 'media-lost', at, detail }),
    });
    if (!rtp.readsNatively && !perPacketWarned) {
      perPacketWarned = true;
      o.log.warn('recording intake reads its sockets packet by packet: the native datagram reader is not built (scripts/setup.sh builds it into .cache/native/)');
    }
    if (rtp.receiveBufferBytes < wanted && !smallBufferWarned) {
      smallBufferWarned = true;
      o.log.warn({ wanted, granted: rtp.receiveBufferBytes }, 'recording socket receive buffer is below what the bitrate needs: raise net.core.rmem_max (scripts/setup.sh does when run as root)');
    }
    let transport: types.PlainTransport | undefined;
    try {
      transport = await o.router.createPlainTransport({
        listenIp: { ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        appData: { purpose: 'recording', producerId: o.producer.id },
      });
      await transport.connect({ ip: '127.0.0.1', port: rtp.port });
      const consumer = await transport.consume({
        producerId: o.producer.id,
        rtpCapabilities: this.#capabilitiesFor(o.router, o.producer),
        paused: false,
        appData: { purpose: 'recording' },
      });
      if (consumer.producerPaused) this.markPaused(new Date(), 'producer paused when recording started');
      const intake = { rtp, transport, consumer };
      this.#intake = intake;
      this.#syncWake();
      if (consumer.kind === 'video') this.#requestKeyFrameUntilMedia();
      o.log.debug({ producerId: o.producer.id, port: rtp.port, receiveBuffer: rtp.receiveBufferBytes }, 'recording intake → consuming');
      return intake;
    } catch (err) {
      transport?.close();
      rtp.close();
      throw err;
    }
  }

  async #build(run: Run): Promise<void> {
    const o = this.#o;
    const intake = await this.#ensureIntake();
    this.#check(run);
    // ffmpeg only once there is media: a paused or silent producer costs no process, and at a
    // session's start the worker's consumers are not kept waiting for the CPU by ffmpegs.
    await intake.rtp.media(run.abort.signal);
    this.#check(run);
    const name = `${o.track.trackId}-r${run.index}`;
    const ffmpeg = await spawnSegmenter({
      ffmpegBin: o.ffmpegBin,
      kind: o.producer.kind,
      codec: mediaCodecOf(intake.consumer.rtpParameters),
      outputStem: path.join(o.sessionDir, o.participantDir, `${name}-%05d`),
      segmentSeconds: o.segmentSeconds,
    });
    run.ffmpeg = ffmpeg;
    run.meta = { run: run.index, startedAt: new Date().toISOString() };
    o.track.runs.push(run.meta);
    this.#watch(run, ffmpeg);
    o.log.debug({ producerId: o.producer.id, run: run.index, pid: ffmpeg.proc.pid }, 'recording run → ffmpeg started');
    // Nothing is lost meanwhile: the intake holds what arrives until ffmpeg asks for the stream.
    const playing = await this.#playing(ffmpeg, run.abort.signal);
    this.#check(run);
    if (playing) this.#attach(run, intake);
  }

  /** Whether ffmpeg asked for its stream (false: it exited, was given up on, or the run ends). */
  async #playing(ffmpeg: Segmenter, signal?: AbortSignal): Promise<boolean> {
    if (ffmpeg.feed.playing) return true;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const playing = await Promise.race([
      new Promise<boolean>((resolve) => ffmpeg.feed.once('playing', () => resolve(true))),
      ffmpeg.exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PLAY_TIMEOUT_MS))),
      new Promise<boolean>((resolve) => signal?.addEventListener('abort', (onAbort = () => resolve(false)), { once: true })),
    ]);
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (!playing && !signal?.aborted && segmenterAlive(ffmpeg)) {
      this.#o.log.warn({ producerId: this.#o.producer.id }, `recording ffmpeg did not ask for its stream within ${PLAY_TIMEOUT_MS} ms; killing it`);
      ffmpeg.proc.kill('SIGKILL'); // its exit is handled like any other
    }
    return playing;
  }

  /** From now on the intake feeds this run's ffmpeg, starting with what it holds. */
  #attach(run: Run, intake: Intake): void {
    const ffmpeg = run.ffmpeg!;
    const sink: IntakeSink = {
      write: (packets) => {
        if (ffmpeg.feed.backlogBytes > MAX_FEED_BACKLOG) {
          this.#o.log.warn({ producerId: this.#o.producer.id, run: run.index, backlog: ffmpeg.feed.backlogBytes }, 'recording ffmpeg stopped taking its stream; killing it');
          ffmpeg.proc.kill('SIGKILL');
          return false;
        }
        return ffmpeg.feed.write(packets);
      },
    };
    run.sink = sink;
    intake.rtp.attach(sink, (at, stream) => this.#onFirstMedia(run, at, stream));
  }

  #onFirstMedia(run: Run, at: Date, stream: IntakeStream): void {
    if (run.firstPacketAt || run.ending || this.#run !== run) return;
    run.firstPacketAt = at;
    run.stream = stream;
    run.meta!.firstPacketAt = at.toISOString();
    this.#restartAttempts = 0;
    this.#dispatch({ type: 'first-packet', at });
    this.#o.onChange();
    if (this.#o.producer.kind === 'video') this.#scheduleCut(run, 1);
  }

  #capabilitiesFor(router: types.Router, producer: types.Producer): types.RtpCapabilities {
    const mime = mediaCodecOf(producer.rtpParameters).mimeType.toLowerCase();
    // Only the producer's codec, no RTX, no header extensions and no RTCP feedback: the worker
    // then keeps no retransmission buffer for a consumer that never asks for one.
    return {
      codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime).map((c) => ({ ...c, rtcpFeedback: [] })),
      headerExtensions: [],
    };
  }

  /** The run's ffmpeg output, and its exit. */
  #watch(run: Run, ffmpeg: Segmenter): void {
    const o = this.#o;
    readline.createInterface({ input: ffmpeg.proc.stdout! }).on('line', (line) => {
      const [file, start, end] = line.split(',');
      if (!file) return;
      // Lines come in segment order; offsets are relative to the run's first segment.
      if (run.firstListStart === undefined && Number.isFinite(Number(start))) run.firstListStart = Number(start);
      if (Number.isFinite(Number(end))) run.lastListEnd = Number(end);
      run.listed.add(file);
      run.pending.push(this.#closeSegment(run, file, Number(start), Number(end), false));
    });
    readline.createInterface({ input: ffmpeg.proc.stderr! }).on('line', (line) => {
      run.stderrTail.push(line);
      if (run.stderrTail.length > 20) run.stderrTail.shift();
      o.log.debug({ producerId: o.producer.id, run: run.index }, `ffmpeg: ${line}`);
    });
    ffmpeg.proc.on('error', (err) => run.stderrTail.push(`spawn error: ${err.message}`));
    // Settles on 'close': stdout is drained, so every segment-list line has been seen.
    void ffmpeg.exited.then(async (description) => {
      run.exitDescription = description;
      run.exitedAt = new Date();
      this.#clearRunTimers(run);
      if (run.sink) this.#intake?.rtp.detach(run.sink); // what comes next is held for the next run
      if (run.ending || this.#run !== run) return;
      // The gap starts where the written media ends: measure what the dead ffmpeg left.
      const writtenEnd = run.firstPacketAt ? await this.#collectUnlisted(run) : undefined;
      if (run.ending || this.#run !== run) return;
      const detail = `ffmpeg ${description}${run.stderrTail.length ? `: ${run.stderrTail.slice(-3).join(' | ')}` : ''}`;
      this.#dispatch({ type: 'ffmpeg-exited', at: run.exitedAt, detail: detail.slice(0, 500), ...(writtenEnd ? { lostSince: writtenEnd } : {}) });
    });
  }

  /**
   * The one way a run ends. Idempotent per run (stop() may meet a run going idle): waits for its
   * build to give up, hands a starting ffmpeg what is held when the session stops, finishes the
   * open segment (or kills an ffmpeg that never got media) and hashes what it left unlisted.
   */
  #teardown(run: Run, end: RunEnd): Promise<void> {
    run.torndown ??= (async () => {
      run.ending = end;
      run.abort.abort();
      this.#clearRunTimers(run);
      await run.built;
      const ffmpeg = run.ffmpeg;
      const intake = this.#intake;
      // Stopping while this run's ffmpeg is starting with media held for it: let it take that
      // media, so the recording keeps every packet that arrived before the stop.
      if (end === 'stopped' && ffmpeg && intake && !run.sink && intake.rtp.holding && segmenterAlive(ffmpeg) && (await this.#playing(ffmpeg))) {
        this.#attach(run, intake);
      }
      if (run.sink && intake) {
        // Media the worker sent before the stop may still wait in the socket (event loop behind).
        if (end === 'stopped' && !this.#state.paused) await intake.rtp.caughtUp(this.#stopAt, STOP_CATCH_UP_MS);
        intake.rtp.flush();
        intake.rtp.detach(run.sink);
      }
      if (ffmpeg) run.exitDescription = await (run.firstPacketAt ? endSegmenter(ffmpeg) : killSegmenter(ffmpeg));
      if (run.meta) {
        await this.#collectUnlisted(run);
        run.meta.endedAt = (run.exitedAt ?? new Date()).toISOString();
        run.meta.exit = end === 'idle' ? `idle: ${run.exitDescription}` : run.exitDescription;
      }
      this.#runs.delete(run);
      this.#o.onChange();
    })();
    return run.torndown;
  }

  #clearRunTimers(run: Run): void {
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
  }

  #timer(run: Run, ms: number, fn: () => void): void {
    if (run.ending || run.exitDescription !== undefined) return;
    const t = setTimeout(() => {
      run.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    run.timers.add(t);
  }

  #requestKeyFrame(): void {
    const consumer = this.#intake?.consumer;
    if (consumer && !consumer.closed && consumer.kind === 'video') consumer.requestKeyFrame().catch(() => undefined);
  }

  /** Until the intake has its first packet: mediasoup forwards video only from a key frame. */
  #requestKeyFrameUntilMedia(): void {
    const rtp = this.#intake?.rtp;
    if (!rtp || rtp.stats.packets > 0 || this.closed) return;
    this.#requestKeyFrame();
    setTimeout(() => this.#requestKeyFrameUntilMedia(), KEYFRAME_RETRY_MS).unref();
  }

  /** Key frames just after the k-th intended cut, and again a second later in case of loss. */
  #scheduleCut(run: Run, k: number): void {
    const first = run.firstPacketAt!.getTime();
    const due = first + k * this.#o.segmentSeconds * 1000 + 50;
    this.#timer(run, due - Date.now(), () => {
      this.#requestKeyFrame();
      this.#timer(run, KEYFRAME_RETRY_MS, () => {
        this.#requestKeyFrame();
        this.#scheduleCut(run, k + 1);
      });
    });
  }

  /** A run is ended on purpose once media has been missing for a segment length. */
  #syncIdleTimer(): void {
    const wanted = idleTimerRuns(this.#state);
    if (wanted && !this.#idleTimer) {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = undefined;
        this.#dispatch({ type: 'idle-timeout', at: new Date() });
      }, this.#o.segmentSeconds * 1000);
    } else if (!wanted && this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  /** While silent or idle, the next packet is news: it ends the silence or wakes the track. */
  #syncWake(): void {
    const s = this.#state;
    const waiting = !s.paused && (s.silent || s.phase === 'idle');
    this.#intake?.rtp.onNextPacket(waiting ? () => this.#dispatch({ type: 'packets', at: new Date() }) : undefined);
  }

  #scheduleRestart(): void {
    if (this.#o.producer.closed) return; // nothing to record: the lane ends this track
    const delay = Math.min(MAX_RESTART_DELAY_MS, 200 * 2 ** this.#restartAttempts);
    this.#restartAttempts++;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#dispatch({ type: 'restart', at: new Date() });
    }, delay);
  }

  /** No packet for noPacketSeconds (since the last one, or since the track started) is silence. */
  #checkSilence(): void {
    const s = this.#state;
    if ((s.phase !== 'recording' && s.phase !== 'starting') || s.paused || s.silent) return;
    const last = Math.max(this.#intake?.rtp.lastPacketAt ?? 0, this.#startedMs, this.#resumedMs);
    if (Date.now() - last >= this.#o.noPacketSeconds * 1000) {
      this.#dispatch({ type: 'silence', at: new Date(last), detail: `no RTP for ${this.#o.noPacketSeconds}s` });
    }
  }

  /**
   * Duration: from the segment list (end − start of the stream timestamps ffmpeg wrote), which
   * is what ffprobe reads back from the container; spawning ffprobe per segment cost more CPU
   * than the recording itself (docs/bench-recording.md). Segments without a list line (the one
   * open when ffmpeg died) are measured by reading their packets.
   */
  async #closeSegment(run: Run, file: string, listStart: number, listEnd: number, truncated: boolean): Promise<Segment | undefined> {
    const o = this.#o;
    const abs = path.join(o.sessionDir, o.participantDir, file);
    const seq = Number(/-(\d+)\.\w+$/.exec(file)?.[1] ?? NaN);
    // ffmpeg prints the list line just before closing the file; it opens the next segment
    // right after. Hash only once the next file exists or the process is gone.
    if (!truncated) {
      const next = abs.replace(/-(\d+)(\.\w+)$/, (_m, n: string, ext: string) => `-${String(Number(n) + 1).padStart(n.length, '0')}${ext}`);
      const deadline = Date.now() + 3000;
      while (run.exitDescription === undefined && !fs.existsSync(next) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    }
    try {
      const [sha256, bytes, sm3] = await hashFile(abs);
      const listed = Number.isFinite(listStart) && Number.isFinite(listEnd) && listEnd >= listStart;
      const durationSeconds = listed ? listEnd - listStart : bytes > 0 ? await measureDuration(abs, o.ffprobeBin).catch(() => 0) : 0;
      // The run's media clock: ffmpeg's stream time 0 is the first packet's RTP timestamp.
      const base = run.stream ? new Date(run.stream.anchorMs) : (run.firstPacketAt ?? new Date(run.meta!.startedAt));
      // An unlisted segment follows the last listed one of its run.
      const startInRun = listed ? listStart : (run.lastListEnd ?? run.firstListStart ?? 0);
      const offsetInRun = run.firstListStart !== undefined ? startInRun - run.firstListStart : 0;
      const firstPacketAt = new Date(base.getTime() + Math.max(0, offsetInRun) * 1000);
      const segment: Segment = {
        id: `${o.track.trackId}-r${run.index}-${String(seq).padStart(5, '0')}`,
        file: path.posix.join(o.participantDir, file),
        run: run.index,
        seq,
        sha256,
        sm3,
        bytes,
        durationSeconds: round3(durationSeconds),
        firstPacketAt: firstPacketAt.toISOString(),
        offsetSeconds: round3((firstPacketAt.getTime() - o.sessionStartedAt.getTime()) / 1000),
        closedAt: new Date().toISOString(),
        ...(truncated ? { truncated: true } : {}),
      };
      if (o.archiveSegment && !(await o.archiveSegment(segment))) return;
      o.track.segments.push(segment);
      o.track.segments.sort((a, b) => a.run - b.run || a.seq - b.seq);
      o.onChange();
      o.onSegment?.(segment);
      o.log.debug({ segment: segment.file, bytes, duration: segment.durationSeconds }, 'segment closed');
      return segment;
    } catch (err) {
      o.log.error({ err, file: abs }, 'segment could not be hashed');
      return undefined;
    }
  }

  /**
   * Files ffmpeg wrote but never listed: the segment open when it died. Kept, flagged. Returns
   * where the run's written media ends (its last segment's end), or its first packet if nothing
   * of it is on disk.
   */
  async #collectUnlisted(run: Run): Promise<Date | undefined> {
    const o = this.#o;
    await Promise.all(run.pending);
    const dir = path.join(o.sessionDir, o.participantDir);
    const prefix = `${o.track.trackId}-r${run.index}-`;
    const files = fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(run.ffmpeg!.ext) && !run.listed.has(f));
    for (const f of files.sort()) {
      run.listed.add(f);
      await this.#closeSegment(run, f, NaN, NaN, true);
    }
    const last = o.track.segments.filter((x) => x.run === run.index).at(-1);
    if (last) return new Date(Date.parse(last.firstPacketAt) + last.durationSeconds * 1000);
    return run.firstPacketAt;
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
