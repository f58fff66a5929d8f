// The archive store: RECORDINGS_DIR/<sessionId>/{manifest.json, <participant>/*.webm,
// bookmarks.json} and the chained audit log RECORDINGS_DIR/audit.jsonl, with the catalog in the
// store (server/core/db.ts). In a cluster RECORDINGS_DIR is one shared mount and the store one
// PostgreSQL, so every node plays, verifies and exports every session. Recorders write to a
// node-local spool (DATA_DIR/spool) and each finished segment is moved here, hash-checked after
// the move (segment-move.ts). Session folders and the audit log are the truth; the catalog is an
// index rebuilt from them by `reindex()`.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, conflict, notFound } from '../server/core/errors.ts';
import { Store } from '../server/core/db.ts';
import { AuditLog, sha256Hex, type AuditActor, type AuditEntry, type AuditObserver } from '../server/core/audit-chain.ts';
import type { AuditType } from './audit-types.ts';
import { ARCHIVE_MIGRATIONS, Catalog, type Bookmark } from './catalog.ts';
import { probeSegment } from './ffmpeg.ts';
import { BOOKMARKS_FILE, MANIFEST_FILE, allSegments, hashFile, participantDirName, readManifest, segmentPath, sessionIdSchema, writeJsonAtomic, writeJsonAtomicAsync, type Manifest, type Segment } from './manifest.ts';
import { waitUntilSettled, type SettleOptions } from './settle.ts';
import { collectCheckpoint, sealOf, type Checkpointed, type Seal } from './verify.ts';
import { ArchiveEvidence, type EvidenceOptions } from './evidence.ts';
import { moveSegment } from './segment-move.ts';
import { LocalSessionLeases, type SessionLeases } from './session-lease.ts';
import { StorageWatch, type StorageArea } from './storage-watch.ts';
import type { Logger } from '../server/core/log.ts';
import { RETENTION_CLASSES, type RetentionPeriods } from '../server/protocol/http/archive-shapes.ts';

/**
 * Days a recording is kept after it ends, by retention class, until the system administrator
 * sets them (the records office's 信访档案 rules; stored in the catalog's archive_retention, so
 * every node and the sweep CLI read the same). A legal hold suspends deletion indefinitely.
 */
export const DEFAULT_RETENTION_DAYS: Readonly<RetentionPeriods> = {
  petition: 3 * 365,
  household: 30,
  property: 3 * 365,
};

/** When a recording of this class, ended (or started) then, may be deleted under `days`. */
export function retainUntilOf(days: Readonly<Record<string, number>>, s: { retentionClass: string; kind: string; startedAt: string; stoppedAt?: string | null | undefined }): string {
  const d = days[s.retentionClass] ?? days[s.kind] ?? DEFAULT_RETENTION_DAYS.petition;
  return new Date(Date.parse(s.stoppedAt ?? s.startedAt) + d * 86_400_000).toISOString();
}

export interface ArchiveOptions {
  dataDir: string;
  /** The archive store (RECORDINGS_DIR): DATA_DIR/recordings by default; one shared mount in a cluster. */
  recordingsDir?: string;
  /** This node's spool, where ffmpeg writes (a local disk): DATA_DIR/spool by default. */
  spoolDir?: string;
  /** Periods used until the system administrator sets them (DEFAULT_RETENTION_DAYS otherwise). */
  retentionDays?: Partial<RetentionPeriods>;
  /** The node's store; without one the archive opens (and closes) SQLite in DATA_DIR/app.db. */
  store?: Store;
  /** Who may write which session: a Redis lease per session in a cluster; this process owns all by default. */
  leases?: SessionLeases;
  /** Free space on either disk below which no new recording starts (default 2 GiB). */
  minFreeBytes?: number;
  log?: Logger;
  /** Signing keys and TSA (recordings/evidence.ts); keys default to DATA_DIR/keys, both algorithms, no TSA. */
  evidence?: Partial<EvidenceOptions>;
  /** Told of every audit entry once durable: the node mirrors people's actions into the system trail (audit-mirror.ts). */
  auditObserver?: AuditObserver;
}

/** A session whose manifest could not be read, moved aside so it blocks nothing. */
export interface QuarantinedSession {
  sessionId: string;
  /** Where it is now: RECORDINGS_DIR/.quarantine/<folder>. */
  folder: string;
  reason: string;
}

