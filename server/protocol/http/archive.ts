// The archive over HTTP: every endpoint of /api/archive, for archivists (档案员) and admins whose
// token carries grant.canArchive. Served by recordings/http/router.ts. Every view, segment fetch,
// export, hold, bookmark and verify is appended to the chained audit log with the caller's identity.
import { z } from 'zod';
import { area, json, raw } from './contract.ts';
import {
  sessionIdSchema,
  type ArchiveStatus,
  type AuditTrail,
  type Bookmark,
  type ExportJobView,
  type SessionDetail,
  type SessionRow,
  type Transcript,
  type VerifyResult,
} from './archive-shapes.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const day = /^\d{4}-\d{2}-\d{2}$/;
const when = z.iso.datetime({ offset: true }).or(z.iso.date());

export const searchQuery = z.strictObject({
  caseNumber: text(64).optional(),
  terminalId: text(64).optional(),
  region: text(64).optional(),
  department: text(64).optional(),
  official: text(100).optional(),
  petitioner: text(100).optional(),
  from: when.optional(),
  /** A bare date means the whole of that day. */
  to: when.transform((v) => (day.test(v) ? `${v}T23:59:59.999Z` : v)).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  offset: z.coerce.number().int().min(0).max(100_000).optional(),
});
export const bookmarkBody = z.strictObject({ offsetSeconds: z.number().min(0).max(7 * 24 * 3600), note: text(1000) });
export const holdBody = z.strictObject({ reason: text(500) });
/** Releasing a hold: the reason in `?reason=` (a DELETE needs no body), or in a JSON body as before. */
export const releaseReason = z.strictObject({ reason: text(500).optional() });
export const segmentIdSchema = z.string().regex(/^[\w.\-]{1,160}$/);

export const exportBody = z.strictObject({
  /** Also render one composite MP4 of all participants (a copy, listed beside the originals). */
  composite: z.boolean().optional(),
});
const AUDIT_TYPES_SHOWN = z.enum([
  'recording-start', 'recording-stop', 'recording-interrupted', 'view', 'view-segment', 'search', 'bookmark', 'verify',
  'export', 'export-completed', 'export-download', 'export-cancelled', 'export-failed', 'composite', 'transcript', 'legal-hold', 'legal-hold-release', 'deletion',
  'audit-checkpoint', 'timestamp', 'key-published',
]);
const page = {
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
};
export const auditQuery = z.strictObject(page);
export const auditSearchQuery = z.strictObject({
  /** Who: an account id exactly, or part of a name. */
  person: text(100).optional(),
  from: when.optional(),
  to: when.transform((v) => (day.test(v) ? `${v}T23:59:59.999Z` : v)).optional(),
  sessionId: sessionIdSchema.optional(),
  caseNumber: text(64).optional(),
  /** Comma-separated entry types. */
  types: z
    .string()
    .max(400)
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(z.array(AUDIT_TYPES_SHOWN))
    .optional(),
  ...page,
});
/** A case number as the catalog keeps it (XF20261126-000042; household sessions have their own ids). */
const caseParams = z.strictObject({ caseNumber: z.string().regex(/^[\w.\-]{1,64}$/, 'a case number like XF20261126-000042') });

const sessionParams = z.strictObject({ sessionId: sessionIdSchema });
const segmentParams = z.strictObject({ sessionId: sessionIdSchema, segmentId: segmentIdSchema });
const jobParams = z.strictObject({ jobId: z.uuid() });

// Archivists only: no administrator role watches recordings by virtue of that role (三员分立).
const ARCHIVISTS = { roles: ['archivist'], grant: 'canArchive' } as const;
/** The audit administrator (三员分立) reads the trail, and only the trail. */
const AUDITORS = { roles: ['audit-admin'] } as const;
type HeldSession = { session: SessionRow };

