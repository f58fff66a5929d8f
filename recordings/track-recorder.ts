// Records one producer: PlainTransport + paused consumer → ffmpeg (`-c copy`, segment muxer).
//
// Why ffmpeg's segment muxer rather than one ffmpeg per segment: the muxer cuts inside one
// process at a key frame, so no RTP packet is lost at a cut, ports stay bound, and there is no
// start-up cost every N seconds. The cost — it can only cut at key frames — is paid by asking the
// producer for a key frame just after each intended cut (and once more a second later, since
// mediasoup throttles requests to one per second).
//
// A run is one ffmpeg process with its own transport and consumer. When ffmpeg dies, the run is
// torn down whole and a new one built on fresh ports (a PlainTransport cannot be re-connected),
// and the time between is logged as a gap.
//
// A paused or silent producer makes the run go idle: after segmentSeconds without media the run
// is ended on purpose and a new one starts when the producer resumes or its packet count moves.
// Kept running, ffmpeg's segmenter would see the timestamps jump by the whole pause and write one
// near-empty segment per boundary it skipped. (ffmpeg's RTP input would also end by itself after
// 10 s without any packet; mediasoup's RTCP reports usually keep it alive. Such an exit during a
// pause or silence is treated the same way, not as a crash.)
// To end a run on purpose we send ffmpeg an RTCP BYE: unlike SIGINT, which ffmpeg only notices
// between packets, BYE ends its input at once even when no media is flowing, and it still
// writes the trailer of the open segment.
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import type { types } from 'mediasoup';
import type { Logger } from '../server/core/log.ts';
import { probe } from './ffmpeg.ts';
import { hashFile, type Gap, type Segment, type Track } from './manifest.ts';
import { allocateRtpPortPair, releasePortPair, waitForUdpBind } from './ports.ts';
import { buildRecordingSdp, compatibleCodec, containerFor, expectedConsumerCodec, mediaCodecOf, type RecordedCodec } from './sdp.ts';
import { SparePool, ffmpegSegmentArgs, type Spare } from './spare-ffmpeg.ts';

export type GapReason = Gap['reason'];

/** The participant's lane (camera, microphone…) this track records into; owns the gap list. */
export interface LaneLedger {
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
  /** A pre-started ffmpeg for the first run (its trackId is the track's); see spare-ffmpeg.ts. */
  spare?: Spare;
}

interface Run {
  index: number;
  transport: types.PlainTransport;
  consumer: types.Consumer;
  proc: ChildProcess;
  rtpPort: number;
  rtcpPort: number;
  sdpFile: string;
  /** The spare's output symlink, removed when the run ends. */
  slotLink?: string;
  ext: string;
  exited: Promise<void>;
  hasExited: boolean;
  exitDescription?: string;
  stopping: boolean;
  stopPromise?: Promise<void>;
  firstPacketAt?: Date;
  firstListStart?: number;
  listed: Set<string>;
  pending: Promise<void>[];
  timers: Set<NodeJS.Timeout>;
  stderrTail: string[];
  meta: Track['runs'][number];
}

const KEYFRAME_RETRY_MS = 1100;
const SIGINT_AFTER_MS = 1000;
const STOP_GRACE_MS = 5000;
const MAX_RESTART_DELAY_MS = 5000;

export class TrackRecorder {
  readonly #o: TrackRecorderOptions;
  #run: Run | undefined;
  #nextRun = 0;
  #closed = false;
  #stopPromise: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartAttempts = 0;
  #watchdog: NodeJS.Timeout;
  #lastPacketCount = -1;
  #lastPacketChangeAt = Date.now();
  #noPacketGapOpen = false;
  #pausedGapOpen = false;
  /** No ffmpeg on purpose: it ended for lack of packets; a new run starts when they return. */
  #idle = false;
  /** The current run is being ended to go idle. */
  #goingIdle = false;
  #idleTimer: NodeJS.Timeout | undefined;

