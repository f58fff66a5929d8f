// Records one producer: PlainTransport + paused consumer → ffmpeg's segment muxer (segmenter.ts).
// What the recorder does, and which gap the lane shows, is one state with a transition table
// (track-state.ts); this file is what each phase does on entry and where the events come from.
//
// A run is one ffmpeg process with its own transport and consumer. Every run ends through one
// `#teardown(run, end)`: on purpose (stop, idle), because ffmpeg died, or because it could not
// be built. A new run is built on fresh ports (a PlainTransport cannot be re-connected).
//
// The segment muxer can only cut at key frames, so the producer is asked for a key frame just
// after each intended cut (and once more a second later, since mediasoup throttles requests to
// one per second).
//
// A paused or silent producer makes the run go idle: after segmentSeconds without media the run
// is ended on purpose and a new one starts when the producer resumes or its packet count moves.
// Kept running, ffmpeg's segmenter would see the timestamps jump by the whole pause and write one
// near-empty segment per boundary it skipped. (ffmpeg's RTP input would also end by itself after
// 10 s without any packet; mediasoup's RTCP reports usually keep it alive. Such an exit during a
// pause or silence is treated the same way, not as a crash.)
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { types } from 'mediasoup';
import type { Logger } from '../server/core/log.ts';
import { probe } from './ffmpeg.ts';
import { hashFile, type Segment, type Track } from './manifest.ts';
import { allocateRtpPortPair, releasePortPair, waitForUdpBind } from './ports.ts';
import { compatibleCodec, expectedConsumerCodec, mediaCodecOf, type RecordedCodec } from './sdp.ts';
import { endSegmenter, killSegmenter, releaseSegmenter, segmenterAlive, spawnSegmenter, type Segmenter } from './segmenter.ts';
import { SparePool, type Spare } from './spare-ffmpeg.ts';
import { INITIAL_TRACK_STATE, idleTimerRuns, transition, type GapReason, type TrackEvent, type TrackPhase, type TrackState } from './track-state.ts';

export type { GapReason } from './track-state.ts';

/** The participant's lane (camera, microphone…) this track records into; owns the gap list. */
export interface LaneLedger {
  /** Opens a gap; the lane closes the one open before it at the same instant. */
  openGap(reason: GapReason, at: Date, detail?: string): void;
  closeGap(at: Date): void;
  /**
   * The gap of `reason` opened at `openedAt` really began at `at`: where the media a crashed
   * ffmpeg left on disk ends (known only once its open segment is measured).
   */
  backdateGap(reason: GapReason, openedAt: Date, at: Date): void;
}

export interface TrackRecorderOptions {
  router: types.Router;
  producer: types.Producer;
  track: Track;
  sessionDir: string;
  /** Folder of this participant's segments, relative to sessionDir. */
  participantDir: string;
  /** SDP files live here, outside the evidence folder. */
  workDir: string;
  sessionStartedAt: Date;
  segmentSeconds: number;
  noPacketSeconds: number;
  ffmpegBin: string;
  ffprobeBin: string;
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
  /** A pre-started ffmpeg for the first run (its trackId is the track's); see spare-ffmpeg.ts. */
  spare?: Spare;
}

/** Why a run ends: stop, idle (on purpose), exited (ffmpeg died by itself), failed (never built). */
type RunEnd = 'stopped' | 'idle' | 'exited' | 'failed';

interface Run {
  index: number;
  ports?: { rtpPort: number; rtcpPort: number };
  /** Started before the consumer exists (a guess or a spare), replaced if the guess was wrong. */
  ffmpeg?: Segmenter;
  transport?: types.PlainTransport;
  consumer?: types.Consumer;
  /** In track.runs from the moment ffmpeg and consumer match. */
  meta?: Track['runs'][number];
  /** The build, settled (never rejects); a teardown waits for it so nothing is created after. */
  built: Promise<void>;
  /** Set when the teardown begins: the build and the exit watcher stop there. */
  ending?: RunEnd;
  torndown?: Promise<void>;
  exitDescription?: string;
  exitedAt?: Date;
  firstPacketAt?: Date;
  firstListStart?: number;
  /** End (stream seconds) of the last listed segment: where an unlisted one, open at a crash, starts. */
  lastListEnd?: number;
  listed: Set<string>;
  pending: Promise<void>[];
  timers: Set<NodeJS.Timeout>;
  stderrTail: string[];
}