export const archiveArea = area({
  base: '/api/archive',
  title: 'Archive (recordings)',
  shapes: 'server/protocol/http/archive-shapes.ts',
  notes:
    'Every endpoint needs role `archivist` or `admin` with `grant.canArchive`. Segment bytes and ' +
    'packages are not JSON: a segment answers `video/webm` or `audio/webm` (Range supported: 206, ' +
    'or 416 with `Content-Range: bytes */size`; header `X-Content-SHA256`); a finished package ' +
    'downloads as `application/x-tar`. A browser link cannot carry the Authorization header, so ' +
    'the page asks `archive.downloadTicket` for a one-time link valid for a minute.',
  endpoints: {
    'archive.search': {
      method: 'GET', path: '/sessions', summary: 'Find recorded sessions by case number, terminal, region, department, official, petitioner, time',
      access: ARCHIVISTS, query: searchQuery, answer: json<{ sessions: SessionRow[] }>('{ sessions: SessionRow[] }'),
    },
    'archive.session': {
      method: 'GET', path: '/sessions/:sessionId', summary: 'Manifest with segment URLs, gaps, timeline, bookmarks',
      access: ARCHIVISTS, params: sessionParams, answer: json<SessionDetail>('SessionDetail'),
    },
    'archive.segment': {
      method: 'GET', path: '/sessions/:sessionId/segments/:segmentId', summary: 'The original bytes of one segment; Range supported',
      access: ARCHIVISTS, params: segmentParams, answer: raw('video/webm or audio/webm (also x-matroska), byte ranges'),
    },
    'archive.bookmarks': {
      method: 'GET', path: '/sessions/:sessionId/bookmarks', summary: 'Bookmarks of a session',
      access: ARCHIVISTS, params: sessionParams, answer: json<{ bookmarks: Bookmark[] }>('{ bookmarks: Bookmark[] }'),
    },
    'archive.addBookmark': {
      method: 'POST', path: '/sessions/:sessionId/bookmarks', summary: 'A note at a point of the recording',
      access: ARCHIVISTS, params: sessionParams, body: bookmarkBody, answer: json<{ bookmark: Bookmark }>('{ bookmark: Bookmark }', 201),
    },
    'archive.verify': {
      method: 'POST', path: '/sessions/:sessionId/verify', summary: 'Re-hash this session now against its manifest and the audit log',
      access: ARCHIVISTS, params: sessionParams, answer: json<VerifyResult>('VerifyResult'),
    },
    'archive.placeHold': {
      method: 'POST', path: '/sessions/:sessionId/legal-hold', summary: 'Place a legal hold (retention never deletes it); `conflict` when already held',
      access: ARCHIVISTS, params: sessionParams, body: holdBody, answer: json<HeldSession>('{ session: SessionRow }'),
    },
    'archive.releaseHold': {
      method: 'DELETE', path: '/sessions/:sessionId/legal-hold', summary: 'Release a legal hold; the reason goes in `?reason=` (or a JSON body `{ reason }`)',
      access: ARCHIVISTS, params: sessionParams, query: releaseReason, body: releaseReason, answer: json<HeldSession>('{ session: SessionRow }'),
    },
    'archive.status': {
      method: 'GET', path: '/status', summary: 'Trusted timestamping state (an alarm unless `ok`), the archive keys, transcript engine, recordings-storage alarms of the answering node',
      access: { roles: ['archivist', 'admin', 'coordinator', 'audit-admin'] }, answer: json<ArchiveStatus>('ArchiveStatus'),
    },
    'archive.sessionAudit': {
      method: 'GET', path: '/sessions/:sessionId/audit', summary: "The session's audit trail (views, plays, exports, holds…: who, when, from where), newest first, and the chain's state",
      access: ARCHIVISTS, params: sessionParams, query: auditQuery, answer: json<AuditTrail>('AuditTrail'),
    },
    'archive.caseAudit': {
      method: 'GET', path: '/cases/:caseNumber/audit', summary: "The audit trail of every session of a case, and the chain's state",
      access: ARCHIVISTS, params: caseParams, query: auditQuery, answer: json<AuditTrail & { sessionIds: string[] }>('AuditTrail & { sessionIds: string[] }'),
    },
    'archive.auditSearch': {
      method: 'GET', path: '/audit', summary: 'The audit administrator searches the trail by person, period, session, case and type',
      access: AUDITORS, query: auditSearchQuery, answer: json<AuditTrail>('AuditTrail'),
    },
    'archive.transcripts': {
      method: 'GET', path: '/sessions/:sessionId/transcripts', summary: 'Transcripts of the audio tracks (lines on the session clock), and whether one is being made',
      access: ARCHIVISTS, params: sessionParams, answer: json<{ engine: string | null; queued: boolean; transcripts: Transcript[] }>('{ engine: string | null; queued: boolean; transcripts: Transcript[] }'),
    },
    'archive.startTranscripts': {
      method: 'POST', path: '/sessions/:sessionId/transcripts', summary: 'Transcribe the session again (`conflict` when no speech-to-text model is configured)',
      access: ARCHIVISTS, params: sessionParams, answer: json<{ queued: true }>('{ queued: true }', 202),
    },
    'archive.startExport': {
      method: 'POST', path: '/sessions/:sessionId/exports', summary: 'Start building an evidence package (originals, manifest, SHA256SUMS/SM3SUMS, audit excerpt, keys, signatures, timestamp tokens; with `composite`, also one MP4 of all participants)',
      access: ARCHIVISTS, params: sessionParams, body: exportBody, answer: json<{ job: ExportJobView; pollUrl: string }>('{ job: ExportJobView; pollUrl: string }', 202),
    },
    'archive.cancelExport': {
      method: 'DELETE', path: '/exports/:jobId', summary: 'Cancel a running export (its rendering stops, nothing is kept)',
      access: ARCHIVISTS, params: jobParams, answer: json<{ job: ExportJobView }>('{ job: ExportJobView }'),
    },
    'archive.composite': {
      method: 'GET', path: '/exports/:jobId/composite', summary: "A finished export's composite MP4, to play (Range supported)",
      access: ARCHIVISTS, params: jobParams, answer: raw('video/mp4, byte ranges, with X-Content-SHA256'),
    },
    'archive.exportJob': {
      method: 'GET', path: '/exports/:jobId', summary: "An export's progress; `downloadUrl` once done",
      access: ARCHIVISTS, params: jobParams, answer: json<{ job: ExportJobView; downloadUrl?: string }>('{ job: ExportJobView; downloadUrl?: string }'),
    },
    'archive.downloadTicket': {
      method: 'POST', path: '/exports/:jobId/ticket', summary: 'A one-time download link for a finished package, valid for a minute',
      access: ARCHIVISTS, params: jobParams, answer: json<{ url: string }>('{ url: string }'),
    },
    'archive.download': {
      method: 'GET', path: '/exports/:jobId/download', summary: 'The finished package (Bearer token, or `?ticket=` from archive.downloadTicket)',
      access: { ...ARCHIVISTS, ticket: true }, params: jobParams, query: z.strictObject({ ticket: z.string().min(1).max(100).optional() }),
      answer: raw('application/x-tar, with X-Content-SHA256'),
    },
  },
});
