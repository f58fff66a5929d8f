// The durable store of a node: one Kysely instance over PostgreSQL (DATABASE_URL=postgres://…,
// shared by every node of a cluster) or SQLite (DATABASE_URL unset: DATA_DIR/app.db, one node
// only). Every repository goes through it — no module opens a database of its own — and every
// area contributes forward-only migrations with ids that are stable forever (docs/store.md).
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from './log.ts';
import { WalCheckpoints } from './wal-checkpoints.ts';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type DatabaseConnection,
  type Dialect,
  type SqliteDatabase,
  type Transaction,
} from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** Any Kysely query executor over tables `T`: the store's own, or a transaction's. */
export type Executor<T> = Kysely<T> | Transaction<T>;

/**
 * A query built and compiled once, run with parameters of its own each time: Kysely builds and
 * compiles every query anew, ≈15 µs for a one-row SELECT, which a query run on every claim (the
 * official's row) should not pay. The parameters replace the compiled ones, in order.
 */
export function reusable<R>(compiled: CompiledQuery<R>): <T>(q: Executor<T>, ...parameters: unknown[]) => Promise<R[]> {
  return async (q, ...parameters) => {
    if (parameters.length !== compiled.parameters.length) throw new Error(`query takes ${compiled.parameters.length} parameters, got ${parameters.length}`);
    return (await q.executeQuery<R>({ ...compiled, parameters })).rows;
  };
}

export interface Migration {
  /** Unique and stable forever, e.g. "petition-001-directory". */
  id: string;
  /** Runs inside the migration transaction; `dialect` for the few statements that differ. */
  up: (db: Kysely<any>, dialect: DialectName) => Promise<void>;
}

/** Where the store lives, from DATABASE_URL (config.ts validates the form). */
export type StoreLocation = { dialect: 'postgres'; url: string } | { dialect: 'sqlite'; file: string };

export function storeLocation(databaseUrl: string | undefined, dataDir: string): StoreLocation {
  if (!databaseUrl) return { dialect: 'sqlite', file: path.join(dataDir, 'app.db') };
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return { dialect: 'postgres', url: databaseUrl };
  const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
}

/** A readable form of the location for logs: never the password. */
export function describeLocation(l: StoreLocation): string {
  if (l.dialect === 'sqlite') return `sqlite:${l.file}`;
  const u = new URL(l.url);
  if (u.password) u.password = '***';
  return u.toString();
}

// SQLite's default BEGIN is deferred: two processes could both read and then both fail to
// write. IMMEDIATE takes the write lock up front, so a read-check-write transaction holds
// across processes sharing one file (the test suite's several server processes do).
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * Kysely prepares every query anew, and better-sqlite3 compiles SQL on each prepare: the largest
 * single cost of a petition start in its profile. The same SQL text reuses its statement (the
 * calls are synchronous; one still busy streaming rows is never handed out twice). Bounded: SQL
 * text varies with the number of rows inserted or ids listed.
 */
function withStatementCache(db: Sqlite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, Sqlite.Statement>();
  return {
    close: () => db.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const stmt = db.prepare(text);
      cache.set(text, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

function sqliteDialect(db: Sqlite.Database): Dialect {
  const database = withStatementCache(db);
  return {
    createDriver: () => new ImmediateSqliteDriver({ database }),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}

function openSqliteFile(file: string): Sqlite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

// int8 (counts, epoch milliseconds) arrives as a string by default; every value the product
// stores in one is far below 2^53, so it is a number here, as on SQLite.
const INT8_OID = 20;
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Arbitrary but fixed: the advisory lock every node takes to run migrations one at a time. */
const MIGRATION_LOCK_KEY = 0x73765f6d; // "sv_m"

export interface StoreOptions {
  /** PostgreSQL pool size per node (default 10). */
  poolSize?: number;
  /** Where a lost idle connection is reported (the pool replaces it on the next query). */
  log?: Logger;
}

export class Store {
  readonly dialect: DialectName;
  readonly location: StoreLocation;
  readonly #db: Kysely<any>;
  readonly #checkpoints: WalCheckpoints | undefined;
  #closed = false;

  private constructor(location: StoreLocation, db: Kysely<any>, checkpoints?: WalCheckpoints) {
    this.location = location;
    this.dialect = location.dialect;
    this.#db = db;
    this.#checkpoints = checkpoints;
  }

  /** Opens (and for SQLite creates) the store and checks that it answers. */
  static async open(location: StoreLocation, opts: StoreOptions = {}): Promise<Store> {
    let db: Kysely<any>;
    let checkpoints: WalCheckpoints | undefined;
    if (location.dialect === 'postgres') {
      const pool = new pg.Pool({ connectionString: location.url, max: opts.poolSize ?? 10, types: pgTypes, connectionTimeoutMillis: 10_000 });
      // An idle connection that dies (PostgreSQL restarted, network cut) is an 'error' event on
      // the pool; unheard, it would end the process. Queries meanwhile fail as `unavailable`.
      pool.on('error', (err) => opts.log?.warn({ err }, 'store | idle PostgreSQL connection lost'));
      db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    } else {
      const file = openSqliteFile(location.file);
      db = new Kysely<any>({ dialect: sqliteDialect(file) });
      if (location.file !== ':memory:') checkpoints = await WalCheckpoints.start(file, location.file, opts.log ? { log: opts.log } : {});
    }
    const store = new Store(location, db, checkpoints);
    try {
      await store.ping();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    return store;
  }

  /** The store typed with one area's tables (each area declares its own; docs/store.md). */
  db<T>(): Kysely<T> {
    return this.#db as Kysely<T>;
  }

  /**
   * Runs `fn` in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED, so
   * read-check-write code locks the rows it reads with `forUpdate`). Inside, use only `trx`:
   * on SQLite the store has one connection, which the transaction holds.
   */
  transaction<T, R>(fn: (trx: Transaction<T>) => Promise<R>): Promise<R> {
    return (this.#db as Kysely<T>).transaction().execute(fn);
  }

  /** `SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transaction already excludes writers. */
  forUpdate<Q extends { forUpdate(): Q }>(q: Q): Q {
    return this.dialect === 'postgres' ? q.forUpdate() : q;
  }

  /** A round trip to the database (for /healthz). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  /**
   * Applies the migrations not yet recorded in `schema_migrations`, in the order given, all in
   * one transaction — on PostgreSQL under an advisory lock, so nodes starting together run them
   * once and the others wait and find them done. Returns the ids applied.
   */
  async migrate(migrations: readonly Migration[]): Promise<string[]> {
    const ids = new Set<string>();
    for (const m of migrations) {
      if (ids.has(m.id)) throw new Error(`migration id ${m.id} appears twice`);
      ids.add(m.id);
    }
    return this.transaction<any, string[]>(async (trx) => {
      if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
      await trx.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .execute();
      const done = new Set((await trx.selectFrom('schema_migrations').select('id').execute()).map((r: { id: string }) => r.id));
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        await m.up(trx, this.dialect);
        await trx.insertInto('schema_migrations').values({ id: m.id, applied_at: new Date().toISOString() }).execute();
        applied.push(m.id);
      }
      return applied;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The checkpointing connection first: the store's own close, the last, then checkpoints and removes the WAL.
    await this.#checkpoints?.stop();
    await this.#db.destroy();
  }
}

/** Runs DDL statements one by one (better-sqlite3 prepares one statement at a time). */
export async function execAll(db: Kysely<any>, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(db);
}

/** An auto-numbered primary key column, spelled for the dialect. */
export function serialKey(dialect: DialectName): string {
  return dialect === 'postgres' ? 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
}

