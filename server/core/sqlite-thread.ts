// The worker thread that owns a node's SQLite connections (better-sqlite3 is synchronous: on the
// event loop, SQLite's own execution of every statement and COMMIT was the largest cost of a
// claim left after the Redis calls). It runs the statements the main thread posts, in arrival
// order, and posts back their rows. Two connections: the one that writes, which the driver
// (sqlite-thread-driver.ts) hands to one holder at a time as Kysely's SqliteDriver does, so
// transactions mean what they meant on the loop; and a read-only one for the SELECTs made
// outside a transaction, which see the last commit (as on PostgreSQL, READ COMMITTED) and need not
// wait for a transaction to end. Started by the driver only.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import type { ThreadReply, ThreadRequest } from './sqlite-thread-driver.ts';

function openSqliteFile(file: string): Sqlite.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Waits in this thread, not on the event loop, while another process holds the write lock.
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Opened after the writer (which set WAL mode): a WAL reader never waits for the writer. */
function openReader(file: string): Sqlite.Database {
  const db = new Sqlite(file, { readonly: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * better-sqlite3 compiles SQL on each prepare, and Kysely's SQL text repeats: the same text reuses
 * its statement. Bounded: SQL text varies with the number of rows inserted or ids listed.
 */
function statementCache(db: Sqlite.Database, max = 500): (text: string) => Sqlite.Statement {
  const cache = new Map<string, Sqlite.Statement>();
  return (text) => {
    const hit = cache.get(text);
    if (hit) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const stmt = db.prepare(text);
    cache.set(text, stmt);
    if (cache.size > max) cache.delete(cache.keys().next().value as string);
    return stmt;
  };
}

// A Buffer parameter arrives as a plain Uint8Array (the structured clone drops the subclass).
const bindable = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

function execute(prepare: (text: string) => Sqlite.Statement, q: ThreadRequest & { sql: string }): ThreadReply {
  const stmt = prepare(q.sql);
  if (q.read && !stmt.reader) return { id: q.id, notRead: true };
  const parameters = q.parameters.map(bindable);
  if (stmt.reader) {
    const rows = stmt.all(parameters) as Record<string, unknown>[];
    const blobs = rows.some((r) => Object.values(r).some((v) => Buffer.isBuffer(v)));
    return blobs ? { id: q.id, rows, blobs } : { id: q.id, rows };
  }
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { id: q.id, changes, lastInsertRowid };
}

const port = parentPort;
if (!port) throw new Error('sqlite-thread.ts runs in a worker thread started by the SQLite driver');
const { file, sharedReads } = workerData as { file: string; sharedReads: boolean };
const writer = openSqliteFile(file);
const reader = sharedReads ? openReader(file) : undefined;
const prepareWrite = statementCache(writer);
const prepareRead = reader ? statementCache(reader) : prepareWrite;
port.on('message', (q: ThreadRequest) => {
  if (q.sql === undefined) {
    reader?.close();
    writer.close();
    port.close();
    return;
  }
  let reply: ThreadReply;
  try {
    reply = execute(q.read ? prepareRead : prepareWrite, q as ThreadRequest & { sql: string });
  } catch (err) {
    const e = err as Error & { code?: unknown };
    reply = { id: q.id, error: { name: e.name, message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) } };
  }
  port.postMessage(reply);
});
port.postMessage({ id: 0, rows: [] } satisfies ThreadReply);
