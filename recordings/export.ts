// Evidence packages: one .tar holding the original segments (byte for byte), the manifest,
// SHA256SUMS and SM3SUMS, the session's audit excerpt, the archive's public keys and the TSA's
// CA, the signed statements with their signatures and timestamp tokens as files OpenSSL checks,
// derived copies (composite video, transcripts) beside the originals, and a package.json —
// built in the background with progress, the job kept in the shared store so that any node
// answers for it (export-records.ts). The export is written to the audit log before the
// package is built, so the package carries the record of its own making; completion (with the
// package's hash) is logged after.
//
// The tar writer stays hand-written (recordings/tar.ts): verification needs random access to
// entries by offset, which tar-stream's streaming extract does not give, and the writer is 60
// lines that hash as they write.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, conflict, forbidden, notFound } from '../server/core/errors.ts';
import type { Logger } from '../server/core/log.ts';
import { SYSTEM_ACTOR, sha256Hex, sm3Hex, type AuditActor, type AuditEntry } from '../server/core/audit-chain.ts';
import { readPublishedKeys } from './archive-keys.ts';
import type { Archive } from './archive.ts';
import { CompositeRender, type CompositeOptions } from './composite.ts';
import { evidenceOf } from './evidence-check.ts';
import { MANIFEST_FILE, allSegments, hashFile, segmentPath } from './manifest.ts';
import { statementBytes, statementFileName } from './statements.ts';
import { TarWriter } from './tar.ts';
import { transcriptsOf } from './transcripts.ts';
import type { ExportJobView } from '../server/protocol/http/archive-shapes.ts';
import { ExportRecords, type ExportJobRecord } from './export-records.ts';
import {
  PACKAGE_AUDIT_FILE,
  PACKAGE_FORMAT,
  PACKAGE_HASHES_FILE,
  PACKAGE_INFO_FILE,
  PACKAGE_KEYS_FILE,
  PACKAGE_SM3_FILE,
  PACKAGE_TSA_CA_FILE,
  type DerivedFile,
  type packageInfoSchema,
} from './verify.ts';
import type { z } from 'zod';

/**
 * A job as the server keeps it: the stored record (export-records.ts: what clients see, who
 * asked, which node builds it) and, once done, the package's path on this node.
 */
export type ExportJob = ExportJobRecord & { file?: string };

/** Share of the whole job that rendering takes when a composite is asked for. */
const COMPOSITE_SHARE = 0.9;

/** What clients see of a job (no server paths, nor who asked). */
export function publicJob(j: ExportJob): ExportJobView {
  const { file: _file, actor: _actor, nodeId: _node, resultFile: _result, cancelRequested: _cancel, ...rest } = j;
  const packing = j.bytesTotal > 0 ? Math.min(1, j.bytesDone / j.bytesTotal) : j.state === 'done' ? 1 : 0;
  const progress = j.state === 'done' ? 1 : j.options.composite ? COMPOSITE_SHARE * (j.composite?.progress ?? 0) + (1 - COMPOSITE_SHARE) * packing : packing;
  return { ...rest, progress, percent: Math.floor(progress * 100) };
}

export interface ExportOptions {
  composite?: boolean;
}

/** How often a building node reports on its jobs, and how long one silent is taken for dead (config EXPORT_STALE_SECONDS). */
export interface ExportTiming {
  heartbeatMs?: number;
  staleMs?: number;
}

/** A download ticket's lifetime: long enough for a page to follow the link it was given. */
const TICKET_TTL_MS = 60_000;

class Cancelled extends Error {}

/**
 * Export jobs of the cluster. The jobs this node builds are in `#local` (their progress is
 * fresh here, their ffmpeg can be stopped here); every job is a row in the shared store, so
 * another node answers for it, asks its builder to cancel it through the row, and fails it once
 * its builder has been silent for `staleMs`.
 */