const DEFAULT_MIN_FREE_BYTES = 2 * 1024 ** 3;

/**
 * A session left recording is sealed as interrupted only after its manifest has been quiet this
 * long: a room whose node died reaches another node in seconds, and that node continues the
 * same session instead.
 */
export const RECOVERY_QUIET_MS = 30_000;
const QUARANTINE_DIR = '.quarantine';
/** `<trackId>-r<run>-<seq>.<ext>`: a segment file as ffmpeg names it. */
const SEGMENT_FILE = /-r(\d+)-(\d+)\.(webm|mkv)$/;

const bookmarkFileSchema = z.array(
  z.object({
    bookmarkId: z.string(),
    sessionId: z.string(),
    offsetSeconds: z.number(),
    note: z.string(),
    authorSub: z.string(),
    authorName: z.string().nullable(),
    createdAt: z.string(),
  }),
);

export class Archive {
  /** The archive store (RECORDINGS_DIR). */
  readonly root: string;
  /** This node's spool (where ffmpeg writes before a segment is moved to `root`). */
  readonly spoolRoot: string;
  readonly audit: AuditLog<AuditType>;
  readonly catalog: Catalog;
  /** The node's store (the catalog's, export jobs'). */
  readonly store: Store;
  /** The retention periods in force: the defaults, overlaid with the setting as last read from the catalog. */
  #retention: RetentionPeriods;
  readonly #defaultRetention: RetentionPeriods;
  readonly leases: SessionLeases;
  /** Free space and failed writes on both disks; an alarm stops new recordings. */
  readonly storage: StorageWatch;
  /** Sessions set aside because their manifest is unreadable (found at open or since). */
  readonly quarantined: QuarantinedSession[] = [];
  /** Seals, signatures, audit checkpoints and trusted timestamps. */
  readonly evidence: ArchiveEvidence;
  /** Set when the archive opened the store itself. */
  readonly #ownStore: Store | undefined;
  /** Sessions a recorder of this process is writing: recovery leaves them alone. */
  readonly #open = new Set<string>();
  #bookmarkWrites: Promise<void> = Promise.resolve();
  readonly #log: Logger | undefined;

  /**
   * Opens the archive, its catalog tables and, when the catalog is empty but sessions exist on
   * disk (the first version kept the catalog in DATA_DIR/archive.sqlite), rebuilds the catalog.
   */
  static async open(opts: ArchiveOptions): Promise<Archive> {
    const own = opts.store ? undefined : await Store.open({ dialect: 'sqlite', file: path.resolve(opts.dataDir, 'app.db') });
    const store = opts.store ?? own!;
    try {
      await store.migrate(ARCHIVE_MIGRATIONS);
      const archive = new Archive(opts, store, own);
      await archive.retentionPeriods();
      await archive.storage.start();
      if ((await archive.catalog.isEmpty()) && archive.sessionIds().length > 0) await archive.reindex();
      return archive;
    } catch (err) {
      await own?.close();
      throw err;
    }
  }

  private constructor(opts: ArchiveOptions, store: Store, own: Store | undefined) {
    this.root = path.resolve(opts.recordingsDir ?? path.join(opts.dataDir, 'recordings'));
    this.spoolRoot = path.resolve(opts.spoolDir ?? path.join(opts.dataDir, 'spool'));
    fs.mkdirSync(this.root, { recursive: true });
    fs.mkdirSync(this.spoolRoot, { recursive: true });
    this.audit = new AuditLog<AuditType>(path.join(this.root, 'audit.jsonl'), opts.auditObserver);
    this.catalog = new Catalog(store);
    this.store = store;
    this.#ownStore = own;
    this.#log = opts.log;
    this.#defaultRetention = { ...DEFAULT_RETENTION_DAYS, ...opts.retentionDays };
    this.#retention = this.#defaultRetention;
    this.leases = opts.leases ?? new LocalSessionLeases();
    this.storage = new StorageWatch({ dirs: { archive: this.root, spool: this.spoolRoot }, minFreeBytes: opts.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES, ...(opts.log ? { log: opts.log } : {}) });
    const q = path.join(this.root, QUARANTINE_DIR);
    for (const folder of fs.existsSync(q) ? fs.readdirSync(q).sort() : []) {
      this.quarantined.push({ sessionId: folder.replace(/~\d+$/, ''), folder: path.join(q, folder), reason: 'quarantined earlier' });
    }
    this.evidence = new ArchiveEvidence(this.audit, this.root, { keyDir: path.resolve(opts.dataDir, 'keys'), ...opts.evidence });
  }

