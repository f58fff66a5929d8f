// Archive API for archivists (档案员) and admins. Mount under /api/archive:
//   app.use('/api/archive', createArchiveRouter({ archive, tokens, log }))
// Every route authenticates with `Authorization: Bearer <jwt>` and requires role archivist or
// admin with grant.canArchive. Every view, segment fetch, export, hold, bookmark and verify is
// appended to the chained audit log with the caller's identity.
//
//   GET    /sessions?caseNumber&terminalId&region&department&official&petitioner&from&to&limit&offset
//   GET    /sessions/:sessionId                     manifest, gaps, timeline, segment URLs, bookmarks
//   GET    /sessions/:sessionId/segments/:segmentId  the original bytes; Range supported
//   GET    /sessions/:sessionId/bookmarks            POST {offsetSeconds, note}
//   POST   /sessions/:sessionId/verify               re-hash this session now
//   POST   /sessions/:sessionId/legal-hold {reason}  DELETE …/legal-hold {reason}
//   POST   /sessions/:sessionId/exports              → 202 job; GET /exports/:jobId (progress)
//   GET    /exports/:jobId/download                  the .tar once done (Bearer, or ?ticket= from
//   POST   /exports/:jobId/ticket                     a one-time link valid for a minute)
// JSON answers are `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { AppError, badRequest, conflict, forbidden, notFound, toErrorBody } from '../../server/core/errors.ts';
import type { Logger } from '../../server/core/log.ts';
import type { Claims, TokenIssuer } from '../../server/auth/grants.ts';
import type { AuditActor } from '../audit-chain.ts';
import type { Archive } from '../archive.ts';
import { ExportJobs, publicJob } from '../export.ts';
import { allSegments, segmentPath, sessionIdSchema } from '../manifest.ts';
import { verifySessionDir } from '../verify.ts';

