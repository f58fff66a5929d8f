// The archive on disk: DATA_DIR/recordings/<sessionId>/{manifest.json, <participant>/*.webm,
// bookmarks.json}, the chained audit log DATA_DIR/recordings/audit.jsonl, and the catalog in
// the node's store (server/core/db.ts). Session folders and the audit log are the truth; the
// catalog is an index rebuilt from them by `reindex()`.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { conflict, notFound } from '../server/core/errors.ts';
import { Store } from '../server/core/db.ts';
import { AuditLog, sha256Hex, type AuditActor } from '../server/core/audit-chain.ts';
import type { AuditType } from './audit-types.ts';
import { ARCHIVE_MIGRATIONS, Catalog, type Bookmark } from './catalog.ts';
import { measureDuration } from './ffmpeg.ts';
import { BOOKMARKS_FILE, MANIFEST_FILE, allSegments, hashFile, participantDirName, readManifest, sessionIdSchema, writeJsonAtomic, type Manifest, type Segment } from './manifest.ts';
import { waitUntilSettled, type SettleOptions } from './settle.ts';
import { collectCheckpoint, sealOf, type Checkpointed, type Seal } from './verify.ts';
import { ArchiveEvidence, type EvidenceOptions } from './evidence.ts';

/**
 * Days a recording is kept after it ends, by retention class. Defaults are placeholders to be
 * set by the records office (信访档案 rules); a legal hold suspends deletion indefinitely.
 */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<string, number>> = {
  petition: 3 * 365,
  household: 30,
};

