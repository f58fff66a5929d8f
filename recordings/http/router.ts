// Archive API for archivists (档案员) and admins (mount at archiveArea.base, /api/archive): the
// endpoint table in server/protocol/http/archive.ts (role archivist or admin with
// grant.canArchive) served by the one area router. Every view, segment fetch, export, hold,
// bookmark and verify is appended to the chained audit log with the caller's identity. Segment
// bytes (with Range) and package downloads are raw entries answered here; documented in
// docs/http-api.md.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Router } from 'express';
import { AppError, badRequest, conflict, notFound } from '../../server/core/errors.ts';
import { createAreaRouter, type TokenVerifier } from '../../server/core/http/area-router.ts';
import type { Logger } from '../../server/core/log.ts';
import type { Claims } from '../../server/protocol/claims.ts';
import { archiveArea } from '../../server/protocol/http/archive.ts';
import type { AuditActor } from '../audit-chain.ts';
import type { Archive } from '../archive.ts';
import { ExportJobs, publicJob } from '../export.ts';
import { allSegments, segmentPath } from '../manifest.ts';
import { verifySessionDir } from '../verify.ts';

export interface ArchiveRouterDeps {
  archive: Archive;
  tokens: TokenVerifier;
  log: Logger;
  /** Shared with whoever else starts exports; one is made if absent. */
  exports?: ExportJobs;
}

const actorOf = (c: Claims): AuditActor => ({ kind: 'user', sub: c.sub, name: c.name, role: c.role });

