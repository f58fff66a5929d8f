// Records one session (one mediasoup Router): one participant recorder per participant, which
// follows that participant's current producers — a producer replaced (camera toggled,
// reconnect) ends one track and starts the next in the same lane, with the time between logged
// as a gap, instead of ending the participant's recording.
//
// The room calls addProducer() whenever a producer appears; producer close is noticed here
// (producer.observer 'close'), and removeProducer() exists for the room to say why.
//
// A session outlives the death of the mediasoup worker under it: the router's 'workerclose'
// interrupts the recording (every lane shows a `worker-died` gap) instead of ending it, and
// resume() with the router of the rejoined room continues the same session — one archive
// session per case, not one per worker. Not resumed within `resumeWithinSeconds`, it is sealed.
import fs from 'node:fs';
import path from 'node:path';
import type { types } from 'mediasoup';
import { conflict } from '../server/core/errors.ts';
import { createLogger, type Logger } from '../server/core/log.ts';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import { SYSTEM_ACTOR, type AuditActor } from '../server/core/audit-chain.ts';
import type { Archive } from './archive.ts';
import { resolveFfmpegBin, resolveFfprobeBin } from './ffmpeg.ts';
import {
  MANIFEST_FILE,
  allSegments,
  participantDirName,
  readManifest,
  safeName,
  caseInfoSchema,
  type CaseInfo,
  type Gap,
  type Manifest,
  type Participant,
  type Segment,
  type Track,
} from './manifest.ts';
import { DEFAULT_RECORDER_PORTS, type PortRange } from './ports.ts';
import { mediaCodecOf } from './sdp.ts';
import { TrackRecorder, type GapReason, type LaneLedger } from './track-recorder.ts';

const PERSIST_DELAY_MS = 100;
/** A manifest write or segment move that failed (disk full) is tried again this often. */
const RETRY_MS = 5_000;

export interface SessionRecorderEvents {
  /** A segment closed, was hashed and entered in the manifest. */
  segment: [{ participantId: string; segment: Segment }];
  /** A gap opened (no `end`) or closed (with `end`) on a participant's lane. */
  gap: [{ participantId: string; gap: Gap }];
  /** The router died under the session (its worker died); resume() continues it. */
  interrupted: [{ reason: 'worker-died' }];
  /**
   * Recording ended; the manifest is sealed by its hash in the audit log. Without a hash the
   * seal could not be written (disk full): the session stays "recording" and recovery seals it
   * as interrupted once the disk has room again.
   */
  stopped: [{ manifestSha256: string | undefined; manifest: Manifest }];
}

export interface SessionRecorderOptions {
  router: types.Router;
  archive: Archive;
  sessionId: string;
  caseInfo: CaseInfo;
  /** Defaults to the case kind (petition / household). */
  retentionClass?: string;
  /** Intended segment length; 10–30 s in production. */
  segmentSeconds?: number;
  /** Silence on a producer that is not paused for this long is logged as a gap. */
  noPacketSeconds?: number;
  /**
   * Closed segments' hashes go into the audit chain at least this often (default 60 s), so a
   * long session's finished segments are protected before the final seal.
   */
  checkpointSeconds?: number;
  /** UDP ports the recording transports send to (RECORDER_RTP_PORT_MIN/MAX); see ports.ts. */
  ports?: PortRange;
  /** After the worker under the session died, how long resume() may take before it is sealed (default 30 s). */
  resumeWithinSeconds?: number;
  /** Who started the recording (audit log); the system by default. */
  startedBy?: AuditActor;
  log?: Logger;
  ffmpegBin?: string;
  ffprobeBin?: string;
}

export interface AddProducerInput {
  participantId: string;
  name: string;
  role: string;
  producer: types.Producer;
  /** Which of the participant's lanes: camera, microphone, screen; defaults to appData.source or kind. */
  lane?: string;
}

interface Lane {
  name: string;
  current: TrackRecorder | undefined;
  openGap: Gap | undefined;
  /** Serializes add/remove within one lane so a quick replace cannot interleave; lanes of one participant start in parallel. */
  queue: Promise<void>;
}

interface ParticipantState {
  meta: Participant;
  dir: string;
  lanes: Map<string, Lane>;
  tracks: Set<TrackRecorder>;
}