  static async create(opts: TrackRecorderOptions): Promise<TrackRecorder> {
    const t = new TrackRecorder(opts);
    // From the producer appearing to its first recorded packet nothing is on disk: say so. The
    // first packet closes it (typically 0.1–0.5 s; longer on a loaded host or waiting for a key frame).
    opts.ledger.openGap('recorder-starting', new Date(opts.track.startedAt), 'ffmpeg starting, waiting for the first packet');
    try {
      await t.#startRun();
    } catch (err) {
      // The first run failing is not fatal either: log a gap and keep trying, like a crash.
      opts.log.warn({ err, producerId: opts.producer.id }, 'recording run failed to start; retrying');
      opts.ledger.openGap('recorder-exited', new Date(), `start failed: ${(err as Error).message}`);
      t.#scheduleRestart();
    }
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
    return this.#closed;
  }

  /** The ffmpeg process id of the current run (tests kill it to prove restarts). */
  get ffmpegPid(): number | undefined {
    return this.#run && !this.#run.hasExited ? this.#run.proc.pid : undefined;
  }

  /** Records a gap the room knows about (e.g. privacy mode) on top of what mediasoup reports. */
  markPaused(at: Date, detail?: string): void {
    if (this.#pausedGapOpen) return;
    this.#pausedGapOpen = true;
    this.#noPacketGapOpen = false; // the paused gap replaces it in the lane
    this.#o.ledger.openGap('producer-paused', at, detail);
    this.#armIdleTimer();
  }

  markResumed(at: Date): void {
    if (!this.#pausedGapOpen) return;
    this.#pausedGapOpen = false;
    this.#lastPacketChangeAt = Date.now();
    this.#clearIdleTimer();
    // Idle or going idle: the new run's first packet closes the gap.
    if (this.#goingIdle || this.#wakeFromIdle()) return;
    this.#o.ledger.closeGap(at);
    if (this.#o.producer.kind === 'video') this.#run?.consumer.requestKeyFrame().catch(() => undefined);
  }

  /** Finishes the open segment cleanly and releases everything. Idempotent. */
  stop(reason: string): Promise<void> {
    this.#stopPromise ??= (async () => {
      this.#closed = true;
      clearInterval(this.#watchdog);
      this.#clearIdleTimer();
      this.#o.producer.observer.off('pause', this.#onProducerPause);
      this.#o.producer.observer.off('resume', this.#onProducerResume);
      if (this.#restartTimer) clearTimeout(this.#restartTimer);
      const run = this.#run;
      if (run) await this.#stopRun(run);
      const t = this.#o.track;
      t.endedAt = new Date().toISOString();
      t.endReason = reason;
      this.#o.onChange();
    })();
    return this.#stopPromise;
  }

  async #startRun(): Promise<void> {
    const o = this.#o;
    const index = this.#nextRun++;
    // A spare ffmpeg already listens; otherwise start one now with the codec the consumer will
    // get, while mediasoup builds the transport and consumer (ffmpeg takes 100–500 ms to start,
    // more on a busy host), and check either guess against the real consumer afterwards.
    const spare = index === 0 ? o.spare : undefined;
    if (spare) delete o.spare;
    const { rtpPort, rtcpPort } = spare ?? (await allocateRtpPortPair());
    const guess = spare ? undefined : expectedConsumerCodec(o.router, o.producer);
    let early = spare
      ? { proc: spare.proc, codec: spare.codec, sdpFile: spare.sdpFile, ext: spare.ext }
      : guess
        ? this.#spawnFfmpeg(index, guess, rtpPort, rtcpPort)
        : undefined;
    let slotLink = spare?.slotLink;
    let transport: types.PlainTransport;
    try {
      transport = await o.router.createPlainTransport({
        listenIp: { ip: '127.0.0.1' },
        rtcpMux: false,
        comedia: false,
        appData: { purpose: 'recording', producerId: o.producer.id },
      });
    } catch (err) {
      early?.proc.kill('SIGKILL');
      if (slotLink) fs.rmSync(slotLink, { force: true });
      releasePortPair(rtpPort);
      throw err;
    }
    let proc: ChildProcess | undefined;
    let run: Run | undefined;
    try {
      await transport.connect({ ip: '127.0.0.1', port: rtpPort, rtcpPort });
      const consumer = await transport.consume({
        producerId: o.producer.id,
        rtpCapabilities: this.#capabilitiesFor(o.router, o.producer),
        paused: true,
        appData: { purpose: 'recording' },
      });
      const codec = mediaCodecOf(consumer.rtpParameters);
      // stop() may have run while we awaited mediasoup: then nobody would ever stop this ffmpeg.
      if (this.#closed) {
        early?.proc.kill('SIGKILL');
        if (slotLink) fs.rmSync(slotLink, { force: true });
        transport.close();
        releasePortPair(rtpPort);
        return;
      }
      const earlyAlive = early && early.proc.exitCode === null && early.proc.signalCode === null;
      if (!early || !earlyAlive || !compatibleCodec(early.codec, codec)) {
        if (early && earlyAlive) {
          o.log.debug({ guess: early.codec, codec }, 'consumer codec differs from the guess; restarting ffmpeg with the real one');
          early.proc.kill('SIGKILL');
          await new Promise((r) => early!.proc.once('exit', r)); // frees the ports
        }
        if (slotLink) fs.rmSync(slotLink, { force: true });
        slotLink = undefined;
        early = this.#spawnFfmpeg(index, codec, rtpPort, rtcpPort);
      } else if (spare) {
        // Before any packet: ffmpeg creates its first segment file only when media arrives.
        SparePool.assign(spare, path.join(o.sessionDir, o.participantDir));
      }
      const { sdpFile, ext } = early;
      proc = early.proc;
      const meta: Track['runs'][number] = { run: index, startedAt: new Date().toISOString() };
      o.track.runs.push(meta);
      let resolveExited!: () => void;
      run = {
        index, transport, consumer, proc, rtpPort, rtcpPort, sdpFile, ext, ...(slotLink ? { slotLink } : {}),
        exited: new Promise<void>((r) => (resolveExited = r)),
        hasExited: false, stopping: false, listed: new Set(), pending: [], timers: new Set(), stderrTail: [], meta,
      };
      const current = run;
      this.#run = current;
      this.#wireProcess(current, resolveExited);
      this.#wireConsumer(current);
      o.log.debug({ producerId: o.producer.id, run: index, rtpPort, pid: proc.pid }, 'recording run → ffmpeg started');

      const bound = await waitForUdpBind(rtpPort, 5000, () => !current.hasExited);
      if (current.hasExited || current.stopping) return; // the exit handler logs the gap and restarts
      if (!bound) o.log.warn({ rtpPort }, 'could not confirm ffmpeg bound its port; resuming anyway');
      // First packet wall time: for video the first key frame (ffmpeg drops what comes before).
      await consumer.enableTraceEvent([consumer.kind === 'video' ? 'keyframe' : 'rtp']);
      await consumer.resume();
      if (consumer.producerPaused) this.markPaused(new Date(), 'producer paused when recording started');
      if (consumer.kind === 'video') this.#requestKeyFrameUntilFirst(current);
    } catch (err) {
      // Once the run exists, its exit/stop path owns the clean-up and any restart.
      if (run && (run.hasExited || run.stopping)) return;
      if (run) run.stopping = true;
      for (const p of [proc, early?.proc]) if (p && p.exitCode === null) p.kill('SIGKILL');
      if (slotLink) fs.rmSync(slotLink, { force: true });
      transport.close();
      releasePortPair(rtpPort);
      throw err;
    }
  }

  #spawnFfmpeg(index: number, codec: RecordedCodec, rtpPort: number, rtcpPort: number): { proc: ChildProcess; codec: RecordedCodec; sdpFile: string; ext: string } {
    const o = this.#o;
    const { format, ext } = containerFor([codec.mimeType]);
    const sdpFile = path.join(o.workDir, `${o.track.trackId}-r${index}.sdp`);
    fs.writeFileSync(sdpFile, buildRecordingSdp({ kind: o.producer.kind, codec, rtpPort, rtcpPort }));
    const pattern = path.join(o.sessionDir, o.participantDir, `${o.track.trackId}-r${index}-%05d${ext}`);
    const args = ffmpegSegmentArgs(sdpFile, o.segmentSeconds, format, pattern);
    const proc = spawn(o.ffmpegBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Until the run wires it up, an 'error' (binary missing) must not crash the process.
    proc.on('error', () => undefined);
    return { proc, codec, sdpFile, ext };
  }

  #capabilitiesFor(router: types.Router, producer: types.Producer): types.RtpCapabilities {
    const mime = mediaCodecOf(producer.rtpParameters).mimeType.toLowerCase();
    // Only the producer's codec, no RTX and no header extensions: ffmpeg needs neither.
    return {
      codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime),
      headerExtensions: [],
    };
  }

  #wireProcess(run: Run, resolveExited: () => void): void {
    const o = this.#o;
    readline.createInterface({ input: run.proc.stdout! }).on('line', (line) => {
      const [file, start, end] = line.split(',');
      if (!file) return;
      // Lines come in segment order; offsets are relative to the run's first segment.
      if (run.firstListStart === undefined && Number.isFinite(Number(start))) run.firstListStart = Number(start);
      run.listed.add(file);
      run.pending.push(this.#closeSegment(run, file, Number(start), Number(end), false));
    });
    readline.createInterface({ input: run.proc.stderr! }).on('line', (line) => {
      run.stderrTail.push(line);
      if (run.stderrTail.length > 20) run.stderrTail.shift();
      o.log.debug({ producerId: o.producer.id, run: run.index }, `ffmpeg: ${line}`);
    });
    run.proc.on('error', (err) => {
      run.stderrTail.push(`spawn error: ${err.message}`);
    });
    // 'close' (not 'exit'): stdout is drained, so every segment-list line has been seen.
    run.proc.on('close', (code, signal) => {
      run.hasExited = true;
      run.exitDescription = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const t of run.timers) clearTimeout(t);
      run.timers.clear();
      resolveExited();
      if (run.stopping) return;
      // Ended for lack of packets while we already log why there are none: idle, not a crash.
      if (this.#pausedGapOpen || this.#noPacketGapOpen) void this.#onIdleExit(run);
      else void this.#onUnexpectedExit(run);
    });
  }

  #wireConsumer(run: Run): void {
    const { consumer } = run;
    consumer.on('trace', (trace) => {
      if (run.firstPacketAt) return;
      if (trace.type !== 'keyframe' && trace.type !== 'rtp') return;
      const at = new Date();
      run.firstPacketAt = at;
      run.meta.firstPacketAt = at.toISOString();
      consumer.enableTraceEvent([]).catch(() => undefined);
      this.#restartAttempts = 0;
      this.#lastPacketChangeAt = Date.now();
      if (!this.#pausedGapOpen) {
        this.#noPacketGapOpen = false;
        this.#o.ledger.closeGap(at);
      }
      this.#o.onChange();
      if (consumer.kind === 'video') this.#scheduleCut(run, 1);
    });
  }

