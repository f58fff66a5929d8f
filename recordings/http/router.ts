// Archive API for archivists (档案员) and admins (mount at archiveArea.base, /api/archive): the
// endpoint table in server/protocol/http/archive.ts (role archivist or admin with
// grant.canArchive) served by the one area router. Every view, segment fetch, export, hold,
// bookmark and verify is appended to the chained audit log with the caller's identity. Segment
// bytes (with Range) and package downloads are raw entries answered here; documented in
// docs/http-api.md.
import fs from 'node:fs';
import type { Request, Response, Router } from 'express';
import { AppError, badRequest, conflict, notFound } from '../../server/core/errors.ts';
import { createAreaRouter, type TokenVerifier } from '../../server/core/http/area-router.ts';
import type { Logger } from '../../server/core/log.ts';
import type { Claims } from '../../server/protocol/claims.ts';
import { archiveArea } from '../../server/protocol/http/archive.ts';
import type { AuditActor } from '../../server/core/audit-chain.ts';
import type { Archive } from '../archive.ts';
import { readAuditTrail } from '../audit-trail.ts';
import { checkEvidence } from '../evidence-check.ts';
import { ExportJobs, publicJob } from '../export.ts';
import { allSegments, segmentPath } from '../manifest.ts';
import { transcriptsOf, type TranscriptQueue } from '../transcripts.ts';
import { verifySessionDir } from '../verify.ts';
import { caseNames, type DirectoryNames } from './directory-names.ts';

export interface ArchiveRouterDeps {
  archive: Archive;
  tokens: TokenVerifier;
  log: Logger;
  /** Shared with whoever else starts exports; one is made if absent (without composite video). */
  exports?: ExportJobs;
  /** Speech-to-text for the session's audio tracks; absent when no model is configured. */
  transcripts?: TranscriptQueue;
  /** The directory's names for the case's region and departments; absent: ids only. */
  directory?: DirectoryNames;
}

/** Who did it and from where (the client address as express sees it: req.ip). */
const actorOf = (c: Claims, req?: Request): AuditActor => ({ kind: 'user', sub: c.sub, name: c.name, role: c.role, ...(req?.ip ? { from: req.ip } : {}) });

