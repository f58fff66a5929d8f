// The SQLite store's connections live in a worker thread (server/core/sqlite-thread-driver.ts):
// what crosses the thread must arrive as it did when better-sqlite3 ran on the event loop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, execAll } from '../../server/core/db.ts';
import { AppError } from '../../server/core/errors.ts';
import { httpFailure } from '../../server/core/http/failure.ts';
import { sqliteThreadDialect } from '../../server/core/sqlite-thread-driver.ts';

interface Tables {
  things: { name: string; n: number; bytes: Buffer | null };
}

const freshFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sv-thread-')), 'app.db');

describe('the SQLite store in its worker thread', () => {
  const open: { close(): Promise<void> }[] = [];
  const openStore = async () => {
    const s = await Store.open({ dialect: 'sqlite', file: freshFile() });
    open.push(s);
    await execAll(s.db(), ['CREATE TABLE things (name TEXT PRIMARY KEY, n INTEGER NOT NULL, bytes BLOB)']);
    return s.db<Tables>();
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('rejects a duplicate key with the SqliteError code the callers check', async () => {
    const db = await openStore();
    await db.insertInto('things').values({ name: 'a', n: 1, bytes: null }).execute();
    const err = await db.insertInto('things').values({ name: 'a', n: 2, bytes: null }).execute().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Sqlite.SqliteError);
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  });

  it('gives a BLOB back as the Buffer stored, and counts changed rows as bigints', async () => {
    const db = await openStore();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const ins = await db.insertInto('things').values([{ name: 'a', n: 1, bytes }, { name: 'b', n: 1, bytes: null }]).executeTakeFirstOrThrow();
    expect(ins.insertId).toBe(2n);
    const upd = await db.updateTable('things').set({ n: 5 }).where('n', '=', 1).executeTakeFirstOrThrow();
    expect(upd.numUpdatedRows).toBe(2n);
    const row = await db.selectFrom('things').selectAll().where('name', '=', 'a').executeTakeFirstOrThrow();
    expect(Buffer.isBuffer(row.bytes)).toBe(true);
    expect(row.bytes!.equals(bytes)).toBe(true);
    expect(row.n).toBe(5);
  });

  it('lets a read outside a transaction see the last commit, and holds a write outside until the transaction ends', async () => {
    const db = await openStore();
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let inside!: () => void;
    const begun = new Promise<void>((r) => { inside = r; });
    const trx = db.transaction().execute(async (t) => {
      await t.insertInto('things').values({ name: 'in', n: 1, bytes: null }).execute();
      inside();
      await held;
      order.push('commit');
    });
    await begun;
    // Not the uncommitted row, and no wait for the transaction.
    expect(await db.selectFrom('things').select('name').execute()).toEqual([]);
    const outside = db.insertInto('things').values({ name: 'out', n: 1, bytes: null }).execute().then(() => order.push('outside write'));
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([trx, outside]);
    expect(order).toEqual(['commit', 'outside write']);
    expect((await db.selectFrom('things').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(['in', 'out']);
  });

  it('runs a raw WITH … statement that writes on the writing connection', async () => {
    const db = await openStore();
    await sql`WITH v(name) AS (SELECT 'w') INSERT INTO things (name, n) SELECT name, 7 FROM v`.execute(db);
    expect(await db.selectFrom('things').select(['name', 'n']).execute()).toEqual([{ name: 'w', n: 7 }]);
  });

  it('fails the pending and every later query as unavailable when the thread ends unasked, and still closes', async () => {
    let thread: Worker | undefined;
    const db = new Kysely<Tables>({ dialect: sqliteThreadDialect(freshFile(), { onThread: (t) => { thread = t; } }) });
    open.push({ close: () => db.destroy() });
    await sql`select 1`.execute(db);
    const ended = thread!.terminate();
    const pending = [sql`select 2`.execute(db), db.insertInto('things').values({ name: 'x', n: 1, bytes: null }).execute()];
    await ended;
    for (const p of [...pending, sql`select 3`.execute(db)]) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(httpFailure(err).status).toBe(503);
    }
  });
});
