// A Kysely driver for SQLite whose connections live in a worker thread (sqlite-thread.ts): each
// compiled query (SQL text and parameters) is posted to the thread, which runs it with
// better-sqlite3 and posts the rows back, so SQLite's execution runs on the other core while the
// event loop serves Redis replies and sockets. Like Kysely's SqliteDriver, one writing connection
// behind a mutex: a transaction holds it from BEGIN IMMEDIATE to COMMIT, and no other statement
// reaches it in between. A SELECT outside a transaction goes to the thread's read-only
// connection without waiting for the mutex: a message waiting for the one before it to come
// back would cost a round trip between the threads per statement.
import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  RawNode,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { AppError } from './errors.ts';
import type { Logger } from './log.ts';

/** Main thread → SQLite thread: a statement, or (no `sql`) close the database and end. */
export interface ThreadRequest {
  id: number;
  sql?: string;
  parameters: readonly unknown[];
  /** On the read-only connection (a SELECT outside a transaction). */
  read?: true;
}

/** SQLite thread → main thread: a statement's rows or changes, or its error. */
export type ThreadReply =
  | { id: number; rows: Record<string, unknown>[]; blobs?: true }
  | { id: number; changes: number; lastInsertRowid: number | bigint }
  | { id: number; error: { name: string; message: string; code?: string } }
  /** A `read` statement that would write (raw SQL starting WITH can): run it on the writer. */
  | { id: number; notRead: true };

/** What `SqliteThread.run` answers for a statement the read-only connection would not run. */
const NOT_A_READ = Symbol('not a read');

const THREAD_ENTRY = new URL('./sqlite-thread.ts', import.meta.url);

/**
 * Worker threads do not inherit the TypeScript loader (tsx under `node --import tsx`, vite under
 * vitest): the thread registers tsx before it imports its entry.
 */