  #timer(run: Run, ms: number, fn: () => void): void {
    if (run.hasExited || run.stopping) return;
    const t = setTimeout(() => {
      run.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    run.timers.add(t);
  }

  #requestKeyFrameUntilFirst(run: Run): void {
    if (run.firstPacketAt || run.consumer.closed) return;
    run.consumer.requestKeyFrame().catch(() => undefined);
    this.#timer(run, KEYFRAME_RETRY_MS, () => this.#requestKeyFrameUntilFirst(run));
  }

  /** Key frames just after the k-th intended cut, and again a second later in case of loss. */
  #scheduleCut(run: Run, k: number): void {
    const first = run.firstPacketAt!.getTime();
    const due = first + k * this.#o.segmentSeconds * 1000 + 50;
    this.#timer(run, due - Date.now(), () => {
      if (!run.consumer.closed) run.consumer.requestKeyFrame().catch(() => undefined);
      this.#timer(run, KEYFRAME_RETRY_MS, () => {
        if (!run.consumer.closed) run.consumer.requestKeyFrame().catch(() => undefined);
        this.#scheduleCut(run, k + 1);
      });
    });
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
      while (!run.hasExited && !fs.existsSync(next) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    }
    try {
      const [sha256, bytes] = await hashFile(abs);
      const listed = Number.isFinite(listStart) && Number.isFinite(listEnd) && listEnd >= listStart;
      const info = listed ? { durationSeconds: listEnd - listStart } : await probe(abs, o.ffprobeBin).catch(() => ({ durationSeconds: 0 }));
      const base = run.firstPacketAt ?? new Date(run.meta.startedAt);
      const offsetInRun = Number.isFinite(listStart) && run.firstListStart !== undefined ? listStart - run.firstListStart : 0;
      const firstPacketAt = new Date(base.getTime() + Math.max(0, offsetInRun) * 1000);
      const segment: Segment = {
        id: `${o.track.trackId}-r${run.index}-${String(seq).padStart(5, '0')}`,
        file: path.posix.join(o.participantDir, file),
        run: run.index,
        seq,
        sha256,
        bytes,
        durationSeconds: round3(info.durationSeconds),
        firstPacketAt: firstPacketAt.toISOString(),
        offsetSeconds: round3((firstPacketAt.getTime() - o.sessionStartedAt.getTime()) / 1000),
        closedAt: new Date().toISOString(),
        ...(truncated ? { truncated: true } : {}),
      };
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
    const files = fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(run.ext) && !run.listed.has(f));
    for (const f of files.sort()) {
      run.listed.add(f);
      await this.#closeSegment(run, f, NaN, NaN, true);
    }
  }

  /** Ends a run on purpose. Idempotent per run (stop() may meet a run going idle). */
  #stopRun(run: Run): Promise<void> {
    run.stopPromise ??= this.#finishRun(run);
    return run.stopPromise;
  }

  async #finishRun(run: Run): Promise<void> {
    run.stopping = true;
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    if (!run.hasExited) {
      // RTCP BYE: ffmpeg ends its input, writes the trailer and the last list line, exits 0.
      // SIGINT as a fallback (noticed between packets only), SIGKILL as the last resort.
      await sendRtcpBye(run.rtcpPort);
      const interrupt = setTimeout(() => run.proc.kill('SIGINT'), SIGINT_AFTER_MS);
      const killer = setTimeout(() => run.proc.kill('SIGKILL'), STOP_GRACE_MS);
      await run.exited;
      clearTimeout(interrupt);
      clearTimeout(killer);
    }
    await this.#collectUnlisted(run);
    run.meta.endedAt = new Date().toISOString();
    run.meta.exit = run.exitDescription;
    run.transport.close();
    releasePortPair(run.rtpPort);
    fs.rmSync(run.sdpFile, { force: true });
    if (run.slotLink) fs.rmSync(run.slotLink, { force: true });
    this.#o.onChange();
  }

  async #onUnexpectedExit(run: Run): Promise<void> {
    const o = this.#o;
    const at = new Date();
    const detail = `ffmpeg ${run.exitDescription}${run.stderrTail.length ? `: ${run.stderrTail.slice(-3).join(' | ')}` : ''}`;
    o.log.warn({ producerId: o.producer.id, run: run.index, detail }, 'recording ffmpeg died; restarting');
    if (!this.#pausedGapOpen) o.ledger.openGap('recorder-exited', at, detail.slice(0, 500));
    run.stopping = true;
    await this.#collectUnlisted(run);
    run.meta.endedAt = at.toISOString();
    run.meta.exit = run.exitDescription;
    run.transport.close();
    releasePortPair(run.rtpPort);
    fs.rmSync(run.sdpFile, { force: true });
    if (run.slotLink) fs.rmSync(run.slotLink, { force: true });
    o.onChange();
    if (this.#run === run) this.#run = undefined;
    this.#scheduleRestart();
  }

  #armIdleTimer(): void {
    this.#clearIdleTimer();
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      const run = this.#run;
      if (!run || run.stopping || run.hasExited || this.#closed) return;
      if (!this.#pausedGapOpen && !this.#noPacketGapOpen) return;
      void this.#endRunToIdle(run).catch((err: unknown) => this.#o.log.error({ err }, 'ending an idle run failed'));
    }, this.#o.segmentSeconds * 1000);
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  async #endRunToIdle(run: Run): Promise<void> {
    this.#goingIdle = true;
    this.#o.log.debug({ producerId: this.#o.producer.id, run: run.index }, 'no media for a segment length: ending the run until media returns');
    await this.#stopRun(run);
    run.meta.exit = `idle: ${run.exitDescription}`;
    if (this.#run === run) this.#run = undefined;
    this.#goingIdle = false;
    this.#idle = true;
    this.#o.onChange();
    if (!this.#pausedGapOpen && !this.#noPacketGapOpen) this.#wakeFromIdle();
  }

  async #onIdleExit(run: Run): Promise<void> {
    const o = this.#o;
    o.log.debug({ producerId: o.producer.id, run: run.index }, 'recording ffmpeg ended for lack of packets; idle until they return');
    run.stopping = true;
    await this.#collectUnlisted(run);
    run.meta.endedAt = new Date().toISOString();
    run.meta.exit = `idle: ${run.exitDescription}`;
    run.transport.close();
    releasePortPair(run.rtpPort);
    fs.rmSync(run.sdpFile, { force: true });
    if (run.slotLink) fs.rmSync(run.slotLink, { force: true });
    if (this.#run === run) this.#run = undefined;
    this.#idle = true;
    o.onChange();
    // Resumed or packets back while this exit was being handled.
    if (!this.#pausedGapOpen && !this.#noPacketGapOpen) this.#wakeFromIdle();
  }

  /** Starts a new run if idle. Returns whether it did. */
  #wakeFromIdle(): boolean {
    if (!this.#idle || this.#run || this.#closed) return false;
    this.#idle = false;
    this.#startRun().catch((err: unknown) => {
      this.#o.log.warn({ err, producerId: this.#o.producer.id }, 'recording run after idle failed to start; retrying');
      this.#scheduleRestart();
    });
    return true;
  }

  #scheduleRestart(): void {
    if (this.#closed || this.#o.producer.closed) return;
    const delay = Math.min(MAX_RESTART_DELAY_MS, 200 * 2 ** this.#restartAttempts);
    this.#restartAttempts++;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#closed) return;
      this.#startRun().catch((err: unknown) => {
        this.#o.log.warn({ err, producerId: this.#o.producer.id }, 'recording restart failed; retrying');
        this.#scheduleRestart();
      });
    }, delay);
  }

  /**
   * No packets for noPacketSeconds while the producer is not paused: a gap of its own. Counted
   * on the producer, so it also tells an idle track (no ffmpeg, no consumer) when to wake up.
   */
  async #checkFlow(): Promise<void> {
    const { producer } = this.#o;
    if (this.#closed || this.#pausedGapOpen || producer.closed) return;
    const run = this.#run;
    if (run ? run.hasExited || run.stopping || !run.firstPacketAt : !this.#idle) return;
    let count: number;
    try {
      count = (await producer.getStats()).reduce((n, s) => n + (s.packetCount ?? 0), 0);
    } catch {
      return;
    }
    const now = Date.now();
    if (count !== this.#lastPacketCount) {
      this.#lastPacketCount = count;
      this.#lastPacketChangeAt = now;
      this.#clearIdleTimer();
      if (this.#wakeFromIdle()) return; // the new run's first packet closes the gap
      if (this.#noPacketGapOpen && run) {
        this.#noPacketGapOpen = false;
        this.#o.ledger.closeGap(new Date(now));
        if (run.consumer.kind === 'video') run.consumer.requestKeyFrame().catch(() => undefined);
      }
    } else if (!this.#noPacketGapOpen && now - this.#lastPacketChangeAt >= this.#o.noPacketSeconds * 1000) {
      this.#noPacketGapOpen = true;
      this.#o.ledger.openGap('no-packets', new Date(this.#lastPacketChangeAt), `no RTP for ${this.#o.noPacketSeconds}s`);
      this.#armIdleTimer();
    }
  }
}

/** RTCP BYE (RFC 3550 §6.6) with a short reason; ffmpeg ignores RTP/RTCP datagrams under 12 bytes. */
async function sendRtcpBye(rtcpPort: number): Promise<void> {
  const bye = Buffer.from([0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 0, 0x03, 0x65, 0x6e, 0x64]); // V=2 SC=1 PT=203, "end"
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.send(bye, rtcpPort, '127.0.0.1', () => resolve()));
  socket.close();
}



function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