  async close(): Promise<void> {
    this.storage.stop();
    this.evidence.close();
    await this.#ownStore?.close();
  }

  /** Scratch space (SDP files, spare ffmpegs' output slots) on the spool, out of the evidence folders. */
  get workDir(): string {
    return path.join(this.spoolRoot, '.work');
  }

  /** Where this node's ffmpegs write the session's segments until each is moved to `sessionDir`. */
  spoolDir(sessionId: string): string {
    return path.join(this.spoolRoot, sessionIdSchema.parse(sessionId));
  }

  /** A recorder of this process writes the session (recovery leaves it alone) until `closeSession`. */
  openSession(sessionId: string): void {
    this.#open.add(sessionId);
  }

  closeSession(sessionId: string): void {
    this.#open.delete(sessionId);
  }

  isOpen(sessionId: string): boolean {
    return this.#open.has(sessionId);
  }

  /**
   * Moves a finished segment from the spool to the archive store, checking its hash there.
   * A failure (disk full, hash differs) raises the storage alarm and leaves it in the spool.
   */
  async storeSegment(sessionId: string, file: string, expect: { sha256: string; bytes: number }): Promise<void> {
    try {
      await moveSegment(segmentPath(this.spoolDir(sessionId), file), segmentPath(this.sessionDir(sessionId), file), expect);
    } catch (err) {
      this.storage.writeFailed('archive', err);
      throw err;
    }
    this.storage.writeSucceeded('archive');
  }

  /** Writes a file of the archive store through the checked atomic write (off the event loop), reporting the outcome to the storage watch. */
  async writeJson(file: string, value: unknown, area: StorageArea = 'archive'): Promise<void> {
    await writeJsonAtomicAsync(file, value).catch((err: unknown) => this.#writeFailed(area, err));
    this.storage.writeSucceeded(area);
  }

  /** writeJson, landed before it returns: for a file hashed right after (a session's final manifest). */
  writeJsonNow(file: string, value: unknown, area: StorageArea = 'archive'): void {
    try {
      writeJsonAtomic(file, value);
    } catch (err) {
      this.#writeFailed(area, err);
    }
    this.storage.writeSucceeded(area);
  }

  #writeFailed(area: StorageArea, err: unknown): never {
    this.storage.writeFailed(area, err);
    throw err;
  }

  get exportDir(): string {
    return path.join(this.root, '.exports');
  }

  /** Copies made from a session's originals (composite videos, transcripts), outside its evidence folder. */
  derivedDir(sessionId: string): string {
    return path.join(this.root, '.derived', sessionIdSchema.parse(sessionId));
  }

  sessionDir(sessionId: string): string {
    return path.join(this.root, sessionIdSchema.parse(sessionId));
  }

