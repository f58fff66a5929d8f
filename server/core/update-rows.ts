// Many rows updated with values of their own in one statement: UPDATE … FROM (VALUES …), which
// SQLite (≥ 3.33) and PostgreSQL both run. A batch of writes costs one statement per table this
// way, not one per row. The VALUES list's columns are named column1, column2, … in both dialects.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './db.ts';

export interface RowsUpdate {
  table: string;
  /** The columns that pick each row (by equality). */
  keys: readonly string[];
  /** The columns each row is given its own value of. */
  set: readonly string[];
  /** One object per row with a value for every key and set column. At most one row per key. */
  rows: readonly Record<string, unknown>[];
  /** Columns that are not text: PostgreSQL types the parameters of a VALUES list as text. */
  integers?: ReadonlySet<string>;
  /** A further condition on the updated rows (e.g. `stopped_at IS NULL`). */
  where?: RawBuilder<unknown>;
}

export async function updateRows<T>(q: Executor<T>, u: RowsUpdate): Promise<void> {
  if (u.rows.length === 0 || u.set.length === 0) return;
  const cols = [...u.keys, ...u.set];
  const value = (k: string) => {
    const ref = sql.ref(`v.column${cols.indexOf(k) + 1}`);
    return u.integers?.has(k) ? sql`CAST(${ref} AS INTEGER)` : ref;
  };
  const values = sql.join(u.rows.map((r) => sql`(${sql.join(cols.map((k) => r[k]))})`));
  const match = sql.join(
    u.keys.map((k) => sql`${sql.ref(`${u.table}.${k}`)} = ${value(k)}`),
    sql` AND `,
  );
  await sql`UPDATE ${sql.table(u.table)} SET ${sql.join(u.set.map((k) => sql`${sql.id(k)} = ${value(k)}`))} FROM (VALUES ${values}) AS v WHERE ${match}${u.where ? sql` AND ${u.where}` : sql``}`.execute(q);
}
