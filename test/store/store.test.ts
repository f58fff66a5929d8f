import { afterEach, describe, expect, it } from 'vitest';
import { sql, type Generated } from 'kysely';
import { Store, execAll, serialKey, type Migration } from '../../server/core/db.ts';
import { DIALECTS } from '../support/stores.ts';

const migrations: Migration[] = [
  {
    id: 'test-001-things',
    up: (db, dialect) =>
      execAll(db, [
        `CREATE TABLE things (seq ${serialKey(dialect)}, name TEXT NOT NULL UNIQUE, at_ms BIGINT NOT NULL, n INTEGER NOT NULL DEFAULT 0)`,
      ]),
  },
  { id: 'test-002-counters', up: (db) => execAll(db, ['CREATE TABLE counters (k TEXT PRIMARY KEY, v INTEGER NOT NULL)']) },
];

interface Tables {
  things: { seq: Generated<number>; name: string; at_ms: number; n: Generated<number> };
  counters: { k: string; v: number };
}

describe.each(DIALECTS)('the store on %s', (dialect, fresh) => {
  const open: Store[] = [];
  const openStore = async (loc: Awaited<ReturnType<typeof fresh>>) => {
    const s = await Store.open(loc);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('applies each migration once and records it', async () => {
    const loc = await fresh('migrate');
    const s = await openStore(loc);
    expect(s.dialect).toBe(dialect);
    expect(await s.migrate(migrations)).toEqual(['test-001-things', 'test-002-counters']);
    expect(await s.migrate(migrations)).toEqual([]);
    await s.close();
    // Reopened later (a restart), nothing runs again and the data is there.
    const again = await openStore(loc);
    expect(await again.migrate(migrations)).toEqual([]);
    const ids = await again.db<{ schema_migrations: { id: string } }>().selectFrom('schema_migrations').select('id').orderBy('id').execute();
    expect(ids.map((r) => r.id)).toEqual(['test-001-things', 'test-002-counters']);
  });

  it('refuses a migration list that names an id twice', async () => {
    const s = await openStore(await fresh('dup'));
    await expect(s.migrate([migrations[0]!, migrations[0]!])).rejects.toThrow(/appears twice/);
  });

  it('rolls back a failed migration run completely', async () => {
    const s = await openStore(await fresh('rollback'));
    const broken: Migration = { id: 'test-003-broken', up: (db) => execAll(db, ['CREATE TABLE nope (x TEXT', ]) };
    await expect(s.migrate([...migrations, broken])).rejects.toThrow();
    // Nothing of the run stayed: the next start applies all of it.
    expect(await s.migrate(migrations)).toEqual(['test-001-things', 'test-002-counters']);
  });

  it('reads big integers (epoch milliseconds, counts) back as numbers', async () => {
    const s = await openStore(await fresh('int8'));
    await s.migrate(migrations);
    const db = s.db<Tables>();
    const at = Date.parse('2026-11-26T04:00:00.123Z');
    await db.insertInto('things').values({ name: '张庄村', at_ms: at }).execute();
    const row = await db.selectFrom('things').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: '张庄村', at_ms: at, n: 0 });
    expect(typeof row.seq).toBe('number');
    const { c } = await db.selectFrom('things').select((eb) => eb.fn.countAll<number>().as('c')).executeTakeFirstOrThrow();
    expect(c).toBe(1);
  });

  it('undoes every write of a transaction that throws', async () => {
    const s = await openStore(await fresh('trx'));
    await s.migrate(migrations);
    await expect(
      s.transaction<Tables, void>(async (trx) => {
        await trx.insertInto('things').values({ name: 'a', at_ms: 1 }).execute();
        await trx.insertInto('things').values({ name: 'a', at_ms: 2 }).execute(); // unique violation
      }),
    ).rejects.toThrow();
    expect(await s.db<Tables>().selectFrom('things').selectAll().execute()).toEqual([]);
  });

  it('keeps read-check-write transactions from losing updates under concurrency', async () => {
    const loc = await fresh('rcw');
    const first = await openStore(loc);
    await first.migrate(migrations);
    await first.db<Tables>().insertInto('counters').values({ k: 'x', v: 0 }).execute();
    // On PostgreSQL, two nodes (two pools); SQLite serves one node, through one connection.
    const stores = dialect === 'postgres' ? [first, await openStore(loc)] : [first];
    const bump = (s: Store) =>
      s.transaction<Tables, void>(async (trx) => {
        const { v } = await s.forUpdate(trx.selectFrom('counters').select('v').where('k', '=', 'x')).executeTakeFirstOrThrow();
        await sql`select 1`.execute(trx); // another round trip between the read and the write
        await trx.updateTable('counters').set({ v: v + 1 }).where('k', '=', 'x').execute();
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(stores[i % stores.length]!)));
    expect((await first.db<Tables>().selectFrom('counters').select('v').executeTakeFirstOrThrow()).v).toBe(40);
  });

  it('answers a health check', async () => {
    const s = await openStore(await fresh('ping'));
    await expect(s.ping()).resolves.toBeUndefined();
  });
});

describe('migrations on one PostgreSQL database from several nodes at once', () => {
  it('run exactly once; the other nodes wait and find them applied', async () => {
    const loc = await DIALECTS[1]![1]('race');
    const stores = await Promise.all([1, 2, 3, 4].map(() => Store.open(loc)));
    try {
      const results = await Promise.all(stores.map((s) => s.migrate(migrations)));
      expect(results.filter((r) => r.length > 0)).toEqual([['test-001-things', 'test-002-counters']]);
      expect(results.filter((r) => r.length === 0)).toHaveLength(3);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