export interface ArchiveOptions {
  dataDir: string;
  retentionDays?: Record<string, number>;
  /** The node's store; without one the archive opens (and closes) SQLite in DATA_DIR/app.db. */
  store?: Store;
  /** Signing keys and TSA (recordings/evidence.ts); keys default to DATA_DIR/keys, both algorithms, no TSA. */
  evidence?: Partial<EvidenceOptions>;
}

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
  readonly root: string;
  readonly audit: AuditLog<AuditType>;
  readonly catalog: Catalog;
  readonly retentionDays: Record<string, number>;
  /** Seals, signatures, audit checkpoints and trusted timestamps. */
  readonly evidence: ArchiveEvidence;
  /** Set when the archive opened the store itself. */
  readonly #ownStore: Store | undefined;

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
      if ((await archive.catalog.isEmpty()) && archive.sessionIds().length > 0) await archive.reindex();
      return archive;
    } catch (err) {
      await own?.close();
      throw err;
    }
  }

  private constructor(opts: ArchiveOptions, store: Store, own: Store | undefined) {
    this.root = path.resolve(opts.dataDir, 'recordings');
    fs.mkdirSync(this.root, { recursive: true });
    this.audit = new AuditLog<AuditType>(path.join(this.root, 'audit.jsonl'));
    this.catalog = new Catalog(store);
    this.#ownStore = own;
    this.retentionDays = { ...DEFAULT_RETENTION_DAYS, ...opts.retentionDays };
    this.evidence = new ArchiveEvidence(this.audit, this.root, { keyDir: path.resolve(opts.dataDir, 'keys'), ...opts.evidence });
  }

  async close(): Promise<void> {
    this.evidence.close();
    await this.#ownStore?.close();
  }

  /** Scratch space (SDP files) kept out of the evidence folders. */
  get workDir(): string {
    return path.join(this.root, '.work');
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
    const days = this.retentionDays[m.retentionClass] ?? this.retentionDays[m.caseInfo.kind] ?? DEFAULT_RETENTION_DAYS.petition!;
    const end = Date.parse(m.stoppedAt ?? m.startedAt);
    return new Date(end + days * 86_400_000).toISOString();
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

  async releaseLegalHold(sessionId: string, actor: AuditActor, reason: string): Promise<void> {
    await this.assertAndGetManifest(sessionId);
    await this.audit.append({ type: 'legal-hold-release', sessionId, actor, details: { reason } });
    await this.catalog.setLegalHold(sessionId, false, null);
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
    const file = path.join(this.sessionDir(sessionId), BOOKMARKS_FILE);
    const existing = fs.existsSync(file) ? bookmarkFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))) : [];
    writeJsonAtomic(file, [...existing, b]);
    await this.catalog.addBookmark(b);
    await this.audit.append({ type: 'bookmark', sessionId, actor, details: { bookmarkId: b.bookmarkId, offsetSeconds, note } });
    return b;
  }

  /**
   * After a crash or power cut: sessions whose manifest still says "recording" but that no live
   * recorder owns. Segment files the manifest never got (the ones open at the crash) are hashed
   * and added, flagged truncated — defective recordings are kept, not dropped — and the session
   * is sealed as interrupted — once nothing writes into the folders any more (settle.ts): a
   * dead node's ffmpegs finish their open segments first. Call once at start-up, before any
   * recorder is created.
   */
  async recoverInterrupted(liveSessionIds: ReadonlySet<string> = new Set(), settle?: SettleOptions): Promise<string[]> {
    const recovered: string[] = [];
    const interrupted = this.sessionIds().filter((id) => !liveSessionIds.has(id) && readManifest(this.sessionDir(id)).status === 'recording');
    const settled = interrupted.length === 0 || (await waitUntilSettled(interrupted.map((id) => this.sessionDir(id)), settle));
    for (const id of interrupted) {
      const dir = this.sessionDir(id);
      const m = readManifest(dir);
      // Output slots of the spare ffmpegs that recorders before the RTP intake kept.
      for (const f of fs.readdirSync(dir)) if (f.startsWith('.slot-')) fs.rmSync(path.join(dir, f), { force: true });
      let last = Date.parse(m.startedAt);
      for (const p of m.participants) {
        for (const t of p.tracks) {
          const known = new Set(t.segments.map((x) => x.file));
          const pdir = path.join(dir, participantDirName(p.participantId));
          const files = fs.existsSync(pdir) ? fs.readdirSync(pdir).filter((f) => f.startsWith(`${t.trackId}-r`)).sort() : [];
          for (const f of files) {
            const rel = path.posix.join(path.basename(pdir), f);
            const match = /-r(\d+)-(\d+)\.\w+$/.exec(f);
            if (known.has(rel) || !match) continue;
            const [sha256, bytes, sm3] = await hashFile(path.join(pdir, f));
            const durationSeconds = await measureDuration(path.join(pdir, f)).catch(() => 0);
            const run = Number(match[1]);
            const prev = t.segments.filter((x) => x.run === run).at(-1);
            const at = prev ? Date.parse(prev.firstPacketAt) + prev.durationSeconds * 1000 : Date.parse(t.runs.find((r) => r.run === run)?.firstPacketAt ?? t.startedAt);
            const mtime = fs.statSync(path.join(pdir, f)).mtime;
            const segment: Segment = {
              id: f.replace(/\.\w+$/, ''), file: rel, run, seq: Number(match[2]), sha256, sm3, bytes,
              durationSeconds: Math.round(durationSeconds * 1000) / 1000,
              firstPacketAt: new Date(at).toISOString(),
              offsetSeconds: Math.round(at - Date.parse(m.startedAt)) / 1000,
              closedAt: mtime.toISOString(),
              truncated: true,
            };
            t.segments.push(segment);
            t.segments.sort((a, b) => a.run - b.run || a.seq - b.seq);
          }
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
        detail: settled ? 'recorder ended without stopping; sealed on recovery' : 'recorder ended without stopping; its files were still changing after the wait and were sealed as they were',
      });
      writeJsonAtomic(path.join(dir, MANIFEST_FILE), m);
      const sealed = await this.evidence.seal({ type: 'recording-interrupted', sessionId: id, manifestBytes: fs.readFileSync(path.join(dir, MANIFEST_FILE)), details: { segments: allSegments(m).length } });
      const manifestSha256 = sealed.details.manifestSha256 as string;
      await this.catalog.indexManifest(m, { manifestSha256, retainUntil: this.retainUntil(m) });
      recovered.push(id);
    }
    return recovered;
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
        const m = readManifest(dir);
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
