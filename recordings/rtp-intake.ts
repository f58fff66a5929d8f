// Where a recorded track's RTP arrives: a UDP socket of ours, bound (ports.ts) before the
// consumer that sends to it exists, and kept for the track's whole life. The recording therefore
// begins with the first packet the consumer sends — whether or not ffmpeg is up yet — and an
// ffmpeg that dies or is restarted loses only what it had itself read:
//
//  - packets that arrive while no ffmpeg takes them (starting, restarting) are held, in order,
//    and handed to the next one the moment it plays (rtsp-feed.ts);
//  - a held stream of video starts at a key frame (rtp-keyframe.ts), so what ffmpeg gets is
//    decodable from its first packet, and that packet's arrival is when the recorded media starts;
//  - the socket is read in rounds, every BATCH_MS, and what a round read goes to ffmpeg as one
//    batch: one wake-up of Node and one write and wake-up of ffmpeg per round, not per packet;
//    with the native reader (datagram-reader.ts) a round drains a socket in a few calls, without
//    a 'message' event per packet. A packet's "arrival" is therefore when a round read it, at
//    most BATCH_MS (plus event-loop lag) after it came.
//
// It also knows what the recorder needs about the flow without asking the worker: when the last
// packet came (silence), how many went missing on the way here (sequence gaps), and when the
// media's clock started (IntakeStream.anchorMs: from the packet that arrived least late for its
// RTP timestamp, so a burst or a slow turn of the event loop at the first packet does not shift
// every later segment's wall-clock time).
import type dgram from 'node:dgram';
import { datagramReader } from './datagram-reader.ts';
import { keyFrameTest, rtpPayload, type KeyFrameTest } from './rtp-keyframe.ts';

/** Takes packets for one ffmpeg; false once it can take no more (its connection is gone). */
export interface IntakeSink {
  write(packets: readonly Buffer[]): boolean;
}

/** The media a sink is given, from the key frame it starts at. */
export interface IntakeStream {
  /** Wall-clock time (ms) of the stream's first RTP timestamp: min over its packets of arrival − media time. */
  readonly anchorMs: number;
}

export interface RtpIntakeOptions {
  mimeType: string;
  clockRate: number;
  /** Held packets beyond this (no ffmpeg for a long time) are dropped, reported through onLoss. */
  maxHeldBytes?: number;
  /** Asked when a held video stream needs a key frame to start at. */
  requestKeyFrame: () => void;
  /** Held media was dropped; `from` is the arrival of the first dropped packet. */
  onLoss: (from: Date, detail: string) => void;
}

export interface IntakeStats {
  packets: number;
  bytes: number;
  /** Sequence numbers that never arrived (lost between the worker and this socket, or upstream). */
  missing: number;
}

const BATCH_MS = 100;
const KEYFRAME_ASK_MS = 1000;
const DEFAULT_MAX_HELD = 32 * 1024 * 1024;

// One timer flushes every intake's batch: cheaper than a timer per track.
const batching = new Set<RtpIntake>();
let ticker: NodeJS.Timeout | undefined;
function flushAll(): void {
  ticker = undefined;
  const due = [...batching];
  batching.clear();
  for (const intake of due) intake.flush();
}
function scheduleFlush(intake: RtpIntake): void {
  batching.add(intake);
  // Read in rounds, the batches go out when a round ends.
  if (!intake.paced) ticker ??= setTimeout(flushAll, BATCH_MS);
}

// Reading in rounds. A socket read as packets come costs an event-loop wake-up and a callback
// scope per packet, the larger part of the recording's Node CPU (docs/bench-sessions.md).
// Between rounds the sockets are not read and the kernel queues what arrives (their receive
// buffers hold seconds, track-recorder.ts); every BATCH_MS a round drains each socket with the
// native reader, or without it reads each until a turn of the event loop finds nothing more;
// then the batches go to ffmpeg. Node's dgram has no public pause: recvStart/recvStop of its
// handle are what dgram itself calls on bind and close (and `fd` its descriptor); without them a
// socket is read as packets come (and flushed by the timer above).
interface ReadControl {
  recvStart(): number;
  recvStop(): number;
  fd?: number;
}
function readControlOf(socket: dgram.Socket): ReadControl | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state ? (socket as unknown as Record<symbol, { handle?: Partial<ReadControl> } | undefined>)[state]?.handle : undefined;
  return typeof handle?.recvStart === 'function' && typeof handle.recvStop === 'function' ? (handle as ReadControl) : undefined;
}
const paced = new Set<RtpIntake>();
let roundTimer: NodeJS.Timeout | undefined;
function round(): void {
  const reading = [...paced];
  for (const intake of reading) intake.readRound();
  const drain = () => {
    let more = false;
    for (const intake of reading) if (intake.endRoundTurn()) more = true;
    if (more) setImmediate(drain);
    else flushAll();
  };
  setImmediate(drain);
}
function pace(intake: RtpIntake, on: boolean): void {
  if (on) paced.add(intake);
  else paced.delete(intake);
  if (paced.size > 0 && !roundTimer) {
    roundTimer = setInterval(round, BATCH_MS);
    roundTimer.unref();
  } else if (paced.size === 0 && roundTimer) {
    clearInterval(roundTimer);
    roundTimer = undefined;
  }
}

