import type pg from 'pg';

/** The one connection a projection transaction runs on. */
export type Sql = Pick<pg.PoolClient, 'query'>;

/** Rows of a query, typed. */
export async function rows<T extends pg.QueryResultRow>(sql: Sql, text: string, values: unknown[] = []): Promise<T[]> {
  return (await sql.query<T>(text, values)).rows;
}

/** Splits parallel column arrays into one array per column for `unnest($1::type[], ...)` inserts. */
export function columns<T, const K extends readonly (keyof T)[]>(items: readonly T[], keys: K): { [I in keyof K]: unknown[] } {
  return keys.map((key) => items.map((item) => item[key] ?? null)) as { [I in keyof K]: unknown[] };
}

/** Milliseconds since the epoch -> ISO string PostgreSQL parses as timestamptz without loss. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A timestamptz column read back as epoch milliseconds (selected as `(extract(epoch from x) * 1000)::float8`). */
export const epochMs = (column: string): string => `(extract(epoch from ${column}) * 1000)::float8`;

/** Transaction-scoped lock held by every projection writer: identity resolution must see one writer at a time. */
export const PROJECTION_WRITER_LOCK = 0x50_52_4f_4a; // "PROJ"

export async function lockProjectionWriter(sql: Sql): Promise<void> {
  await sql.query('select pg_advisory_xact_lock($1)', [PROJECTION_WRITER_LOCK]);
}