export function createArchiveRouter(deps: ArchiveRouterDeps): Router {
  const { archive, tokens, log } = deps;
  const exportJobs = deps.exports ?? new ExportJobs(archive, log);

  // Range requests from a player arrive by the dozen; one audit entry per token and segment.
  const segmentViews = new Set<string>();

  // A browser saves a large package straight to disk only through a plain link, which cannot
  // carry an Authorization header: the page asks for a one-time ticket valid for a minute.
  const downloadTickets = new Map<string, { jobId: string; actor: AuditActor; expiresAt: number }>();
  const redeemTicket = (ticket: string | undefined, jobId: string): AuditActor => {
    const t = ticket === undefined ? undefined : downloadTickets.get(ticket);
    if (ticket !== undefined) downloadTickets.delete(ticket); // one use
    if (!t || t.jobId !== jobId || t.expiresAt < Date.now()) throw new AppError('unauthorized', 'download ticket invalid or expired');
    return t.actor;
  };

  /** The session's catalog row, checked before a hold changes anything. */
  const catalogRow = async (sessionId: string) => {
    await archive.assertAndGetManifest(sessionId);
    const row = await archive.catalog.get(sessionId);
    if (!row) throw notFound(`session ${sessionId} is not in the catalog (run archive:reindex)`);
    return row;
  };

  return createAreaRouter(
    archiveArea,
    {
      'archive.search': async ({ claims, query }) => {
        const rows = await archive.catalog.search(query);
        await archive.audit.append({ type: 'search', actor: actorOf(claims), details: { query, results: rows.length } });
        return { sessions: rows };
      },

      'archive.session': async ({ claims, params: { sessionId }, req }) => {
        const m = await archive.assertAndGetManifest(sessionId);
        const row = await archive.catalog.get(sessionId);
        await archive.audit.append({ type: 'view', sessionId, actor: actorOf(claims), details: { what: 'session' } });
        const base = `${req.baseUrl}/sessions/${encodeURIComponent(sessionId)}/segments/`;
        return {
          session: row,
          manifest: {
            ...m,
            participants: m.participants.map((p) => ({
              ...p,
              tracks: p.tracks.map((t) => ({ ...t, segments: t.segments.map((s) => ({ ...s, url: base + encodeURIComponent(s.id) })) })),
            })),
          },
          gaps: m.participants.flatMap((p) => p.gaps.map((g) => ({ participantId: p.participantId, ...g }))),
          timeline: m.timeline,
          bookmarks: await archive.catalog.bookmarks(sessionId),
        };
      },

      'archive.segment': async ({ claims, params: { sessionId, segmentId }, req, res }) => {
        const m = await archive.assertAndGetManifest(sessionId);
        const found = allSegments(m).find(({ segment }) => segment.id === segmentId);
        if (!found) throw notFound(`segment ${segmentId} not found`);
        const file = segmentPath(archive.sessionDir(sessionId), found.segment.file);
        if (!fs.existsSync(file)) throw new AppError('gone', `segment ${segmentId} is missing from the archive`);
        const viewKey = `${claims.jti}:${sessionId}:${segmentId}`;
        if (!segmentViews.has(viewKey)) {
          if (segmentViews.size > 10_000) segmentViews.clear();
          segmentViews.add(viewKey);
          await archive.audit.append({ type: 'view-segment', sessionId, actor: actorOf(claims), details: { segmentId, file: found.segment.file } });
        }
        const size = fs.statSync(file).size;
        const container = found.segment.file.endsWith('.webm') ? 'webm' : 'x-matroska';
        res.setHeader('Content-Type', `${found.track.kind}/${container}`);
        res.setHeader('Accept-Ranges', 'bytes');
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('X-Content-SHA256', found.segment.sha256);
        const range = parseRange(req.get('range'), size);
        if (range === 'unsatisfiable') {
          res.status(416).setHeader('Content-Range', `bytes */${size}`).end();
          return;
        }
        const [start, end] = range ?? [0, size - 1];
        res.status(range ? 206 : 200);
        if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        res.setHeader('Content-Length', String(size === 0 ? 0 : end - start + 1));
        if (req.method === 'HEAD' || size === 0) {
          res.end();
          return;
        }
        fs.createReadStream(file, { start, end }).on('error', (err) => res.destroy(err)).pipe(res);
      },

      'archive.bookmarks': async ({ params: { sessionId } }) => {
        await archive.assertAndGetManifest(sessionId);
        return { bookmarks: await archive.catalog.bookmarks(sessionId) };
      },
      'archive.addBookmark': async ({ claims, params: { sessionId }, body }) => ({
        bookmark: await archive.addBookmark(sessionId, actorOf(claims), body.offsetSeconds, body.note),
      }),

      'archive.verify': async ({ claims, params: { sessionId } }) => {
        const m = await archive.assertAndGetManifest(sessionId);
        const { seal, checkpointed } = archive.integrityRecordOf(sessionId);
        const r = await verifySessionDir(archive.sessionDir(sessionId), sessionId, seal, checkpointed);
        const ok = !r.problems.some((p) => p.severity === 'error');
        await archive.audit.append({ type: 'verify', sessionId, actor: actorOf(claims), details: { ok, segments: r.segments, problems: r.problems.length } });
        return { ok, status: m.status, segmentsChecked: r.segments, problems: r.problems };
      },

      'archive.placeHold': async ({ claims, params: { sessionId }, body }) => {
        if ((await catalogRow(sessionId)).legalHold) throw conflict('session is already under legal hold');
        await archive.placeLegalHold(sessionId, actorOf(claims), body.reason);
        return { session: await catalogRow(sessionId) };
      },
      'archive.releaseHold': async ({ claims, params: { sessionId }, query, body }) => {
        const reason = query.reason ?? body.reason;
        if (!reason) throw badRequest('invalid query: reason: required (in ?reason= or a JSON body)', ['reason: required']);
        if (!(await catalogRow(sessionId)).legalHold) throw conflict('session is not under legal hold');
        await archive.releaseLegalHold(sessionId, actorOf(claims), reason);
        return { session: await catalogRow(sessionId) };
      },

      'archive.startExport': async ({ claims, params: { sessionId }, req }) => {
        const job = await exportJobs.start(sessionId, actorOf(claims));
        return { job: publicJob(job), pollUrl: `${req.baseUrl}/exports/${job.jobId}` };
      },
      'archive.exportJob': ({ claims, params: { jobId }, req }) => {
        const job = exportJobs.assertAndGet(jobId, actorOf(claims));
        return { job: publicJob(job), ...(job.state === 'done' ? { downloadUrl: `${req.baseUrl}/exports/${job.jobId}/download` } : {}) };
      },
      'archive.downloadTicket': ({ claims, params: { jobId }, req }) => {
        const actor = actorOf(claims);
        const job = exportJobs.assertAndGet(jobId, actor);
        if (job.state !== 'done') throw conflict(`export is ${job.state}`);
        const now = Date.now();
        for (const [k, v] of downloadTickets) if (v.expiresAt < now) downloadTickets.delete(k);
        const ticket = randomBytes(32).toString('base64url');
        downloadTickets.set(ticket, { jobId: job.jobId, actor, expiresAt: now + 60_000 });
        return { url: `${req.baseUrl}/exports/${job.jobId}/download?ticket=${ticket}` };
      },
      'archive.download': async ({ claims, params: { jobId }, query, res }) => {
        const actor = claims ? actorOf(claims) : redeemTicket(query.ticket, jobId);
        const job = exportJobs.assertAndGet(jobId, actor);
        if (job.state !== 'done' || !job.file) throw conflict(`export is ${job.state}`);
        if (!fs.existsSync(job.file)) throw new AppError('gone', 'export package no longer available');
        await archive.audit.append({ type: 'export-download', sessionId: job.sessionId, actor, details: { packageId: job.packageId, sha256: job.sha256 } });
        res.setHeader('Content-Type', 'application/x-tar');
        res.setHeader('Content-Disposition', `attachment; filename="${job.sessionId}-${job.packageId}.tar"`);
        res.setHeader('Content-Length', String(job.bytes ?? fs.statSync(job.file).size));
        if (job.sha256) res.setHeader('X-Content-SHA256', job.sha256);
        fs.createReadStream(job.file).on('error', (err) => res.destroy(err)).pipe(res);
      },
    },
    { tokens, log, bodyLimit: '16kb' },
  );
}

/** One `bytes=` range; undefined means send the whole file. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // multi-range or malformed: whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}