export interface ArchiveRouterDeps {
  archive: Archive;
  tokens: TokenIssuer;
  log: Logger;
  /** Shared with whoever else starts exports; one is made if absent. */
  exports?: ExportJobs;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const searchQuery = z.strictObject({
  caseNumber: text(64).optional(),
  terminalId: text(64).optional(),
  region: text(64).optional(),
  department: text(64).optional(),
  official: text(100).optional(),
  petitioner: text(100).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  offset: z.coerce.number().int().min(0).max(100_000).optional(),
});
const bookmarkBody = z.strictObject({ offsetSeconds: z.number().min(0).max(7 * 24 * 3600), note: text(1000) });
const holdBody = z.strictObject({ reason: text(500) });
const segmentIdSchema = z.string().regex(/^[\w.\-]{1,160}$/);
const jobIdSchema = z.uuid();

const ARCHIVE_ROLES = new Set(['archivist', 'admin']);
/** Returned by handlers that answered themselves (file streams, 416). */
const ANSWERED = Symbol('answered');

export function createArchiveRouter(deps: ArchiveRouterDeps): Router {
  const { archive, tokens, log } = deps;
  const exportJobs = deps.exports ?? new ExportJobs(archive, log);
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));

  // Range requests from a player arrive by the dozen; one audit entry per token and segment.
  const segmentViews = new Set<string>();

  const authenticate = (req: Request): { claims: Claims; actor: AuditActor } => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new AppError('unauthorized', 'missing Authorization: Bearer token');
    const claims = tokens.verify(m[1]);
    if (!ARCHIVE_ROLES.has(claims.role) || claims.grant.canArchive !== true) throw forbidden('archive access requires the archivist or admin role with archive grant');
    return { claims, actor: { kind: 'user', sub: claims.sub, name: claims.name, role: claims.role } };
  };
  const sessionParam = (req: Request): string => {
    const r = sessionIdSchema.safeParse(req.params.sessionId);
    if (!r.success) throw badRequest('sessionId: invalid');
    return r.data;
  };
  const parse = <T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> => {
    const r = schema.safeParse(value ?? {});
    if (!r.success) throw badRequest(`invalid ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return r.data;
  };
  type Handler = (req: Request, who: { claims: Claims; actor: AuditActor }, res: Response) => unknown;
  const route = (handler: Handler, status = 200) => async (req: Request, res: Response) => {
    const who = authenticate(req);
    const data = await handler(req, who, res);
    if (data !== ANSWERED) res.status(status).json({ ok: true, data });
  };

  router.get('/sessions', route(async (req, { actor }) => {
    const q = parse(searchQuery, req.query, 'query');
    // A bare date as `to` means the whole of that day.
    if (q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) q.to = `${q.to}T23:59:59.999Z`;
    const rows = await archive.catalog.search(q);
    archive.audit.append({ type: 'search', actor, details: { query: q, results: rows.length } });
    return { sessions: rows };
  }));

  router.get('/sessions/:sessionId', route(async (req, { actor }) => {
    const sessionId = sessionParam(req);
    const m = await archive.assertAndGetManifest(sessionId);
    const row = await archive.catalog.get(sessionId);
    archive.audit.append({ type: 'view', sessionId, actor, details: { what: 'session' } });
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
  }));

  router.get('/sessions/:sessionId/segments/:segmentId', route(async (req, { claims, actor }, res) => {
    const sessionId = sessionParam(req);
    const segmentId = parse(segmentIdSchema, req.params.segmentId, 'segmentId');
    const m = await archive.assertAndGetManifest(sessionId);
    const found = allSegments(m).find(({ segment }) => segment.id === segmentId);
    if (!found) throw notFound(`segment ${segmentId} not found`);
    const file = segmentPath(archive.sessionDir(sessionId), found.segment.file);
    if (!fs.existsSync(file)) throw new AppError('gone', `segment ${segmentId} is missing from the archive`);
    const viewKey = `${claims.jti}:${sessionId}:${segmentId}`;
    if (!segmentViews.has(viewKey)) {
      if (segmentViews.size > 10_000) segmentViews.clear();
      segmentViews.add(viewKey);
      archive.audit.append({ type: 'view-segment', sessionId, actor, details: { segmentId, file: found.segment.file } });
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
      return ANSWERED;
    }
    const [start, end] = range ?? [0, size - 1];
    res.status(range ? 206 : 200);
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.setHeader('Content-Length', String(size === 0 ? 0 : end - start + 1));
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return ANSWERED;
    }
    fs.createReadStream(file, { start, end }).on('error', (err) => res.destroy(err)).pipe(res);
    return ANSWERED;
  }));

  router.get('/sessions/:sessionId/bookmarks', route(async (req) => {
    const sessionId = sessionParam(req);
    await archive.assertAndGetManifest(sessionId);
    return { bookmarks: await archive.catalog.bookmarks(sessionId) };
  }));
  router.post('/sessions/:sessionId/bookmarks', route(async (req, { actor }) => {
    const b = parse(bookmarkBody, req.body, 'body');
    return { bookmark: await archive.addBookmark(sessionParam(req), actor, b.offsetSeconds, b.note) };
  }, 201));

  router.post('/sessions/:sessionId/verify', route(async (req, { actor }) => {
    const sessionId = sessionParam(req);
    const m = await archive.assertAndGetManifest(sessionId);
    const { seal, checkpointed } = archive.integrityRecordOf(sessionId);
    const r = await verifySessionDir(archive.sessionDir(sessionId), sessionId, seal, checkpointed);
    const ok = !r.problems.some((p) => p.severity === 'error');
    archive.audit.append({ type: 'verify', sessionId, actor, details: { ok, segments: r.segments, problems: r.problems.length } });
    return { ok, status: m.status, segmentsChecked: r.segments, problems: r.problems };
  }));

  router.post('/sessions/:sessionId/legal-hold', route(async (req, { actor }) => {
    const sessionId = sessionParam(req);
    const { reason } = parse(holdBody, req.body, 'body');
    if ((await archive.catalog.get(sessionId))?.legalHold) throw conflict('session is already under legal hold');
    await archive.placeLegalHold(sessionId, actor, reason);
    return { session: await archive.catalog.get(sessionId) };
  }));
  router.delete('/sessions/:sessionId/legal-hold', route(async (req, { actor }) => {
    const sessionId = sessionParam(req);
    const { reason } = parse(holdBody, req.body, 'body');
    if (!(await archive.catalog.get(sessionId))?.legalHold) throw conflict('session is not under legal hold');
    await archive.releaseLegalHold(sessionId, actor, reason);
    return { session: await archive.catalog.get(sessionId) };
  }));

  router.post('/sessions/:sessionId/exports', route(async (req, { actor }) => {
    const job = await exportJobs.start(sessionParam(req), actor);
    return { job: publicJob(job), pollUrl: `${req.baseUrl}/exports/${job.jobId}` };
  }, 202));
  router.get('/exports/:jobId', route((req, { actor }) => {
    const job = exportJobs.assertAndGet(parse(jobIdSchema, req.params.jobId, 'jobId'), actor);
    return { job: publicJob(job), ...(job.state === 'done' ? { downloadUrl: `${req.baseUrl}/exports/${job.jobId}/download` } : {}) };
  }));
  // A browser saves a large package straight to disk only through a plain link, which cannot
  // carry an Authorization header: the page asks for a one-time ticket valid for a minute.
  const downloadTickets = new Map<string, { jobId: string; actor: AuditActor; expiresAt: number }>();
  router.post('/exports/:jobId/ticket', route((req, { actor }) => {
    const job = exportJobs.assertAndGet(parse(jobIdSchema, req.params.jobId, 'jobId'), actor);
    if (job.state !== 'done') throw conflict(`export is ${job.state}`);
    const now = Date.now();
    for (const [k, v] of downloadTickets) if (v.expiresAt < now) downloadTickets.delete(k);
    const ticket = randomBytes(32).toString('base64url');
    downloadTickets.set(ticket, { jobId: job.jobId, actor, expiresAt: now + 60_000 });
    return { url: `${req.baseUrl}/exports/${job.jobId}/download?ticket=${ticket}` };
  }));
  router.get('/exports/:jobId/download', async (req: Request, res: Response) => {
    const jobId = parse(jobIdSchema, req.params.jobId, 'jobId');
    let actor: AuditActor;
    const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : undefined;
    if (ticket) {
      const t = downloadTickets.get(ticket);
      downloadTickets.delete(ticket); // one use
      if (!t || t.jobId !== jobId || t.expiresAt < Date.now()) throw new AppError('unauthorized', 'download ticket invalid or expired');
      actor = t.actor;
    } else {
      actor = authenticate(req).actor;
    }
    const job = exportJobs.assertAndGet(jobId, actor);
    if (job.state !== 'done' || !job.file) throw conflict(`export is ${job.state}`);
    if (!fs.existsSync(job.file)) throw new AppError('gone', 'export package no longer available');
    archive.audit.append({ type: 'export-download', sessionId: job.sessionId, actor, details: { packageId: job.packageId, sha256: job.sha256 } });
    res.setHeader('Content-Type', 'application/x-tar');
    res.setHeader('Content-Disposition', `attachment; filename="${job.sessionId}-${job.packageId}.tar"`);
    res.setHeader('Content-Length', String(job.bytes ?? fs.statSync(job.file).size));
    if (job.sha256) res.setHeader('X-Content-SHA256', job.sha256);
    fs.createReadStream(job.file).on('error', (err) => res.destroy(err)).pipe(res);
  });

  router.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found', 'no such archive endpoint')));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const bodyError = !(err instanceof AppError) && typeof (err as { status?: unknown } | null)?.status === 'number';
    const status = err instanceof AppError ? err.status : bodyError ? 400 : 500;
    if (status >= 500) log.error({ err, path: req.path }, 'archive route failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json({ ok: false, error: bodyError ? { code: 'bad_request', message: 'malformed request body' } : toErrorBody(err) });
  });
  return router;
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
