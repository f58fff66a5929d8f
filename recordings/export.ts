// Evidence packages: one .tar holding the original segments (byte for byte), the manifest,
// SHA256SUMS and SM3SUMS, the session's audit excerpt, the archive's public keys and the TSA's
// CA, the signed statements with their signatures and timestamp tokens as files OpenSSL checks,
// derived copies (composite video, transcripts) beside the originals, and a package.json —
// built in the background with progress. The export is written to the audit log before the
// package is built, so the package carries the record of its own making; completion (with the
// package's hash) is logged after.
//
// The tar writer stays hand-written (recordings/tar.ts): verification needs random access to
// entries by offset, which tar-stream's streaming extract does not give, and the writer is 60
// lines that hash as they write.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { conflict, forbidden, notFound } from '../server/core/errors.ts';
import type { Logger } from '../server/core/log.ts';
import { sha256Hex, sm3Hex, type AuditActor, type AuditEntry } from '../server/core/audit-chain.ts';
import { readPublishedKeys } from './archive-keys.ts';
import type { Archive } from './archive.ts';
import { CompositeRender, type CompositeOptions } from './composite.ts';
import { evidenceOf } from './evidence-check.ts';
import { MANIFEST_FILE, allSegments, hashFile, segmentPath } from './manifest.ts';
import { statementBytes, statementFileName } from './statements.ts';
import { TarWriter } from './tar.ts';
import { transcriptsOf } from './transcripts.ts';
import type { ExportJobView } from '../server/protocol/http/archive-shapes.ts';
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

/** A job as the server keeps it: what clients see (ExportJobView), plus who asked and where the file is. */
export type ExportJob = Omit<ExportJobView, 'progress' | 'percent'> & {
  actor: AuditActor;
  file?: string;
};

/** Share of the whole job that rendering takes when a composite is asked for. */
const COMPOSITE_SHARE = 0.9;

/** What clients see of a job (no server paths). */
export function publicJob(j: ExportJob): ExportJobView {
  const { file: _file, actor: _actor, ...rest } = j;
  const packing = j.bytesTotal > 0 ? Math.min(1, j.bytesDone / j.bytesTotal) : j.state === 'done' ? 1 : 0;
  const progress = j.state === 'done' ? 1 : j.options.composite ? COMPOSITE_SHARE * (j.composite?.progress ?? 0) + (1 - COMPOSITE_SHARE) * packing : packing;
  return { ...rest, progress, percent: Math.floor(progress * 100) };
}

export interface ExportOptions {
  composite?: boolean;
}

class Cancelled extends Error {}

export class ExportJobs {
  readonly #jobs = new Map<string, ExportJob>();
  /** Settles when the job's package is built or has failed. */
  readonly #built = new Map<string, Promise<void>>();
  readonly #renders = new Map<string, CompositeRender>();
  readonly #cancelled = new Set<string>();

  constructor(
    private readonly archive: Archive,
    private readonly log: Logger,
    private readonly composite?: Omit<CompositeOptions, 'tile' | 'fps'>,
  ) {}

  get canComposite(): boolean {
    return this.composite !== undefined;
  }

  /** Resolves once the export is in the audit log; the package is then built in the background. */
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
    this.#jobs.set(job.jobId, job);
    this.#built.set(
      job.jobId,
      this.#build(job, dir).catch(async (err: unknown) => {
        job.finishedAt = new Date().toISOString();
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
      }),
    );
    return job;
  }

  /** A job, visible to whoever started it and to admins. */
  assertAndGet(jobId: string, actor: AuditActor): ExportJob {
    const job = this.#jobs.get(jobId);
    if (!job) throw notFound(`export ${jobId} not found`);
    if (job.actor.sub !== actor.sub && actor.role !== 'admin') throw forbidden('this export belongs to someone else');
    return job;
  }

  /** Stops a running job (its ffmpeg is killed, the partial package removed). */
  async cancel(jobId: string, actor: AuditActor): Promise<ExportJob> {
    const job = this.assertAndGet(jobId, actor);
    if (job.state !== 'running') throw conflict(`export is ${job.state}`);
    this.#cancelled.add(jobId);
    this.#renders.get(jobId)?.cancel();
    await this.#built.get(jobId);
    return job;
  }

  /** The composite video of a finished job (for playing it in the page). */
  compositeFile(jobId: string, actor: AuditActor): string {
    const job = this.assertAndGet(jobId, actor);
    const file = this.#compositePath(job);
    if (!job.composite?.sha256 || !fs.existsSync(file)) throw notFound('this export has no composite video');
    return file;
  }

  #compositePath(job: ExportJob): string {
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
      this.#checkCancelled(job);
      const { sha256, bytes } = tar.finish();
      fs.renameSync(partial, finalFile);
      await archive.audit.append({ type: 'export-completed', sessionId: job.sessionId, actor: job.actor, details: { packageId: job.packageId, sha256, bytes } });
      Object.assign(job, { state: 'done', phase: 'finished', sha256, bytes, file: finalFile, finishedAt: new Date().toISOString() });
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

  /** Ends every running render (shutdown). */
  close(): void {
    for (const r of this.#renders.values()) r.cancel();
  }
}
