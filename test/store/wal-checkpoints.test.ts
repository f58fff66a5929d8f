import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Store } from '../../server/core/db.ts';
import { WalCheckpoints } from '../../server/core/wal-checkpoints.ts';
import { until } from '../support/evidence.ts';

const dirs: string[] = [];
const tmpFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-wal-'));
  dirs.push(dir);
  return path.join(dir, 'app.db');
};
const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** 1 MiB of incompressible rows: a quarter of the WAL that SQLite would checkpoint by itself. */
const megabyte = () => Array.from({ length: 64 }, () => crypto.randomBytes(16 * 1024));

describe('WAL checkpoints', () => {
  it('move committed pages into the database file off the event loop, keeping the WAL bounded', async () => {
    const file = tmpFile();
    const store = await Store.open({ dialect: 'sqlite', file });
    const db = store.db<{ blobs: { b: Buffer } }>();
    await sql`CREATE TABLE blobs (b BLOB NOT NULL)`.execute(db);
    let written = 0;
    for (let burst = 0; burst < 8; burst++) {
      await db.insertInto('blobs').values(megabyte().map((b) => ({ b }))).execute();
      written += 1 << 20;
      // SQLite alone would not checkpoint below 1,000 pages (4 MiB) of WAL: this is the worker.
      await until(`the database file to hold burst ${burst + 1}`, () => size(file) >= written);
    }
    // Each burst restarts the checkpointed WAL from its start: it never held much more than one.
    expect(size(`${file}-wal`)).toBeLessThan(3 << 20);
    await store.close();
    // The worker's connection closed first, so the store's close was the last and removed the WAL.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const check = new Sqlite(file, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 8 * 64 });
    check.close();
  });

  it('fall back to the connection checkpointing itself when the worker cannot run', async () => {
    const file = tmpFile();
    const db = new Sqlite(file);
    db.pragma('journal_mode = WAL');
    const checkpoints = await WalCheckpoints.start(db, file, { driver: path.join(os.tmpdir(), 'no-such-driver.cjs') });
    expect(checkpoints.running).toBe(false);
    db.exec('CREATE TABLE blobs (b BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO blobs (b) VALUES (?)');
    for (let i = 0; i < 6; i++) db.transaction(() => megabyte().forEach((b) => insert.run(b)))();
    // Past 4 MiB of WAL the commit checkpointed, as SQLite does by default.
    expect(size(file)).toBeGreaterThanOrEqual(4 << 20);
    await checkpoints.stop();
    db.close();
  });
});
