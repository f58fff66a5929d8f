// Evidence packages: one .tar holding the original segments (byte for byte), the manifest,
// SHA256SUMS, the session's audit excerpt and a package.json, built in the background with
// progress. The export is written to the audit log before the package is built, so the package
// carries the record of its own making; completion (with the package's hash) is logged after.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { conflict, forbidden, notFound } from '../server/core/errors.ts';
import type { Logger } from '../server/core/log.ts';
import type { AuditActor } from './audit-chain.ts';
import type { Archive } from './archive.ts';
import { MANIFEST_FILE, allSegments, segmentPath } from './manifest.ts';
import { TarWriter } from './tar.ts';
import type { ExportJobView } from '../server/protocol/http/archive-shapes.ts';
import { PACKAGE_AUDIT_FILE, PACKAGE_HASHES_FILE, PACKAGE_INFO_FILE, packageInfoSchema } from './verify.ts';
import { sha256Hex } from './audit-chain.ts';
import type { z } from 'zod';

/** A job as the server keeps it: what clients see (ExportJobView), plus who asked and where the file is. */
export type ExportJob = Omit<ExportJobView, 'progress'> & {
  actor: AuditActor;
  file?: string;
};

/** What clients see of a job (no server paths). */
export function publicJob(j: ExportJob): ExportJobView {
  const { file: _file, actor: _actor, ...rest } = j;
  return { ...rest, progress: j.bytesTotal > 0 ? Math.min(1, j.bytesDone / j.bytesTotal) : j.state === 'done' ? 1 : 0 };
}

export class ExportJobs {
  readonly #jobs = new Map<string, ExportJob>();
  /** Settles when the job's package is built or has failed. */
  readonly #built = new Map<string, Promise<void>>();

  constructor(
    private readonly archive: Archive,
    private readonly log: Logger,
  ) {}

  /** Resolves once the export is in the audit log; the package is then built in the background. */
  async start(sessionId: string, actor: AuditActor): Promise<ExportJob> {
    const m = await this.archive.assertAndGetManifest(sessionId);
    if (m.status === 'recording') throw conflict(`session ${sessionId} is still recording`);
    const dir = this.archive.sessionDir(sessionId);
    const segments = allSegments(m);
    const job: ExportJob = {
      jobId: randomUUID(),
      packageId: randomUUID(),
      sessionId,
      state: 'running',
      bytesDone: 0,
      bytesTotal: segments.reduce((n, s) => n + s.segment.bytes, 0),
      createdAt: new Date().toISOString(),
      actor,
    };
    await this.archive.audit.append({ type: 'export', sessionId, actor, details: { packageId: job.packageId, jobId: job.jobId, segments: segments.length, bytes: job.bytesTotal } });
    this.#jobs.set(job.jobId, job);
    this.#built.set(
      job.jobId,
      this.#build(job, dir).catch((err: unknown) => {
        job.state = 'failed';
        job.error = 'package could not be built';
        job.finishedAt = new Date().toISOString();
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

  async #build(job: ExportJob, dir: string): Promise<void> {
    const { archive } = this;
    fs.mkdirSync(archive.exportDir, { recursive: true });
    const partial = path.join(archive.exportDir, `${job.packageId}.tar.partial`);
    const finalFile = path.join(archive.exportDir, `${job.sessionId}-${job.packageId}.tar`);
    const manifestBytes = fs.readFileSync(path.join(dir, MANIFEST_FILE));
    const m = await archive.assertAndGetManifest(job.sessionId);
    const segments = allSegments(m);
    const top = job.sessionId;
    const tar = new TarWriter(partial);
    try {
      const info: z.infer<typeof packageInfoSchema> = {
        format: 'suzhou-video-evidence-package/1',
        packageId: job.packageId,
        sessionId: job.sessionId,
        createdAt: job.createdAt,
        createdBy: { sub: job.actor.sub, ...(job.actor.name ? { name: job.actor.name } : {}), ...(job.actor.role ? { role: job.actor.role } : {}) },
        manifestSha256: sha256Hex(manifestBytes),
        segments: segments.length,
      };
      tar.addBuffer(`${top}/${PACKAGE_INFO_FILE}`, Buffer.from(JSON.stringify(info, null, 2) + '\n'));
      tar.addBuffer(`${top}/${MANIFEST_FILE}`, manifestBytes);
      const sums = segments.map(({ segment }) => `${segment.sha256}  ${segment.file}`).join('\n') + '\n';
      tar.addBuffer(`${top}/${PACKAGE_HASHES_FILE}`, Buffer.from(sums));
      const excerpt = archive.audit.excerptFor(job.sessionId).map((e) => JSON.stringify(e)).join('\n') + '\n';
      tar.addBuffer(`${top}/${PACKAGE_AUDIT_FILE}`, Buffer.from(excerpt));
      for (const { segment } of segments) {
        await tar.addFile(`${top}/${segment.file}`, segmentPath(dir, segment.file), (n) => (job.bytesDone += n));
      }
      const { sha256, bytes } = tar.finish();
      fs.renameSync(partial, finalFile);
      await archive.audit.append({ type: 'export-completed', sessionId: job.sessionId, actor: job.actor, details: { packageId: job.packageId, sha256, bytes } });
      Object.assign(job, { state: 'done', sha256, bytes, file: finalFile, finishedAt: new Date().toISOString() });
    } catch (err) {
      tar.abort();
      fs.rmSync(partial, { force: true });
      throw err;
    }
  }

  /** Builds a package and waits for it (CLI and tests). */
  async exportAndWait(sessionId: string, actor: AuditActor): Promise<ExportJob> {
    const job = await this.start(sessionId, actor);
    await this.#built.get(job.jobId);
    if (job.state === 'failed') throw new Error(job.error);
    return job;
  }
}
