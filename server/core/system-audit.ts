// The system-wide audit trail (等保 2.0: a security audit of every sign-in, role or permission
// change, enrolment, revocation, directory change, export and configuration change): the same
// hash chain as the archive's log (audit-chain.ts), kept in the shared database — table
// `system_audit`, one row per entry — so the nodes of a cluster append to one chain and the audit
// administrator on any node searches all of it. Appends are serialized cluster-wide: each batch
// is one transaction that first takes an advisory lock on PostgreSQL (SQLite's BEGIN IMMEDIATE
// already excludes every other writer), reads the head and inserts the entries chained on it; the
// seq primary key refuses a second entry at the same place should the lock ever be bypassed.
// Append-only and never pruned by the product, so it is kept for as long as the database is (at
// least the six months the rule asks; docs/identity.md). `npm run audit:verify` walks the chain.
import { sql, type Kysely } from 'kysely';
import {
  EMPTY_HEAD,
  GENESIS_HASH,
  chainOn,
  AuditChainWalk,
  type AuditActor,
  type AuditEntry,
  type ChainHead,
  type ChainProblem,
} from './audit-chain.ts';
import { execAll, type Executor, type Store } from './db.ts';
import { WriteBatches } from './write-batches.ts';
import type { Claims } from '../protocol/claims.ts';
import type { SystemAuditEntry, SystemAuditType } from '../protocol/http/identity-shapes.ts';

export type { SystemAuditType };

/** Every column the chain covers: altering any one of them breaks it at that row. */
interface SystemAuditRow {
  seq: number;
  at: string;
  type: string;
  session_id: string | null;
  actor_json: string;
  details_json: string;
  prev: string;
  hash: string;
  prev_sm3: string;
  hash_sm3: string;
}
interface SystemAuditTables {
  system_audit: SystemAuditRow;
}

/**
 * The table, created by the identity area's migrations (identity-005-system-audit) so that it
 * comes with the one migration run of a node and of the command-line tools.
 */
export const createSystemAuditTable = (db: Kysely<any>): Promise<void> =>
  execAll(db, [
    // seq is given by the writer under the lock, not generated: it is part of the hashed content.
    `CREATE TABLE system_audit (
      seq BIGINT PRIMARY KEY,
      at TEXT NOT NULL,
      type TEXT NOT NULL,
      session_id TEXT,
      actor_json TEXT NOT NULL,
      details_json TEXT NOT NULL,
      prev TEXT NOT NULL,
      hash TEXT NOT NULL,
      prev_sm3 TEXT NOT NULL,
      hash_sm3 TEXT NOT NULL
    )`,
    `CREATE INDEX system_audit_type ON system_audit(type, seq)`,
    `CREATE INDEX system_audit_at ON system_audit(at)`,
  ]);

/** Arbitrary but fixed: the advisory lock every node takes to append to the trail. */
const APPEND_LOCK_KEY = 0x73765f61; // "sv_a"
// One transaction carries whatever queued meanwhile, up to this many (hashing is on the loop).
const MAX_BATCH = 100;
// Search reads newest first in pages of this many rows until it has enough matches.
const SEARCH_PAGE = 500;
/** Rows read per page when the whole chain is verified. */
const VERIFY_PAGE = 2_000;

export interface AuditRecord {
  type: SystemAuditType;
  actor: AuditActor;
  details?: Record<string, unknown>;
}

export interface AuditSearch {
  type?: SystemAuditType;
  text?: string;
  /** Subjects whose own actions match as well as `text` does (the person a sign-in name names). */
  actors?: readonly string[];
  from?: string;
  to?: string;
  limit: number;
}

/** The actor of an entry from verified claims (never from a request body). */
export const actorOf = (c: Pick<Claims, 'sub' | 'name' | 'role'>): AuditActor => ({ kind: 'user', sub: c.sub, name: c.name, role: c.role });
export const systemActor = (sub: string): AuditActor => ({ kind: 'system', sub });

export class SystemAudit {
  readonly #store: Store;
  readonly #batches: WriteBatches<AuditRecord, void>;