export class RtpIntake {
  readonly port: number;
  readonly #socket: dgram.Socket;
  readonly #o: RtpIntakeOptions;
  readonly #isKeyFrame: KeyFrameTest | undefined;
  /** Held for the next sink, oldest first; `#heldSince` is the first one's arrival. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #heldSince = 0;
  /** Arrived for the attached sink since the last flush. */
  #batch: Buffer[] = [];
  #sink: { sink: IntakeSink; onFirst: (at: Date, stream: IntakeStream) => void; hasMedia: boolean } | undefined;
  /** The stream being held or fed: its first RTP timestamp and clock anchor. */
  #stream: { ts0: number; anchorMs: number } | undefined;
  #onNext: (() => void) | undefined;
  /** A stop waiting until the media up to its instant has been read (see caughtUp()). */
  #catchUp: { atMs: number; done: () => void } | undefined;
  readonly #mediaWaiters = new Set<() => void>();
  readonly #read: ReadControl | undefined;
  /** The socket's descriptor when the native reader drains it in rounds. */
  readonly #fd: number | undefined;
  readonly #onDatagram = (packet: Buffer) => this.#onPacket(packet);
  #readInRound = 0;
  #lastAskAt = 0;
  #lastSeq = -1;
  #closed = false;
  lastPacketAt = 0;
  readonly stats: IntakeStats = { packets: 0, bytes: 0, missing: 0 };

