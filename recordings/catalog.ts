// The archive catalog: a SQLite index over the session manifests, for search and retention.
// It is derived data — `npm run archive:reindex` rebuilds it from the session folders, their
// bookmark files and the audit log (legal holds, deletions), so losing it loses nothing.
import type { Db, Migration } from '../server/core/db.ts';
import type { Bookmark, SessionRow } from '../server/protocol/http/archive-shapes.ts';
import { allSegments, type Manifest } from './manifest.ts';

export const ARCHIVE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'archive-001-sessions',
    up: (db) => {
      db.exec(`
        CREATE TABLE archive_sessions (
          session_id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          room_id TEXT NOT NULL,
          case_number TEXT,
          terminal_id TEXT,
          region TEXT,
          petitioner TEXT,
          status TEXT NOT NULL,
          started_at TEXT NOT NULL,
          stopped_at TEXT,
          duration_seconds REAL,
          segment_count INTEGER NOT NULL DEFAULT 0,
          bytes INTEGER NOT NULL DEFAULT 0,
          gap_count INTEGER NOT NULL DEFAULT 0,
          retention_class TEXT NOT NULL,
          retain_until TEXT,
          legal_hold INTEGER NOT NULL DEFAULT 0,
          legal_hold_reason TEXT,
          manifest_sha256 TEXT,
          deleted_at TEXT
        );
        CREATE INDEX archive_sessions_case ON archive_sessions(case_number);
        CREATE INDEX archive_sessions_terminal ON archive_sessions(terminal_id);
        CREATE INDEX archive_sessions_region ON archive_sessions(region);
        CREATE INDEX archive_sessions_started ON archive_sessions(started_at);
        CREATE TABLE archive_session_parties (
          session_id TEXT NOT NULL REFERENCES archive_sessions(session_id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('official', 'department', 'participant')),
          ref TEXT NOT NULL,
          name TEXT,
          department TEXT
        );
        CREATE INDEX archive_session_parties_session ON archive_session_parties(session_id);
        CREATE INDEX archive_session_parties_ref ON archive_session_parties(kind, ref);
        CREATE TABLE archive_bookmarks (
          bookmark_id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL REFERENCES archive_sessions(session_id) ON DELETE CASCADE,
          offset_seconds REAL NOT NULL,
          note TEXT NOT NULL,
          author_sub TEXT NOT NULL,
          author_name TEXT,
          created_at TEXT NOT NULL
        );
        CREATE INDEX archive_bookmarks_session ON archive_bookmarks(session_id);
      `);
    },
  },
];

export interface SearchQuery {
  caseNumber?: string;
  terminalId?: string;
  region?: string;
  department?: string;
  /** Official id or name. */
  official?: string;
  /** Petitioner name or id (substring). */
  petitioner?: string;
  from?: string;
  to?: string;
  includeDeleted?: boolean;
  limit?: number;
  offset?: number;
}

export type { Bookmark, SessionRow };

const SESSION_COLUMNS = `session_id AS sessionId, kind, room_id AS roomId, case_number AS caseNumber,
  terminal_id AS terminalId, region, petitioner, status, started_at AS startedAt, stopped_at AS stoppedAt,
  duration_seconds AS durationSeconds, segment_count AS segmentCount, bytes, gap_count AS gapCount,
  retention_class AS retentionClass, retain_until AS retainUntil, legal_hold AS legalHold,
  legal_hold_reason AS legalHoldReason, manifest_sha256 AS manifestSha256, deleted_at AS deletedAt`;

function toRow(r: unknown): SessionRow {
  const row = r as SessionRow & { legalHold: number | boolean };
  return { ...row, legalHold: Boolean(row.legalHold) };
}

export class Catalog {
  constructor(readonly db: Db) {}