/** Thrown inside a build whose run is being torn down. */
class RunEnding extends Error {}

const KEYFRAME_RETRY_MS = 1100;
const MAX_RESTART_DELAY_MS = 5000;

export class TrackRecorder {
  readonly #o: TrackRecorderOptions;
  #state: TrackState = INITIAL_TRACK_STATE;
  /** The run of the phases starting, recording and ending-idle. */
  #run: Run | undefined;
  /** Every run not yet torn down (the current one, and one ending after a crash or idle). */
  readonly #runs = new Set<Run>();
  #nextRun = 0;
  #restartAttempts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #watchdog: NodeJS.Timeout;
  #lastPacketCount = -1;
  #lastPacketChangeAt = Date.now();
  #endReason = '';
  #stopping: Promise<void> | undefined;

  static async create(opts: TrackRecorderOptions): Promise<TrackRecorder> {
    const t = new TrackRecorder(opts);
    // From the producer appearing to its first recorded packet nothing is on disk: the start
    // transition says so (typically 0.1–0.5 s; longer on a loaded host or waiting for a key frame).
    t.#dispatch({ type: 'start', at: new Date(opts.track.startedAt) });
    // A failed first run is not fatal: its gap is logged and the recorder retries, like a crash.
    await t.#run?.built;
    return t;
  }

  private constructor(opts: TrackRecorderOptions) {
    this.#o = opts;
    fs.mkdirSync(path.join(opts.sessionDir, opts.participantDir), { recursive: true });
    fs.mkdirSync(opts.workDir, { recursive: true });
    this.#watchdog = setInterval(() => void this.#checkFlow(), 1000);
    this.#watchdog.unref();
    // The producer's observer, not the consumer's events: an idle track has no consumer.
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
    const run = this.#run;
    return run?.meta && run.ffmpeg && segmenterAlive(run.ffmpeg) ? run.ffmpeg.proc.pid : undefined;
  }

  /** Records a gap the room knows about (e.g. privacy mode) on top of what mediasoup reports. */
  markPaused(at: Date, detail?: string): void {
    this.#dispatch({ type: 'pause', at, ...(detail !== undefined ? { detail } : {}) });
  }

