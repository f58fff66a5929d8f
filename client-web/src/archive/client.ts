// The archive API as the archivist page uses it, through lib/api: JSON calls by name
// (`api.call`), segment bytes with `api.bytes` (a <video src> cannot carry the Authorization
// header the archive requires, so the player fetches them).
import { Api } from '../lib/api.ts';
import type {
  ArchiveStatus,
  AuditTrail,
  AuditTrailEntry,
  Bookmark,
  ChainStatus,
  Transcript,
  ExportJobView,
  Gap,
  ManifestView,
  SegmentView,
  SessionDetail,
  SessionRow,
  TimelineEvent,
  TrackView,
  VerifyResult,
} from '../../../server/protocol/http/archive-shapes.ts';

export type { ArchiveStatus, AuditTrail, AuditTrailEntry, Bookmark, ChainStatus, Gap, ManifestView, SegmentView, SessionDetail, SessionRow, TimelineEvent, Transcript, TrackView, VerifyResult };
export type AuditSearch = Partial<Record<'person' | 'from' | 'to' | 'sessionId' | 'caseNumber', string>>;
export type PublicJob = ExportJobView;
export type SearchParams = Partial<Record<'caseNumber' | 'terminalId' | 'region' | 'department' | 'official' | 'petitioner' | 'from' | 'to', string>>;

export class ArchiveClient {
  readonly #api: Api;

  constructor(readonly token: string) {
    this.#api = new Api(token);
  }

  search(q: SearchParams, limit = 50, offset = 0): Promise<{ sessions: SessionRow[] }> {
    const query: Record<string, string | number> = { limit };
    for (const [k, v] of Object.entries(q)) if (v && v.trim()) query[k] = v.trim();
    if (offset > 0) query.offset = offset;
    return this.#api.call('archive.search', { query });
  }
  session(sessionId: string): Promise<SessionDetail> {
    return this.#api.call('archive.session', { params: { sessionId } });
  }
  addBookmark(sessionId: string, offsetSeconds: number, note: string): Promise<{ bookmark: Bookmark }> {
    return this.#api.call('archive.addBookmark', { params: { sessionId }, body: { offsetSeconds, note } });
  }
  verify(sessionId: string): Promise<VerifyResult> {
    return this.#api.call('archive.verify', { params: { sessionId } });
  }
  placeHold(sessionId: string, reason: string): Promise<{ session: SessionRow }> {
    return this.#api.call('archive.placeHold', { params: { sessionId }, body: { reason } });
  }
  /** A plain DELETE: the reason travels in the query. */
  releaseHold(sessionId: string, reason: string): Promise<{ session: SessionRow }> {
    return this.#api.call('archive.releaseHold', { params: { sessionId }, query: { reason } });
  }
  startExport(sessionId: string, composite = false): Promise<{ job: PublicJob; pollUrl: string }> {
    return this.#api.call('archive.startExport', { params: { sessionId }, body: { composite } });
  }
  cancelExport(jobId: string): Promise<{ job: PublicJob }> {
    return this.#api.call('archive.cancelExport', { params: { jobId } });
  }
  /** The composite MP4 of a finished export, to play in the page. */
  composite(jobId: string): Promise<Blob> {
    return this.#api.bytes(`/api/archive/exports/${encodeURIComponent(jobId)}/composite`);
  }
  status(): Promise<ArchiveStatus> {
    return this.#api.call('archive.status');
  }
  sessionAudit(sessionId: string): Promise<AuditTrail> {
    return this.#api.call('archive.sessionAudit', { params: { sessionId } });
  }
  caseAudit(caseNumber: string): Promise<AuditTrail & { sessionIds: string[] }> {
    return this.#api.call('archive.caseAudit', { params: { caseNumber } });
  }
  auditSearch(q: AuditSearch): Promise<AuditTrail> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(q)) if (v && v.trim()) query[k] = v.trim();
    return this.#api.call('archive.auditSearch', { query });
  }
  transcripts(sessionId: string): Promise<{ engine: string | null; queued: boolean; transcripts: Transcript[] }> {
    return this.#api.call('archive.transcripts', { params: { sessionId } });
  }
  exportJob(jobId: string): Promise<{ job: PublicJob; downloadUrl?: string }> {
    return this.#api.call('archive.exportJob', { params: { jobId } });
  }
  /** A one-time link the browser can save straight to disk. */
  downloadLink(jobId: string): Promise<{ url: string }> {
    return this.#api.call('archive.downloadTicket', { params: { jobId } });
  }

  /** The bytes behind a segment URL (as the session answer gives it) or a download URL. */
  blob(url: string, signal?: AbortSignal): Promise<Blob> {
    return this.#api.bytes(url, signal);
  }
}