export function createArchiveRouter(deps: ArchiveRouterDeps): Router {
  const { archive, tokens, log } = deps;
  const exportJobs = deps.exports ?? new ExportJobs(archive, log);

  // Range requests from a player arrive by the dozen; one audit entry per token and segment.
  const segmentViews = new Set<string>();

  // A browser saves a large package straight to disk only through a plain link, which cannot
  // carry an Authorization header: the page asks for a one-time ticket valid for a minute, kept
  // in the shared store (the link may reach another node behind the load balancer).

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
      'archive.search': async ({ claims, query, req }) => {
        const rows = await archive.catalog.search(query);
        await archive.audit.append({ type: 'search', actor: actorOf(claims, req), details: { query, results: rows.length } });
        return { sessions: rows };
      },

      'archive.session': async ({ claims, params: { sessionId }, req }) => {
        const m = await archive.assertAndGetManifest(sessionId);
        const row = await archive.catalog.get(sessionId);
        await archive.audit.append({ type: 'view', sessionId, actor: actorOf(claims, req), details: { what: 'session' } });
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
          names: await caseNames(deps.directory, m.caseInfo),
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
          await archive.audit.append({ type: 'view-segment', sessionId, actor: actorOf(claims, req), details: { segmentId, file: found.segment.file } });
        }
        const container = found.segment.file.endsWith('.webm') ? 'webm' : 'x-matroska';
        sendFile(req, res, file, `${found.track.kind}/${container}`, found.segment.sha256);
      },

      'archive.bookmarks': async ({ params: { sessionId } }) => {
        await archive.assertAndGetManifest(sessionId);
        return { bookmarks: await archive.catalog.bookmarks(sessionId) };
      },
      'archive.addBookmark': async ({ claims, params: { sessionId }, body, req }) => ({
        bookmark: await archive.addBookmark(sessionId, actorOf(claims, req), body.offsetSeconds, body.note),
      }),

      'archive.verify': async ({ claims, params: { sessionId }, req }) => {
        const m = await archive.assertAndGetManifest(sessionId);
        const { seal, checkpointed } = archive.integrityRecordOf(sessionId);
        const r = await verifySessionDir(archive.sessionDir(sessionId), sessionId, seal, checkpointed);
        // The session's seal: its signatures and its timestamp token.
        const lines = archive.audit.excerptFor(sessionId).map((e) => JSON.stringify(e));
        const evidence = await checkEvidence(lines, { keys: archive.evidence.keys.published, tsaCaPem: archive.evidence.tsaCaPem(), where: `session ${sessionId}`, auditFile: 'audit.jsonl' });
        const problems = [...r.problems, ...evidence.problems];
        const ok = !problems.some((p) => p.severity === 'error');
        await archive.audit.append({ type: 'verify', sessionId, actor: actorOf(claims, req), details: { ok, segments: r.segments, problems: problems.length } });
        return { ok, status: m.status, segmentsChecked: r.segments, problems };
      },

      'archive.placeHold': async ({ claims, params: { sessionId }, body, req }) => {
        if ((await catalogRow(sessionId)).legalHold) throw conflict('session is already under legal hold');
        await archive.placeLegalHold(sessionId, actorOf(claims, req), body.reason);
        return { session: await catalogRow(sessionId) };
      },
      'archive.releaseHold': async ({ claims, params: { sessionId }, query, body, req }) => {
        const reason = query.reason ?? body.reason;
        if (!reason) throw badRequest('invalid query: reason: required (in ?reason= or a JSON body)', ['reason: required']);
        if (!(await catalogRow(sessionId)).legalHold) throw conflict('session is not under legal hold');
        await archive.releaseLegalHold(sessionId, actorOf(claims, req), reason);
        return { session: await catalogRow(sessionId) };
      },

      'archive.status': () => ({
        timestamps: archive.evidence.status,
        keys: archive.evidence.publicKeys.map((k) => ({ keyId: k.keyId, alg: k.alg, fingerprintSha256: k.fingerprintSha256 })),
        transcriptEngine: deps.transcripts?.engine ?? null,
        composite: exportJobs.canComposite,
        storage: archive.storage.alarms,
      }),
      'archive.sessionAudit': async ({ claims, params: { sessionId }, query, req }) => {
        await archive.assertAndGetManifest(sessionId);
        await archive.audit.append({ type: 'view', sessionId, actor: actorOf(claims, req), details: { what: 'audit-trail' } });
        return readAuditTrail(archive.audit, archive.evidence.keys.published, { sessionIds: [sessionId], ...query });
      },
      'archive.caseAudit': async ({ claims, params: { caseNumber }, query, req }) => {
        const sessionIds = (await archive.catalog.search({ caseNumber, includeDeleted: true, limit: 200 })).map((r) => r.sessionId);
        if (sessionIds.length === 0) throw notFound(`no recorded session of case ${caseNumber}`);
        await archive.audit.append({ type: 'search', actor: actorOf(claims, req), details: { what: 'audit-trail', caseNumber, sessions: sessionIds.length } });
        return { sessionIds, ...readAuditTrail(archive.audit, archive.evidence.keys.published, { sessionIds, ...query }) };
      },
      'archive.auditSearch': async ({ claims, query, req }) => {
        const { caseNumber, sessionId, ...rest } = query;
        const sessionIds = caseNumber
          ? (await archive.catalog.search({ caseNumber, includeDeleted: true, limit: 200 })).map((r) => r.sessionId)
          : sessionId
            ? [sessionId]
            : undefined;
        await archive.audit.append({ type: 'search', actor: actorOf(claims, req), details: { what: 'audit-trail', query } });
        return readAuditTrail(archive.audit, archive.evidence.keys.published, { ...rest, ...(sessionIds ? { sessionIds } : {}) });
      },
      'archive.transcripts': async ({ params: { sessionId } }) => {
        await archive.assertAndGetManifest(sessionId);
        return { engine: deps.transcripts?.engine ?? null, queued: deps.transcripts?.has(sessionId) ?? false, transcripts: transcriptsOf(archive, sessionId).map((t) => t.transcript) };
      },
      'archive.startTranscripts': async ({ claims, params: { sessionId }, req }) => {
        const m = await archive.assertAndGetManifest(sessionId);
        if (!deps.transcripts) throw conflict('no speech-to-text model is configured on this node (TRANSCRIPT_MODEL_DIR)');
        if (m.status === 'recording') throw conflict(`session ${sessionId} is still recording`);
        deps.transcripts.enqueue(sessionId, actorOf(claims, req));
        return { queued: true as const };
      },
      'archive.startExport': async ({ claims, params: { sessionId }, body, req }) => {
        const job = await exportJobs.start(sessionId, actorOf(claims, req), body);
        return { job: publicJob(job), pollUrl: `${req.baseUrl}/exports/${job.jobId}` };
      },
      'archive.cancelExport': async ({ claims, params: { jobId } }) => ({ job: publicJob(await exportJobs.cancel(jobId, actorOf(claims))) }),
      'archive.composite': async ({ claims, params: { jobId }, req, res }) => {
        const actor = actorOf(claims, req);
        const job = await exportJobs.assertAndGet(jobId, actor);
        const file = await exportJobs.compositeFile(jobId, actor);
        const viewKey = `${claims.jti}:composite:${jobId}`;
        if (!segmentViews.has(viewKey)) {
          segmentViews.add(viewKey);
          await archive.audit.append({ type: 'view', sessionId: job.sessionId, actor, details: { what: 'composite', packageId: job.packageId, sha256: job.composite?.sha256 } });
        }
        sendFile(req, res, file, 'video/mp4', job.composite!.sha256!);
      },
      'archive.exportJob': async ({ claims, params: { jobId }, req }) => {
        const job = await exportJobs.assertAndGet(jobId, actorOf(claims));
        return { job: publicJob(job), ...(job.state === 'done' ? { downloadUrl: `${req.baseUrl}/exports/${job.jobId}/download` } : {}) };
      },
      'archive.downloadTicket': async ({ claims, params: { jobId }, req }) => {
        const ticket = await exportJobs.issueTicket(jobId, actorOf(claims, req));
        return { url: `${req.baseUrl}/exports/${encodeURIComponent(jobId)}/download?ticket=${ticket}` };
      },
      'archive.download': async ({ claims, params: { jobId }, query, req, res }) => {
        const actor = claims ? actorOf(claims, req) : { ...(await exportJobs.redeemTicket(query.ticket, jobId)), ...(req.ip ? { from: req.ip } : {}) };
        const job = await exportJobs.assertAndGet(jobId, actor);
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

/** A file's bytes with Range support (206, or 416 with the size) and its hash in a header. */
function sendFile(req: Request, res: Response, file: string, type: string, sha256: string): void {
  const size = fs.statSync(file).size;
  res.setHeader('Content-Type', type);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-SHA256', sha256);
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