function startThread(file: string, sharedReads: boolean): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(THREAD_ENTRY.href)}); });`;
  return new Worker(boot, { eval: true, workerData: { file, sharedReads } });
}

export interface SqliteThreadOptions {
  /** Where a thread that ended unasked (crashed, out of memory) is reported. */
  log?: Logger;
  /** Told of the thread once started (tests end it to see the store fail as unavailable). */
  onThread?: (thread: Worker) => void;
}

// A BLOB column arrives as a plain Uint8Array; the repositories read it as a Buffer, as before.
function withBuffers(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) if (v instanceof Uint8Array) r[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return rows;
}

// The error as better-sqlite3 threw it in the thread: SqliteError keeps its code
// (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE…), which failure.ts and the repositories read.
function rethrown(e: { name: string; message: string; code?: string }): Error {
  if (e.code !== undefined) return new Sqlite.SqliteError(e.message, e.code);
  if (e.name === 'TypeError') return new TypeError(e.message);
  if (e.name === 'RangeError') return new RangeError(e.message);
  return new Error(e.message);
}

/** The channel to the thread: statements out, replies matched back by id. */
class SqliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: QueryResult<unknown> | typeof NOT_A_READ) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #lost: AppError | undefined;
  readonly exited: Promise<void>;

  constructor(worker: Worker, onLost: (err: unknown) => void) {
    this.#worker = worker;
    worker.on('message', (m: ThreadReply) => this.#settle(m));
    let cause: unknown;
    worker.on('error', (err) => { cause = err; });
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        if (!this.#lost) {
          this.#lost = new AppError('unavailable', 'the store is unavailable, try again shortly');
          if (this.#pending.size > 0 || code !== 0 || cause) onLost(cause ?? new Error(`SQLite thread exited with code ${code}`));
        }
        for (const p of this.#pending.values()) p.reject(this.#lost);
        this.#pending.clear();
        resolve();
      });
    });
    worker.unref();
  }

  /** Resolves once the thread has opened the file (its first message), rejects if it could not. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.set(0, { resolve: () => resolve(), reject });
      this.#worker.ref();
    });
  }

  run<R>(q: CompiledQuery, read: true): Promise<QueryResult<R> | typeof NOT_A_READ>;
  run<R>(q: CompiledQuery, read: false): Promise<QueryResult<R>>;
  run<R>(q: CompiledQuery, read: boolean): Promise<QueryResult<R> | typeof NOT_A_READ> {
    if (this.#lost) return Promise.reject(this.#lost);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // Held only while a reply is due: an idle store does not keep the process alive.
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (r: QueryResult<unknown> | typeof NOT_A_READ) => void, reject });
      this.#worker.postMessage(read ? { id, sql: q.sql, parameters: q.parameters, read } : { id, sql: q.sql, parameters: q.parameters } satisfies ThreadRequest);
    });
  }

  /** Closes the database in the thread (its WAL checkpointed) and waits for the thread to end. */
  async close(): Promise<void> {
    if (!this.#lost) {
      this.#worker.ref();
      this.#worker.postMessage({ id: 0, parameters: [] } satisfies ThreadRequest);
    }
    await this.exited;
  }

  #settle(m: ThreadReply): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('error' in m) p.reject(rethrown(m.error));
    else if ('notRead' in m) p.resolve(NOT_A_READ);
    else if ('rows' in m) p.resolve({ rows: m.blobs ? withBuffers(m.rows) : m.rows });
    else p.resolve({ rows: [], numAffectedRows: BigInt(m.changes), insertId: BigInt(m.lastInsertRowid) });
  }
}

/** One connection, handed to one holder at a time (as Kysely's SqliteDriver does). */
class ConnectionMutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => { this.#release = resolve; });
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}

/** A SELECT, built or raw (a raw WITH … that writes comes back NOT_A_READ). */
const readLike = (q: CompiledQuery) => SelectQueryNode.is(q.query) || (RawNode.is(q.query) && /^\s*(select|with)\b/i.test(q.sql));

/**
 * What Kysely holds between acquiring and releasing a connection: a SELECT outside a transaction
 * goes to the read-only connection at once; anything else first takes the writing connection,
 * kept until the release (a transaction's statements run between its acquisition and release).
 */
class Lease implements DatabaseConnection {
  readonly #thread: SqliteThread;
  readonly #mutex: ConnectionMutex;
  readonly #sharedReads: boolean;
  #writer = false;
  #inTransaction = false;

  constructor(thread: SqliteThread, mutex: ConnectionMutex, sharedReads: boolean) {
    this.#thread = thread;
    this.#mutex = mutex;
    this.#sharedReads = sharedReads;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#sharedReads && !this.#inTransaction && !this.#writer && readLike(q)) {
      const r = await this.#thread.run<R>(q, true);
      if (r !== NOT_A_READ) return r;
    }
    if (!this.#writer) {
      await this.#mutex.lock();
      this.#writer = true;
    }
    return this.#thread.run<R>(q, false);
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite store does not stream rows');
  }

  async transaction(statement: 'begin immediate' | 'commit' | 'rollback'): Promise<void> {
    this.#inTransaction = true;
    try {
      await this.executeQuery(CompiledQuery.raw(statement));
    } finally {
      this.#inTransaction = statement === 'begin immediate';
    }
  }

  release(): void {
    if (!this.#writer) return;
    this.#writer = false;
    this.#mutex.unlock();
  }
}

class SqliteThreadDriver implements Driver {
  readonly #file: string;
  readonly #opts: SqliteThreadOptions;
  readonly #mutex = new ConnectionMutex();
  // A second connection to ':memory:' would be another, empty database.
  readonly #sharedReads: boolean;
  #thread: SqliteThread | undefined;

  constructor(file: string, opts: SqliteThreadOptions) {
    this.#file = file;
    this.#opts = opts;
    this.#sharedReads = file !== ':memory:';
  }

  async init(): Promise<void> {
    const worker = startThread(this.#file, this.#sharedReads);
    this.#opts.onThread?.(worker);
    const t = new SqliteThread(worker, (err) => this.#opts.log?.error({ err }, 'store | SQLite thread ended; queries fail as unavailable'));
    try {
      await t.ready();
    } catch (err) {
      await t.close();
      throw err;
    }
    this.#thread = t;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Lease(this.#thread!, this.#mutex, this.#sharedReads);
  }

  // SQLite's default BEGIN is deferred: two processes could both read and then both fail to
  // write. IMMEDIATE takes the write lock up front, so a read-check-write transaction holds
  // across processes sharing one file (the test suite's several server processes do).
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await (c as Lease).transaction('begin immediate');
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await (c as Lease).transaction('commit');
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await (c as Lease).transaction('rollback');
  }

  async releaseConnection(c: DatabaseConnection): Promise<void> {
    (c as Lease).release();
  }

  async destroy(): Promise<void> {
    await this.#thread?.close();
  }
}

/** The SQLite dialect of the store: Kysely's compiler and adapter, the connection in a thread. */
export function sqliteThreadDialect(file: string, opts: SqliteThreadOptions = {}): Dialect {
  return {
    createDriver: () => new SqliteThreadDriver(file, opts),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}
