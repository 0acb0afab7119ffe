import type pg from 'pg';

/** The one connection a projection transaction runs on. */
export type Sql = Pick<pg.PoolClient, 'query'>;

/** Rows of a query, typed. */
export async function rows<T extends pg.QueryResultRow>(sql: Sql, text: string, values: unknown[] = []): Promise<T[]> {
  return (await sql.query<T>(text, values)).rows;
}

/**
 * Bulk input for set-based statements: the rows travel as ONE jsonb parameter and come back as a relation through
 * `jsonb_to_recordset` — much cheaper to build and to parse than one PostgreSQL array literal per column.
 * `recordset('$1', { k: 'varchar', n: 'int4' })` -> `jsonb_to_recordset($1::jsonb) as r(k varchar, n int4)`.
 */
export function recordset(param: string, columns: Record<string, string>, alias = 'r'): string {
  const list = Object.entries(columns)
    .map(([name, type]) => `${name} ${type}`)
    .join(', ');
  return `jsonb_to_recordset(${param}::jsonb) as ${alias}(${list})`;
}

/** The jsonb parameter for `recordset`. */
export const json = (rows: readonly object[]): string => JSON.stringify(rows);

/** Milliseconds since the epoch -> ISO string PostgreSQL parses as timestamptz without loss. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A timestamptz column read back as epoch milliseconds (selected as `(extract(epoch from x) * 1000)::float8`). */
export const epochMs = (column: string): string => `(extract(epoch from ${column}) * 1000)::float8`;

/** Transaction-scoped lock held by every projection writer: identity resolution must see one writer at a time. */
export const PROJECTION_WRITER_LOCK = 0x50_52_4f_4a; // "PROJ"

export async function lockProjectionWriter(sql: Sql): Promise<void> {
  await sql.query('select pg_advisory_xact_lock($1)', [PROJECTION_WRITER_LOCK]);
}
