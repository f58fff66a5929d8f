// The archive API as the archivist page uses it. JSON calls go through lib/api's typed
// `api.call`; segment bytes need their own fetch (they are not JSON, and a <video src> cannot
// carry the Authorization header the archive requires).
import { Api, ApiError } from '../lib/api.ts';
import type {
  Bookmark,
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
import type { ErrorBody } from '../../../server/protocol/signalling.ts';

export const API_BASE = '/api/archive';

export type { Bookmark, Gap, ManifestView, SegmentView, SessionDetail, SessionRow, TimelineEvent, TrackView, VerifyResult };
export type PublicJob = ExportJobView;
export type SearchParams = Partial<Record<'caseNumber' | 'terminalId' | 'region' | 'department' | 'official' | 'petitioner' | 'from' | 'to', string>>;

export class ArchiveClient {
  readonly #api: Api;

  constructor(readonly token: string) {
    this.#api = new Api(API_BASE, token);
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
  startExport(sessionId: string): Promise<{ job: PublicJob; pollUrl: string }> {
    return this.#api.call('archive.startExport', { params: { sessionId } });
  }
  exportJob(jobId: string): Promise<{ job: PublicJob; downloadUrl?: string }> {
    return this.#api.call('archive.exportJob', { params: { jobId } });
  }
  /** A one-time link the browser can save straight to disk. */
  downloadLink(jobId: string): Promise<{ url: string }> {
    return this.#api.call('archive.downloadTicket', { params: { jobId } });
  }

  /** The bytes behind a segment URL (as the session answer gives it) or a download URL. */
  async blob(url: string, signal?: AbortSignal): Promise<Blob> {
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${this.token}` }, ...(signal ? { signal } : {}) });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, { code: 'unavailable', message: 'network error' });
    }
    if (!res.ok) throw await errorOf(res);
    return res.blob();
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const reply = (await res.json()) as { ok: false; error: ErrorBody };
    return new ApiError(res.status, reply.error);
  } catch {
    return new ApiError(res.status, { code: res.status >= 500 ? 'internal' : 'bad_request', message: res.statusText } as ErrorBody);
  }
}

/** The claims in a JWT, for display only (the server verifies; the page never trusts them). */
export function peekClaims(token: string): { sub?: string; name?: string; role?: string } {
  try {
    const part = token.split('.')[1] ?? '';
    const json = decodeURIComponent(
      Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    const c = JSON.parse(json) as Record<string, unknown>;
    return {
      ...(typeof c.sub === 'string' ? { sub: c.sub } : {}),
      ...(typeof c.name === 'string' ? { name: c.name } : {}),
      ...(typeof c.role === 'string' ? { role: c.role } : {}),
    };
  } catch {
    return {};
  }
}
