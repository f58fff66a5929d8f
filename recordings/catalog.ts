// The archive catalog: an index over the session manifests in the node's store (SQLite or
// PostgreSQL, server/core/db.ts), for search and retention.
// It is derived data — `npm run archive:reindex` rebuilds it from the session folders, their
// bookmark files and the audit log (legal holds, deletions), so losing it loses nothing.
import { sql, type Generated, type Kysely } from 'kysely';
import { execAll, type Executor, type Migration, type Store } from '../server/core/db.ts';
import type { Bookmark, SessionRow } from '../server/protocol/http/archive-shapes.ts';
import { allSegments, type Manifest } from './manifest.ts';
import { EXPORT_MIGRATIONS } from './export-records.ts';

export const ARCHIVE_MIGRATIONS: readonly Migration[] = [
  {
    // The same id as the first version's archive.sqlite; the tables now live in the node's store.
    id: 'archive-001-sessions',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE archive_sessions (
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
          duration_seconds DOUBLE PRECISION,
          segment_count INTEGER NOT NULL DEFAULT 0,
          bytes BIGINT NOT NULL DEFAULT 0,
          gap_count INTEGER NOT NULL DEFAULT 0,
          retention_class TEXT NOT NULL,
          retain_until TEXT,
          legal_hold INTEGER NOT NULL DEFAULT 0,
          legal_hold_reason TEXT,
          manifest_sha256 TEXT,
          deleted_at TEXT
        )`,
        `CREATE INDEX archive_sessions_case ON archive_sessions(case_number)`,
        `CREATE INDEX archive_sessions_terminal ON archive_sessions(terminal_id)`,
        `CREATE INDEX archive_sessions_region ON archive_sessions(region)`,
        `CREATE INDEX archive_sessions_started ON archive_sessions(started_at)`,
        `CREATE TABLE archive_session_parties (
          session_id TEXT NOT NULL REFERENCES archive_sessions(session_id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('official', 'department', 'participant')),
          ref TEXT NOT NULL,
          name TEXT,
          department TEXT
        )`,
        `CREATE INDEX archive_session_parties_session ON archive_session_parties(session_id)`,
        `CREATE INDEX archive_session_parties_ref ON archive_session_parties(kind, ref)`,
        `CREATE TABLE archive_bookmarks (
          bookmark_id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL REFERENCES archive_sessions(session_id) ON DELETE CASCADE,
          offset_seconds DOUBLE PRECISION NOT NULL,
          note TEXT NOT NULL,
          author_sub TEXT NOT NULL,
          author_name TEXT,
          created_at TEXT NOT NULL
        )`,
        `CREATE INDEX archive_bookmarks_session ON archive_bookmarks(session_id)`,
      ]),
  },
  {
    // The system administrator's retention periods: a setting, not derived data (a reindex keeps it).
    id: 'archive-002-retention',
    up: (db) =>
      execAll(db, [
        `CREATE TABLE archive_retention (
          retention_class TEXT PRIMARY KEY,
          days INTEGER NOT NULL,
          changed_at TEXT NOT NULL,
          changed_by TEXT NOT NULL
        )`,
      ]),
  },
  // Export jobs and download tickets, shared by the nodes (export-records.ts).
  ...EXPORT_MIGRATIONS,
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

/** The archive tables as stored. */
export interface ArchiveTables {
  archive_sessions: {
    session_id: string;
    kind: string;
    room_id: string;
    case_number: string | null;
    terminal_id: string | null;
    region: string | null;
    petitioner: string | null;
    status: string;
    started_at: string;
    stopped_at: string | null;
    duration_seconds: number | null;
    segment_count: Generated<number>;
    bytes: Generated<number>;
    gap_count: Generated<number>;
    retention_class: string;
    retain_until: string | null;
    legal_hold: Generated<number>;
    legal_hold_reason: string | null;
    manifest_sha256: string | null;
    deleted_at: string | null;
  };
  archive_retention: { retention_class: string; days: number; changed_at: string; changed_by: string };
  archive_session_parties: { session_id: string; kind: 'official' | 'department' | 'participant'; ref: string; name: string | null; department: string | null };
  archive_bookmarks: {
    bookmark_id: string;
    session_id: string;
    offset_seconds: number;
    note: string;
    author_sub: string;
    author_name: string | null;
    created_at: string;
  };
}

type Q = Executor<ArchiveTables>;

const SESSION_COLUMNS = [
  'session_id as sessionId',
  'kind',
  'room_id as roomId',
  'case_number as caseNumber',
  'terminal_id as terminalId',
  'region',
  'petitioner',
  'status',
  'started_at as startedAt',
  'stopped_at as stoppedAt',
  'duration_seconds as durationSeconds',
  'segment_count as segmentCount',
  'bytes',
  'gap_count as gapCount',
  'retention_class as retentionClass',
  'retain_until as retainUntil',
  'legal_hold as legalHold',
  'legal_hold_reason as legalHoldReason',
  'manifest_sha256 as manifestSha256',
  'deleted_at as deletedAt',
] as const;

const BOOKMARK_COLUMNS = [
  'bookmark_id as bookmarkId',
  'session_id as sessionId',
  'offset_seconds as offsetSeconds',
  'note',
  'author_sub as authorSub',
  'author_name as authorName',
  'created_at as createdAt',
] as const;

const toRow = (r: Omit<SessionRow, 'legalHold'> & { legalHold: number }): SessionRow => ({ ...r, legalHold: r.legalHold === 1 });

export class Catalog {
  readonly #store: Store;
  readonly #db: Kysely<ArchiveTables>;

  constructor(store: Store) {
    this.#store = store;
    this.#db = store.db<ArchiveTables>();
  }

  /** Runs `fn` with the catalog in one transaction (a reindex is seen whole or not at all). */
  transaction<R>(fn: (catalog: CatalogWriter) => Promise<R>): Promise<R> {
    return this.#store.transaction<ArchiveTables, R>((trx) => fn(new CatalogWriter(trx)));
  }

  /** Inserts or refreshes a session from its manifest; keeps hold and deletion state. */
  indexManifest(m: Manifest, opts: { manifestSha256?: string | undefined; retainUntil?: string }): Promise<void> {
    return this.transaction((w) => w.indexManifest(m, opts));
  }

  async get(sessionId: string): Promise<SessionRow | undefined> {
    const r = await this.#db.selectFrom('archive_sessions').select(SESSION_COLUMNS).where('session_id', '=', sessionId).executeTakeFirst();
    return r && toRow(r);
  }

  /** Sessions the catalog says are still recording (live, or left so by a node that died). */
  async recording(): Promise<SessionRow[]> {
    const rows = await this.#db.selectFrom('archive_sessions').select(SESSION_COLUMNS).where('status', '=', 'recording').where('deleted_at', 'is', null).orderBy('started_at').execute();
    return rows.map(toRow);
  }

  /** The room's latest session that is still recording, if any (a room moved to another node continues it). */
  async recordingOfRoom(roomId: string): Promise<SessionRow | undefined> {
    const r = await this.#db
      .selectFrom('archive_sessions')
      .select(SESSION_COLUMNS)
      .where('room_id', '=', roomId)
      .where('status', '=', 'recording')
      .where('deleted_at', 'is', null)
      .orderBy('started_at', 'desc')
      .executeTakeFirst();
    return r && toRow(r);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.#db.selectFrom('archive_sessions').select('session_id').limit(1).executeTakeFirst()) === undefined;
  }

  async search(q: SearchQuery): Promise<SessionRow[]> {
    const rows = await this.#db
      .selectFrom('archive_sessions')
      .select(SESSION_COLUMNS)
      .$if(!q.includeDeleted, (b) => b.where('deleted_at', 'is', null))
      .$if(!!q.caseNumber, (b) => b.where('case_number', '=', q.caseNumber!))
      .$if(!!q.terminalId, (b) => b.where('terminal_id', '=', q.terminalId!))
      .$if(!!q.region, (b) => b.where('region', '=', q.region!))
      .$if(!!q.petitioner, (b) => b.where(sql<boolean>`petitioner LIKE ${`%${likeEscape(q.petitioner!)}%`} ESCAPE '\\'`))
      .$if(!!q.from, (b) => b.where('started_at', '>=', q.from!))
      .$if(!!q.to, (b) => b.where('started_at', '<=', q.to!))
      .$if(!!q.department, (b) =>
        b.where('session_id', 'in', (eb) => eb.selectFrom('archive_session_parties').select('session_id').where('kind', '=', 'department').where('ref', '=', q.department!)),
      )
      .$if(!!q.official, (b) =>
        b.where('session_id', 'in', (eb) =>
          eb
            .selectFrom('archive_session_parties')
            .select('session_id')
            .where('kind', '=', 'official')
            .where((w) => w.or([w('ref', '=', q.official!), w('name', '=', q.official!)])),
        ),
      )
      .orderBy('started_at', 'desc')
      .limit(Math.min(Math.max(q.limit ?? 50, 1), 200))
      .offset(Math.max(q.offset ?? 0, 0))
      .execute();
    return rows.map(toRow);
  }

  setLegalHold(sessionId: string, hold: boolean, reason: string | null): Promise<void> {
    return new CatalogWriter(this.#db).setLegalHold(sessionId, hold, reason);
  }

  markDeleted(sessionId: string, at: string): Promise<void> {
    return this.transaction(async (w) => {
      await w.q.updateTable('archive_sessions').set({ deleted_at: at }).where('session_id', '=', sessionId).execute();
      await w.q.deleteFrom('archive_bookmarks').where('session_id', '=', sessionId).execute();
    });
  }

  /** The retention periods the system administrator set, by class (classes never set are absent). */
  async retentionSettings(): Promise<Record<string, number>> {
    const rows = await this.#db.selectFrom('archive_retention').select(['retention_class', 'days']).execute();
    return Object.fromEntries(rows.map((r) => [r.retention_class, Number(r.days)]));
  }

  async saveRetentionSettings(days: Readonly<Record<string, number>>, changedBy: string, at: string): Promise<void> {
    await this.#store.transaction<ArchiveTables, void>(async (trx) => {
      for (const [retentionClass, d] of Object.entries(days)) {
        await trx
          .insertInto('archive_retention')
          .values({ retention_class: retentionClass, days: d, changed_at: at, changed_by: changedBy })
          .onConflict((oc) => oc.column('retention_class').doUpdateSet({ days: d, changed_at: at, changed_by: changedBy }))
          .execute();
      }
    });
  }

  /** Sets every kept session's `retain_until` from `until` (the periods changed); answers how many moved. */
  async reapplyRetention(until: (s: Pick<SessionRow, 'retentionClass' | 'kind' | 'startedAt' | 'stoppedAt'>) => string): Promise<number> {
    const rows = await this.#db
      .selectFrom('archive_sessions')
      .select(['session_id as sessionId', 'retention_class as retentionClass', 'kind', 'started_at as startedAt', 'stopped_at as stoppedAt', 'retain_until as retainUntil'])
      .where('deleted_at', 'is', null)
      .execute();
    let moved = 0;
    for (const r of rows) {
      const next = until(r);
      if (next === r.retainUntil) continue;
      await this.#db.updateTable('archive_sessions').set({ retain_until: next }).where('session_id', '=', r.sessionId).execute();
      moved++;
    }
    return moved;
  }

  async expired(nowIso: string): Promise<SessionRow[]> {
    const rows = await this.#db
      .selectFrom('archive_sessions')
      .select(SESSION_COLUMNS)
      .where('deleted_at', 'is', null)
      .where('legal_hold', '=', 0)
      .where('status', '!=', 'recording')
      .where('retain_until', 'is not', null)
      .where('retain_until', '<=', nowIso)
      .execute();
    return rows.map(toRow);
  }

  addBookmark(b: Bookmark): Promise<void> {
    return new CatalogWriter(this.#db).addBookmark(b);
  }

  async bookmarks(sessionId: string): Promise<Bookmark[]> {
    return this.#db.selectFrom('archive_bookmarks').select(BOOKMARK_COLUMNS).where('session_id', '=', sessionId).orderBy('offset_seconds').execute();
  }
}

/** Catalog writes on one executor: the store, or a transaction that several of them share. */
export class CatalogWriter {
  constructor(readonly q: Q) {}

  async indexManifest(m: Manifest, opts: { manifestSha256?: string | undefined; retainUntil?: string }): Promise<void> {
    const segments = allSegments(m);
    const c = m.caseInfo;
    const row = {
      session_id: m.sessionId,
      kind: c.kind,
      room_id: c.roomId,
      case_number: c.caseNumber ?? null,
      terminal_id: c.terminalId ?? null,
      region: c.region ?? null,
      petitioner: c.petitioner ? [c.petitioner.name, c.petitioner.id].filter(Boolean).join(' ') : null,
      status: m.status,
      started_at: m.startedAt,
      stopped_at: m.stoppedAt ?? null,
      duration_seconds: m.stoppedAt ? (Date.parse(m.stoppedAt) - Date.parse(m.startedAt)) / 1000 : null,
      segment_count: segments.length,
      bytes: segments.reduce((n, s) => n + s.segment.bytes, 0),
      gap_count: m.participants.reduce((n, p) => n + p.gaps.length, 0),
      retention_class: m.retentionClass,
      retain_until: opts.retainUntil ?? null,
      manifest_sha256: opts.manifestSha256 ?? null,
    };
    await this.q
      .insertInto('archive_sessions')
      .values(row)
      .onConflict((oc) =>
        oc.column('session_id').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          room_id: eb.ref('excluded.room_id'),
          case_number: eb.ref('excluded.case_number'),
          terminal_id: eb.ref('excluded.terminal_id'),
          region: eb.ref('excluded.region'),
          petitioner: eb.ref('excluded.petitioner'),
          status: eb.ref('excluded.status'),
          started_at: eb.ref('excluded.started_at'),
          stopped_at: eb.ref('excluded.stopped_at'),
          duration_seconds: eb.ref('excluded.duration_seconds'),
          segment_count: eb.ref('excluded.segment_count'),
          bytes: eb.ref('excluded.bytes'),
          gap_count: eb.ref('excluded.gap_count'),
          retention_class: eb.ref('excluded.retention_class'),
          retain_until: eb.ref('excluded.retain_until'),
          manifest_sha256: eb.fn.coalesce('excluded.manifest_sha256', 'archive_sessions.manifest_sha256'),
        })),
      )
      .execute();
    await this.q.deleteFrom('archive_session_parties').where('session_id', '=', m.sessionId).execute();
    const parties: ArchiveTables['archive_session_parties'][] = [];
    for (const o of c.officials ?? []) parties.push({ session_id: m.sessionId, kind: 'official', ref: o.id, name: o.name, department: o.department ?? null });
    const departments = new Set([...(c.departments ?? []), ...(c.officials ?? []).flatMap((o) => (o.department ? [o.department] : []))]);
    for (const d of departments) parties.push({ session_id: m.sessionId, kind: 'department', ref: d, name: d, department: d });
    for (const p of m.participants) {
      parties.push({ session_id: m.sessionId, kind: 'participant', ref: p.participantId, name: p.name, department: null });
      // Officials who joined (a joint session's second department) are found by name too.
      if (p.role === 'official' && !(c.officials ?? []).some((o) => o.id === p.participantId)) {
        parties.push({ session_id: m.sessionId, kind: 'official', ref: p.participantId, name: p.name, department: null });
      }
    }
    if (parties.length > 0) await this.q.insertInto('archive_session_parties').values(parties).execute();
  }

  async setLegalHold(sessionId: string, hold: boolean, reason: string | null): Promise<void> {
    await this.q.updateTable('archive_sessions').set({ legal_hold: hold ? 1 : 0, legal_hold_reason: reason }).where('session_id', '=', sessionId).execute();
  }

  async addBookmark(b: Bookmark): Promise<void> {
    const row = {
      bookmark_id: b.bookmarkId,
      session_id: b.sessionId,
      offset_seconds: b.offsetSeconds,
      note: b.note,
      author_sub: b.authorSub,
      author_name: b.authorName,
      created_at: b.createdAt,
    };
    await this.q
      .insertInto('archive_bookmarks')
      .values(row)
      .onConflict((oc) =>
        oc.column('bookmark_id').doUpdateSet({ session_id: row.session_id, offset_seconds: row.offset_seconds, note: row.note, author_sub: row.author_sub, author_name: row.author_name, created_at: row.created_at }),
      )
      .execute();
  }

  /** A tombstone row for a session deleted before the catalog was rebuilt. */
  async insertTombstone(t: { sessionId: string; kind: string; roomId: string; caseNumber: string | null; startedAt: string; retentionClass: string; deletedAt: string; manifestSha256: string | null }): Promise<void> {
    const row = {
      session_id: t.sessionId,
      kind: t.kind,
      room_id: t.roomId,
      case_number: t.caseNumber,
      status: 'stopped',
      started_at: t.startedAt,
      retention_class: t.retentionClass,
      manifest_sha256: t.manifestSha256,
      deleted_at: t.deletedAt,
    };
    await this.q.deleteFrom('archive_session_parties').where('session_id', '=', t.sessionId).execute();
    await this.q.deleteFrom('archive_bookmarks').where('session_id', '=', t.sessionId).execute();
    await this.q.deleteFrom('archive_sessions').where('session_id', '=', t.sessionId).execute();
    await this.q.insertInto('archive_sessions').values(row).execute();
  }

  async clear(): Promise<void> {
    await this.q.deleteFrom('archive_bookmarks').execute();
    await this.q.deleteFrom('archive_session_parties').execute();
    await this.q.deleteFrom('archive_sessions').execute();
  }
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
