import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.ts';

describe('the test run\'s throw-away PostgreSQL', () => {
  it('gives each caller its own empty database that keeps what is written to it', async () => {
    const [a, b] = [await createTestDatabase('harness'), await createTestDatabase('harness')];
    expect(a).not.toBe(b);
    const ca = new pg.Client(a);
    const cb = new pg.Client(b);
    await ca.connect();
    await cb.connect();
    try {
      await ca.query('CREATE TABLE t (v text)');
      await ca.query("INSERT INTO t VALUES ('村委会')");
      expect((await ca.query('SELECT v FROM t')).rows).toEqual([{ v: '村委会' }]);
      await expect(cb.query('SELECT v FROM t')).rejects.toThrow(/does not exist/);
    } finally {
      await ca.end();
      await cb.end();
    }
  });
});