  markResumed(at: Date): void {
    // Silence is measured from here: the count did not move while paused, and that was no silence.
    if (this.#state.paused) this.#lastPacketChangeAt = at.getTime();
    this.#dispatch({ type: 'resume', at });
  }

  /** Finishes the open segment cleanly and releases everything. Idempotent. */
  stop(reason: string): Promise<void> {
    if (!this.#stopping) {
      this.#endReason = reason;
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
    this.#o.log.debug({ producerId: this.#o.producer.id, event: e.type, from: before.phase, to: after.phase, gap: after.gap?.reason }, 'track recorder transition');
    if (after.gap !== before.gap) {
      if (after.gap) this.#o.ledger.openGap(after.gap.reason, after.gap.since, after.gap.detail);
      else this.#o.ledger.closeGap(e.at);
    }
    this.#syncIdleTimer();
    if (after.phase !== before.phase) this.#enter(after.phase, before.phase, e);
    else if (after.phase === 'recording' && before.gap && !after.gap) this.#requestKeyFrame(this.#run); // media back: a picture at once
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
          log.debug({ producerId: producer.id }, 'recording ffmpeg ended for lack of packets; idle until they return');
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
    const run: Run = { index: this.#nextRun++, built: Promise.resolve(), listed: new Set(), pending: [], timers: new Set(), stderrTail: [] };
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

  async #build(run: Run): Promise<void> {
    const o = this.#o;
    // A spare ffmpeg already listens; otherwise start one now with the codec the consumer will
    // get, while mediasoup builds the transport and consumer (ffmpeg takes 100–500 ms to start,
    // more on a busy host), and check either guess against the real consumer afterwards.
    const spare = run.index === 0 ? o.spare : undefined;
    if (spare) {
      delete o.spare;
      run.ffmpeg = spare;
      run.ports = { rtpPort: spare.rtpPort, rtcpPort: spare.rtcpPort };
    } else {
      run.ports = await allocateRtpPortPair();
      this.#check(run);
      const guess = expectedConsumerCodec(o.router, o.producer);
      if (guess) run.ffmpeg = this.#spawn(run, guess);
    }
    const { rtpPort, rtcpPort } = run.ports;
    run.transport = await o.router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
      appData: { purpose: 'recording', producerId: o.producer.id },
    });
    this.#check(run);
    await run.transport.connect({ ip: '127.0.0.1', port: rtpPort, rtcpPort });
    this.#check(run);
    run.consumer = await run.transport.consume({
      producerId: o.producer.id,
      rtpCapabilities: this.#capabilitiesFor(o.router, o.producer),
      paused: true,
      appData: { purpose: 'recording' },
    });
    this.#check(run);
    const consumer = run.consumer;
    const codec = mediaCodecOf(consumer.rtpParameters);
    const early = run.ffmpeg;
    const fits = early !== undefined && segmenterAlive(early) && compatibleCodec(early.codec, codec);
    if (early && !fits) {
      if (segmenterAlive(early)) o.log.debug({ guess: early.codec, codec }, 'consumer codec differs from the guess; restarting ffmpeg with the real one');
      await killSegmenter(early); // frees the ports
      if (early.slotLink) fs.rmSync(early.slotLink, { force: true });
      this.#check(run);
    }
    const ffmpeg = fits ? early : (run.ffmpeg = this.#spawn(run, codec));
    // Before any packet: ffmpeg creates its first segment file only when media arrives.
    if (ffmpeg === spare) SparePool.assign(spare, path.join(o.sessionDir, o.participantDir));
    run.meta = { run: run.index, startedAt: new Date().toISOString() };
    o.track.runs.push(run.meta);
    this.#watch(run, ffmpeg, consumer);
    o.log.debug({ producerId: o.producer.id, run: run.index, rtpPort, pid: ffmpeg.proc.pid }, 'recording run → ffmpeg started');

    const bound = await waitForUdpBind(rtpPort, 5000, () => segmenterAlive(ffmpeg) && !run.ending);
    this.#check(run);
    if (!segmenterAlive(ffmpeg)) return; // its exit watcher moves the state on
    if (!bound) o.log.warn({ rtpPort }, 'could not confirm ffmpeg bound its port; resuming anyway');
    // First packet wall time: for video the first key frame (ffmpeg drops what comes before).
    await consumer.enableTraceEvent([consumer.kind === 'video' ? 'keyframe' : 'rtp']);
    this.#check(run);
    await consumer.resume();
    this.#check(run);
    if (consumer.producerPaused) this.markPaused(new Date(), 'producer paused when recording started');
    if (consumer.kind === 'video') this.#requestKeyFrameUntilFirst(run);
  }

  #spawn(run: Run, codec: RecordedCodec): Segmenter {
    const o = this.#o;
    const name = `${o.track.trackId}-r${run.index}`;
    return spawnSegmenter({
      ffmpegBin: o.ffmpegBin,
      kind: o.producer.kind,
      codec,
      rtpPort: run.ports!.rtpPort,
      rtcpPort: run.ports!.rtcpPort,
      sdpFile: path.join(o.workDir, `${name}.sdp`),
      outputStem: path.join(o.sessionDir, o.participantDir, `${name}-%05d`),
      segmentSeconds: o.segmentSeconds,
    });
  }

  #capabilitiesFor(router: types.Router, producer: types.Producer): types.RtpCapabilities {
    const mime = mediaCodecOf(producer.rtpParameters).mimeType.toLowerCase();
    // Only the producer's codec, no RTX and no header extensions: ffmpeg needs neither.
    return {
      codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime),
      headerExtensions: [],
    };
  }

  /** The matched ffmpeg's output, its exit, and the consumer's first packet. */
  #watch(run: Run, ffmpeg: Segmenter, consumer: types.Consumer): void {
    const o = this.#o;
    readline.createInterface({ input: ffmpeg.proc.stdout! }).on('line', (line) => {
      const [file, start, end] = line.split(',');
      if (!file) return;
      // Lines come in segment order; offsets are relative to the run's first segment.
      if (run.firstListStart === undefined && Number.isFinite(Number(start))) run.firstListStart = Number(start);
      run.listed.add(file);
      if (Number.isFinite(Number(end))) run.lastListEnd = Math.max(run.lastListEnd ?? 0, Number(end));
      run.pending.push(this.#closeSegment(run, file, Number(start), Number(end), false));
    });
    readline.createInterface({ input: ffmpeg.proc.stderr! }).on('line', (line) => {
      run.stderrTail.push(line);
      if (run.stderrTail.length > 20) run.stderrTail.shift();
      o.log.debug({ producerId: o.producer.id, run: run.index }, `ffmpeg: ${line}`);
    });
    ffmpeg.proc.on('error', (err) => run.stderrTail.push(`spawn error: ${err.message}`));
    // Settles on 'close': stdout is drained, so every segment-list line has been seen.
    void ffmpeg.exited.then((description) => {
      run.exitDescription = description;
      run.exitedAt = new Date();
      this.#clearRunTimers(run);
      if (run.ending || this.#run !== run) return;
      const detail = `ffmpeg ${description}${run.stderrTail.length ? `: ${run.stderrTail.slice(-3).join(' | ')}` : ''}`;
      this.#dispatch({ type: 'ffmpeg-exited', at: run.exitedAt, detail: detail.slice(0, 500) });
    });
    consumer.on('trace', (trace) => {
      if (run.firstPacketAt || run.ending || this.#run !== run) return;
      if (trace.type !== 'keyframe' && trace.type !== 'rtp') return;
      const at = new Date();
      run.firstPacketAt = at;
      run.meta!.firstPacketAt = at.toISOString();
      consumer.enableTraceEvent([]).catch(() => undefined);
      this.#restartAttempts = 0;
      this.#lastPacketChangeAt = at.getTime();
      this.#dispatch({ type: 'first-packet', at });
      o.onChange();
      if (consumer.kind === 'video') this.#scheduleCut(run, 1);
    });
  }

  /**
   * The one way a run ends. Idempotent per run (stop() may meet a run going idle): waits for its
   * build to give up, finishes ffmpeg's open segment (or kills an ffmpeg that never got media),
   * hashes what it left unlisted, and releases transport, ports, SDP and spare slot.
   */
  #teardown(run: Run, end: RunEnd): Promise<void> {
    run.torndown ??= (async () => {
      run.ending = end;
      this.#clearRunTimers(run);
      await run.built;
      const ffmpeg = run.ffmpeg;
      if (ffmpeg) run.exitDescription = await (run.meta ? endSegmenter(ffmpeg) : killSegmenter(ffmpeg));
      if (run.meta) {
        await this.#collectUnlisted(run);
        run.meta.endedAt = (run.exitedAt ?? new Date()).toISOString();
        run.meta.exit = end === 'idle' ? `idle: ${run.exitDescription}` : run.exitDescription;
      }
      run.transport?.close();
      if (ffmpeg) releaseSegmenter(ffmpeg);
      else if (run.ports) releasePortPair(run.ports.rtpPort);
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

  #requestKeyFrame(run: Run | undefined): void {
    if (run?.consumer && !run.consumer.closed && run.consumer.kind === 'video') run.consumer.requestKeyFrame().catch(() => undefined);
  }

  #requestKeyFrameUntilFirst(run: Run): void {
    if (run.firstPacketAt) return;
    this.#requestKeyFrame(run);
    this.#timer(run, KEYFRAME_RETRY_MS, () => this.#requestKeyFrameUntilFirst(run));
  }

  /** Key frames just after the k-th intended cut, and again a second later in case of loss. */
  #scheduleCut(run: Run, k: number): void {
    const first = run.firstPacketAt!.getTime();
    const due = first + k * this.#o.segmentSeconds * 1000 + 50;
    this.#timer(run, due - Date.now(), () => {
      this.#requestKeyFrame(run);
      this.#timer(run, KEYFRAME_RETRY_MS, () => {
        this.#requestKeyFrame(run);
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

  #scheduleRestart(): void {
    if (this.#o.producer.closed) return; // nothing to record: the lane ends this track
    const delay = Math.min(MAX_RESTART_DELAY_MS, 200 * 2 ** this.#restartAttempts);
    this.#restartAttempts++;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#dispatch({ type: 'restart', at: new Date() });
    }, delay);
  }

  /**
   * The producer's packet count, every second while recording or idle (not while paused): not
   * moving for noPacketSeconds is silence; moving again ends it, or wakes an idle track.
   */
  async #checkFlow(): Promise<void> {
    const { producer, noPacketSeconds } = this.#o;
    const s = this.#state;
    if ((s.phase !== 'recording' && s.phase !== 'idle') || s.paused || producer.closed) return;
    let count: number;
    try {
      count = (await producer.getStats()).reduce((n, x) => n + (x.packetCount ?? 0), 0);
    } catch {
      return;
    }
    const now = Date.now();
    if (count !== this.#lastPacketCount) {
      this.#lastPacketCount = count;
      this.#lastPacketChangeAt = now;
      this.#dispatch({ type: 'packets', at: new Date(now) });
    } else if (now - this.#lastPacketChangeAt >= noPacketSeconds * 1000) {
      this.#dispatch({ type: 'silence', at: new Date(this.#lastPacketChangeAt), detail: `no RTP for ${noPacketSeconds}s` });
    }
  }

  /**
   * Duration: from the segment list (end − start of the stream timestamps ffmpeg wrote), which
   * is what ffprobe reads back from the container; spawning ffprobe per segment cost more CPU
   * than the recording itself (docs/bench-recording.md). Segments without a list line (the one
   * open when ffmpeg died) are measured with ffprobe.
   */
  async #closeSegment(run: Run, file: string, listStart: number, listEnd: number, truncated: boolean): Promise<void> {
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
      const info = listed ? { durationSeconds: listEnd - listStart } : await probe(abs, o.ffprobeBin).catch(() => ({ durationSeconds: 0 }));
      const base = run.firstPacketAt ?? new Date(run.meta!.startedAt);
      // The segment open at a crash has no list line: it began where the last listed one ended.
      const startInStream = Number.isFinite(listStart) ? listStart : truncated ? run.lastListEnd : undefined;
      const offsetInRun = startInStream !== undefined && run.firstListStart !== undefined ? startInStream - run.firstListStart : 0;
      const firstPacketAt = new Date(base.getTime() + Math.max(0, offsetInRun) * 1000);
      const segment: Segment = {
        id: `${o.track.trackId}-r${run.index}-${String(seq).padStart(5, '0')}`,
        file: path.posix.join(o.participantDir, file),
        run: run.index,
        seq,
        sha256,
        sm3,
        bytes,
        durationSeconds: round3(info.durationSeconds),
        firstPacketAt: firstPacketAt.toISOString(),
        offsetSeconds: round3((firstPacketAt.getTime() - o.sessionStartedAt.getTime()) / 1000),
        closedAt: new Date().toISOString(),
        ...(truncated ? { truncated: true } : {}),
      };
      // With segments flushed as written, what a killed ffmpeg lost is only what followed its
      // last written packet: the crash gap starts there, not when the exit was noticed.
      if (truncated && run.ending === 'exited' && run.exitedAt && run.firstPacketAt) {
        o.ledger.backdateGap('recorder-exited', run.exitedAt, new Date(firstPacketAt.getTime() + info.durationSeconds * 1000));
      }
      if (o.archiveSegment && !(await o.archiveSegment(segment))) return;
      o.track.segments.push(segment);
      o.track.segments.sort((a, b) => a.run - b.run || a.seq - b.seq);
      o.onChange();
      o.onSegment?.(segment);
      o.log.debug({ segment: segment.file, bytes, duration: segment.durationSeconds }, 'segment closed');
    } catch (err) {
      o.log.error({ err, file: abs }, 'segment could not be hashed');
    }
  }

  /** Files ffmpeg wrote but never listed: the segment open when it died. Kept, flagged. */
  async #collectUnlisted(run: Run): Promise<void> {
    const o = this.#o;
    await Promise.all(run.pending);
    const dir = path.join(o.sessionDir, o.participantDir);
    const prefix = `${o.track.trackId}-r${run.index}-`;
    const files = fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(run.ffmpeg!.ext) && !run.listed.has(f));
    for (const f of files.sort()) {
      run.listed.add(f);
      await this.#closeSegment(run, f, NaN, NaN, true);
    }
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
