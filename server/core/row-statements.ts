// Many rows written in one statement, its SQL text built here rather than by Kysely's builder:
// the builder makes, validates and freezes an operation node per value (a batch of 100 claims
// writes ≈2,000). Measured on the claim path the saving is a few per cent of the loop's time
// per claim (docs/bench-scheduler.md, sixth pass); these statements are the hot path's (claims,
// starts, events), everything else stays on the builder. Text and parameters are built in one
// pass and run through Kysely's executor, so transactions and the statement cache still apply.
//
// Tables and columns come from the code, never from input; they are still checked, and quoted.
import { CompiledQuery, sql } from 'kysely';
import type { Executor } from './db.ts';

// Any area's tables: the statements name their own.
type AnyExecutor = Executor<any>;

export interface RowsInsert {
  table: string;
  /** The columns written; by default the first row's keys. */
  columns?: readonly string[];
  /** One object per row with a value for every column (null, not undefined, for none). */
  rows: readonly Record<string, unknown>[];
  /** ON CONFLICT (these columns) DO NOTHING. */
  ignoreConflictOn?: readonly string[];
  /** Columns the statement answers with, of the rows it inserted; '*' for all. */
  returning?: readonly string[] | '*';
}

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
  /** A further condition on the updated rows, as SQL text without parameters (e.g. `stopped_at IS NULL`). */
  where?: string;
}

/** INSERT INTO table (columns) VALUES (…), (…) [ON CONFLICT … DO NOTHING] [RETURNING …]. */
export async function insertRows<R = Record<string, unknown>>(q: AnyExecutor, i: RowsInsert): Promise<R[]> {
  if (i.rows.length === 0) return [];
  const params: unknown[] = [];
  const columns = i.columns ?? Object.keys(i.rows[0]!);
  const values = tuples(i.rows, columns, params, placeholder(q), i.table);
  let text = `INSERT INTO ${id(i.table)} (${columns.map(id).join(', ')}) VALUES ${values}`;
  if (i.ignoreConflictOn) text += ` ON CONFLICT (${i.ignoreConflictOn.map(id).join(', ')}) DO NOTHING`;
  if (i.returning) text += ` RETURNING ${i.returning === '*' ? '*' : i.returning.map(id).join(', ')}`;
  return (await q.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
}

/**
 * Many rows updated with values of their own in one statement: UPDATE … FROM (VALUES …), which
 * SQLite (≥ 3.33) and PostgreSQL both run; the VALUES list's columns are column1, column2, … in both.
 */
export async function updateRows(q: AnyExecutor, u: RowsUpdate): Promise<void> {
  if (u.rows.length === 0 || u.set.length === 0) return;
  const cols = [...u.keys, ...u.set];
  const value = (k: string) => {
    const ref = `v.column${cols.indexOf(k) + 1}`;
    return u.integers?.has(k) ? `CAST(${ref} AS INTEGER)` : ref;
  };
  const params: unknown[] = [];
  const values = tuples(u.rows, cols, params, placeholder(q), u.table);
  const set = u.set.map((k) => `${id(k)} = ${value(k)}`).join(', ');
  const match = u.keys.map((k) => `${id(u.table)}.${id(k)} = ${value(k)}`).join(' AND ');
  const text = `UPDATE ${id(u.table)} SET ${set} FROM (VALUES ${values}) AS v WHERE ${match}${u.where ? ` AND ${u.where}` : ''}`;
  await q.executeQuery(CompiledQuery.raw(text, params));
}

/** `(?, ?), (?, ?)` (or `($1, $2), …`) for the rows, their values appended to `params` in order. */
function tuples(rows: readonly Record<string, unknown>[], columns: readonly string[], params: unknown[], mark: (n: number) => string, table: string): string {
  const out: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const marks: string[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const v = row[columns[c]!];
      if (v === undefined) throw new Error(`${table}: row ${r} has no value for ${columns[c]}`);
      params.push(v);
      marks[c] = mark(params.length);
    }
    out[r] = `(${marks.join(', ')})`;
  }
  return out.join(', ');
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const checked = new Set<string>();
function id(name: string): string {
  if (!checked.has(name)) {
    if (!IDENTIFIER.test(name)) throw new Error(`not an identifier: ${JSON.stringify(name)}`);
    checked.add(name);
  }
  return `"${name}"`;
}

const question = () => '?';
const numbered = (n: number) => `$${n}`;
const marks = new WeakMap<object, (n: number) => string>();
/** The dialect's parameter placeholder, as its own compiler writes one: `?` (SQLite) or `$n` (PostgreSQL). */
function placeholder(q: AnyExecutor): (n: number) => string {
  let m = marks.get(q);
  if (!m) {
    m = sql`${0}`.compile(q).sql === '?' ? question : numbered;
    marks.set(q, m);
  }
  return m;
}