  /** Inserts or refreshes a session from its manifest; keeps hold and deletion state. */
  indexManifest(m: Manifest, opts: { manifestSha256?: string; retainUntil?: string }): void {
    const segments = allSegments(m);
    const gaps = m.participants.reduce((n, p) => n + p.gaps.length, 0);
    const duration = m.stoppedAt ? (Date.parse(m.stoppedAt) - Date.parse(m.startedAt)) / 1000 : null;
    const c = m.caseInfo;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO archive_sessions (session_id, kind, room_id, case_number, terminal_id, region, petitioner,
             status, started_at, stopped_at, duration_seconds, segment_count, bytes, gap_count, retention_class,
             retain_until, manifest_sha256)
           VALUES (@sessionId, @kind, @roomId, @caseNumber, @terminalId, @region, @petitioner, @status, @startedAt,
             @stoppedAt, @duration, @segmentCount, @bytes, @gaps, @retentionClass, @retainUntil, @manifestSha256)
           ON CONFLICT(session_id) DO UPDATE SET kind=excluded.kind, room_id=excluded.room_id,
             case_number=excluded.case_number, terminal_id=excluded.terminal_id, region=excluded.region,
             petitioner=excluded.petitioner, status=excluded.status, started_at=excluded.started_at,
             stopped_at=excluded.stopped_at, duration_seconds=excluded.duration_seconds,
             segment_count=excluded.segment_count, bytes=excluded.bytes, gap_count=excluded.gap_count,
             retention_class=excluded.retention_class, retain_until=excluded.retain_until,
             manifest_sha256=COALESCE(excluded.manifest_sha256, archive_sessions.manifest_sha256)`,
        )
        .run({
          sessionId: m.sessionId,
          kind: c.kind,
          roomId: c.roomId,
          caseNumber: c.caseNumber ?? null,
          terminalId: c.terminalId ?? null,
          region: c.region ?? null,
          petitioner: c.petitioner ? [c.petitioner.name, c.petitioner.id].filter(Boolean).join(' ') : null,
          status: m.status,
          startedAt: m.startedAt,
          stoppedAt: m.stoppedAt ?? null,
          duration,
          segmentCount: segments.length,
          bytes: segments.reduce((n, s) => n + s.segment.bytes, 0),
          gaps,
          retentionClass: m.retentionClass,
          retainUntil: opts.retainUntil ?? null,
          manifestSha256: opts.manifestSha256 ?? null,
        });
      this.db.prepare('DELETE FROM archive_session_parties WHERE session_id = ?').run(m.sessionId);
      const party = this.db.prepare(
        'INSERT INTO archive_session_parties (session_id, kind, ref, name, department) VALUES (?, ?, ?, ?, ?)',
      );
      for (const o of c.officials ?? []) party.run(m.sessionId, 'official', o.id, o.name, o.department ?? null);
      const departments = new Set([...(c.departments ?? []), ...(c.officials ?? []).flatMap((o) => (o.department ? [o.department] : []))]);
      for (const d of departments) party.run(m.sessionId, 'department', d, d, d);
      for (const p of m.participants) {
        party.run(m.sessionId, 'participant', p.participantId, p.name, null);
        // Officials who joined (a joint session's second department) are found by name too.
        if (p.role === 'official' && !(c.officials ?? []).some((o) => o.id === p.participantId)) {
          party.run(m.sessionId, 'official', p.participantId, p.name, null);
        }
      }
    })();
  }

  get(sessionId: string): SessionRow | undefined {
    const r = this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM archive_sessions WHERE session_id = ?`).get(sessionId);
    return r ? toRow(r) : undefined;
  }

  search(q: SearchQuery): SessionRow[] {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (!q.includeDeleted) where.push('deleted_at IS NULL');
    if (q.caseNumber) (where.push('case_number = @caseNumber'), (args.caseNumber = q.caseNumber));
    if (q.terminalId) (where.push('terminal_id = @terminalId'), (args.terminalId = q.terminalId));
    if (q.region) (where.push('region = @region'), (args.region = q.region));
    if (q.petitioner) (where.push("petitioner LIKE @petitioner ESCAPE '\\'"), (args.petitioner = `%${likeEscape(q.petitioner)}%`));
    if (q.from) (where.push('started_at >= @from'), (args.from = q.from));
    if (q.to) (where.push('started_at <= @to'), (args.to = q.to));
    if (q.department) {
      where.push(`session_id IN (SELECT session_id FROM archive_session_parties WHERE kind = 'department' AND ref = @department)`);
      args.department = q.department;
    }
    if (q.official) {
      where.push(`session_id IN (SELECT session_id FROM archive_session_parties WHERE kind = 'official' AND (ref = @official OR name = @official))`);
      args.official = q.official;
    }
    args.limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    args.offset = Math.max(q.offset ?? 0, 0);
    const sql = `SELECT ${SESSION_COLUMNS} FROM archive_sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC LIMIT @limit OFFSET @offset`;
    return this.db.prepare(sql).all(args).map(toRow);
  }

  setLegalHold(sessionId: string, hold: boolean, reason: string | null): void {
    this.db.prepare('UPDATE archive_sessions SET legal_hold = ?, legal_hold_reason = ? WHERE session_id = ?').run(hold ? 1 : 0, reason, sessionId);
  }

  markDeleted(sessionId: string, at: string): void {
    this.db.prepare('UPDATE archive_sessions SET deleted_at = ? WHERE session_id = ?').run(at, sessionId);
    this.db.prepare('DELETE FROM archive_bookmarks WHERE session_id = ?').run(sessionId);
  }

  /** A tombstone row for a session deleted before the catalog was rebuilt. */
  insertTombstone(t: { sessionId: string; kind: string; roomId: string; caseNumber: string | null; startedAt: string; retentionClass: string; deletedAt: string; manifestSha256: string | null }): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO archive_sessions (session_id, kind, room_id, case_number, status, started_at, retention_class, manifest_sha256, deleted_at)
         VALUES (?, ?, ?, ?, 'stopped', ?, ?, ?, ?)`,
      )
      .run(t.sessionId, t.kind, t.roomId, t.caseNumber, t.startedAt, t.retentionClass, t.manifestSha256, t.deletedAt);
  }

  expired(nowIso: string): SessionRow[] {
    return this.db
      .prepare(`SELECT ${SESSION_COLUMNS} FROM archive_sessions WHERE deleted_at IS NULL AND legal_hold = 0 AND status != 'recording' AND retain_until IS NOT NULL AND retain_until <= ?`)
      .all(nowIso)
      .map(toRow);
  }

  addBookmark(b: Bookmark): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO archive_bookmarks (bookmark_id, session_id, offset_seconds, note, author_sub, author_name, created_at)
         VALUES (@bookmarkId, @sessionId, @offsetSeconds, @note, @authorSub, @authorName, @createdAt)`,
      )
      .run(b);
  }

  bookmarks(sessionId: string): Bookmark[] {
    return this.db
      .prepare(
        `SELECT bookmark_id AS bookmarkId, session_id AS sessionId, offset_seconds AS offsetSeconds, note,
           author_sub AS authorSub, author_name AS authorName, created_at AS createdAt
         FROM archive_bookmarks WHERE session_id = ? ORDER BY offset_seconds`,
      )
      .all(sessionId) as Bookmark[];
  }

  clear(): void {
    this.db.exec('DELETE FROM archive_bookmarks; DELETE FROM archive_session_parties; DELETE FROM archive_sessions;');
  }
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
