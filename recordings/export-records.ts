// Export jobs as the cluster keeps them: one row per job in the shared store (SQLite or
// PostgreSQL, server/core/db.ts), so any node behind the load balancer answers a job's progress
// and serves its package (the package itself is on the shared RECORDINGS_DIR), and a node
// restart loses nothing but the jobs it was building. The node building a job writes its
// progress and a heartbeat into the row every second; a job whose heartbeat stopped (its node
// died or was stopped) is marked failed by whichever node looks next (the sweep, or a read).
// One-time download tickets live here too: the page may redeem one on another node.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { execAll, type Migration, type Store } from '../server/core/db.ts';
import type { AuditActor } from '../server/core/audit-chain.ts';
import type { ExportJobView } from '../server/protocol/http/archive-shapes.ts';

export const EXPORT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'archive-003-export-jobs',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE archive_export_jobs (
          job_id TEXT PRIMARY KEY,
          package_id TEXT NOT NULL,
          session_id TEXT NOT NULL,
          node_id TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled')),
          phase TEXT NOT NULL,
          composite INTEGER NOT NULL DEFAULT 0,
          composite_state TEXT,
          bytes_done BIGINT NOT NULL DEFAULT 0,
          bytes_total BIGINT NOT NULL DEFAULT 0,
          actor TEXT NOT NULL,
          created_at TEXT NOT NULL,
          finished_at TEXT,
          heartbeat_at BIGINT NOT NULL,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          result_file TEXT,
          sha256 TEXT,
          bytes BIGINT,
          error TEXT
        )`,
        `CREATE INDEX archive_export_jobs_running ON archive_export_jobs(state, heartbeat_at)`,
        `CREATE TABLE archive_export_tickets (
          ticket_sha256 TEXT PRIMARY KEY,
          job_id TEXT NOT NULL REFERENCES archive_export_jobs(job_id) ON DELETE CASCADE,
          actor TEXT NOT NULL,
          expires_at BIGINT NOT NULL
        )`,
      ]),
  },
];

interface ExportTables {
  archive_export_jobs: {
    job_id: string;
    package_id: string;
    session_id: string;
    node_id: string;
    state: ExportJobView['state'];
    phase: ExportJobView['phase'];
    composite: number;
    composite_state: string | null;
    bytes_done: number;
    bytes_total: number;
    actor: string;
    created_at: string;
    finished_at: string | null;
    heartbeat_at: number;
    cancel_requested: number;
    result_file: string | null;
    sha256: string | null;
    bytes: number | null;
    error: string | null;
  };
  archive_export_tickets: { ticket_sha256: string; job_id: string; actor: string; expires_at: number };
}

/** A job as stored: what clients see (less the derived progress), who asked, which node builds it, the package's file name under the export folder. */
export type ExportJobRecord = Omit<ExportJobView, 'progress' | 'percent'> & {
  actor: AuditActor;
  nodeId: string;
  /** The package's name in the archive's export folder, once done. */
  resultFile?: string;
  /** Someone asked (on any node) that the job stop. */
  cancelRequested?: boolean;
};

type Row = ExportTables['archive_export_jobs'];

function toRecord(r: Row): ExportJobRecord {
  return {
    jobId: r.job_id,
    packageId: r.package_id,
    sessionId: r.session_id,
    nodeId: r.node_id,
    state: r.state,
    phase: r.phase,
    options: { composite: r.composite === 1 },
    bytesDone: r.bytes_done,
    bytesTotal: r.bytes_total,
    createdAt: r.created_at,
    actor: JSON.parse(r.actor) as AuditActor,
    ...(r.composite_state ? { composite: JSON.parse(r.composite_state) as NonNullable<ExportJobView['composite']> } : {}),
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
    ...(r.result_file ? { resultFile: r.result_file } : {}),
    ...(r.sha256 ? { sha256: r.sha256 } : {}),
    ...(r.bytes !== null ? { bytes: r.bytes } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.cancel_requested ? { cancelRequested: true } : {}),
  };
}

/** The columns a running job's progress changes. */
function progressColumns(j: ExportJobRecord): Partial<Row> {
  return { phase: j.phase, bytes_done: j.bytesDone, bytes_total: j.bytesTotal, composite_state: j.composite ? JSON.stringify(j.composite) : null };
}

const ticketKey = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

export class ExportRecords {
  readonly #db: Kysely<ExportTables>;

  constructor(store: Store) {
    this.#db = store.db<ExportTables>();
  }

  async insert(j: ExportJobRecord, now = Date.now()): Promise<void> {
    await this.#db
      .insertInto('archive_export_jobs')
      .values({
        job_id: j.jobId, package_id: j.packageId, session_id: j.sessionId, node_id: j.nodeId, state: j.state,
        composite: j.options.composite ? 1 : 0, actor: JSON.stringify(j.actor), created_at: j.createdAt, heartbeat_at: now,
        cancel_requested: 0, result_file: null, sha256: null, bytes: null, error: null, finished_at: null,
        ...(progressColumns(j) as Pick<Row, 'phase' | 'bytes_done' | 'bytes_total' | 'composite_state'>),
      })
      .execute();
  }

  async get(jobId: string): Promise<ExportJobRecord | undefined> {
    const r = await this.#db.selectFrom('archive_export_jobs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  /**
   * The builder's heartbeat with the job's progress. Answers whether the job is still running in
   * the store (a sweep may have failed it meanwhile) and whether someone asked it to stop.
   */
  async heartbeat(j: ExportJobRecord, now = Date.now()): Promise<{ running: boolean; cancelRequested: boolean }> {
    const r = await this.#db
      .updateTable('archive_export_jobs')
      .set({ ...progressColumns(j), heartbeat_at: now })
      .where('job_id', '=', j.jobId)
      .where('state', '=', 'running')
      .returning('cancel_requested')
      .executeTakeFirst();
    return { running: r !== undefined, cancelRequested: r?.cancel_requested === 1 };
  }

  /**
   * The job's end, written only while the store still has it running. Answers whether it was:
   * the one caller that gets true is the one that ended the job (and writes its audit entry).
   */
  async finish(j: ExportJobRecord): Promise<boolean> {
    const r = await this.#db
      .updateTable('archive_export_jobs')
      .set({
        ...progressColumns(j),
        state: j.state,
        finished_at: j.finishedAt ?? new Date().toISOString(),
        result_file: j.resultFile ?? null,
        sha256: j.sha256 ?? null,
        bytes: j.bytes ?? null,
        error: j.error ?? null,
      })
      .where('job_id', '=', j.jobId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async requestCancel(jobId: string): Promise<void> {
    await this.#db.updateTable('archive_export_jobs').set({ cancel_requested: 1 }).where('job_id', '=', jobId).where('state', '=', 'running').execute();
  }

  /**
   * Running jobs whose builder has not been heard of since `staleBefore` (epoch ms) are failed;
   * with `jobId` only that one. Returns the jobs it failed: the conditional update decides, so
   * of several nodes sweeping at once exactly one gets each job (and writes its audit entry).
   */
  async failStale(staleBefore: number, reason: (nodeId: string) => string, jobId?: string): Promise<ExportJobRecord[]> {
    let q = this.#db.selectFrom('archive_export_jobs').selectAll().where('state', '=', 'running').where('heartbeat_at', '<', staleBefore);
    if (jobId) q = q.where('job_id', '=', jobId);
    const failed: ExportJobRecord[] = [];
    for (const r of await q.execute()) {
      const finishedAt = new Date().toISOString();
      const error = reason(r.node_id);
      // Conditional on the heartbeat read: a builder that came back meanwhile keeps its job.
      const u = await this.#db
        .updateTable('archive_export_jobs')
        .set({ state: 'failed', finished_at: finishedAt, error })
        .where('job_id', '=', r.job_id)
        .where('state', '=', 'running')
        .where('heartbeat_at', '=', r.heartbeat_at)
        .executeTakeFirst();
      if (Number(u.numUpdatedRows) > 0) failed.push({ ...toRecord(r), state: 'failed', finishedAt, error });
    }
    return failed;
  }

  async addTicket(ticket: string, jobId: string, actor: AuditActor, expiresAt: number): Promise<void> {
    await this.#db.deleteFrom('archive_export_tickets').where('expires_at', '<', Date.now()).execute();
    await this.#db.insertInto('archive_export_tickets').values({ ticket_sha256: ticketKey(ticket), job_id: jobId, actor: JSON.stringify(actor), expires_at: expiresAt }).execute();
  }

  /** Takes the ticket (one use, whether or not it is still valid): its job and actor, or undefined. */
  async redeemTicket(ticket: string): Promise<{ jobId: string; actor: AuditActor; expiresAt: number } | undefined> {
    const r = await this.#db.deleteFrom('archive_export_tickets').where('ticket_sha256', '=', ticketKey(ticket)).returningAll().executeTakeFirst();
    return r ? { jobId: r.job_id, actor: JSON.parse(r.actor) as AuditActor, expiresAt: r.expires_at } : undefined;
  }
}