export class SessionRecorder extends SafeEmitter<SessionRecorderEvents> {
  readonly sessionId: string;
  readonly #o: Required<Pick<SessionRecorderOptions, 'segmentSeconds' | 'noPacketSeconds'>> & SessionRecorderOptions;
  readonly #manifest: Manifest;
  /** The session's folder in the archive store: manifest and archived segments. */
  readonly #dir: string;
  /** The session's folder in this node's spool, where ffmpeg writes. */
  readonly #spool: string;
  readonly #log: Logger;
  readonly #ffmpeg: string;
  readonly #ffprobe: string;
  readonly #participants = new Map<string, ParticipantState>();
  readonly #startedAt: Date;
  #stopPromise: Promise<Manifest> | undefined;
  /** Set once the final manifest is written and its hash sealed: it must never change again. */
  #sealed = false;
  #persistTimer: NodeJS.Timeout | undefined;
  /** The last manifest write asked for, and the one asked for but not yet started. */
  #writes: Promise<boolean> = Promise.resolve(true);
  #queuedWrite: Promise<boolean> | undefined;
  /** Segments closed since the last checkpoint entry. */
  #uncheckpointed: { file: string; sha256: string; sm3?: string; bytes: number }[] = [];
  #checkpointTimer: NodeJS.Timeout;
  #router: types.Router;
  /** Set while the router is gone with its worker and the session waits for resume(). */
  #interruption: { reason: 'worker-died'; at: Date; timer?: NodeJS.Timeout } | undefined;
  /** Catalog writes of this session, one after another, so a late update never overtakes the seal. */
  #catalogWrites: Promise<void> = Promise.resolve();
  /** A manifest change that could not be written yet (disk full): written by the retry timer. */
  #dirty = false;
  /** Finished segments still in the spool because the archive store refused them (disk full). */
  readonly #unarchived: { participantId: string; track: Track; segment: Segment }[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #leaseLostLogged = false;