  /** The table comes with the one migration run (createSystemAuditTable). */
  constructor(store: Store) {
    this.#store = store;
    this.#batches = new WriteBatches<AuditRecord, void>(async (records) => {
      await this.#append(records);
      return records.map((): void => undefined);
    }, MAX_BATCH);
  }

  /** Resolves once the entry is committed: an action is not done before it is recorded. */
  record(r: AuditRecord): Promise<void> {
    return this.#batches.add(r);
  }

  /** Resolves when everything recorded so far in this process is committed (or has failed). */
  flushed(): Promise<void> {
    return this.#batches.flushed();
  }

  async #append(records: readonly AuditRecord[]): Promise<void> {
    await this.#store.transaction<SystemAuditTables, void>(async (trx) => {
      if (this.#store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${APPEND_LOCK_KEY})`.execute(trx);
      // Taken under the lock: `at` never goes backwards along the chain, whichever node appends.
      const entries = chainOn(
        await headOf(trx),
        // Actor and details as they will read back from the table (JSON): the hash is over what is stored.
        records.map((r) => ({ type: r.type, actor: asStored(r.actor), details: asStored(r.details ?? {}) })),
        new Date().toISOString(),
      );
      await trx.insertInto('system_audit').values(entries.map(rowOf)).execute();
    });
  }

  /** Newest first; `text` matches the actor or any detail, case-insensitively, and `actors` match by subject. */
  async search(q: AuditSearch): Promise<SystemAuditEntry[]> {
    const text = q.text?.toLowerCase();
    const out: SystemAuditEntry[] = [];
    const db = this.#store.db<SystemAuditTables>();
    for (let before: number | undefined; out.length < q.limit; ) {
      let query = db.selectFrom('system_audit').selectAll().orderBy('seq', 'desc').limit(SEARCH_PAGE);
      if (before !== undefined) query = query.where('seq', '<', before);
      if (q.type) query = query.where('type', '=', q.type);
      if (q.from) query = query.where('at', '>=', q.from);
      if (q.to) query = query.where('at', '<=', q.to);
      const rows = await query.execute();
      for (const row of rows) {
        if (out.length >= q.limit) break;
        const e = entryOf(row);
        if (!e) continue; // unreadable: verify names it
        if (text && !q.actors?.includes(e.actor.sub) && !JSON.stringify([e.actor, e.details]).toLowerCase().includes(text)) continue;
        out.push(view(e));
      }
      if (rows.length < SEARCH_PAGE) break;
      before = rows.at(-1)!.seq;
    }
    return out;
  }

  /**
   * Walks the whole chain from genesis, a page of rows at a time (years of a city's trail do not
   * fit in memory at once); `line` is the row's place in seq order (1 = first).
   */
  async verify(): Promise<{ entries: number; problems: ChainProblem[] }> {
    const walk = new AuditChainWalk({ fromGenesis: true });
    const db = this.#store.db<SystemAuditTables>();
    for (let after: number | undefined; ; ) {
      let query = db.selectFrom('system_audit').selectAll().orderBy('seq').limit(VERIFY_PAGE);
      if (after !== undefined) query = query.where('seq', '>', after);
      const rows = await query.execute();
      for (const row of rows) walk.push(lineOf(row));
      if (rows.length < VERIFY_PAGE) break;
      after = rows.at(-1)!.seq;
    }
    return { entries: walk.lines, problems: walk.problems };
  }
}

/** The last entry of the table: where the next append chains on. */
async function headOf(db: Executor<SystemAuditTables>): Promise<ChainHead> {
  const last = await db.selectFrom('system_audit').select(['seq', 'hash', 'hash_sm3']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last ? { seq: last.seq, hash: last.hash, hashSm3: last.hash_sm3 } : EMPTY_HEAD;
}

function rowOf(e: AuditEntry): SystemAuditRow {
  return {
    seq: e.seq,
    at: e.at,
    type: e.type,
    session_id: e.sessionId ?? null,
    actor_json: JSON.stringify(e.actor),
    details_json: JSON.stringify(e.details),
    prev: e.prev,
    hash: e.hash,
    prev_sm3: e.prevSm3 ?? GENESIS_HASH,
    hash_sm3: e.hashSm3!,
  };
}

/**
 * The row as the line of a log file, for the chain's one verifier. A column that no longer
 * parses leaves its raw text in place, so the line is reported unreadable rather than skipped.
 */
function lineOf(r: SystemAuditRow): string {
  const actor = parseJson(r.actor_json);
  const details = parseJson(r.details_json);
  if (actor === undefined || details === undefined) return `{"seq":${r.seq},"unreadable":${JSON.stringify(r.actor_json + r.details_json)}}`;
  return JSON.stringify({
    seq: r.seq,
    at: r.at,
    type: r.type,
    ...(r.session_id !== null ? { sessionId: r.session_id } : {}),
    actor,
    details,
    prev: r.prev,
    hash: r.hash,
    prevSm3: r.prev_sm3,
    hashSm3: r.hash_sm3,
  });
}

function entryOf(r: SystemAuditRow): AuditEntry | undefined {
  const actor = parseJson(r.actor_json) as AuditActor | undefined;
  const details = parseJson(r.details_json) as Record<string, unknown> | undefined;
  if (!actor || typeof actor.sub !== 'string' || !details) return undefined;
  return { seq: r.seq, at: r.at, type: r.type, actor, details, prev: r.prev, hash: r.hash, prevSm3: r.prev_sm3, hashSm3: r.hash_sm3 };
}

const asStored = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const view = (e: AuditEntry): SystemAuditEntry => ({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, details: e.details, hash: e.hash });