  constructor(socket: dgram.Socket, opts: RtpIntakeOptions) {
    this.#socket = socket;
    this.#o = opts;
    this.#isKeyFrame = keyFrameTest(opts.mimeType);
    this.port = socket.address().port;
    socket.on('message', (packet) => this.#onPacket(packet));
    socket.on('error', () => undefined); // a closed transport: nothing to read, nothing to fix
    this.#read = readControlOf(socket);
    const fd = this.#read?.fd;
    this.#fd = datagramReader && typeof fd === 'number' && fd >= 0 ? fd : undefined;
    if (this.#read) {
      this.#read.recvStop();
      pace(this, true);
    }
  }

  /** Read in rounds (false: as packets come). */
  get paced(): boolean {
    return this.#read !== undefined;
  }

  /** Rounds drain the socket with the native reader (datagram-reader.ts), not event by event. */
  get readsNatively(): boolean {
    return this.#fd !== undefined;
  }

  /** A round begins: read the socket. */
  readRound(): void {
    if (this.#closed || !this.#read) return;
    this.#readInRound = 0;
    if (this.#fd === undefined) this.#read.recvStart();
    else {
      try {
        datagramReader!.drain(this.#fd, this.#onDatagram);
      } catch {
        // the socket went away under us (closed transport): nothing to read, nothing to fix
      }
    }
  }

  /** After a turn of the event loop in a round: true while the socket gave packets (read on), else stops reading it. */
  endRoundTurn(): boolean {
    if (this.#closed || !this.#read) return false;
    if (this.#readInRound > 0 && this.#fd === undefined) {
      this.#readInRound = 0;
      return true;
    }
    // A stop waiting for media read up to its instant reads as packets come until it has it.
    if (!this.#catchUp) this.#read.recvStop();
    return false;
  }

  /** The socket's receive buffer as the kernel granted it (Linux reports twice what was set). */
  get receiveBufferBytes(): number {
    try {
      return this.#socket.getRecvBufferSize();
    } catch {
      return 0;
    }
  }

  /** Whether media is held for the next sink. */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  /**
   * From now on packets go to `sink`. `onFirst` gets when the media it is given begins — its
   * first packet dated by the stream's clock anchor, the time the segments are dated by too, so
   * a gap closed there meets the first segment — and the stream.
   */
  attach(sink: IntakeSink, onFirst: (at: Date, stream: IntakeStream) => void): void {
    this.#sink = { sink, onFirst, hasMedia: false };
    if (this.#held.length) this.#handOver();
  }

  /** Writes the current batch to the sink now (before a sink is ended on purpose). */
  flush(): void {
    const s = this.#sink;
    if (!s || this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    if (!s.sink.write(batch)) this.#sink = undefined;
  }

  /**
   * The sink is gone or being ended: later packets are held for the next one. What was batched
   * and not flushed is dropped (a dead ffmpeg's successor starts at the next key frame anyway).
   */
  detach(sink: IntakeSink): void {
    if (this.#sink?.sink !== sink) return;
    this.#sink = undefined;
    this.#batch = [];
    this.#stream = undefined;
  }

  /** Resolves once media is held or a sink has it; rejects when `signal` aborts. */
  media(signal: AbortSignal): Promise<void> {
    if (this.#held.length || this.#sink?.hasMedia) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#mediaWaiters.delete(done);
        reject(new Error('aborted'));
      };
      const done = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#mediaWaiters.add(done);
    });
  }

  /**
   * Resolves once the media up to wall-clock `atMs` has been read from the socket — a packet
   * whose media time (on the stream's clock anchor) is at or after it arrived — or the socket
   * has had nothing for three event-loop turns 50 ms apart (the producer stopped sending, and
   * what it sent is read), or after `timeoutMs`; at once when no stream flows to a sink. A loaded
   * event loop reads late: at a stop, what the worker sent before it can still wait in the
   * socket's receive buffer.
   */
  caughtUp(atMs: number, timeoutMs: number): Promise<void> {
    if (!this.#sink?.hasMedia || !this.#stream || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      // Ticks without a packet, counted only across turns of the loop (each one polls the socket).
      let quietTicks = 0;
      let seen = this.stats.packets;
      const tick = setInterval(() => {
        quietTicks = this.stats.packets === seen ? quietTicks + 1 : 0;
        seen = this.stats.packets;
        if (quietTicks >= 3) done();
      }, 50);
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearInterval(tick);
        clearTimeout(timer);
        if (this.#catchUp?.done === done) this.#catchUp = undefined;
        resolve();
      };
      this.#catchUp?.done();
      this.#catchUp = { atMs, done };
      this.#read?.recvStart();
    });
  }

  /** Calls `fn` once, at the next packet (a silent or idle track waking up). */
  onNextPacket(fn: (() => void) | undefined): void {
    this.#onNext = fn;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    batching.delete(this);
    pace(this, false);
    this.#held = [];
    this.#batch = [];
    this.#sink = undefined;
    this.#stream = undefined;
    this.#onNext = undefined;
    this.#mediaWaiters.clear();
    this.#catchUp?.done();
    this.#socket.close();
  }

  #onPacket(packet: Buffer): void {
    // RTCP shares the port (rtcpMux): payload types 192–223 in the second byte (RFC 5761 §4).
    const pt = packet[1] ?? 0;
    if (packet.length < 12 || (pt >= 192 && pt <= 223)) return;
    const now = Date.now();
    this.#readInRound++;
    this.lastPacketAt = now;
    this.stats.packets++;
    this.stats.bytes += packet.length;
    const seq = packet.readUInt16BE(2);
    if (this.#lastSeq >= 0) {
      const step = (seq - this.#lastSeq + 65536) % 65536;
      if (step > 1 && step < 32768) this.stats.missing += step - 1;
    }
    if (this.#lastSeq < 0 || ((seq - this.#lastSeq + 65536) % 65536) < 32768) this.#lastSeq = seq;
    if (this.#onNext) {
      const fn = this.#onNext;
      this.#onNext = undefined;
      fn();
    }
    const s = this.#sink;
    if (s?.hasMedia && this.#stream) {
      const datedMs = this.#clock(packet, now);
      if (this.#batch.length === 0) scheduleFlush(this);
      this.#batch.push(packet);
      if (this.#catchUp && datedMs >= this.#catchUp.atMs) this.#catchUp.done();
      return;
    }
    this.#hold(packet, now);
    if (s && this.#held.length) this.#handOver();
  }

  /** Moves the stream's anchor if this packet came less late; returns the packet's media time on the wall clock. */
  #clock(packet: Buffer, now: number): number {
    const stream = this.#stream!;
    const mediaMs = (((packet.readUInt32BE(4) - stream.ts0) >>> 0) / this.#o.clockRate) * 1000;
    if (now - mediaMs < stream.anchorMs) stream.anchorMs = now - mediaMs;
    return stream.anchorMs + mediaMs;
  }

  #hold(packet: Buffer, now: number): void {
    if (this.#held.length === 0 && !this.#startsStream(packet)) {
      if (now - this.#lastAskAt >= KEYFRAME_ASK_MS) {
        this.#lastAskAt = now;
        this.#o.requestKeyFrame();
      }
      return;
    }
    if (this.#held.length === 0) {
      this.#heldSince = now;
      this.#stream = { ts0: packet.readUInt32BE(4), anchorMs: now };
    } else this.#clock(packet, now);
    this.#held.push(packet);
    this.#heldBytes += packet.length;
    if (this.#mediaWaiters.size) {
      for (const done of this.#mediaWaiters) done();
      this.#mediaWaiters.clear();
    }
    if (this.#heldBytes > (this.#o.maxHeldBytes ?? DEFAULT_MAX_HELD)) {
      const from = new Date(this.#heldSince);
      this.#held = [];
      this.#heldBytes = 0;
      this.#stream = undefined;
      this.#o.onLoss(from, `no recorder took the media for ${((now - from.getTime()) / 1000).toFixed(1)} s; dropped`);
    }
  }

  #startsStream(packet: Buffer): boolean {
    if (!this.#isKeyFrame) return true;
    const payload = rtpPayload(packet);
    return payload !== undefined && this.#isKeyFrame(payload);
  }

  #handOver(): void {
    const s = this.#sink!;
    if (!s.sink.write(this.#held)) {
      this.#sink = undefined; // gone before it took anything: the next sink gets the media
      return;
    }
    this.#held = [];
    this.#heldBytes = 0;
    s.hasMedia = true;
    // The anchor is never after the first packet's arrival; it is earlier by the delay with
    // which a loaded event loop read that packet.
    s.onFirst(new Date(this.#stream!.anchorMs), this.#stream!);
  }
}
