// The archive API as the archivist page uses it. JSON calls go through lib/api's Api; segment
// bytes, the package download and DELETE-with-body need their own fetches because a <video src>
// or <a href> cannot carry the Authorization header the archive requires.
import { Api, ApiError } from '../lib/api.ts';
import type { Bookmark, SessionRow } from '../../../recordings/catalog.ts';
import type { Manifest, Segment, Track, Gap, TimelineEvent } from '../../../recordings/manifest.ts';
import type { ExportJob } from '../../../recordings/export.ts';
import type { VerifyProblem } from '../../../recordings/verify.ts';
import type { ErrorBody } from '../../../server/protocol/signalling.ts';

export const API_BASE = '/api/archive';

export type { Bookmark, SessionRow, Gap, TimelineEvent };
export type SegmentView = Segment & { url: string };
export type TrackView = Omit<Track, 'segments'> & { segments: SegmentView[] };
export type ManifestView = Omit<Manifest, 'participants'> & {
  participants: (Omit<Manifest['participants'][number], 'tracks'> & { tracks: TrackView[] })[];
};
export interface SessionDetail {
  session: SessionRow | undefined;
  manifest: ManifestView;
  gaps: (Gap & { participantId: string })[];
  timeline: TimelineEvent[];
  bookmarks: Bookmark[];
}
export type PublicJob = Omit<ExportJob, 'file' | 'actor'> & { progress: number };
export interface VerifyResult {
  ok: boolean;
  status: string;
  segmentsChecked: number;
  problems: VerifyProblem[];
}
export type SearchParams = Partial<Record<'caseNumber' | 'terminalId' | 'region' | 'department' | 'official' | 'petitioner' | 'from' | 'to', string>>;

export class ArchiveClient {
  readonly #api: Api;

  constructor(readonly token: string) {
    this.#api = new Api(API_BASE, token);
  }

  search(q: SearchParams, limit = 50, offset = 0): Promise<{ sessions: SessionRow[] }> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v && v.trim()) params.set(k, v.trim());
    params.set('limit', String(limit));
    if (offset > 0) params.set('offset', String(offset));
    return this.#api.get(`/sessions?${params}`);
  }
  session(id: string): Promise<SessionDetail> {
    return this.#api.get(`/sessions/${encodeURIComponent(id)}`);
  }
  addBookmark(id: string, offsetSeconds: number, note: string): Promise<{ bookmark: Bookmark }> {
    return this.#api.post(`/sessions/${encodeURIComponent(id)}/bookmarks`, { offsetSeconds, note });
  }
  verify(id: string): Promise<VerifyResult> {
    return this.#api.post(`/sessions/${encodeURIComponent(id)}/verify`);
  }
  placeHold(id: string, reason: string): Promise<{ session: SessionRow }> {
    return this.#api.post(`/sessions/${encodeURIComponent(id)}/legal-hold`, { reason });
  }
  releaseHold(id: string, reason: string): Promise<{ session: SessionRow }> {
    return this.#json('DELETE', `/sessions/${encodeURIComponent(id)}/legal-hold`, { reason });
  }
  startExport(id: string): Promise<{ job: PublicJob; pollUrl: string }> {
    return this.#api.post(`/sessions/${encodeURIComponent(id)}/exports`);
  }
  exportJob(jobId: string): Promise<{ job: PublicJob; downloadUrl?: string }> {
    return this.#api.get(`/exports/${encodeURIComponent(jobId)}`);
  }
  /** A one-time link the browser can save straight to disk. */
  downloadLink(jobId: string): Promise<{ url: string }> {
    return this.#api.post(`/exports/${encodeURIComponent(jobId)}/ticket`);
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

  async #json<T>(method: string, path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${API_BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, { code: 'unavailable', message: 'network error' });
    }
    if (!res.ok) throw await errorOf(res);
    const reply = (await res.json()) as { ok: true; data: T };
    return reply.data;
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