  /** Session ids that have a folder with a manifest. */
  sessionIds(): string[] {
    return fs
      .readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && fs.existsSync(path.join(this.root, d.name, MANIFEST_FILE)))
      .map((d) => d.name)
      .sort();
  }

  async assertAndGetManifest(sessionId: string): Promise<Manifest> {
    const parsed = sessionIdSchema.safeParse(sessionId);
    const row = parsed.success ? await this.catalog.get(sessionId) : undefined;
    if (!parsed.success || (row?.deletedAt ?? null) !== null) throw notFound(`session ${sessionId} not found`);
    const dir = this.sessionDir(sessionId);
    if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) throw notFound(`session ${sessionId} not found`);
    return readManifest(dir);
  }

  retainUntil(m: Manifest): string {
    return retainUntilOf(this.#retention, { retentionClass: m.retentionClass, kind: m.caseInfo.kind, startedAt: m.startedAt, stoppedAt: m.stoppedAt });
  }

  /** The periods in force, read afresh from the catalog (another node or the CLI may have set them). */
  async retentionPeriods(): Promise<RetentionPeriods> {
    const set = await this.catalog.retentionSettings();
    const periods = { ...this.#defaultRetention };
    for (const c of RETENTION_CLASSES) if (set[c] !== undefined) periods[c] = set[c];
    this.#retention = periods;
    return { ...periods };
  }

  /**
   * The system administrator's new periods: stored, then every kept session's deletion date
   * follows them at once (the sweep deletes by those dates). Auditing the change is the caller's.
   */
  async setRetentionPeriods(periods: RetentionPeriods, changedBy: string): Promise<RetentionPeriods> {
    await this.catalog.saveRetentionSettings(periods, changedBy, new Date().toISOString());
    return this.#followRetention();
  }

  /** Reads the periods in force and moves every kept session's deletion date to match them. */
  async #followRetention(): Promise<RetentionPeriods> {
    const periods = await this.retentionPeriods();
    await this.catalog.reapplyRetention((s) => retainUntilOf(periods, s));
    return periods;
  }

  /**
   * What the audit chain says about a session's files: the sealed manifest hash (last
   * recording-stop/interrupted entry) and the segment hashes checkpointed while recording.
   */
  integrityRecordOf(sessionId: string): { seal: Seal | undefined; checkpointed: Checkpointed } {
    let seal: Seal | undefined;
    const checkpointed: Checkpointed = new Map();
    for (const e of this.audit.entries()) {
      if (e.sessionId !== sessionId) continue;
      seal = sealOf(e) ?? seal;
      if (e.type === 'segments-checkpoint') collectCheckpoint(checkpointed, e.details);
    }
    return { seal, checkpointed };
  }

  async placeLegalHold(sessionId: string, actor: AuditActor, reason: string): Promise<void> {
    await this.assertAndGetManifest(sessionId);
    await this.audit.append({ type: 'legal-hold', sessionId, actor, details: { reason } });
    await this.catalog.setLegalHold(sessionId, true, reason);
  }

  /**
   * Four eyes: the hold is released by a second archivist (or an administrator), never by the
   * one who placed it. The audit entry names both.
   */
  async releaseLegalHold(sessionId: string, actor: AuditActor, reason: string): Promise<void> {
    await this.assertAndGetManifest(sessionId);
    const placed = this.#lastHold(sessionId);
    if (placed && placed.actor.sub === actor.sub) {
      throw new AppError('forbidden', 'a legal hold is released by someone other than who placed it (four eyes)', { reason: 'four_eyes' });
    }
    const placedBy = placed ? { sub: placed.actor.sub, ...(placed.actor.name ? { name: placed.actor.name } : {}), ...(placed.actor.role ? { role: placed.actor.role } : {}) } : null;
    await this.audit.append({ type: 'legal-hold-release', sessionId, actor, details: { reason, placedBy, placedAt: placed?.at ?? null } });
    await this.catalog.setLegalHold(sessionId, false, null);
  }

  /** The audit entry of the hold now in place, if the chain has one. */
  #lastHold(sessionId: string): AuditEntry | undefined {
    let last: AuditEntry | undefined;
    for (const e of this.audit.entries()) {
      if (e.sessionId !== sessionId) continue;
      if (e.type === 'legal-hold') last = e;
      if (e.type === 'legal-hold-release') last = undefined;
    }
    return last;
  }

  /**
   * Deletes a session's folder after writing its tombstone to the audit log: which files with
   * which hashes existed, why they went, who decided. Refused while a legal hold is in place.
   * The folder goes only once the tombstone is durable.
   */
  async deleteSession(sessionId: string, actor: AuditActor, reason: string): Promise<void> {
    const m = await this.assertAndGetManifest(sessionId);
    const row = await this.catalog.get(sessionId);
    if (row?.legalHold) throw conflict(`session ${sessionId} is under legal hold`);
    if (m.status === 'recording') throw conflict(`session ${sessionId} is still recording`);
    const dir = this.sessionDir(sessionId);
    const manifestSha256 = sha256Hex(fs.readFileSync(path.join(dir, MANIFEST_FILE)));
    const entry = await this.audit.append({
      type: 'deletion',
      sessionId,
      actor,
      details: {
        reason,
        retentionClass: m.retentionClass,
        kind: m.caseInfo.kind,
        roomId: m.caseInfo.roomId,
        caseNumber: m.caseInfo.caseNumber ?? null,
        startedAt: m.startedAt,
        stoppedAt: m.stoppedAt ?? null,
        manifestSha256,
        segments: allSegments(m).map(({ segment }) => ({ file: segment.file, sha256: segment.sha256, bytes: segment.bytes })),
      },
    });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(this.derivedDir(sessionId), { recursive: true, force: true });
    await this.catalog.markDeleted(sessionId, entry.at);
  }

  /** Deletes every session past its retention date and not on hold. Returns the ids deleted. */
  async sweepRetention(now = new Date(), actor: AuditActor = { kind: 'system', sub: 'retention' }): Promise<string[]> {
    // The periods as set now (perhaps on another node since this one last looked), not as at indexing.
    await this.#followRetention();
    const deleted: string[] = [];
    for (const row of await this.catalog.expired(now.toISOString())) {
      await this.deleteSession(row.sessionId, actor, `retention period of class ${row.retentionClass} ended ${row.retainUntil}`);
      deleted.push(row.sessionId);
    }
    return deleted;
  }

  /** Runs sweepRetention() now and every `everyMs` (default daily); returns a function that stops it. */
  scheduleRetentionSweep(onError: (err: unknown) => void, everyMs = 86_400_000): () => void {
    const sweep = () => {
      this.sweepRetention().catch(onError);
    };
    sweep();
    const timer = setInterval(sweep, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async addBookmark(sessionId: string, actor: AuditActor, offsetSeconds: number, note: string): Promise<Bookmark> {
    await this.assertAndGetManifest(sessionId);
    const b: Bookmark = {
      bookmarkId: randomUUID(),
      sessionId,
      offsetSeconds,
      note,
      authorSub: actor.sub,
      authorName: actor.name ?? null,
      createdAt: new Date().toISOString(),
    };
    // Bookmarks are annotations, not evidence: kept beside the manifest (so a reindex keeps
    // them) but outside its hashes.
    // Read and rewritten one bookmark at a time: two at once would each add theirs to the same list.
    const file = path.join(this.sessionDir(sessionId), BOOKMARKS_FILE);
    const written = this.#bookmarkWrites.then(async () => {
      const existing = fs.existsSync(file) ? bookmarkFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))) : [];
      await this.writeJson(file, [...existing, b]);
    });
    this.#bookmarkWrites = written.catch(() => undefined);
    await written;
    await this.catalog.addBookmark(b);
    await this.audit.append({ type: 'bookmark', sessionId, actor, details: { bookmarkId: b.bookmarkId, offsetSeconds, note } });
    return b;
  }

  /**
   * Segments of a session that are on disk but not in its manifest — those being written or
   * moved when its recorder died. This node's spool copies are moved to the archive store first
   * (hash-checked); then the unlisted segment files in the session folder are listed
   * (`adoptUnlisted`). Spare ffmpegs' output slots and the spool folder go. Throws when a
   * segment cannot be moved (disk full): nothing of the spool is lost, and the caller tries
   * again later.
   */
  async salvage(m: Manifest): Promise<void> {
    const id = m.sessionId;
    const dir = this.sessionDir(id);
    const spool = this.spoolDir(id);
    for (const d of [dir, spool]) {
      for (const f of fs.existsSync(d) ? fs.readdirSync(d) : []) if (f.startsWith('.slot-')) fs.rmSync(path.join(d, f), { force: true });
    }
    await this.#moveSpooled(id);
    await this.adoptUnlisted(m);
    fs.rmSync(spool, { recursive: true, force: true });
    fs.rmSync(path.join(this.workDir, id), { recursive: true, force: true });
  }

  /** Moves every segment file of this node's spool folder of the session to the archive store (hash-checked). Returns them. */
  async #moveSpooled(id: string): Promise<string[]> {
    const spool = this.spoolDir(id);
    const moved: string[] = [];
    for (const pdir of fs.existsSync(spool) ? fs.readdirSync(spool, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : []) {
      for (const f of fs.readdirSync(path.join(spool, pdir)).filter((x) => SEGMENT_FILE.test(x)).sort()) {
        const [sha256, bytes] = await hashFile(path.join(spool, pdir, f));
        await this.storeSegment(id, path.posix.join(pdir, f), { sha256, bytes });
        moved.push(path.posix.join(pdir, f));
      }
    }
    return moved;
  }

  /**
   * Lists in `m` the segment files of its tracks that are in the session folder but not in it:
   * those a recorder was writing or moving when it died, and those another node's spool gave
   * back (`recoverSpool`). Each is hashed and flagged truncated — defective recordings are kept,
   * not dropped, and said to be. The caller writes `m`.
   */
  async adoptUnlisted(m: Manifest): Promise<void> {
    const dir = this.sessionDir(m.sessionId);
    for (const p of m.participants) {
      const pdir = participantDirName(p.participantId);
      for (const t of p.tracks) {
        const known = new Set(t.segments.map((x) => x.file));
        const abs = path.join(dir, pdir);
        const files = fs.existsSync(abs) ? fs.readdirSync(abs).filter((f) => f.startsWith(`${t.trackId}-r`) && SEGMENT_FILE.test(f)).sort() : [];
        for (const f of files) {
          const rel = path.posix.join(pdir, f);
          const match = SEGMENT_FILE.exec(f);
          if (known.has(rel) || !match) continue;
          const [sha256, bytes, sm3] = await hashFile(path.join(abs, f));
          // A finished segment a dead node's spool gave back is whole; only one its ffmpeg did not close (or that is short of what it declares) is truncated.
          const { durationSeconds, whole } = await probeSegment(path.join(abs, f)).catch(() => ({ durationSeconds: 0, whole: false }));
          const run = Number(match[1]);
          const prev = t.segments.filter((x) => x.run === run).at(-1);
          const at = prev ? Date.parse(prev.firstPacketAt) + prev.durationSeconds * 1000 : Date.parse(t.runs.find((r) => r.run === run)?.firstPacketAt ?? t.startedAt);
          const mtime = fs.statSync(path.join(abs, f)).mtime;
          const segment: Segment = {
            id: f.replace(/\.\w+$/, ''), file: rel, run, seq: Number(match[2]), sha256, sm3, bytes,
            durationSeconds: Math.round(durationSeconds * 1000) / 1000,
            firstPacketAt: new Date(at).toISOString(),
            offsetSeconds: Math.round(at - Date.parse(m.startedAt)) / 1000,
            closedAt: mtime.toISOString(),
            ...(whole && bytes > 0 ? {} : { truncated: true }),
          };
          t.segments.push(segment);
          t.segments.sort((a, b) => a.run - b.run || a.seq - b.seq);
          // The node that continued the session started its `node-failed` gap where the media it
          // could see ended; this media was written before the node died, so the gap starts later.
          const end = at + segment.durationSeconds * 1000;
          if (t.endReason === 'node-failed' && t.endedAt && Date.parse(t.endedAt) < end) t.endedAt = new Date(end).toISOString();
          for (const g of p.gaps) {
            if (g.reason !== 'node-failed' || g.lane !== t.lane || Date.parse(g.start) >= end) continue;
            g.start = new Date(g.end ? Math.min(end, Date.parse(g.end)) : end).toISOString();
          }
        }
      }
    }
  }

  /**
   * Segments left in this node's spool for sessions no recorder of this process writes — by a
   * recorder that died with the node (finished segments not yet moved, and the one being
   * written) while the session went on elsewhere or was sealed — moved to the archive store,
   * hash-checked, into their session's folder once the files are stable; the spool folder goes.
   * Whoever writes the session's manifest next lists them (`adoptUnlisted`): the node that
   * continued it, when it stops it, or the node that seals it as interrupted. A session sealed
   * already keeps them beside its manifest, and `archive:verify` names each. Run at start-up
   * and with every recovery sweep; `npm run archive:recover-spool` runs it on the spool of a node
   * that does not come back. A session whose folder is missing, or a segment that cannot be
   * moved (disk full), stays in the spool and is tried again next time.
   */
  async recoverSpool(settle?: SettleOptions): Promise<{ sessionId: string; files: string[] }[]> {
    const recovered: { sessionId: string; files: string[] }[] = [];
    for (const d of fs.readdirSync(this.spoolRoot, { withFileTypes: true })) {
      const id = d.name;
      if (!d.isDirectory() || !sessionIdSchema.safeParse(id).success || this.#open.has(id)) continue;
      if (!fs.existsSync(path.join(this.sessionDir(id), MANIFEST_FILE))) {
        this.#log?.warn({ sessionId: id }, 'spool | segments of a session the archive does not have; left in the spool');
        continue;
      }
      try {
        await waitUntilSettled([this.spoolDir(id)], settle);
        if (this.#open.has(id)) continue; // a recorder of this process took it over meanwhile
        const files = await this.#moveSpooled(id);
        fs.rmSync(this.spoolDir(id), { recursive: true, force: true });
        fs.rmSync(path.join(this.workDir, id), { recursive: true, force: true });
        if (files.length > 0) {
          recovered.push({ sessionId: id, files });
          this.#log?.info({ sessionId: id, files }, 'spool | segments left by a recorder that died moved to the archive store');
        }
      } catch (err) {
        this.#log?.error({ err, sessionId: id }, 'spool | segments could not be moved to the archive store; tried again at the next sweep');
      }
    }
    return recovered;
  }

  /**
   * Sessions whose manifest still says "recording" but whose recorder is gone — after a crash or
   * power cut, or on a node that died — are sealed as interrupted, with what `salvage` finds.
   * A session is taken only when its lease can be (no live node records it) and, with
   * `quietMs`, when its manifest has not changed for that long: the room may be on its way to
   * another node, which then continues the same session instead. `from: 'catalog'` looks only
   * at the sessions the catalog lists as recording (the periodic sweep), otherwise every
   * folder (start-up). Files are hashed once they stopped changing (settle.ts). An unreadable
   * manifest is quarantined, a session that cannot be sealed
   * (disk full) is logged and retried next time: neither stops the others, nor the start.
   */
  async recoverInterrupted(opts: { quietMs?: number; from?: 'folders' | 'catalog'; settle?: SettleOptions } = {}): Promise<string[]> {
    const ids = opts.from === 'catalog' ? (await this.catalog.recording()).map((r) => r.sessionId) : this.sessionIds();
    const recovered: string[] = [];
    for (const id of ids) {
      if (this.#open.has(id)) continue;
      try {
        if (await this.#recover(id, opts.quietMs ?? 0, opts.settle)) recovered.push(id);
      } catch (err) {
        this.#log?.error({ err, sessionId: id }, 'recovery | session could not be sealed; it is tried again at the next sweep');
      }
    }
    return recovered;
  }

  async #recover(id: string, quietMs: number, settle?: SettleOptions): Promise<boolean> {
    const dir = this.sessionDir(id);
    const file = path.join(dir, MANIFEST_FILE);
    if (!fs.existsSync(file)) return false;
    let m: Manifest;
    try {
      m = readManifest(dir);
    } catch (err) {
      await this.#quarantine(id, err);
      return false;
    }
    if (m.status !== 'recording' || Date.now() - fs.statSync(file).mtimeMs < quietMs) return false;
    if (!(await this.leases.acquire(id)).held || this.#open.has(id)) return false;
    this.#open.add(id);
    try {
      // A dead node's ffmpegs finish their open segments first (settle.ts): what is hashed is final.
      const settled = await waitUntilSettled([dir, this.spoolDir(id)].filter((d) => fs.existsSync(d)), settle);
      m = readManifest(dir);
      await this.salvage(m);
      let last = Date.parse(m.startedAt);
      for (const p of m.participants) {
        for (const t of p.tracks) {
          for (const x of t.segments) last = Math.max(last, Date.parse(x.closedAt));
          for (const r of t.runs) r.endedAt ??= new Date(last).toISOString();
          t.endedAt ??= new Date(last).toISOString();
          t.endReason ??= 'recorder-interrupted';
        }
        for (const g of p.gaps) g.end ??= new Date(last).toISOString();
      }
      m.status = 'interrupted';
      m.stoppedAt = new Date(last).toISOString();
      m.timeline.push({
        at: new Date().toISOString(),
        type: 'recording-recovered',
        detail: settled
          ? `recorder ended without stopping; sealed on recovery by node ${this.leases.nodeId}`
          : `recorder ended without stopping; its files were still changing after the wait and were sealed as they were (node ${this.leases.nodeId})`,
      });
      await this.writeJson(file, m);
      const sealed = await this.evidence.seal({ type: 'recording-interrupted', sessionId: id, manifestBytes: fs.readFileSync(file), details: { segments: allSegments(m).length } });
      const manifestSha256 = sealed.details.manifestSha256 as string;
      await this.catalog.indexManifest(m, { manifestSha256, retainUntil: this.retainUntil(m) });
      return true;
    } finally {
      this.#open.delete(id);
      await this.leases.release(id).catch(() => undefined);
    }
  }

  /**
   * An unreadable manifest (the first version could rename a short write over it) must not stop
   * recovery, reindexing or the start: the session folder is moved, untouched, to
   * RECORDINGS_DIR/.quarantine/ for someone to look at, and reported (`quarantined`, /healthz,
   * `archive:verify`). Not while a live node holds the session.
   */
  async #quarantine(id: string, err: unknown): Promise<void> {
    if (!(await this.leases.acquire(id)).held) return;
    try {
      const q = path.join(this.root, QUARANTINE_DIR);
      fs.mkdirSync(q, { recursive: true });
      let folder = path.join(q, id);
      for (let n = 1; fs.existsSync(folder); n++) folder = path.join(q, `${id}~${n}`);
      fs.renameSync(this.sessionDir(id), folder);
      const reason = `manifest unreadable: ${(err as Error).message}`.slice(0, 300);
      this.quarantined.push({ sessionId: id, folder, reason });
      this.#log?.error({ sessionId: id, folder, reason }, 'archive | session quarantined');
    } finally {
      await this.leases.release(id).catch(() => undefined);
    }
  }

  /** Rebuilds the catalog from session folders and the audit log. Returns counts. */
  async reindex(): Promise<{ sessions: number; tombstones: number; holds: number; bookmarks: number }> {
    const entries = this.audit.entries();
    const seal = new Map<string, string>();
    const hold = new Map<string, string | null>();
    const tombstones = new Map<string, (typeof entries)[number]>();
    for (const e of entries) {
      if (!e.sessionId) continue;
      if ((e.type === 'recording-stop' || e.type === 'recording-interrupted') && typeof e.details.manifestSha256 === 'string') seal.set(e.sessionId, e.details.manifestSha256);
      if (e.type === 'legal-hold') hold.set(e.sessionId, typeof e.details.reason === 'string' ? e.details.reason : '');
      if (e.type === 'legal-hold-release') hold.set(e.sessionId, null);
      if (e.type === 'deletion') tombstones.set(e.sessionId, e);
    }
    let sessions = 0;
    let bookmarks = 0;
    let tombstoneCount = 0;
    // One transaction: a running server reading the catalog sees the old index or the new one.
    await this.catalog.transaction(async (w) => {
      await w.clear();
      for (const id of this.sessionIds()) {
        const dir = this.sessionDir(id);
        let m: Manifest;
        try {
          m = readManifest(dir);
        } catch (err) {
          // Recovery quarantines it; the index goes on without it.
          this.#log?.error({ err, sessionId: id }, 'reindex | manifest unreadable; session left out');
          continue;
        }
        await w.indexManifest(m, { manifestSha256: seal.get(id), retainUntil: this.retainUntil(m) });
        const reason = hold.get(id);
        if (reason !== undefined && reason !== null) await w.setLegalHold(id, true, reason);
        const bf = path.join(dir, BOOKMARKS_FILE);
        if (fs.existsSync(bf)) {
          for (const b of bookmarkFileSchema.parse(JSON.parse(fs.readFileSync(bf, 'utf8')))) {
            await w.addBookmark(b);
            bookmarks++;
          }
        }
        sessions++;
      }
      for (const [id, e] of tombstones) {
        if (fs.existsSync(path.join(this.root, id))) continue;
        const d = e.details;
        const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
        await w.insertTombstone({
          sessionId: id,
          kind: str(d.kind) ?? 'petition',
          roomId: str(d.roomId) ?? '',
          caseNumber: str(d.caseNumber),
          startedAt: str(d.startedAt) ?? e.at,
          retentionClass: str(d.retentionClass) ?? '',
          deletedAt: e.at,
          manifestSha256: str(d.manifestSha256),
        });
        tombstoneCount++;
      }
    });
    return { sessions, tombstones: tombstoneCount, holds: [...hold.values()].filter((v) => v !== null).length, bookmarks };
  }

}