  static async create(opts: SessionRecorderOptions): Promise<SessionRecorder> {
    const { archive } = opts;
    // A new session: no other node can hold its lease. Taken so that nobody else seals it.
    await archive.leases.acquire(opts.sessionId);
    const r = new SessionRecorder(opts);
    try {
      await r.#persistOrThrow();
      await archive.audit.append({
        type: 'recording-start',
        sessionId: r.sessionId,
        actor: opts.startedBy ?? SYSTEM_ACTOR,
        details: { roomId: opts.caseInfo.roomId, caseNumber: opts.caseInfo.caseNumber ?? null, segmentSeconds: r.#o.segmentSeconds },
      });
      await r.#index();
    } catch (err) {
      await r.#abandon();
      throw err;
    }
    return r;
  }

  /**
   * Continues a session whose recorder died with its node, now that its room lives here: the
   * manifest as that recorder left it, plus what `archive.salvage` finds (segments archived or
   * spooled here but not yet listed); its tracks end with `node-failed`, and every lane of every
   * participant still in the session shows a `node-failed` gap from the end of its last archived
   * media until it records again here. Resolves undefined when the session cannot be taken
   * over: a live node holds it, this process already writes or recovers it, or it is no longer
   * recording — the caller then starts a new session.
   */
  static async continueSession(opts: SessionRecorderOptions): Promise<SessionRecorder | undefined> {
    const { archive, sessionId } = opts;
    if (archive.isOpen(sessionId)) return undefined;
    const lease = await archive.leases.acquire(sessionId);
    if (!lease.held || archive.isOpen(sessionId)) return undefined;
    archive.openSession(sessionId);
    let r: SessionRecorder | undefined;
    try {
      const m = readManifest(archive.sessionDir(sessionId));
      if (m.status !== 'recording') {
        archive.closeSession(sessionId);
        await archive.leases.release(sessionId);
        return undefined;
      }
      await archive.salvage(m);
      r = new SessionRecorder(opts, m);
      r.#takeOver(lease.previous);
      await r.#persistOrThrow();
      await archive.audit.append({
        type: 'recording-start',
        sessionId,
        actor: opts.startedBy ?? SYSTEM_ACTOR,
        details: { roomId: m.caseInfo.roomId, caseNumber: m.caseInfo.caseNumber ?? null, segmentSeconds: m.segmentSeconds, continued: true, node: archive.leases.nodeId, previousNode: lease.previous ?? null },
      });
      await r.#index();
      return r;
    } catch (err) {
      if (r) await r.#abandon();
      else {
        archive.closeSession(sessionId);
        await archive.leases.release(sessionId).catch(() => undefined);
      }
      throw err;
    }
  }

  private constructor(opts: SessionRecorderOptions, existing?: Manifest) {
    super();
    const segmentSeconds = existing?.segmentSeconds ?? opts.segmentSeconds ?? 15;
    if (!(segmentSeconds >= 1 && segmentSeconds <= 300)) throw new RangeError('segmentSeconds must be between 1 and 300');
    this.#o = { ...opts, segmentSeconds, noPacketSeconds: opts.noPacketSeconds ?? 5 };
    this.sessionId = opts.sessionId;
    const caseInfo = existing?.caseInfo ?? caseInfoSchema.parse(opts.caseInfo); // before anything lands on disk
    this.#dir = opts.archive.sessionDir(opts.sessionId);
    if (!existing) {
      if (fs.existsSync(this.#dir)) throw conflict(`session ${opts.sessionId} already has a recording`);
      fs.mkdirSync(this.#dir, { recursive: true });
    }
    this.#spool = opts.archive.spoolDir(opts.sessionId);
    fs.mkdirSync(this.#spool, { recursive: true });
    opts.archive.openSession(opts.sessionId);
    this.#log = (opts.log ?? createLogger('info')).child({ sessionId: opts.sessionId });
    this.#ffmpeg = opts.ffmpegBin ?? resolveFfmpegBin();
    this.#ffprobe = opts.ffprobeBin ?? resolveFfprobeBin();
    this.#startedAt = existing ? new Date(existing.startedAt) : new Date();
    this.#manifest = existing ?? {
      version: 1,
      sessionId: opts.sessionId,
      caseInfo,
      retentionClass: opts.retentionClass ?? caseInfo.kind,
      segmentSeconds,
      status: 'recording',
      startedAt: this.#startedAt.toISOString(),
      participants: [],
      timeline: [{ at: this.#startedAt.toISOString(), type: 'recording-started' }],
    };
    this.#checkpointTimer = setInterval(() => void this.#checkpoint(), (opts.checkpointSeconds ?? 60) * 1000);
    this.#checkpointTimer.unref();
    this.#router = opts.router;
    this.#bindRouter(opts.router);
  }

  /**
   * Ending the router ends the session's recording (a room closed without calling stop()) —
   * unless its worker died: mediasoup emits 'workerclose' before the router's observer 'close'
   * (and after closing the router's producers, whose lanes therefore show `worker-died`).
   */
  #bindRouter(router: types.Router): void {
    router.once('workerclose', () => {
      if (this.#router !== router || this.stopped) return;
      this.#interruption = { reason: 'worker-died', at: new Date() };
      this.#manifest.timeline.push({ at: this.#interruption.at.toISOString(), type: 'recording-interrupted', detail: 'worker-died' });
      this.#log.warn('the media worker under the session died; recording waits for the room to come back');
      this.#persist();
      this.emit('interrupted', { reason: 'worker-died' });
    });
    router.observer.once('close', () => {
      if (this.#router !== router || this.stopped) return;
      const interruption = this.#interruption;
      if (!interruption) {
        void this.stop().catch((err: unknown) => this.#log.error({ err }, 'stop after router close failed'));
        return;
      }
      interruption.timer = setTimeout(() => {
        this.#log.warn('the session did not come back after its worker died; sealing the recording');
        void this.stop().catch((err: unknown) => this.#log.error({ err }, 'stop after an unresumed interruption failed'));
      }, (this.#o.resumeWithinSeconds ?? 30) * 1000);
      interruption.timer.unref();
    });
  }

  /** Whether the session waits for resume() after its worker died. */
  get interrupted(): boolean {
    return this.#interruption !== undefined;
  }

  /**
   * Continues an interrupted session on the rejoined room's router: producers added from now
   * on go on in their participants' lanes, and each lane's `worker-died` gap closes at its first
   * recorded packet.
   */
  resume(router: types.Router): void {
    const interruption = this.#interruption;
    if (!interruption || this.stopped) return;
    clearTimeout(interruption.timer);
    this.#interruption = undefined;
    this.#router = router;
    this.#bindRouter(router);
    this.#manifest.timeline.push({ at: new Date().toISOString(), type: 'recording-resumed', detail: interruption.reason });
    this.#persist();
  }

  get dir(): string {
    return this.#dir;
  }

  get stopped(): boolean {
    return this.#stopPromise !== undefined;
  }

  /** A copy of the manifest as it stands (segments closed so far). */
  get manifest(): Manifest {
    return structuredClone(this.#manifest);
  }

  /** ffmpeg pid recording a producer right now (for tests and diagnostics). */
  ffmpegPidOf(producerId: string): number | undefined {
    for (const p of this.#participants.values()) for (const t of p.tracks) if (t.producerId === producerId && !t.closed) return t.ffmpegPid;
    return undefined;
  }

  /** The intakes' counters summed over the tracks recording now (benchmarks, diagnostics). */
  intakeStats(): { tracks: number; packets: number; bytes: number; missing: number } {
    const sum = { tracks: 0, packets: 0, bytes: 0, missing: 0 };
    for (const p of this.#participants.values()) {
      for (const t of p.tracks) {
        const s = t.closed ? undefined : t.intakeStats;
        if (!s) continue;
        sum.tracks++;
        sum.packets += s.packets;
        sum.bytes += s.bytes;
        sum.missing += s.missing;
      }
    }
    return sum;
  }

  /**
   * The case moved on during the session (case number assigned, another department or level
   * joined, transferred): merged into the manifest until it is sealed; lists are unioned.
   */
  updateCaseInfo(update: Partial<Omit<CaseInfo, 'kind' | 'roomId'>>): void {
    if (this.stopped) return;
    const c = this.#manifest.caseInfo;
    const merged = caseInfoSchema.parse({
      ...c,
      ...update,
      departments: [...new Set([...c.departments, ...(update.departments ?? [])])],
      officials: [...c.officials, ...(update.officials ?? []).filter((o) => !c.officials.some((x) => x.id === o.id))],
    });
    this.#manifest.caseInfo = merged;
    this.#manifest.timeline.push({ at: new Date().toISOString(), type: 'case-updated', detail: Object.keys(update).join(',') });
    this.#persist();
    this.#index().catch((err: unknown) => this.#log.warn({ err }, 'catalog update failed (a reindex restores it)'));
  }

  /** The catalog row follows the manifest (searchable while recording, sealed hash at the end): indexed as it is now, after the writes queued before. */
  #index(manifestSha256?: string): Promise<void> {
    const { archive } = this.#o;
    const m = structuredClone(this.#manifest);
    const write = this.#catalogWrites.catch(() => undefined).then(() => archive.catalog.indexManifest(m, { manifestSha256, retainUntil: archive.retainUntil(m) }));
    this.#catalogWrites = write;
    return write;
  }

  /** Case events for the archive timeline: invited, transferred, opinion, ended… */
  addTimelineEvent(type: string, detail?: string, participantId?: string): void {
    // Until the seal, not just until stop(): a room closes its router (which stops this) before
    // it tells its listeners why it closed.
    if (this.#sealed) return;
    this.#manifest.timeline.push({ at: new Date().toISOString(), type, ...(participantId ? { participantId } : {}), ...(detail ? { detail } : {}) });
    this.#persist();
  }

  /** Starts recording a producer from now on, in the participant's lane for its source. */
  addProducer(input: AddProducerInput): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const p = this.#participant(input);
    const source = (input.producer.appData as { source?: unknown }).source;
    const lane = this.#lane(p, input.lane ?? (typeof source === 'string' ? source : input.producer.kind));
    return this.#enqueue(p, lane, () => this.#addProducer(p, lane, input));
  }

  /** Stops recording a producer; its lane shows a gap until a replacement arrives. */
  removeProducer(producerId: string, reason = 'producer-closed'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    for (const p of this.#participants.values()) {
      for (const lane of p.lanes.values()) {
        if (lane.current?.producerId === producerId) return this.#enqueue(p, lane, () => this.#removeFromLane(p, lane, reason, true));
      }
    }
    return Promise.resolve();
  }

  /** The room paused a producer for a reason mediasoup does not know (privacy mode…). */
  pauseProducer(producerId: string, reason?: string): void {
    this.#trackOf(producerId)?.markPaused(new Date(), reason);
  }

  resumeProducer(producerId: string): void {
    this.#trackOf(producerId)?.markResumed(new Date());
  }

  /** The participant left: their tracks end without a gap (leaving is not an interruption). */
  removeParticipant(participantId: string, reason = 'left'): Promise<void> {
    const p = this.#participants.get(participantId);
    if (!p) return Promise.resolve();
    return Promise.all(
      [...p.lanes.values()].map((lane) => this.#enqueue(p, lane, () => this.#removeFromLane(p, lane, reason, false, true))),
    ).then(() => {
      const now = new Date();
      for (const l of p.lanes.values()) this.#closeLaneGap(p, l, now);
      p.meta.leftAt = now.toISOString();
      this.#manifest.timeline.push({ at: p.meta.leftAt, type: 'participant-left', participantId, detail: reason });
      this.#persist();
    });
  }

  /**
   * Ends the recording: every ffmpeg finishes its open segment, open gaps close at the stop
   * time, the manifest is written a last time and its SHA-256 sealed into the audit log.
   */
  stop(actor: AuditActor = SYSTEM_ACTOR): Promise<Manifest> {
    this.#stopPromise ??= (async () => {
      const stoppedAt = new Date();
      clearTimeout(this.#interruption?.timer);
      await Promise.all(
        [...this.#participants.values()].map(async (p) => {
          await Promise.all([...p.lanes.values()].map((l) => l.queue));
          await Promise.all([...p.tracks].map((t) => t.stop('session-stopped')));
          for (const l of p.lanes.values()) this.#closeLaneGap(p, l, stoppedAt);
        }),
      );
      const m = this.#manifest;
      m.status = 'stopped';
      m.stoppedAt = stoppedAt.toISOString();
      m.timeline.push({ at: m.stoppedAt, type: 'recording-stopped' });
      clearInterval(this.#checkpointTimer);
      await this.#retryUnarchived();
      const { archive } = this.#o;
      // Segments that the spool of a node which recorded this session before it died gave back
      // meanwhile (archive.recoverSpool) are listed before the seal: the seal covers them.
      if (this.#unarchived.length === 0) await archive.adoptUnlisted(m).catch((err: unknown) => this.#log.error({ err }, 'segments given back by a dead node\'s spool could not be listed; they stay beside the manifest'));
      await this.#writes; // the background writes land first: none lands after the final one
      if (this.#unarchived.length > 0 || !this.#writeFinalManifest()) {
        // The archive store is full (or lost): no seal over a manifest that is not what was
        // recorded. The lease stays with this node, whose recovery moves the spooled segments
        // and seals the session as interrupted once there is room; other nodes leave it alone.
        this.#sealed = true;
        this.#stopRetrying();
        archive.closeSession(this.sessionId);
        this.#log.error({ unarchived: this.#unarchived.length }, 'recording stopped but not sealed: the archive store refused its writes; recovery seals it later');
        this.emit('stopped', { manifestSha256: undefined, manifest: structuredClone(m) });
        return structuredClone(m);
      }
      const checkpointed = this.#checkpoint();
      this.#sealed = true;
      this.#stopRetrying();
      const manifestBytes = fs.readFileSync(path.join(this.#dir, MANIFEST_FILE));
      const segments = allSegments(m);
      await checkpointed;
      // The seal: hashes (SHA-256, SM3) and the archive keys' signatures; its timestamp follows.
      const seal = await archive.evidence.seal({
        type: 'recording-stop',
        sessionId: this.sessionId,
        actor,
        manifestBytes,
        details: {
          segments: segments.length,
          bytes: segments.reduce((n, s) => n + s.segment.bytes, 0),
          gaps: m.participants.reduce((n, p) => n + p.gaps.length, 0),
        },
      });
      const manifestSha256 = seal.details.manifestSha256 as string;
      await this.#index(manifestSha256);
      fs.rmSync(this.#spool, { recursive: true, force: true });
      archive.closeSession(this.sessionId);
      await archive.leases.release(this.sessionId).catch((err: unknown) => this.#log.warn({ err }, 'session lease release failed (it expires by itself)'));
      this.#log.info({ segments: segments.length, manifestSha256 }, 'recording stopped and sealed');
      this.emit('stopped', { manifestSha256, manifest: structuredClone(m) });
      return structuredClone(m);
    })();
    return this.#stopPromise;
  }

  #participant(input: AddProducerInput): ParticipantState {
    let p = this.#participants.get(input.participantId);
    if (!p) {
      const meta: Participant = {
        participantId: input.participantId,
        name: input.name,
        role: input.role,
        joinedAt: new Date().toISOString(),
        tracks: [],
        gaps: [],
      };
      this.#manifest.participants.push(meta);
      this.#manifest.timeline.push({ at: meta.joinedAt, type: 'participant-joined', participantId: meta.participantId, detail: input.role });
      p = { meta, dir: participantDirName(input.participantId), lanes: new Map(), tracks: new Set() };
      this.#participants.set(input.participantId, p);
      this.#persist();
    } else if (p.meta.leftAt) {
      // Rejoined: the same participant's lanes continue.
      delete p.meta.leftAt;
      this.#manifest.timeline.push({ at: new Date().toISOString(), type: 'participant-rejoined', participantId: input.participantId });
    }
    return p;
  }

  #lane(p: ParticipantState, name: string): Lane {
    let lane = p.lanes.get(name);
    if (!lane) {
      lane = { name, current: undefined, openGap: undefined, queue: Promise.resolve() };
      p.lanes.set(name, lane);
    }
    return lane;
  }

  #enqueue(p: ParticipantState, lane: Lane, fn: () => Promise<void>): Promise<void> {
    const next = lane.queue.then(fn, fn);
    lane.queue = next.catch((err: unknown) => this.#log.error({ err, participantId: p.meta.participantId, lane: lane.name }, 'lane recording step failed'));
    return next;
  }

  async #addProducer(p: ParticipantState, lane: Lane, input: AddProducerInput): Promise<void> {
    const { producer } = input;
    if (this.stopped || producer.closed) return;
    const laneName = lane.name;
    if (lane.current?.producerId === producer.id) return;
    if (lane.current) await this.#removeFromLane(p, lane, `replaced by producer ${producer.id}`, true);
    const codec = mediaCodecOf(producer.rtpParameters);
    const track: Track = {
      trackId: `${safeName(laneName)}-${producer.id.replace(/-/g, '').slice(0, 8)}`,
      producerId: producer.id,
      lane: laneName,
      kind: producer.kind,
      codec: {
        mimeType: codec.mimeType,
        payloadType: codec.payloadType,
        clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}),
      },
      startedAt: new Date().toISOString(),
      runs: [],
      segments: [],
    };
    p.meta.tracks.push(track);
    this.#manifest.timeline.push({ at: track.startedAt, type: 'track-started', participantId: p.meta.participantId, detail: `${laneName} ${codec.mimeType}` });
    this.#persist();
    const inherited = lane.openGap;
    const recorder = await TrackRecorder.create({
      router: this.#router,
      producer,
      track,
      sessionDir: this.#spool,
      participantDir: p.dir,
      sessionStartedAt: this.#startedAt,
      segmentSeconds: this.#o.segmentSeconds,
      noPacketSeconds: this.#o.noPacketSeconds,
      ffmpegBin: this.#ffmpeg,
      ffprobeBin: this.#ffprobe,
      ports: this.#o.ports ?? DEFAULT_RECORDER_PORTS,
      ledger: this.#ledger(p, lane),
      log: this.#log,
      onChange: () => this.#persist(),
      // A replaced producer's or a dead worker's gap is closed by this track's first media.
      ...(inherited ? { openGap: { reason: inherited.reason, since: new Date(inherited.start), ...(inherited.detail ? { detail: inherited.detail } : {}) } } : {}),
      archiveSegment: (segment) => this.#archiveSegment(p.meta.participantId, track, segment),
      onSegment: (segment) => this.#listed(p.meta.participantId, segment),
    });
    lane.current = recorder;
    p.tracks.add(recorder);
    if (this.stopped) {
      // stop() ran while this track was being built and did not see it.
      await recorder.stop('session-stopped');
      return;
    }
    if (producer.closed) {
      // Closed while its recorder was being built: the close event has come and gone.
      await this.#removeFromLane(p, lane, 'producer-closed', true);
      return;
    }
    producer.observer.once('close', () => void this.removeProducer(producer.id, 'producer-closed'));
  }

  async #removeFromLane(p: ParticipantState, lane: Lane, reason: string, openGap: boolean, wait = false): Promise<void> {
    const current = lane.current;
    const laneName = lane.name;
    if (!current) return;
    lane.current = undefined;
    const at = new Date();
    // The producer went with its worker: the whole room was cut off, not this participant.
    const died = this.#interruption;
    if (openGap && !this.stopped) {
      if (died) this.#ledger(p, lane).openGap(died.reason, died.at, 'the media worker hosting the session died');
      else this.#ledger(p, lane).openGap('producer-closed', at, reason);
    }
    this.#manifest.timeline.push({ at: at.toISOString(), type: 'track-ended', participantId: p.meta.participantId, detail: `${laneName}: ${reason}` });
    this.#persist();
    // Finishing the old ffmpeg must not hold up a replacement waiting in the queue; stop()
    // still waits for it through p.tracks.
    if (wait) await current.stop(reason);
    else void current.stop(reason).catch((err: unknown) => this.#log.error({ err, laneName }, 'track stop failed'));
  }

  #ledger(p: ParticipantState, lane: Lane): LaneLedger {
    const laneName = lane.name;
    return {
      openGap: (reason: GapReason, at: Date, detail?: string) => {
        this.#closeLaneGap(p, lane, at);
        const gap: Gap = { lane: laneName, start: at.toISOString(), reason, ...(detail ? { detail } : {}) };
        lane.openGap = gap;
        p.meta.gaps.push(gap);
        this.#log.info({ participantId: p.meta.participantId, lane: laneName, reason, detail }, 'gap opened');
        this.#persist();
        this.emit('gap', { participantId: p.meta.participantId, gap: { ...gap } });
      },
      closeGap: (at: Date) => this.#closeLaneGap(p, lane, at),
    };
  }

  #closeLaneGap(p: ParticipantState, lane: Lane, at: Date): void {
    const gap = lane.openGap;
    if (!gap) return;
    lane.openGap = undefined;
    gap.end = new Date(Math.max(at.getTime(), Date.parse(gap.start))).toISOString();
    this.#log.info({ participantId: p.meta.participantId, lane: gap.lane, reason: gap.reason, start: gap.start, end: gap.end }, 'gap closed');
    this.#persist();
    this.emit('gap', { participantId: p.meta.participantId, gap: { ...gap } });
  }

  #trackOf(producerId: string): TrackRecorder | undefined {
    for (const p of this.#participants.values()) for (const l of p.lanes.values()) if (l.current?.producerId === producerId) return l.current;
    return undefined;
  }

  /**
   * Changes come in bursts (a participant joining adds lanes, tracks and timeline events in
   * one go); one fsync'd write per burst, 100 ms later, keeps fsyncs off the path between a
   * producer appearing and its first recorded packet. A crash inside that window loses at most
   * the last 100 ms of bookkeeping; recoverInterrupted() re-adds segment files from disk.
   */
  #persist(): void {
    if (this.#sealed || this.#persistTimer) return;
    this.#persistTimer = setTimeout(() => void this.#persistNow(), PERSIST_DELAY_MS);
  }

  /** Resolves once the checkpoint is durable; a failed one is logged (the seal still covers its segments). */
  #checkpoint(): Promise<void> {
    if (this.#uncheckpointed.length === 0 || this.#sealed) return Promise.resolve();
    const segments = this.#uncheckpointed.splice(0);
    return this.#o.archive.audit
      .append({ type: 'segments-checkpoint', sessionId: this.sessionId, actor: SYSTEM_ACTOR, details: { segments } })
      .then(
        () => undefined,
        (err: unknown) => this.#log.error({ err, segments: segments.length }, 'segments checkpoint could not be written to the audit log'),
      );
  }

  /**
   * Writes the manifest now, after the writes before it (they land in order; each writes the
   * manifest as it is when it starts, so a write asked for while another is queued joins it).
   * False (logged, alarmed, retried) when the archive store refuses it.
   */
  #persistNow(): Promise<boolean> {
    if (this.#persistTimer) clearTimeout(this.#persistTimer);
    this.#persistTimer = undefined;
    if (this.#queuedWrite) return this.#queuedWrite;
    const write = this.#writes.then(() => {
      this.#queuedWrite = undefined;
      return this.#writeManifest();
    });
    this.#queuedWrite = write;
    this.#writes = write;
    return write;
  }

  /** Never rejects: the chain of writes goes on after a failed one. */
  async #writeManifest(): Promise<boolean> {
    if (this.#sealed) return true;
    if (!this.#mayWrite()) return false;
    try {
      await this.#o.archive.writeJson(path.join(this.#dir, MANIFEST_FILE), this.#manifest);
      this.#dirty = false;
      return true;
    } catch (err) {
      return this.#writeFailed(err);
    }
  }

  /**
   * The manifest that is sealed next, written before the next statement: no change made while a
   * background write was under way can be missing from the file whose hash the seal takes.
   */
  #writeFinalManifest(): boolean {
    if (this.#persistTimer) clearTimeout(this.#persistTimer);
    this.#persistTimer = undefined;
    if (!this.#mayWrite()) return false;
    try {
      this.#o.archive.writeJsonNow(path.join(this.#dir, MANIFEST_FILE), this.#manifest);
      this.#dirty = false;
      return true;
    } catch (err) {
      return this.#writeFailed(err);
    }
  }

  /** Whether this node still holds the session (another takes it over when this node's heartbeat lapsed, and writes it). */
  #mayWrite(): boolean {
    if (this.#o.archive.leases.held(this.sessionId)) return true;
    if (!this.#leaseLostLogged) this.#log.error('session lease lost to another node: this recorder no longer writes the manifest');
    this.#leaseLostLogged = true;
    return false;
  }

  /** Kept in memory and retried; false. */
  #writeFailed(err: unknown): false {
    if (!this.#dirty) this.#log.error({ err }, 'manifest could not be written; kept in memory and tried again');
    this.#dirty = true;
    this.#startRetrying();
    return false;
  }

  async #persistOrThrow(): Promise<void> {
    if (!(await this.#persistNow())) throw new Error(`session ${this.sessionId}: manifest could not be written to the archive store`);
  }

  /** The segment reaches the archive store before the manifest lists it; refused (disk full), it waits in the spool. */
  async #archiveSegment(participantId: string, track: Track, segment: Segment): Promise<boolean> {
    try {
      await this.#o.archive.storeSegment(this.sessionId, segment.file, segment);
      return true;
    } catch (err) {
      this.#log.error({ err, segment: segment.file }, 'segment could not be moved to the archive store; kept in the spool and tried again');
      this.#unarchived.push({ participantId, track, segment });
      this.#startRetrying();
      return false;
    }
  }

  /** A segment is in the archive and in the manifest: checkpointed next, and announced. */
  #listed(participantId: string, segment: Segment): void {
    this.#uncheckpointed.push({ file: segment.file, sha256: segment.sha256, ...(segment.sm3 ? { sm3: segment.sm3 } : {}), bytes: segment.bytes });
    this.emit('segment', { participantId, segment });
  }

  async #retryUnarchived(): Promise<void> {
    for (const item of [...this.#unarchived]) {
      try {
        await this.#o.archive.storeSegment(this.sessionId, item.segment.file, item.segment);
      } catch {
        return; // still full: the next retry
      }
      this.#unarchived.splice(this.#unarchived.indexOf(item), 1);
      item.track.segments.push(item.segment);
      item.track.segments.sort((a, b) => a.run - b.run || a.seq - b.seq);
      this.#dirty = true;
      this.#listed(item.participantId, item.segment);
    }
  }

  #startRetrying(): void {
    if (this.#retryTimer || this.#sealed) return;
    this.#retryTimer = setInterval(() => {
      void this.#retryUnarchived().then(async () => {
        if (this.#dirty) await this.#persistNow();
        if (!this.#dirty && this.#unarchived.length === 0) this.#stopRetrying();
      });
    }, RETRY_MS);
    this.#retryTimer.unref();
  }

  #stopRetrying(): void {
    clearInterval(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** A session that could not be started (or continued) leaves nothing running and nothing held. */
  async #abandon(): Promise<void> {
    this.#sealed = true;
    this.#stopRetrying();
    clearInterval(this.#checkpointTimer);
    await this.#writes; // a write under way lands before the lease goes to another node
    this.#o.archive.closeSession(this.sessionId);
    await this.#o.archive.leases.release(this.sessionId).catch(() => undefined);
  }

  /**
   * Takes the manifest over from a recorder that died (resume): its tracks end where their last
   * archived media ends, and each lane of each participant still present gets a `node-failed`
   * gap from there, which the lane's next recording closes.
   */
  #takeOver(previousNode: string | undefined): void {
    const now = new Date();
    const end = (segments: Segment[]) => Math.max(...segments.map((x) => Date.parse(x.firstPacketAt) + x.durationSeconds * 1000));
    for (const meta of this.#manifest.participants) {
      const p: ParticipantState = { meta, dir: participantDirName(meta.participantId), lanes: new Map(), tracks: new Set() };
      this.#participants.set(meta.participantId, p);
      for (const t of meta.tracks) {
        if (t.endedAt) continue;
        const last = t.segments.length > 0 ? end(t.segments) : Date.parse(t.startedAt);
        t.endedAt = new Date(last).toISOString();
        t.endReason = 'node-failed';
        for (const r of t.runs) {
          r.endedAt ??= t.endedAt;
          r.exit ??= 'node failed';
        }
      }
      if (meta.leftAt) continue;
      for (const laneName of new Set(meta.tracks.map((t) => t.lane))) {
        const tracks = meta.tracks.filter((t) => t.lane === laneName);
        const segments = tracks.flatMap((t) => t.segments);
        let from = segments.length > 0 ? end(segments) : Math.max(...tracks.map((t) => Date.parse(t.startedAt)));
        // A gap open when the node died (paused, silent…) ends where the node failure begins.
        for (const g of meta.gaps) {
          if (g.lane !== laneName || g.end) continue;
          from = Math.max(from, Date.parse(g.start));
          g.end = new Date(from).toISOString();
        }
        const gap: Gap = { lane: laneName, start: new Date(Math.min(from, now.getTime())).toISOString(), reason: 'node-failed', detail: `recording continued on node ${this.#o.archive.leases.nodeId}${previousNode ? ` after node ${previousNode} failed` : ''}` };
        meta.gaps.push(gap);
        p.lanes.set(laneName, { name: laneName, current: undefined, openGap: gap, queue: Promise.resolve() });
      }
    }
    this.#manifest.timeline.push({ at: now.toISOString(), type: 'node-failed', detail: `recording continued on node ${this.#o.archive.leases.nodeId}${previousNode ? ` after node ${previousNode} failed` : ''}` });
  }
}