export class ExportJobs {
  readonly #records: ExportRecords;
  readonly #local = new Map<string, ExportJob>();
  /** Settles when the job's package is built or has failed. */
  readonly #built = new Map<string, Promise<void>>();
  readonly #renders = new Map<string, CompositeRender>();
  readonly #cancelled = new Set<string>();
  /** Jobs this node gave up (the store failed them, or the node stops): no cancellation entry. */
  readonly #lost = new Set<string>();
  readonly #heartbeatMs: number;
  readonly #staleMs: number;
  readonly #timer: NodeJS.Timeout;
  #ticks = 0;
  #beating = false;

  constructor(
    private readonly archive: Archive,
    private readonly log: Logger,
    private readonly composite?: Omit<CompositeOptions, 'tile' | 'fps'>,
    timing: ExportTiming = {},
  ) {
    this.#records = new ExportRecords(archive.store);
    this.#heartbeatMs = timing.heartbeatMs ?? 1000;
    this.#staleMs = Math.max(timing.staleMs ?? 15_000, 3 * this.#heartbeatMs);
    this.#timer = setInterval(() => void this.#tick(), this.#heartbeatMs);
    this.#timer.unref();
  }

  get canComposite(): boolean {
    return this.composite !== undefined;
  }

  get #nodeId(): string {
    return this.archive.leases.nodeId;
  }

  /** Resolves once the export is in the audit log and the store; the package is then built in the background. */
  async start(sessionId: string, actor: AuditActor, options: ExportOptions = {}): Promise<ExportJob> {
    const m = await this.archive.assertAndGetManifest(sessionId);
    if (m.status === 'recording') throw conflict(`session ${sessionId} is still recording`);
    if (options.composite && !this.composite) throw conflict('composite video is not configured on this node');
    const dir = this.archive.sessionDir(sessionId);
    const segments = allSegments(m);
    const composite = options.composite === true;
    const job: ExportJob = {
      jobId: randomUUID(),
      packageId: randomUUID(),
      sessionId,
      nodeId: this.#nodeId,
      state: 'running',
      phase: composite ? 'composite' : 'packing',
      options: { composite },
      bytesDone: 0,
      bytesTotal: segments.reduce((n, s) => n + s.segment.bytes, 0),
      createdAt: new Date().toISOString(),
      actor,
      ...(composite ? { composite: { progress: 0 } } : {}),
    };
    await this.archive.audit.append({ type: 'export', sessionId, actor, details: { packageId: job.packageId, jobId: job.jobId, segments: segments.length, bytes: job.bytesTotal, composite } });
    await this.#records.insert(job);
    this.#local.set(job.jobId, job);
    this.#built.set(
      job.jobId,
      this.#build(job, dir)
        .catch(async (err: unknown) => {
          job.finishedAt = new Date().toISOString();
          if (this.#lost.has(job.jobId)) {
            // Failed in the store (a sweep, or this node's shutdown), whose marker wrote the entry; what this build left goes.
            job.state = 'failed';
            this.#removeLeftovers(job);
            return;
          }
          if (err instanceof Cancelled || this.#cancelled.has(job.jobId)) {
            job.state = 'cancelled';
            await this.archive.audit
              .append({ type: 'export-cancelled', sessionId, actor: job.actor, details: { packageId: job.packageId, phase: job.phase } })
              .catch((e: unknown) => this.log.error({ err: e, jobId: job.jobId }, 'export-cancelled entry could not be written'));
            return;
          }
          job.state = 'failed';
          job.error = 'package could not be built';
          this.log.error({ err, jobId: job.jobId, sessionId }, 'evidence export failed');
        })
        .then(() => this.#settle(job)),
    );
    return job;
  }

  /** Writes the job's end to the store; the store may have failed it meanwhile (this node was silent too long). */
  async #settle(job: ExportJob): Promise<void> {
    this.#local.delete(job.jobId);
    this.#cancelled.delete(job.jobId);
    if (this.#lost.delete(job.jobId)) return;
    const recorded = await this.#records.finish(job).catch((err: unknown) => {
      this.log.error({ err, jobId: job.jobId }, 'export | the end of a job could not be stored; the sweep fails it');
      return false;
    });
    if (!recorded && job.state === 'done') {
      // Failed in the store while this node was not heard: its package is not offered.
      this.log.warn({ jobId: job.jobId }, 'export | job finished after the store had failed it; package removed');
      if (job.file) fs.rmSync(job.file, { force: true });
      this.#removeLeftovers(job);
      Object.assign(job, { state: 'failed', error: 'export stopped: its node was not heard from in time' });
    }
    if (recorded && job.state === 'failed') {
      this.#removeLeftovers(job);
      await this.#auditFailure(job);
    }
  }

  /** What a failed job leaves in the shared archive: its partial package and its composite video, partial or whole (a failed job's composite is no one's). */
  #removeLeftovers(j: ExportJobRecord): void {
    const composite = this.#compositePath(j);
    for (const file of [path.join(this.archive.exportDir, `${j.packageId}.tar.partial`), composite, `${composite}.partial.mp4`]) {
      try {
        fs.rmSync(file, { force: true });
      } catch (err) {
        // Logged, not thrown: the other failed jobs of a sweep still get their entries and clean-up.
        this.log.error({ err, jobId: j.jobId, file }, 'export | a failed job left a file that could not be removed');
      }
    }
  }

  /**
   * The failure's own audit entry, written by the one node whose conditional update marked the
   * row failed (ExportRecords.finish / failStale): exactly one per job, however many sweep.
   */
  async #auditFailure(j: ExportJobRecord): Promise<void> {
    await this.archive.audit
      .append({
        type: 'export-failed',
        sessionId: j.sessionId,
        actor: SYSTEM_ACTOR,
        details: { jobId: j.jobId, packageId: j.packageId, node: j.nodeId, markedBy: this.#nodeId, reason: j.error ?? 'export failed', phase: j.phase },
      })
      .catch((err: unknown) => this.log.error({ err, jobId: j.jobId }, 'export-failed entry could not be written'));
  }

  /** A job, visible to whoever started it and to admins, from whichever node builds it. */
  async assertAndGet(jobId: string, actor: AuditActor): Promise<ExportJob> {
    const local = this.#local.get(jobId);
    let job: ExportJob | undefined = local;
    if (!job) {
      const rec = await this.#records.get(jobId);
      if (!rec) throw notFound(`export ${jobId} not found`);
      // A job whose builder went silent is failed now, by the node asked, rather than shown running forever.
      const stale = rec.state === 'running' ? (await this.#failStale(rec.jobId))[0] : undefined;
      job = this.#withFile(stale ?? rec);
    }
    if (job.actor.sub !== actor.sub && actor.role !== 'admin') throw forbidden('this export belongs to someone else');
    return job;
  }

  #withFile(rec: ExportJobRecord): ExportJob {
    return rec.resultFile ? { ...rec, file: path.join(this.archive.exportDir, rec.resultFile) } : rec;
  }

  /**
   * Stops a running job (its ffmpeg is killed, the partial package removed). A job built on
   * another node is asked to stop through the store; the answer waits until it has (or its
   * node is found dead, and the job failed).
   */
  async cancel(jobId: string, actor: AuditActor): Promise<ExportJob> {
    const job = await this.assertAndGet(jobId, actor);
    if (job.state !== 'running') throw conflict(`export is ${job.state}`);
    if (this.#local.has(jobId)) {
      this.#cancelled.add(jobId);
      this.#renders.get(jobId)?.cancel();
      await this.#built.get(jobId);
      return job;
    }
    await this.#records.requestCancel(jobId);
    const deadline = Date.now() + this.#staleMs + 5 * this.#heartbeatMs;
    for (;;) {
      const now = await this.assertAndGet(jobId, actor);
      if (now.state !== 'running') return now;
      if (Date.now() > deadline) throw new AppError('unavailable', 'the node building this export has not stopped it yet; ask again');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A one-time link's ticket for a finished package, redeemable on any node. */
  async issueTicket(jobId: string, actor: AuditActor): Promise<string> {
    const job = await this.assertAndGet(jobId, actor);
    if (job.state !== 'done') throw conflict(`export is ${job.state}`);
    const ticket = randomBytes(32).toString('base64url');
    await this.#records.addTicket(ticket, jobId, actor, Date.now() + TICKET_TTL_MS);
    return ticket;
  }

  /** Whom the ticket was given to; one use. */
  async redeemTicket(ticket: string | undefined, jobId: string): Promise<AuditActor> {
    const t = ticket === undefined ? undefined : await this.#records.redeemTicket(ticket);
    if (!t || t.jobId !== jobId || t.expiresAt < Date.now()) throw new AppError('unauthorized', 'download ticket invalid or expired');
    return t.actor;
  }

  /** Heartbeats of the jobs built here (with any cancellation asked elsewhere), and now and then the sweep. */
  async #tick(): Promise<void> {
    if (this.#beating) return; // a slow store: one round at a time
    this.#beating = true;
    try {
      for (const job of this.#local.values()) if (job.state === 'running') await this.#beat(job);
      if (this.#ticks++ % Math.max(1, Math.round(this.#staleMs / this.#heartbeatMs / 3)) === 0) await this.#failStale();
    } catch (err) {
      this.log.warn({ err }, 'export | job heartbeat or sweep failed; retried');
    } finally {
      this.#beating = false;
    }
  }

  /** Reports a job built here to the store and takes in what the store says of it: cancelled elsewhere, or failed meanwhile. */
  async #beat(job: ExportJob): Promise<void> {
    const { running, cancelRequested } = await this.#records.heartbeat(job);
    if (!running && this.#local.has(job.jobId)) {
      this.log.warn({ jobId: job.jobId }, 'export | the store failed a job this node was building (not heard from in time); it stops');
      this.#lost.add(job.jobId);
    }
    if (!running || cancelRequested) {
      this.#cancelled.add(job.jobId);
      this.#renders.get(job.jobId)?.cancel();
    }
  }

  /** Fails the running jobs (or the one) whose builder has been silent for `staleMs`, each with its `export-failed` entry; removes their partial packages and composites. */
  async #failStale(jobId?: string): Promise<ExportJobRecord[]> {
    const failed = await this.#records.failStale(Date.now() - this.#staleMs, (node) => `export stopped: node ${node}, which was building it, is gone`, jobId);
    for (const j of failed) {
      await this.#auditFailure(j);
      if (j.nodeId === this.#nodeId && this.#local.has(j.jobId)) continue; // this node's own, silent through a stall: its heartbeat stops it, its build removes what it left
      this.#removeLeftovers(j);
      this.log.warn({ jobId: j.jobId, sessionId: j.sessionId, node: j.nodeId }, 'export | job of a node not heard from failed');
    }
    return failed;
  }

  /** The composite video of a finished job (for playing it in the page). */
  async compositeFile(jobId: string, actor: AuditActor): Promise<string> {
    const job = await this.assertAndGet(jobId, actor);
    const file = this.#compositePath(job);
    if (!job.composite?.sha256 || !fs.existsSync(file)) throw notFound('this export has no composite video');
    return file;
  }

  #compositePath(job: ExportJobRecord): string {
    return path.join(this.archive.derivedDir(job.sessionId), `composite-${job.packageId}.mp4`);
  }

  #checkCancelled(job: ExportJob): void {
    if (this.#cancelled.has(job.jobId)) throw new Cancelled();
  }

  async #renderComposite(job: ExportJob, dir: string): Promise<DerivedFile> {
    const m = await this.archive.assertAndGetManifest(job.sessionId);
    const out = this.#compositePath(job);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const render = CompositeRender.start(m, dir, path.join(this.archive.workDir, `composite-${job.jobId}`), out, this.composite!);
    this.#renders.set(job.jobId, render);
    render.on('progress', (p) => (job.composite!.progress = p));
    try {
      const r = await render.done;
      const entry = await this.archive.audit.append({
        type: 'composite',
        sessionId: job.sessionId,
        actor: job.actor,
        details: { packageId: job.packageId, sha256: r.sha256, sm3: r.sm3, bytes: r.bytes, durationSeconds: r.durationSeconds, sources: allSegments(m).length },
      });
      Object.assign(job.composite!, { progress: 1, sha256: r.sha256, sm3: r.sm3, bytes: r.bytes, durationSeconds: r.durationSeconds });
      return { file: 'derived/composite.mp4', kind: 'composite', sha256: r.sha256, sm3: r.sm3, bytes: r.bytes, auditSeq: entry.seq };
    } catch (err) {
      if (render.cancelled) throw new Cancelled();
      throw err;
    } finally {
      this.#renders.delete(job.jobId);
    }
  }

  async #build(job: ExportJob, dir: string): Promise<void> {
    const { archive } = this;
    const derived: { info: DerivedFile; source: string }[] = [];
    if (job.options.composite) {
      const info = await this.#renderComposite(job, dir);
      derived.push({ info, source: this.#compositePath(job) });
      job.phase = 'packing';
    }
    this.#checkCancelled(job);
    for (const t of transcriptsOf(archive, job.sessionId)) derived.push({ info: { ...t.derived, file: `derived/transcripts/${t.derived.file}` }, source: t.file });
    job.bytesTotal += derived.reduce((n, d) => n + d.info.bytes, 0);

    fs.mkdirSync(archive.exportDir, { recursive: true });
    const partial = path.join(archive.exportDir, `${job.packageId}.tar.partial`);
    const finalFile = path.join(archive.exportDir, `${job.sessionId}-${job.packageId}.tar`);
    const manifestBytes = fs.readFileSync(path.join(dir, MANIFEST_FILE));
    const m = await archive.assertAndGetManifest(job.sessionId);
    const segments = allSegments(m);
    const top = job.sessionId;
    const tar = new TarWriter(partial);
    try {
      const info: z.input<typeof packageInfoSchema> = {
        format: PACKAGE_FORMAT,
        packageId: job.packageId,
        sessionId: job.sessionId,
        createdAt: job.createdAt,
        createdBy: { sub: job.actor.sub, ...(job.actor.name ? { name: job.actor.name } : {}), ...(job.actor.role ? { role: job.actor.role } : {}) },
        manifestSha256: sha256Hex(manifestBytes),
        manifestSm3: sm3Hex(manifestBytes),
        segments: segments.length,
        derived: derived.map((d) => d.info),
      };
      const add = (rel: string, data: Buffer | string) => tar.addBuffer(`${top}/${rel}`, Buffer.isBuffer(data) ? data : Buffer.from(data));
      add(PACKAGE_INFO_FILE, JSON.stringify(info, null, 2) + '\n');
      add(MANIFEST_FILE, manifestBytes);
      // Recordings made before SM3 was added get theirs now (the manifest keeps its sealed bytes).
      const files = await Promise.all(
        segments.map(async ({ segment }) => ({ file: segment.file, sha256: segment.sha256, sm3: segment.sm3 ?? (await hashFile(segmentPath(dir, segment.file)))[2] })),
      );
      const listed = [...files, ...derived.map((d) => d.info)];
      add(PACKAGE_HASHES_FILE, listed.map((f) => `${f.sha256}  ${f.file}`).join('\n') + '\n');
      add(PACKAGE_SM3_FILE, listed.map((f) => `${f.sm3}  ${f.file}`).join('\n') + '\n');
      const excerpt = archive.audit.excerptFor(job.sessionId).map((e) => JSON.stringify(e));
      add(PACKAGE_AUDIT_FILE, excerpt.join('\n') + '\n');
      this.#addEvidence(add, excerpt);
      for (const { segment } of segments) {
        this.#checkCancelled(job);
        await tar.addFile(`${top}/${segment.file}`, segmentPath(dir, segment.file), (n) => (job.bytesDone += n));
      }
      for (const d of derived) await tar.addFile(`${top}/${d.info.file}`, d.source, (n) => (job.bytesDone += n));
      // The last word is the store's: a cancellation asked on another node since the last
      // heartbeat, or the job failed there meanwhile, and the package is not offered.
      await this.#beat(job);
      this.#checkCancelled(job);
      const { sha256, bytes } = tar.finish();
      fs.renameSync(partial, finalFile);
      await archive.audit.append({ type: 'export-completed', sessionId: job.sessionId, actor: job.actor, details: { packageId: job.packageId, sha256, bytes } });
      Object.assign(job, { state: 'done', phase: 'finished', sha256, bytes, file: finalFile, resultFile: path.basename(finalFile), finishedAt: new Date().toISOString() });
    } catch (err) {
      tar.abort();
      fs.rmSync(partial, { force: true });
      throw err;
    }
  }

  /**
   * Public keys (as JSON and as PEM files), the TSA's CA, and for every signed statement in the
   * excerpt its bytes, one .sig per algorithm and the .tsr token: what a records office checks
   * with OpenSSL alone (docs/evidence.md).
   */
  #addEvidence(add: (rel: string, data: Buffer | string) => void, excerpt: readonly string[]): void {
    const keys = readPublishedKeys(this.archive.evidence.keys.publishedFile);
    add(PACKAGE_KEYS_FILE, JSON.stringify({ format: 'suzhou-video-archive-keys/1', keys }, null, 2) + '\n');
    for (const k of keys) add(`keys/archive-${k.alg}-${k.keyId}.pem`, k.publicKeyPem);
    const ca = this.archive.evidence.tsaCaPem();
    if (ca) add(PACKAGE_TSA_CA_FILE, ca);
    const { statements, timestamps } = evidenceOf(excerpt);
    const tokens = new Map<number, AuditEntry>(timestamps.map((t) => [t.subjectSeq, t.entry]));
    for (const s of statements.values()) {
      const name = statementFileName(s.statement);
      add(name, statementBytes(s.statement));
      for (const sig of s.signatures) add(`${name}.${sig.alg}.sig`, Buffer.from(sig.value, 'base64'));
      const token = tokens.get(s.entry.seq);
      if (token) add(`${name}.tsr`, Buffer.from(token.details.token as string, 'base64'));
    }
  }

  /** Builds a package and waits for it (CLI and tests). */
  async exportAndWait(sessionId: string, actor: AuditActor, options: ExportOptions = {}): Promise<ExportJob> {
    const job = await this.start(sessionId, actor, options);
    await this.#built.get(job.jobId);
    if (job.state === 'failed') throw new Error(job.error);
    return job;
  }

  /**
   * Shutdown: the jobs this node builds are failed in the store at once (another node answers
   * for them from the row), and their renders and packing stop.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const job of this.#local.values()) {
      this.#lost.add(job.jobId);
      this.#cancelled.add(job.jobId);
      const stopped = { ...job, state: 'failed' as const, error: `export stopped: node ${this.#nodeId} was shut down while building it`, finishedAt: new Date().toISOString() };
      const marked = await this.#records.finish(stopped).catch((err: unknown) => {
        this.log.warn({ err, jobId: job.jobId }, 'export | could not fail a job at shutdown; the sweep of another node does');
        return false;
      });
      if (marked) await this.#auditFailure(stopped);
      this.#removeLeftovers(job);
    }
    for (const r of this.#renders.values()) r.cancel();
  }
}
